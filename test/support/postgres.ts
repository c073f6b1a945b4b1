/**
 * Real PostgreSQL 15 servers for tests, started by the SAME entrypoint.sh the containers run.
 * initdb refuses root, so when the suite runs as root every script runs as the `postgres` system user
 * (spawn's uid/gid, like runuser) in temp dirs it owns. 127.0.0.1 only, free ports, stopped in afterAll.
 */
import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { freePort } from "./net";

export const PG_BIN = "/usr/lib/postgresql/15/bin";
export const SCRIPTS_DIR = path.resolve(__dirname, "../../files/postgres");

const asRoot = process.getuid?.() === 0;
/** uid/gid the scripts run as: the Debian `postgres` user under root, else the current user. */
export const runAs = asRoot
  ? {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
      name: "postgres",
    }
  : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: os.userInfo().username };

/** A temp dir the script user owns. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o700);
  if (asRoot) fs.chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

/** Makes a subdirectory owned by the script user. */
export function ownedDir(parent: string, name: string, mode = 0o700): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true, mode });
  if (asRoot) fs.chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

/** Writes a secret file (0600, no trailing newline, like a Kubernetes Secret volume). */
export function writeSecret(file: string, value: string): string {
  fs.writeFileSync(file, value, { mode: 0o600 });
  if (asRoot) fs.chownSync(file, runAs.uid, runAs.gid);
  return file;
}

export { freePort };

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: `${PG_BIN}:/usr/local/bin:/usr/bin:/bin`,
    LANG: "C.UTF-8",
    HOME: extra.HOME ?? os.tmpdir(),
    ...extra,
  };
}

/** Runs one of files/postgres/*.sh to completion as the script user. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): SpawnSyncReturns<string> {
  return spawnSync("sh", [path.join(SCRIPTS_DIR, script), ...args], {
    env: baseEnv(env),
    uid: runAs.uid,
    gid: runAs.gid,
    encoding: "utf8",
    timeout: timeoutMs,
  });
}

export interface Credentials {
  readonly appPassword: string;
  readonly replicationPassword: string;
  /** The `report` and `monitor` roles' passwords (roles.sh). */
  readonly reportPassword: string;
  readonly monitorPassword: string;
  readonly dir: string;
}

/** Secret files as the pod mounts them; passwords with ':' and '\\' prove the passfile escaping. */
export function writeCredentials(root: string): Credentials {
  const dir = ownedDir(root, "secrets");
  const appPassword = "app:" + Math.random().toString(36).slice(2) + "\\x";
  const replicationPassword = "repl:" + Math.random().toString(36).slice(2) + "\\y";
  writeSecret(path.join(dir, "password"), appPassword);
  writeSecret(path.join(dir, "replication-password"), replicationPassword);
  const reportPassword = "report-" + Math.random().toString(36).slice(2);
  const monitorPassword = "monitor-" + Math.random().toString(36).slice(2);
  writeSecret(path.join(dir, "report-password"), reportPassword);
  writeSecret(path.join(dir, "monitor-password"), monitorPassword);
  return { appPassword, replicationPassword, reportPassword, monitorPassword, dir };
}

export interface NodeOptions {
  readonly role: "primary" | "replica";
  /** Becomes POD_NAME, which names the replication slot. */
  readonly podName: string;
  readonly credentials: Credentials;
  readonly primaryPort?: number;
  readonly database?: string;
  readonly username?: string;
  readonly extraEnv?: Record<string, string>;
}

/** One server: a PVC-like data dir, socket and runtime emptyDirs, started by entrypoint.sh. */
export class PgNode {
  readonly root: string;
  readonly pgdata: string;
  readonly socketDir: string;
  /** PG_RUNTIME_DIR: the memory-backed emptyDir in the pod (password material only). */
  readonly runtimeDir: string;
  /** TMPDIR: the disk-backed /tmp emptyDir in the pod. */
  readonly tmpDir: string;
  readonly logFile: string;
  port = 0;
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    parent: string,
    readonly opts: NodeOptions,
  ) {
    this.root = ownedDir(parent, opts.podName);
    this.pgdata = path.join(ownedDir(this.root, "data"), "pgdata");
    this.socketDir = ownedDir(this.root, "run");
    this.runtimeDir = ownedDir(this.root, "runtime");
    this.tmpDir = ownedDir(this.root, "tmp");
    this.logFile = path.join(this.root, "server.log");
  }

  get database(): string {
    return this.opts.database ?? "botfleet";
  }

  get username(): string {
    return this.opts.username ?? "botfleet";
  }

  /** The environment the StatefulSet gives the container, with test paths and ports. */
  env(): Record<string, string> {
    const { credentials: c } = this.opts;
    return {
      PGDATA: this.pgdata,
      PG_ROLE: this.opts.role,
      PGPORT: String(this.port),
      PG_LISTEN_ADDRESSES: "127.0.0.1",
      PG_SOCKET_DIR: this.socketDir,
      PG_RUNTIME_DIR: this.runtimeDir,
      TMPDIR: this.tmpDir,
      PG_SUPERUSER: runAs.name,
      POSTGRES_DB: this.database,
      POSTGRES_USER: this.username,
      PG_AUTH_DIR: c.dir,
      REPLICATION_USER: "replicator",
      POD_NAME: this.opts.podName,
      PRIMARY_HOST: "127.0.0.1",
      PRIMARY_PORT: String(this.opts.primaryPort ?? 0),
      PG_BOOTSTRAP_TIMEOUT: "60",
      HOME: this.runtimeDir,
      ...(this.opts.extraEnv ?? {}),
    };
  }

  /** `entrypoint.sh init`, as the pod's init container runs it (initdb or pg_basebackup). */
  async init(): Promise<SpawnSyncReturns<string>> {
    if (this.port === 0) this.port = await freePort();
    return runScript("entrypoint.sh", ["init"], this.env());
  }

  /** `entrypoint.sh start` (extraEnv on top of env()), then waits until the server accepts connections. */
  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const log = fs.openSync(this.logFile, "a");
    const child = spawn("sh", [path.join(SCRIPTS_DIR, "entrypoint.sh"), "start"], {
      env: baseEnv({ ...this.env(), ...extraEnv }),
      uid: runAs.uid,
      gid: runAs.gid,
      stdio: ["ignore", log, log],
      // Its own process group, so stop() can sweep up anything left if the script dies mid-bootstrap.
      detached: true,
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    await this.waitReady();
  }

  private async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited?.then((c) => (exitCode = c));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`server exited (${exitCode}):\n${this.log()}`);
      const r = spawnSync(`${PG_BIN}/pg_isready`, ["-q", "-h", "127.0.0.1", "-p", String(this.port)]);
      if (r.status === 0) return;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`server not ready in ${timeoutMs}ms:\n${this.log()}`);
  }

  /** Whether anything accepts connections on this node's port (pg_isready exit 0). */
  listening(): boolean {
    return spawnSync(`${PG_BIN}/pg_isready`, ["-q", "-h", "127.0.0.1", "-p", String(this.port)]).status === 0;
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, "utf8") : "";
  }

  /** Fast shutdown (SIGINT), as the pod's preStop does; SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const group = child.pid as number;
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(timer);
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // ESRCH: the group is already empty, the normal case.
    }
    this.child = undefined;
  }

  /** A client of the application database over TCP with the application password. */
  async client(password = this.opts.credentials.appPassword, user = this.username): Promise<Client> {
    const c = new Client({ host: "127.0.0.1", port: this.port, database: this.database, user, password });
    await c.connect();
    return c;
  }

  /** Runs SQL as the bootstrap superuser over the unix socket (peer auth), as `kubectl exec` would. */
  superSql(sql: string, database = "postgres"): string {
    const r = spawnSync(
      `${PG_BIN}/psql`,
      [
        "-X",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        this.socketDir,
        "-p",
        String(this.port),
        "-d",
        database,
        "-c",
        sql,
      ],
      { uid: runAs.uid, gid: runAs.gid, encoding: "utf8", env: baseEnv({ PGUSER: runAs.name }) },
    );
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  }
}

/** Polls until fn returns true (replication is asynchronous). */
export async function eventually(
  fn: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
