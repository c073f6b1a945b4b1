/**
 * Real servers (Debian PostgreSQL 15) started by files/postgres/entrypoint.sh, the script the
 * StatefulSets run: primary bootstrap, replica bootstrap with pg_basebackup + slot, streaming, replica
 * restart without manual steps, and manual failover with failover.sh.
 */
import * as fs from "fs";
import * as path from "path";
import { postgresSchema } from "../../config/postgres";
import { synchronousStandbyNames } from "../../components/data/postgres-server";
import {
  Credentials,
  PgNode,
  eventually,
  freePort,
  ownedDir,
  runAs,
  runScript,
  tempDir,
  writeCredentials,
  writeSecret,
} from "../support/postgres";

jest.setTimeout(120_000);

let root: string;
let creds: Credentials;
let primary: PgNode;
let replica: PgNode;

async function count(node: PgNode): Promise<number> {
  const c = await node.client();
  try {
    const r = await c.query("SELECT count(*)::int AS n FROM trades");
    return r.rows[0].n as number;
  } finally {
    await c.end();
  }
}

async function exec(node: PgNode, sql: string): Promise<void> {
  const c = await node.client();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  root = tempDir("botfleet-pg-repl");
  creds = writeCredentials(root);
  primary = new PgNode(root, { role: "primary", podName: "postgres-primary-0", credentials: creds });
  await primary.start();
  await exec(
    primary,
    "CREATE TABLE trades (id bigserial PRIMARY KEY, symbol text NOT NULL, qty numeric NOT NULL)",
  );
  await exec(
    primary,
    "INSERT INTO trades (symbol, qty) SELECT 'BTC-USDT', g FROM generate_series(1, 1000) g",
  );
});

afterAll(async () => {
  await replica?.stop();
  await primary?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("primary bootstrap", () => {
  test("the app user owns its database, passwords are scram and the superuser cannot log in over TCP", async () => {
    expect(primary.log()).toContain("primary initialised: database botfleet, owner botfleet");
    expect(
      primary.superSql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'botfleet'"),
    ).toBe("botfleet");
    expect(primary.superSql("SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'")).toBe("t");
    expect(primary.superSql("SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'botfleet'")).toBe(
      "SCRAM-SHA-256$",
    );
    await expect(primary.client("wrong-password")).rejects.toThrow(/password authentication failed/);
    await expect(primary.client(creds.replicationPassword, runAs.name)).rejects.toThrow(
      /pg_hba.conf rejects/,
    );
    // The replication user may stream but not read application data.
    await expect(primary.client(creds.replicationPassword, "replicator")).rejects.toThrow(/pg_hba.conf/);
  });
});

describe("replica", () => {
  test("bootstraps with pg_basebackup and a slot named for the pod, then streams new writes", async () => {
    replica = new PgNode(root, {
      role: "replica",
      podName: "postgres-replica-0",
      credentials: creds,
      primaryPort: primary.port,
    });
    // As in the pod: the init container bootstraps, then the server container starts on the result.
    const init = await replica.init();
    expect(init.stderr).toContain("pg_basebackup from 127.0.0.1");
    expect(init.stderr).toContain("replica initialised");
    expect(init.status).toBe(0);
    await replica.start();
    expect(replica.log()).toContain("existing cluster in");
    expect(replica.log()).not.toContain("pg_basebackup");
    expect(fs.existsSync(path.join(replica.pgdata, "standby.signal"))).toBe(true);
    // -R wrote the slot; the conninfo (which would hold the password) is passed at start, never stored.
    const autoConf = fs.readFileSync(path.join(replica.pgdata, "postgresql.auto.conf"), "utf8");
    expect(autoConf).toContain("primary_slot_name = 'postgres_replica_0'");
    expect(autoConf).not.toContain(creds.replicationPassword);
    expect(autoConf).not.toContain("primary_conninfo");
    // The password material is only in PG_RUNTIME_DIR (the memory-backed emptyDir in the pod), owner-only;
    // nothing on the disk-backed TMPDIR holds it (the primary's bootstrap log went there instead).
    const passfile = path.join(replica.runtimeDir, "replication.pgpass");
    const escaped = creds.replicationPassword.replace(/\\/g, "\\\\").replace(/:/g, "\\:"); // libpq passfile
    expect(fs.readFileSync(passfile, "utf8")).toBe(`*:*:*:replicator:${escaped}\n`);
    expect(fs.statSync(passfile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(primary.runtimeDir)).toEqual([]);
    expect(fs.readdirSync(primary.tmpDir).sort()).toEqual(["initdb-server.log", "roles-server.log"]);
    for (const dir of [primary.tmpDir, replica.tmpDir]) {
      for (const f of fs.readdirSync(dir)) {
        const text = fs.readFileSync(path.join(dir, f), "utf8");
        expect([f, text.includes(creds.replicationPassword), text.includes(escaped)]).toEqual([
          f,
          false,
          false,
        ]);
      }
    }

    expect(replica.superSql("SELECT pg_is_in_recovery()")).toBe("t");
    expect(await count(replica)).toBe(1000);
    await eventually(
      async () =>
        primary.superSql(
          "SELECT s.slot_name || ':' || s.active || ':' || r.state FROM pg_replication_slots s " +
            "JOIN pg_stat_replication r ON r.pid = s.active_pid",
        ) === "postgres_replica_0:true:streaming",
      "slot postgres_replica_0 active and streaming",
    );

    await exec(
      primary,
      "INSERT INTO trades (symbol, qty) SELECT 'ETH-USDT', g FROM generate_series(1, 500) g",
    );
    await eventually(async () => (await count(replica)) === 1500, "replica to see 1500 rows");
    // A hot standby is read-only.
    await expect(exec(replica, "INSERT INTO trades (symbol, qty) VALUES ('X', 1)")).rejects.toThrow(
      /read-only transaction/,
    );
    console.log(
      `replica streaming: primary=${await count(primary)} rows, replica=${await count(replica)} rows`,
    );
  });

  test("restarted with existing data, it rejoins through its slot and catches up without manual steps", async () => {
    await replica.stop();
    // Writes while the replica is down are retained for it by the slot.
    await exec(
      primary,
      "INSERT INTO trades (symbol, qty) SELECT 'SOL-USDT', g FROM generate_series(1, 2000) g",
    );
    const retained = primary.superSql(
      "SELECT active || ':' || (restart_lsn IS NOT NULL) FROM pg_replication_slots WHERE slot_name = 'postgres_replica_0'",
    );
    expect(retained).toBe("false:true");

    await replica.start();
    const lines = replica.log().split("\n");
    // Both starts found the data and went straight to postgres: no second pg_basebackup.
    expect(lines.filter((l) => l.includes("existing cluster in")).length).toBe(2);
    expect(lines.filter((l) => l.includes("pg_basebackup")).length).toBe(0);
    await eventually(
      async () => (await count(replica)) === 3500,
      "restarted replica to catch up to 3500 rows",
    );
    expect(replica.superSql("SELECT pg_is_in_recovery()")).toBe("t");
    console.log(
      `replica rejoined: primary=${await count(primary)} rows, replica=${await count(replica)} rows`,
    );
  });
});

describe("replica that lost its volume", () => {
  test("re-bootstraps through the slot it already has on the primary (no slot clash, no manual cleanup)", async () => {
    await replica.stop();
    fs.rmSync(replica.pgdata, { recursive: true, force: true });
    await exec(
      primary,
      "INSERT INTO trades (symbol, qty) SELECT 'XRP-USDT', g FROM generate_series(1, 100) g",
    );
    const init = await replica.init();
    expect(init.stderr).toContain("slot postgres_replica_0 exists on the primary; reusing it");
    expect(init.status).toBe(0);
    await replica.start();
    await eventually(async () => (await count(replica)) === 3600, "re-bootstrapped replica to see 3600 rows");
    expect(primary.superSql("SELECT count(*) FROM pg_replication_slots")).toBe("1");
  });
});

describe("manual failover (failover.sh)", () => {
  const failoverEnv = () => ({
    PGHOST: replica.socketDir,
    PGPORT: String(replica.port),
    PGUSER: runAs.name,
    HOME: replica.runtimeDir,
  });

  test("prints the kubectl runbook: fence, promote, label flip on the pod postgres-rw selects", () => {
    const r = runScript("failover.sh", ["steps", "botfleet-data", "postgres-replica-0"], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("kubectl -n botfleet-data scale statefulset postgres-primary --replicas=0");
    expect(r.stdout).toContain(
      "kubectl -n botfleet-data exec postgres-replica-0 -c postgres -- /opt/botfleet/postgres/failover.sh promote",
    );
    expect(r.stdout).toContain(
      "kubectl -n botfleet-data label pod postgres-replica-0 botfleet.io/postgres-role=primary --overwrite",
    );
  });

  test("refuses to promote a primary", () => {
    const r = runScript("failover.sh", ["promote"], {
      PGHOST: primary.socketDir,
      PGPORT: String(primary.port),
      PGUSER: runAs.name,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("is not a standby");
  });

  test("promotes the replica after the primary is fenced; writes then succeed on it", async () => {
    const before = await count(replica);
    await primary.stop(); // step 1: fence the old primary
    expect(runScript("failover.sh", ["status"], failoverEnv()).stdout.trim()).toBe("replica");

    const r = runScript("failover.sh", ["promote"], failoverEnv());
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("now accepts writes");
    expect(runScript("failover.sh", ["status"], failoverEnv()).stdout.trim()).toBe("primary");

    await exec(
      replica,
      "INSERT INTO trades (symbol, qty) SELECT 'AVAX-USDT', g FROM generate_series(1, 250) g",
    );
    expect(await count(replica)).toBe(before + 250);
    expect(fs.existsSync(path.join(replica.pgdata, "standby.signal"))).toBe(false);

    // A promoted server restarted by its pod comes back as a primary, not as a standby.
    await replica.stop();
    await replica.start();
    expect(replica.log()).toMatch(/starting as primary\s*\n[\s\S]*$/);
    await exec(replica, "INSERT INTO trades (symbol, qty) VALUES ('BTC-USDT', 1)");
    console.log(
      `failover: ${before} rows before promotion, ${await count(replica)} after writes on the new primary`,
    );
  });
});

describe("split-brain guard: the old primary scaled back up after the failover", () => {
  // As `pulumi up` would: the old primary's pod runs `entrypoint.sh start` on its diverged data while the
  // promoted server answers on postgres-rw (PG_RW_HOST/PG_RW_PORT, here the promoted server's port).
  const rwAtPromoted = () => ({ PG_RW_HOST: "127.0.0.1", PG_RW_PORT: String(replica.port) });

  test("refuses to start as a second primary while the promoted server serves postgres-rw", () => {
    expect(replica.superSql("SELECT pg_is_in_recovery()")).toBe("f");
    expect(primary.listening()).toBe(false);
    // A bound on the run only: if the guard let postgres start, it would run in the foreground until killed.
    const r = runScript("entrypoint.sh", ["start"], { ...primary.env(), ...rwAtPromoted() }, 30_000);
    expect(r.error).toBeUndefined();
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("existing cluster in");
    expect(r.stderr).toContain(
      "FATAL: another primary (127.0.0.1, not in recovery) is serving 127.0.0.1:" + replica.port,
    );
    expect(r.stderr).toContain("must be rebuilt as a standby of the promoted server, or the failover undone");
    expect(r.stderr).toContain("docs/operations.md");
    expect(r.stderr).not.toContain("starting as primary");
    expect(r.stderr).not.toContain(creds.appPassword);
    // postgres never started: its port is closed, no postmaster.pid, and the check's passfile is gone.
    expect(primary.listening()).toBe(false);
    expect(fs.existsSync(path.join(primary.pgdata, "postmaster.pid"))).toBe(false);
    expect(fs.readdirSync(primary.runtimeDir)).toEqual([]);
    // The promoted server still takes writes.
    expect(replica.superSql("SELECT pg_is_in_recovery()")).toBe("f");
    console.log(`guard: old primary refused (exit ${r.status}): ${r.stderr.trim().split("\n").pop()}`);
  });

  test("a server that answers but cannot be asked (wrong password) also refuses: no blind start", () => {
    const wrong = ownedDir(root, "wrong-secrets");
    writeSecret(path.join(wrong, "password"), "not-the-password");
    writeSecret(path.join(wrong, "replication-password"), creds.replicationPassword);
    const r = runScript(
      "entrypoint.sh",
      ["start"],
      { ...primary.env(), ...rwAtPromoted(), PG_AUTH_DIR: wrong },
      30_000,
    );
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot be asked whether it is a primary");
    expect(r.stderr).toContain("password authentication failed");
    expect(r.stderr).not.toContain("not-the-password");
    expect(primary.listening()).toBe(false);
  });

  test("with nothing answering on postgres-rw (first start, or the whole cluster down) it starts as before", async () => {
    const closedPort = await freePort();
    await primary.start({ PG_RW_HOST: "127.0.0.1", PG_RW_PORT: String(closedPort) });
    try {
      expect(primary.log()).toContain(`no server answers on 127.0.0.1:${closedPort}; starting as primary`);
      expect(primary.listening()).toBe(true);
      expect(primary.superSql("SELECT pg_is_in_recovery()")).toBe("f");
      expect(fs.readdirSync(primary.runtimeDir)).toEqual([]);
    } finally {
      await primary.stop();
    }
    expect(primary.listening()).toBe(false);
  });
});

describe("synchronous replication as the component configures it", () => {
  let syncPrimary: PgNode;
  let syncReplica: PgNode;
  afterAll(async () => {
    await syncReplica?.stop();
    await syncPrimary?.stop();
  });

  test("remote_apply + the builder's synchronous_standby_names: a commit is visible on the standby at once", async () => {
    const cfg = postgresSchema.parse({ instances: 2, synchronousCommit: "remote_apply" });
    const settings = {
      PG_SYNCHRONOUS_COMMIT: cfg.synchronousCommit,
      PG_SYNCHRONOUS_STANDBY_NAMES: synchronousStandbyNames(cfg),
    };
    const syncRoot = ownedDir(root, "sync");
    syncPrimary = new PgNode(syncRoot, {
      role: "primary",
      podName: "postgres-primary-0",
      credentials: creds,
      extraEnv: settings,
    });
    await syncPrimary.start();
    syncReplica = new PgNode(syncRoot, {
      role: "replica",
      podName: "postgres-replica-0",
      credentials: creds,
      primaryPort: syncPrimary.port,
      extraEnv: settings,
    });
    await syncReplica.start();
    await eventually(
      async () => syncPrimary.superSql("SELECT sync_state FROM pg_stat_replication") === "quorum",
      "the standby to be a quorum (synchronous) standby",
    );
    expect(syncPrimary.superSql("SHOW synchronous_standby_names")).toBe("ANY 1 (*)");
    await exec(syncPrimary, "CREATE TABLE trades (id bigserial PRIMARY KEY, symbol text, qty numeric)");
    for (let i = 1; i <= 20; i++) {
      await exec(syncPrimary, `INSERT INTO trades (symbol, qty) VALUES ('BTC-USDT', ${i})`);
      // No polling: remote_apply returned only after the standby applied the commit.
      expect(await count(syncReplica)).toBe(i);
    }
  });
});
