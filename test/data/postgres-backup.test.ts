/**
 * backup.sh and restore.sh for real: Debian PostgreSQL 15 servers bootstrapped by entrypoint.sh, a real
 * S3 API (s3rver on 127.0.0.1) and the same rclone the CronJob uses, configured only by environment.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { backupPrefix, backupRemote } from "../../components/data/postgres-backup";
import { postgresSchema } from "../../config/postgres";
import {
  Credentials,
  PgNode,
  ownedDir,
  runAs,
  runScript,
  tempDir,
  writeCredentials,
} from "../support/postgres";
import { S3Server, rclone, rcloneEnv, startS3 } from "../support/s3";

jest.setTimeout(120_000);

const BUCKET = "botfleet-backups";
// The prefixes two stacks get by default (no `prefix` configured): "prod/postgres" and "dev/postgres".
const PREFIX = backupPrefix(postgresSchema.parse({}), "prod");
const DEV_PREFIX = backupPrefix(postgresSchema.parse({}), "dev");

let root: string;
let s3: S3Server;
let creds: Credentials;
let source: PgNode;
let target: PgNode;
let scratch: string;

/** Row count and an md5 over every row in key order: equal fingerprints mean equal contents. */
async function fingerprint(
  node: PgNode,
  database?: string,
): Promise<{ trades: number; orders: number; md5: string }> {
  if (database !== undefined) return fingerprintSql(node, database);
  const c = await node.client();
  try {
    const r = await c.query(
      `SELECT (SELECT count(*)::int FROM trades) AS trades, (SELECT count(*)::int FROM orders) AS orders,
              md5((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM trades t) ||
                  (SELECT string_agg(o::text, '|' ORDER BY o.id) FROM orders o)) AS md5`,
    );
    return r.rows[0];
  } finally {
    await c.end();
  }
}

function fingerprintSql(node: PgNode, database: string): { trades: number; orders: number; md5: string } {
  const out = node.superSql(
    `SELECT (SELECT count(*) FROM trades) || ',' || (SELECT count(*) FROM orders) || ',' ||
            md5((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM trades t) ||
                (SELECT string_agg(o::text, '|' ORDER BY o.id) FROM orders o))`,
    database,
  );
  const [trades, orders, md5] = out.split(",");
  return { trades: Number(trades), orders: Number(orders), md5 };
}

async function exec(node: PgNode, sql: string): Promise<void> {
  const c = await node.client();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** libpq + rclone environment of the backup Job (PGPASSWORD comes from a secretKeyRef there). */
function jobEnv(node: PgNode, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PGHOST: "127.0.0.1",
    PGPORT: String(node.port),
    PGDATABASE: node.database,
    PGUSER: node.username,
    PGPASSWORD: node.opts.credentials.appPassword,
    BACKUP_REMOTE: backupRemote(BUCKET, PREFIX),
    RCLONE: "rclone",
    HOME: scratch,
    TMPDIR: scratch,
    ...rcloneEnv(s3.endpoint),
    ...extra,
  };
}

function backup(retention: number, extra: Record<string, string> = {}) {
  const r = runScript(
    "backup.sh",
    [],
    jobEnv(source, { BACKUP_RETENTION_COUNT: String(retention), ...extra }),
  );
  return { ...r, name: r.stdout.trim() };
}

/** Lists the bucket through the S3 API (rclone lsf), as an operator would. */
function listBucket(prefix: string = PREFIX): string[] {
  const ls = rclone(s3.endpoint, scratch, ["lsf", "--files-only", `${backupRemote(BUCKET, prefix)}/`]);
  if (ls.status !== 0) throw new Error(`rclone lsf failed: ${ls.stderr}`);
  return ls.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .sort();
}

beforeAll(async () => {
  root = tempDir("botfleet-pg-backup");
  scratch = ownedDir(root, "scratch");
  s3 = await startS3(path.join(root, "s3"), BUCKET);
  creds = writeCredentials(root);
  source = new PgNode(root, { role: "primary", podName: "source-0", credentials: creds });
  target = new PgNode(root, {
    role: "primary",
    podName: "target-0",
    credentials: writeCredentials(ownedDir(root, "t")),
  });
  await Promise.all([source.start(), target.start()]);
  await exec(
    source,
    `CREATE TABLE trades (id bigserial PRIMARY KEY, symbol text NOT NULL, price numeric(18,8) NOT NULL,
                          qty numeric(18,8) NOT NULL, at timestamptz NOT NULL DEFAULT now(), meta jsonb);
     CREATE TABLE orders (id bigserial PRIMARY KEY, trade_id bigint REFERENCES trades(id), side text NOT NULL);
     CREATE INDEX trades_symbol ON trades (symbol);
     INSERT INTO trades (symbol, price, qty, meta)
       SELECT CASE g % 3 WHEN 0 THEN 'BTC-USDT' WHEN 1 THEN 'ETH-USDT' ELSE 'SOL-USDT' END,
              random() * 100000, random() * 10, jsonb_build_object('n', g, 'note', md5(g::text))
       FROM generate_series(1, 20000) g;
     INSERT INTO orders (trade_id, side) SELECT id, CASE id % 2 WHEN 0 THEN 'buy' ELSE 'sell' END FROM trades;`,
  );
});

afterAll(async () => {
  await source?.stop();
  await target?.stop();
  await s3?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("backup.sh to a real S3 API", () => {
  const names: string[] = [];

  test("uploads a custom-format dump and its sha256; keeps only the newest retentionCount", async () => {
    for (let i = 1; i <= 4; i++) {
      // Each run sees more data, so each backup differs.
      await exec(source, `INSERT INTO trades (symbol, price, qty) VALUES ('RUN-${i}', ${i}, ${i})`);
      const r = backup(3);
      expect(r.stderr).toContain("uploaded");
      expect(r.status).toBe(0);
      expect(r.name).toMatch(/^botfleet-\d{8}T\d{9}Z\.dump$/);
      names.push(r.name);
    }
    const listing = listBucket();
    console.log(`bucket after 4 backups with retentionCount 3:\n  ${listing.join("\n  ")}`);
    // The oldest dump and its checksum are gone; the newest three are complete.
    const kept = names.slice(1);
    expect(listing).toEqual(kept.flatMap((n) => [n, `${n}.sha256`]).sort());
    expect(listing).not.toContain(names[0]);

    // What is in S3 is exactly what backup.sh checksummed (downloaded back through the S3 API).
    const newest = names[3];
    const dl = path.join(scratch, "check");
    ownedDir(scratch, "check");
    const get = rclone(s3.endpoint, scratch, [
      "copy",
      `${backupRemote(BUCKET, PREFIX)}/`,
      dl,
      "--include",
      `${newest}*`,
    ]);
    expect(get.status).toBe(0);
    const sha = crypto
      .createHash("sha256")
      .update(fs.readFileSync(path.join(dl, newest)))
      .digest("hex");
    expect(fs.readFileSync(path.join(dl, `${newest}.sha256`), "utf8")).toBe(`${sha}  ${newest}\n`);
    expect(fs.readFileSync(path.join(dl, newest)).subarray(0, 5).toString()).toBe("PGDMP"); // custom format
  });

  test("fails (non-zero) and uploads nothing when the database refuses the credentials", () => {
    const before = listBucket();
    const r = backup(3, { PGPASSWORD: "wrong" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(listBucket()).toEqual(before);
  });

  // s3rver checks the access key id but does not verify SigV4 signatures, so the bad key is the id.
  test("fails (non-zero) when the S3 access key is unknown", () => {
    const r = runScript("backup.sh", [], {
      ...jobEnv(source, { BACKUP_RETENTION_COUNT: "3" }),
      ...rcloneEnv(s3.endpoint, { accessKeyId: "NOT-A-KEY", secretAccessKey: "S3RVER" }),
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Failed to copyto: Forbidden/);
    expect(listBucket().filter((n) => n.endsWith(".dump")).length).toBe(3);
  });
});

describe("restore.sh into an empty server", () => {
  test("restores the latest backup: row counts and checksums match the source", async () => {
    const expected = await fingerprint(source);
    const r = runScript("restore.sh", [], jobEnv(target));
    expect(r.stderr).toContain("checksum ok");
    expect(r.status).toBe(0);
    const restored = await fingerprint(target);
    console.log(
      `restore of ${r.stdout.trim()}:\n  source   trades=${expected.trades} orders=${expected.orders} md5=${expected.md5}\n` +
        `  restored trades=${restored.trades} orders=${restored.orders} md5=${restored.md5}`,
    );
    expect(restored).toEqual(expected);
    expect(restored.trades).toBe(20004);
    // The foreign key and index came back too.
    expect(
      target.superSql("SELECT count(*) FROM pg_indexes WHERE indexname = 'trades_symbol'", "botfleet"),
    ).toBe("1");
  });

  test("refuses a database that already holds tables", () => {
    const r = runScript("restore.sh", [], jobEnv(target));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/already holds \d+ relations; restore only into an empty database/);
  });

  test("restores a named (older) backup into another empty database", () => {
    const older = listBucket().filter((n) => n.endsWith(".dump"))[0];
    target.superSql(`CREATE DATABASE drill OWNER ${target.username}`);
    const r = runScript("restore.sh", [older], { ...jobEnv(target), PGDATABASE: "drill" });
    expect(r.status).toBe(0);
    const drill = fingerprintSql(target, "drill");
    // That backup was taken after RUN-2 was inserted: 20000 + 2 trades.
    expect(drill.trades).toBe(20002);
    console.log(`named restore of ${older}: trades=${drill.trades} orders=${drill.orders}`);
  });

  test("refuses a backup whose checksum does not match", () => {
    const latest = listBucket()
      .filter((n) => n.endsWith(".dump"))
      .pop() as string;
    const bad = path.join(scratch, `${latest}.sha256`);
    fs.writeFileSync(bad, `${"0".repeat(64)}  ${latest}\n`);
    fs.chownSync(bad, runAs.uid, runAs.gid);
    const put = rclone(s3.endpoint, scratch, [
      "copyto",
      bad,
      `${backupRemote(BUCKET, PREFIX)}/${latest}.sha256`,
    ]);
    expect(put.status).toBe(0);
    target.superSql(`CREATE DATABASE tampered OWNER ${target.username}`);
    const r = runScript("restore.sh", [], { ...jobEnv(target), PGDATABASE: "tampered" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`checksum mismatch for ${latest}`);
    expect(target.superSql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", "tampered")).toBe(
      "0",
    );
  });
});

describe("two stacks sharing one bucket (default prefixes)", () => {
  const devEnv = (node: PgNode, extra: Record<string, string> = {}) =>
    jobEnv(node, { BACKUP_REMOTE: backupRemote(BUCKET, DEV_PREFIX), ...extra });
  let devDump: string;
  let prodDump: string;

  test("the defaults differ per stack", () => {
    expect([PREFIX, DEV_PREFIX]).toEqual(["prod/postgres", "dev/postgres"]);
  });

  test("retention in one prefix never deletes the other's dumps", () => {
    const prodBefore = listBucket(PREFIX);
    expect(prodBefore.filter((n) => n.endsWith(".dump")).length).toBe(3);
    // dev keeps 1: three dev runs delete two dev dumps, and nothing of prod's.
    for (let i = 0; i < 3; i++) {
      const r = runScript("backup.sh", [], devEnv(source, { BACKUP_RETENTION_COUNT: "1" }));
      expect(r.status).toBe(0);
      devDump = r.stdout.trim();
    }
    expect(listBucket(DEV_PREFIX)).toEqual([devDump, `${devDump}.sha256`]);
    expect(listBucket(PREFIX)).toEqual(prodBefore);

    // prod keeps 1: its retention deletes its own older dumps and leaves dev's one alone.
    const r = backup(1);
    expect(r.status).toBe(0);
    prodDump = r.name;
    expect(listBucket(PREFIX)).toEqual([prodDump, `${prodDump}.sha256`]);
    expect(listBucket(DEV_PREFIX)).toEqual([devDump, `${devDump}.sha256`]);
    console.log(`shared bucket: prod/postgres holds ${prodDump}, dev/postgres holds ${devDump}`);
  });

  test("restore of the latest dump stays in its own prefix", () => {
    // prod's dump is newer, yet dev's restore takes dev's.
    expect(prodDump > devDump).toBe(true);
    target.superSql(`CREATE DATABASE devlatest OWNER ${target.username}`);
    const r = runScript("restore.sh", [], devEnv(target, { PGDATABASE: "devlatest" }));
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(devDump);
  });

  test("refuses a named dump outside its configured prefix, in every spelling", () => {
    target.superSql(`CREATE DATABASE crossed OWNER ${target.username}`);
    for (const named of [
      `${backupRemote(BUCKET, DEV_PREFIX)}/${devDump}`,
      `${BUCKET}/${DEV_PREFIX}/${devDump}`,
      `${DEV_PREFIX}/${devDump}`,
      `../../${DEV_PREFIX}/${devDump}`,
      `${backupRemote(BUCKET, PREFIX)}/../../${DEV_PREFIX}/${devDump}`,
    ]) {
      const r = runScript("restore.sh", [named], { ...jobEnv(target), PGDATABASE: "crossed" });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(
        `backup '${named}' is outside the configured prefix ${backupRemote(BUCKET, PREFIX)}`,
      );
    }
    expect(target.superSql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", "crossed")).toBe(
      "0",
    );
  });

  test("accepts a full path under its own prefix", () => {
    target.superSql(`CREATE DATABASE viapath OWNER ${target.username}`);
    const named = `${backupRemote(BUCKET, PREFIX)}/${prodDump}`;
    const r = runScript("restore.sh", [named], { ...jobEnv(target), PGDATABASE: "viapath" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(prodDump);
    expect(fingerprintSql(target, "viapath").trades).toBe(20004);
  });
});
