/**
 * backup.sh, restore.sh and the docs/restore.md kit for real: Debian PostgreSQL 15 servers bootstrapped by
 * entrypoint.sh, a real S3 API (s3rver on 127.0.0.1), the same rclone the CronJob uses (configured only by
 * environment) and real OpenPGP keys made by the gpg the postgres image ships.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { backupPrefix, backupRemote } from "../../components/data/postgres-backup";
import { postgresSchema } from "../../config/postgres";
import { exec, fingerprint, fingerprintSql, restoreKit } from "../support/backup-fixture";
import { GpgKeyring, gpg, makeKeyring, stopAgent } from "../support/gpg";
import {
  Credentials,
  PG_BIN,
  PgNode,
  SCRIPTS_DIR,
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
/** The operator's keyring (private key) and an unrelated one: the wrong key. */
let operator: GpgKeyring;
let stranger: GpgKeyring;

/** libpq + rclone environment of the backup Job (PGPASSWORD comes from a secretKeyRef there). */
function jobEnv(node: PgNode, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PGHOST: "127.0.0.1",
    PGPORT: String(node.port),
    PGDATABASE: node.database,
    PGUSER: node.username,
    PGPASSWORD: node.opts.credentials.appPassword,
    BACKUP_REMOTE: backupRemote(BUCKET, PREFIX),
    BACKUP_RECIPIENT: operator.publicKey,
    // restore.sh decrypts with the operator's keyring; backup.sh makes its own throwaway one.
    GNUPGHOME: operator.home,
    RCLONE: "rclone",
    HOME: scratch,
    TMPDIR: scratch,
    ...rcloneEnv(s3.endpoint),
    ...extra,
  };
}

function backup(extra: Record<string, string> = {}) {
  const r = runScript("backup.sh", [], jobEnv(source, extra));
  return { ...r, name: r.stdout.trim() };
}

/** Downloads one object through the S3 API into a fresh directory the script user owns; returns its path. */
function download(name: string, prefix: string = PREFIX): string {
  const dir = ownedDir(scratch, `dl-${crypto.randomBytes(4).toString("hex")}`);
  const get = rclone(s3.endpoint, scratch, [
    "copyto",
    `${backupRemote(BUCKET, prefix)}/${name}`,
    path.join(dir, name),
  ]);
  if (get.status !== 0) throw new Error(`rclone copyto failed: ${get.stderr}`);
  return path.join(dir, name);
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
  const keys = ownedDir(root, "keys");
  operator = makeKeyring(keys, "operator");
  stranger = makeKeyring(keys, "stranger");
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
  for (const k of [operator, stranger]) if (k) stopAgent(k.home);
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("backup.sh to a real S3 API", () => {
  const names: string[] = [];

  test("streams an encrypted dump and its sha256 (of the ciphertext), and never deletes one", async () => {
    for (let i = 1; i <= 4; i++) {
      // Each run sees more data, so each backup differs.
      await exec(source, `INSERT INTO trades (symbol, price, qty) VALUES ('RUN-${i}', ${i}, ${i})`);
      const r = backup();
      expect(r.stderr).toContain(`encrypted to ${operator.fingerprint}`);
      expect(r.status).toBe(0);
      expect(r.name).toMatch(/^botfleet-\d{8}T\d{9}Z\.dump\.gpg$/);
      names.push(r.name);
    }
    const listing = listBucket();
    console.log(
      `bucket after 4 backups (the job deletes nothing; lifecycle rules expire):\n  ${listing.join("\n  ")}`,
    );
    expect(listing).toEqual(names.flatMap((n) => [n, `${n}.sha256`]).sort());

    // What is in S3 is exactly what backup.sh checksummed (downloaded back through the S3 API).
    const newest = download(names[3]);
    const sum = download(`${names[3]}.sha256`);
    const cipher = fs.readFileSync(newest);
    const sha = crypto.createHash("sha256").update(cipher).digest("hex");
    expect(fs.readFileSync(sum, "utf8")).toBe(`${sha}  ${names[3]}\n`);
    console.log(`newest backup: ${cipher.length} bytes of ciphertext, sha256 ${sha}`);
  });

  test("the object is not a readable dump; the operator's private key turns it back into one", () => {
    const cipher = fs.readFileSync(download(names[3]));
    // Neither the custom-format magic nor the schema nor a row is in the clear.
    expect(cipher.subarray(0, 5).toString()).not.toBe("PGDMP");
    for (const plain of ["PGDMP", "CREATE TABLE", "trades", "RUN-4", "BTC-USDT"]) {
      expect(cipher.includes(Buffer.from(plain))).toBe(false);
    }
    // An OpenPGP message for the operator's encryption subkey (public-key encrypted session key packet).
    const packets = gpg(stranger.home, ["--list-packets"], cipher).stdout.toString();
    expect(packets).toMatch(/:pubkey enc packet: version 3, algo 18/);
    const plain = gpg(operator.home, ["--decrypt"], cipher);
    expect(plain.status).toBe(0);
    expect(plain.stdout.subarray(0, 5).toString()).toBe("PGDMP");
    expect(plain.stdout.includes(Buffer.from("CREATE TABLE public.trades"))).toBe(true);
  });

  test("fails (non-zero) and uploads nothing when the database refuses the credentials", () => {
    const before = listBucket();
    const r = backup({ PGPASSWORD: "wrong" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(r.stderr).toContain("nothing uploaded");
    expect(listBucket()).toEqual(before);
  });

  test("refuses a private key or a non-key as recipient before dumping", () => {
    const before = listBucket();
    const priv = gpg(operator.home, ["--armor", "--export-secret-keys"]).stdout.toString();
    expect(priv).toContain("PRIVATE KEY BLOCK");
    const r1 = backup({ BACKUP_RECIPIENT: priv });
    expect(r1.status).not.toBe(0);
    expect(r1.stderr).toContain("BACKUP_RECIPIENT holds a private key");
    expect(r1.stderr).not.toContain(priv.split("\n")[2]);
    const r2 = backup({ BACKUP_RECIPIENT: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p" });
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toContain("BACKUP_RECIPIENT is not an OpenPGP public key gpg can read");
    expect(listBucket()).toEqual(before);
  });

  // s3rver checks the access key id but does not verify SigV4 signatures, so the bad key is the id.
  test("fails (non-zero) and writes no checksum when the S3 access key is unknown", () => {
    const r = runScript("backup.sh", [], {
      ...jobEnv(source),
      ...rcloneEnv(s3.endpoint, { accessKeyId: "NOT-A-KEY", secretAccessKey: "S3RVER" }),
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/rcat failed \(exit \d+\); .* is incomplete and has no \.sha256/);
    expect(listBucket().filter((n) => n.endsWith(".sha256")).length).toBe(4);
  });

  test("pg_dump failing after the stream started: the object gets no .sha256, restore never takes it", () => {
    // A table the application user cannot read: pg_dump fails after the connection check passed.
    source.superSql("CREATE TABLE unreadable (x int); REVOKE ALL ON unreadable FROM PUBLIC", "botfleet");
    try {
      const before = listBucket();
      const r = backup();
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied for table unreadable/);
      expect(r.stderr).toMatch(/pg_dump failed \(exit 1\); .*\.dump\.gpg is incomplete and has no \.sha256/);
      const added = listBucket().filter((n) => !before.includes(n));
      // gpg sealed what it got and rcat uploaded it: there, but never complete.
      console.log(`after a failed pg_dump the bucket gained: ${JSON.stringify(added)}`);
      expect(added.every((n) => n.endsWith(".dump.gpg"))).toBe(true);
      target.superSql(`CREATE DATABASE skiporphan OWNER ${target.username}`);
      const restored = runScript("restore.sh", [], { ...jobEnv(target), PGDATABASE: "skiporphan" });
      expect(restored.status).toBe(0);
      expect(added).not.toContain(restored.stdout.trim());
      expect(restored.stdout.trim()).toBe(before.filter((n) => n.endsWith(".dump.gpg")).pop());
      // The lifecycle rule would expire it; removed here (with the test's own key) so later tests see 4 dumps.
      for (const n of added) {
        expect(
          rclone(s3.endpoint, scratch, ["deletefile", `${backupRemote(BUCKET, PREFIX)}/${n}`]).status,
        ).toBe(0);
      }
    } finally {
      source.superSql("DROP TABLE unreadable", "botfleet");
    }
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
    const older = listBucket().filter((n) => n.endsWith(".dump.gpg"))[0];
    target.superSql(`CREATE DATABASE drill OWNER ${target.username}`);
    const r = runScript("restore.sh", [older], { ...jobEnv(target), PGDATABASE: "drill" });
    expect(r.status).toBe(0);
    const drill = fingerprintSql(target, "drill");
    // The oldest backup was taken after RUN-1 was inserted: 20000 + 1 trades.
    expect(drill.trades).toBe(20001);
    console.log(`named restore of ${older}: trades=${drill.trades} orders=${drill.orders}`);
  });

  test("with the wrong private key: fails, restores nothing", () => {
    target.superSql(`CREATE DATABASE wrongkey OWNER ${target.username}`);
    const r = runScript("restore.sh", [], {
      ...jobEnv(target),
      PGDATABASE: "wrongkey",
      GNUPGHOME: stranger.home,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot decrypt botfleet-\d{8}T\d{9}Z\.dump\.gpg: is the backup private key in/);
    expect(target.superSql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", "wrongkey")).toBe(
      "0",
    );
  });

  test("the restore kit in docs/restore.md, run verbatim: list, download, verify, decrypt, restore", async () => {
    const kit = restoreKit();
    expect(kit).toMatch(/rclone copyto/);
    expect(kit).toMatch(/gpg --output/);
    target.superSql(`CREATE DATABASE kit OWNER ${target.username}`);
    const work = ownedDir(scratch, "kit");
    // The two SQL files the kit's directory holds (docs/restore.md "Restore by hand").
    for (const f of ["restore-prepare.sql", "restore-owners.sql"])
      fs.copyFileSync(path.join(SCRIPTS_DIR, f), path.join(work, f));
    const run = (env: Record<string, string>) =>
      spawnSync("sh", ["-c", kit], {
        cwd: work,
        env: { PATH: `${PG_BIN}:/usr/local/bin:/usr/bin:/bin`, LANG: "C.UTF-8", ...jobEnv(target), ...env },
        uid: runAs.uid,
        gid: runAs.gid,
        encoding: "utf8",
        timeout: 120_000,
      });
    const r = run({ PGDATABASE: "kit" });
    if (r.status !== 0) console.log(`restore kit failed:\n${r.stderr}`);
    expect(r.status).toBe(0);
    // Step 1 listed the four complete backups; the newest was restored.
    const complete = listBucket().filter((n) => n.endsWith(".dump.gpg"));
    expect(r.stdout.trim().split("\n").slice(0, 4)).toEqual(complete);
    const restored = fingerprintSql(target, "kit");
    expect(restored).toEqual(await fingerprint(source));
    console.log(
      `restore kit: ${complete[3]} -> trades=${restored.trades} orders=${restored.orders} md5=${restored.md5}`,
    );

    // The same kit with the wrong key stops at the decrypt step, before pg_restore.
    target.superSql(`CREATE DATABASE kitwrong OWNER ${target.username}`);
    fs.rmSync(work, { recursive: true });
    ownedDir(scratch, "kit");
    const wrong = run({ PGDATABASE: "kitwrong", GNUPGHOME: stranger.home });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/decryption failed: No secret key/);
    expect(target.superSql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", "kitwrong")).toBe(
      "0",
    );
  });

  test("refuses a backup whose checksum does not match", () => {
    const latest = listBucket()
      .filter((n) => n.endsWith(".dump.gpg"))
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

  test("each stack writes under its own prefix only", () => {
    const prodBefore = listBucket(PREFIX);
    const d = runScript("backup.sh", [], devEnv(source));
    expect(d.status).toBe(0);
    devDump = d.stdout.trim();
    expect(listBucket(DEV_PREFIX)).toEqual([devDump, `${devDump}.sha256`]);
    expect(listBucket(PREFIX)).toEqual(prodBefore);

    const r = backup();
    expect(r.status).toBe(0);
    prodDump = r.name;
    expect(listBucket(PREFIX)).toEqual([...prodBefore, prodDump, `${prodDump}.sha256`].sort());
    expect(listBucket(DEV_PREFIX)).toEqual([devDump, `${devDump}.sha256`]);
    console.log(`shared bucket: prod/postgres newest ${prodDump}, dev/postgres holds ${devDump}`);
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
