/**
 * Redis and Sentinel FOR REAL: Debian's redis-server/redis-sentinel 7.0 on 127.0.0.1, configured by our
 * renderers and started by files/redis/entrypoint.sh exactly as in the pods (3 pods, quorum 2).
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { execFileSync, spawn, spawnSync } from "child_process";
import { redisSchema } from "../../config/redis";
import { SENTINEL_MASTER_NAME } from "../../components/data/redis-conf";
import {
  HOST,
  RedisTestCluster,
  SCRIPTS_DIR,
  cli,
  freePort,
  runProbe,
  waitFor,
  type RedisPod,
} from "../support/redis";
import {
  TEST_PASSWORDS,
  backgroundWriter,
  countPresent,
  primaryFromSentinel,
  role,
  startInOrder,
  writeBatch,
  haTestConfig as haConfig,
} from "../support/redis-ha";

jest.setTimeout(90_000);

const PASSWORDS = TEST_PASSWORDS;

describe("entrypoint and probe scripts", () => {
  test("are shellcheck-clean as POSIX sh", () => {
    const r = spawnSync(
      "shellcheck",
      ["-s", "sh", "entrypoint.sh", "probe.sh", "prestop.sh", "acl-reload.sh"],
      {
        cwd: SCRIPTS_DIR,
        encoding: "utf8",
      },
    );
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("standalone Redis through the entrypoint", () => {
  const cluster = new RedisTestCluster(redisSchema.parse({}), PASSWORDS);
  let pod: RedisPod;

  beforeAll(async () => {
    await cluster.addPods(1);
    pod = cluster.pods[0];
    cluster.startRedis(pod);
    await waitFor("standalone redis", async () =>
      (await cluster.redisCli(pod, "PING")).stdout.trim() === "PONG" ? true : undefined,
    );
  });
  afterAll(() => cluster.stopAll());

  test("runs as a primary with AOF on and accepts writes without replicas", async () => {
    expect(await role(cluster, pod)).toBe("master");
    expect((await cluster.redisCli(pod, "CONFIG", "GET", "appendonly")).stdout.split("\n")[1]).toBe("yes");
    expect(
      (await cluster.redisCli(pod, "CONFIG", "GET", "min-replicas-to-write")).stdout.split("\n")[1],
    ).toBe("0");
    expect((await cluster.redisCli(pod, "SET", "k", "v")).stdout.trim()).toBe("OK");
    expect(pod.redis?.log()).toContain("starting standalone");
  });

  test("SIGTERM reaches redis-server itself (the entrypoint execs it) and it exits cleanly", async () => {
    const proc = pod.redis!;
    expect(fs.readFileSync(`/proc/${proc.pid}/comm`, "utf8").trim()).toBe("redis-server");
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.log()).toContain("Redis is now ready to exit");
  });
});

describe("Redis + Sentinel: 3 pods, quorum 2", () => {
  const cluster = new RedisTestCluster(haConfig, PASSWORDS);
  const acked: string[] = [];

  beforeAll(async () => {
    await cluster.addPods(3);
    // Every Sentinel knows the primary, both replicas and the 2 other Sentinels.
    await startInOrder(cluster);
  });
  afterAll(() => cluster.stopAll());

  test("pod 0 starts as the primary and the others as its replicas, decided by the entrypoint", () => {
    const [p0, p1, p2] = cluster.pods;
    // The same first choice, however it was learnt: no Sentinel knew one yet, or pod 0's Sentinel (or
    // another one), started alongside, had already made it (config epoch 0, nothing failed over yet).
    const firstChoice =
      /\((initial primary: no Sentinel knows one yet|(remembered on this pod's volume|reported by Sentinel), config epoch 0)\)/;
    expect(p0.redis?.log()).toMatch(new RegExp(`starting as primary ${firstChoice.source}`));
    expect(p0.sentinel?.log()).toMatch(firstChoice);
    for (const p of [p1, p2])
      expect(p.redis?.log()).toMatch(new RegExp(`starting as replica of ${HOST}:${p0.port}`));
    expect(p0.sentinel?.log()).toContain(`monitoring ${HOST}:${p0.port}`);
  });

  test("(1) replicas sync from the primary with the rendered config; AOF is on", async () => {
    const [p0, p1, p2] = cluster.pods;
    const primary = await cluster.info(p0, "replication");
    expect(primary.role).toBe("master");
    expect(primary.connected_slaves).toBe("2");
    for (const p of [p1, p2]) {
      const info = await waitFor(`replica ${p.ordinal} link up`, async () => {
        const i = await cluster.info(p, "replication");
        return i.master_link_status === "up" ? i : undefined;
      });
      expect(info.role).toBe("slave");
      expect(info.master_port).toBe(String(p0.port));
    }
    expect((await cluster.redisCli(p0, "SET", "sync:probe", "hello")).stdout.trim()).toBe("OK");
    expect((await cluster.redisCli(p0, "WAIT", "2", "5000")).stdout.trim()).toBe("2");
    for (const p of [p1, p2])
      expect((await cluster.redisCli(p, "GET", "sync:probe")).stdout.trim()).toBe("hello");
    // A replica refuses writes.
    expect((await cluster.redisCli(p1, "SET", "x", "y")).stdout).toMatch(/^READONLY/);

    for (const p of cluster.pods) {
      const persistence = await cluster.info(p, "persistence");
      expect(persistence.aof_enabled).toBe("1");
      expect((await cluster.redisCli(p, "CONFIG", "GET", "appendfsync")).stdout.split("\n")[1]).toBe(
        "everysec",
      );
      expect(fs.readdirSync(path.join(p.dataDir, "appendonlydir")).some((f) => f.endsWith(".aof"))).toBe(
        true,
      );
    }
    expect((await cluster.redisCli(p0, "CONFIG", "GET", "min-replicas-to-write")).stdout.split("\n")[1]).toBe(
      "1",
    );
  });

  test("each config holds only the passwords its server sends (mode 0600); users' passwords are hashes only", () => {
    const { replication, sentinel, sentinelAuth, admin, exporter, sentinelClient, bots } = PASSWORDS;
    const everyPassword = [
      replication,
      sentinel,
      sentinelAuth,
      admin,
      exporter,
      sentinelClient,
      ...Object.values(bots),
    ];
    for (const p of cluster.pods) {
      const redisConf = fs.readFileSync(path.join(p.redisRunDir, "redis.conf"), "utf8");
      const sentinelConf = fs.readFileSync(p.sentinelConf, "utf8");
      for (const f of ["redis.conf", "sentinel.conf"]) {
        const template = fs.readFileSync(path.join(p.templateDir, f), "utf8");
        for (const pw of everyPassword) expect(template).not.toContain(pw);
      }
      // masterauth: the replication user's; Sentinel: its own (requirepass, sentinel-pass) and auth-pass.
      for (const pw of everyPassword) expect(redisConf.includes(pw)).toBe(pw === replication);
      for (const pw of everyPassword)
        expect(sentinelConf.includes(pw)).toBe(pw === sentinel || pw === sentinelAuth);
      for (const f of [path.join(p.redisRunDir, "redis.conf"), p.sentinelConf])
        expect(fs.statSync(f).mode & 0o777).toBe(0o600);
      for (const pw of everyPassword) {
        expect(p.redis?.log()).not.toContain(pw);
        expect(p.sentinel?.log()).not.toContain(pw);
      }
    }
  });

  test("(4) auth is enforced on Redis and Sentinel", async () => {
    const [p0] = cluster.pods;
    expect((await cli(p0.port, ["PING"], { auth: null })).stdout).toMatch(/^NOAUTH Authentication required/);
    expect((await cli(p0.sentinelPort, ["PING"], { auth: null })).stdout).toMatch(
      /^NOAUTH Authentication required/,
    );
    expect((await cli(p0.port, ["GET", "sync:probe"], { auth: "wrong" })).stderr).toMatch(/WRONGPASS/);
    // The default user is off: even the right password without a user name is refused.
    expect((await cli(p0.port, ["PING"], { auth: PASSWORDS.admin })).stderr).toMatch(/WRONGPASS/);
    expect((await cli(p0.port, ["PING"], { auth: cluster.admin })).stdout.trim()).toBe("PONG");
  });

  test("(2) kill -9 of the primary pod: Sentinel promotes a replica holding every WAIT-acknowledged write", async () => {
    const [p0, p1, p2] = cluster.pods;
    // Write continuously; kill the primary's pod (redis + its sentinel) while writes are in flight.
    const writer = backgroundWriter((from) => writeBatch(p0.port, cluster.admin, "trade", from, 50));
    let killedAt: number;
    try {
      await waitFor("500 acknowledged writes", async () => (writer.keys.length >= 500 ? true : undefined));
      killedAt = Date.now();
      p0.redis!.child.kill("SIGKILL");
      p0.sentinel!.child.kill("SIGKILL");
    } finally {
      await writer.stop();
    }
    acked.push(...writer.keys);
    const written = acked.length;

    const newPrimaryPort = await waitFor("a new primary from the surviving Sentinels", async () => {
      const a = await primaryFromSentinel(cluster, p1);
      const b = await primaryFromSentinel(cluster, p2);
      return a !== undefined && a === b && a !== p0.port ? a : undefined;
    });
    const promoted = cluster.pods.find((p) => p.port === newPrimaryPort)!;
    await waitFor("the promoted replica to be master", async () =>
      (await role(cluster, promoted)) === "master" ? true : undefined,
    );
    const promotionMs = Date.now() - killedAt;

    const found = await countPresent(cluster, promoted, acked);
    console.log(
      `failover: written (acked by WAIT 1) ${written}, found on new primary redis-${promoted.ordinal} ${found}, ` +
        `promotion took ${promotionMs} ms (down-after ${haConfig.downAfterMilliseconds} ms)`,
    );
    expect(written).toBeGreaterThanOrEqual(500);
    expect(found).toBe(written);

    // The other replica follows the new primary, so min-replicas-to-write lets writes through again.
    const other = [p1, p2].find((p) => p !== promoted)!;
    await waitFor("the other replica to follow the new primary", async () => {
      const i = await cluster.info(other, "replication");
      return i.master_port === String(newPrimaryPort) && i.master_link_status === "up" ? true : undefined;
    });
    await waitFor("writes on the new primary", async () =>
      (await cluster.redisCli(promoted, "SET", "after:failover", "1")).stdout.trim() === "OK"
        ? true
        : undefined,
    );
  });

  test("(3) the old primary restarted through the entrypoint rejoins as a replica by itself", async () => {
    const [p0, p1] = cluster.pods;
    const newPrimaryPort = (await primaryFromSentinel(cluster, p1))!;
    cluster.startRedis(p0);
    cluster.startSentinel(p0);
    const info = await waitFor("old primary to sync from the new one", async () => {
      const i = await cluster.info(p0, "replication");
      return i.role === "slave" && i.master_link_status === "up" ? i : undefined;
    });
    expect(info.master_port).toBe(String(newPrimaryPort));
    // The epoch is at least 1: a failover whose vote split is retried with a higher one.
    expect(p0.redis?.log()).toMatch(
      new RegExp(
        `starting as replica of ${HOST}:${newPrimaryPort} \\(reported by Sentinel, config epoch [1-9]`,
      ),
    );
    expect(p0.sentinel?.log()).toMatch(
      new RegExp(`monitoring ${HOST}:${newPrimaryPort} \\(reported by Sentinel, config epoch [1-9]`),
    );
    expect((await cluster.redisCli(p0, "GET", "after:failover")).stdout.trim()).toBe("1");
    expect(await countPresent(cluster, p0, acked)).toBe(acked.length);
    await waitFor("restarted sentinel to rejoin", async () => {
      const r = await cluster.sentinelCli(p0, "--raw", "SENTINEL", "master", SENTINEL_MASTER_NAME);
      const lines = r.stdout.trim().split("\n");
      return lines[lines.indexOf("num-other-sentinels") + 1] === "2" ? true : undefined;
    });
  });

  test("prestop.sh + SIGTERM on the primary (a rolling update): no acknowledged write is lost, writes resume on the new primary", async () => {
    const primaryPort = (await primaryFromSentinel(cluster, cluster.pods[1]))!;
    const primary = cluster.pods.find((p) => p.port === primaryPort)!;
    const replica = cluster.pods.find((p) => p !== primary)!;
    const prestop = (pod: RedisPod) =>
      new Promise<{ code: number | null; log: string }>((resolve) => {
        const env = {
          ...cluster.env(pod),
          REDISCLI_AUTH: PASSWORDS.admin,
          REDIS_SENTINEL_AUTH: PASSWORDS.sentinelAuth,
        };
        const child = spawn("sh", [path.join(SCRIPTS_DIR, "prestop.sh")], { env });
        let log = "";
        child.stderr.on("data", (d: Buffer) => (log += d.toString()));
        child.on("close", (code) => resolve({ code, log }));
      });

    expect(await prestop(replica)).toEqual({ code: 0, log: "" });

    // Plain SETs (no WAIT) keep hitting the primary through the whole handover, as a client would.
    const writer = backgroundWriter(async (from) => {
      let stdin = "";
      for (let i = from; i < from + 50; i++) stdin += `SET roll:${i} v${i}\n`;
      const lines = (await cli(primary.port, [], { auth: cluster.admin, stdin })).stdout.split("\n");
      const ok: string[] = [];
      for (let i = 0; i < 50 && lines[i] === "OK"; i++) ok.push(`roll:${from + i}`);
      return ok;
    });
    let handoverMs: number;
    try {
      await waitFor("writes before the handover", async () => (writer.keys.length >= 200 ? true : undefined));
      const started = Date.now();
      const hook = await prestop(primary);
      handoverMs = Date.now() - started;
      expect(hook.code).toBe(0);
      expect(hook.log).toContain("writes paused");
      expect(hook.log).toMatch(/handed over to 127\.0\.0\.1:\d+ after/);
      // What the kubelet does after the hook.
      primary.redis!.child.kill("SIGTERM");
      expect((await primary.redis!.exited).code).toBe(0);
    } finally {
      await writer.stop();
    }
    const okKeys = writer.keys;

    const newPrimaryPort = await waitFor("Sentinels to agree on the new primary", async () => {
      const ports = await Promise.all(
        cluster.pods.filter((p) => p !== primary).map((p) => primaryFromSentinel(cluster, p)),
      );
      return ports.every((p) => p === ports[0]) && ports[0] !== primaryPort ? ports[0] : undefined;
    });
    const newPrimary = cluster.pods.find((p) => p.port === newPrimaryPort)!;
    expect(await role(cluster, newPrimary)).toBe("master");
    const found = await countPresent(cluster, newPrimary, okKeys);
    console.log(
      `rolling handover: redis-${primary.ordinal} -> redis-${newPrimary.ordinal} in ${handoverMs} ms; ` +
        `acknowledged plain SETs ${okKeys.length}, found on new primary ${found}`,
    );
    expect(found).toBe(okKeys.length);
    expect(await countPresent(cluster, newPrimary, acked)).toBe(acked.length);
    await waitFor("writes on the new primary", async () =>
      (await cluster.redisCli(newPrimary, "SET", "after:handover", "1")).stdout.trim() === "OK"
        ? true
        : undefined,
    );

    // The pod comes back (the StatefulSet recreates it) and rejoins as a replica through the entrypoint.
    cluster.startRedis(primary);
    await waitFor("the handed-over pod to rejoin as a replica", async () => {
      const i = await cluster.info(primary, "replication");
      return i.role === "slave" && i.master_port === String(newPrimaryPort) && i.master_link_status === "up"
        ? true
        : undefined;
    });
  });

  test("probe.sh: readiness and liveness pass on a healthy Redis and Sentinel, fail without the password", async () => {
    const [p0] = cluster.pods;
    for (const [port, auth] of [
      [p0.port, cluster.admin],
      [p0.sentinelPort, cluster.sentinelAdmin],
    ] as const) {
      expect((await runProbe("readiness", port, auth)).code).toBe(0);
      expect((await runProbe("liveness", port, auth)).code).toBe(0);
      const denied = await runProbe("readiness", port);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain("NOAUTH");
      expect((await runProbe("liveness", port)).code).toBe(1);
    }
  });
});

describe("probe.sh against replies a busy Redis gives", () => {
  let server: net.Server;
  let port: number;
  let reply = "";
  beforeAll(async () => {
    port = await freePort();
    // Answers every command with the current error reply, as a Redis loading its AOF does.
    server = net.createServer((sock) => sock.on("data", () => sock.write(reply)));
    await new Promise<void>((r) => server.listen(port, HOST, r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test.each([
    ["-LOADING Redis is loading the dataset in memory\r\n", 1, 0],
    ["-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n", 1, 0],
    ["-ERR something else\r\n", 1, 1],
    ["+PONG\r\n", 0, 0],
  ])("reply %j: readiness exit %i, liveness exit %i", async (r, readiness, liveness) => {
    reply = r;
    expect((await runProbe("readiness", port)).code).toBe(readiness);
    expect((await runProbe("liveness", port)).code).toBe(liveness);
  });

  test("a closed port fails both probes; an unknown probe kind is a usage error", async () => {
    const closed = await freePort();
    expect((await runProbe("readiness", closed)).code).toBe(1);
    expect((await runProbe("liveness", closed)).code).toBe(1);
    expect((await runProbe("startup", port)).code).toBe(2);
  });
});

test("redis-server and redis-sentinel are the 7.x this is proven on", () => {
  expect(execFileSync("redis-server", ["--version"]).toString()).toMatch(/v=7\./);
});
