/**
 * Real redis-server / redis-sentinel processes for tests, started through the SAME
 * files/redis/entrypoint.sh the containers run, with configs from OUR renderers. Pod DNS names are
 * mapped to 127.0.0.1 and free ports; everything lives in temp dirs and is killed by `stopAll`.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RedisConfig } from "../../config/redis";
import { renderRedisConf, renderSentinelConf } from "../../components/data/redis-conf";
import { REDIS_USERS, renderRedisAclFile, renderSentinelUsers } from "../../components/data/redis-acl";
import { freePort } from "./net";

export const SCRIPTS_DIR = path.resolve(__dirname, "../../files/redis");
export const HOST = "127.0.0.1";

export { freePort };

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** The passwords of every Redis/Sentinel user, as the `redis-auth` Secret holds them. */
export interface RedisTestPasswords {
  readonly admin: string;
  readonly replication: string;
  readonly sentinel: string;
  readonly sentinelAuth: string;
  readonly sentinelClient: string;
  readonly exporter: string;
  /** bot name -> password */
  readonly bots: Readonly<Record<string, string>>;
}

/** Distinct test-only passwords for every user, `bots` included (`Test0<Role>0<suffix>`). */
export function testPasswords(suffix: string, bots: readonly string[] = []): RedisTestPasswords {
  const pw = (role: string) => `Test0${role.replace(/[^A-Za-z0-9]/g, "0")}0${suffix}`;
  return {
    admin: pw("Admin"),
    replication: pw("Replication"),
    sentinel: pw("Sentinel"),
    sentinelAuth: pw("SentinelAuth"),
    sentinelClient: pw("SentinelClient"),
    exporter: pw("Exporter"),
    bots: Object.fromEntries(bots.map((b) => [b, pw(`Bot-${b}`)])),
  };
}

/** Who redis-cli authenticates as: a password (REDISCLI_AUTH) and a user (none: `default`). */
export interface CliAuth {
  readonly user?: string;
  readonly password: string;
}

/** Runs redis-cli against 127.0.0.1:port; the password goes in REDISCLI_AUTH (null: no AUTH at all). */
export function cli(
  port: number,
  args: string[],
  opts: { auth: CliAuth | string | null; stdin?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir() };
    const auth = typeof opts.auth === "string" ? { password: opts.auth } : opts.auth;
    const user = auth?.user === undefined ? [] : ["--user", auth.user];
    if (auth !== null) env.REDISCLI_AUTH = auth.password;
    const child = spawn("redis-cli", ["-h", HOST, "-p", String(port), ...user, ...args], {
      env,
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    if (child.stdin) {
      // redis-cli may exit before reading (connection refused): that is its answer, not an error here.
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.stdin);
    }
  });
}

/** Polls `check` until it returns a value (not undefined), or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Parses `INFO` output into a map. */
export function parseInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) info[line.slice(0, i)] = line.slice(i + 1);
  }
  return info;
}

/** Runs files/redis/probe.sh asynchronously (a fake server in this process must keep answering). */
export function runProbe(kind: string, port: number, auth?: CliAuth): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (auth !== undefined) env.REDISCLI_AUTH = auth.password;
    const user = auth?.user === undefined ? [] : [auth.user];
    const child = spawn("sh", [path.join(SCRIPTS_DIR, "probe.sh"), kind, String(port), ...user], {
      env,
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
  });
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly log: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * One Redis "pod": its redis and sentinel ports, template (ConfigMap), redis run dir (emptyDir), data
 * dir (PVC, also holding Sentinel's own config as in the pods).
 */
export interface RedisPod {
  readonly ordinal: number;
  readonly port: number;
  readonly sentinelPort: number;
  readonly templateDir: string;
  readonly redisRunDir: string;
  readonly dataDir: string;
  readonly sentinelConf: string;
  redis?: Proc;
  sentinel?: Proc;
}

/** A set of pods sharing one Secret directory (the `redis-auth` files), as the StatefulSet does. */
export class RedisTestCluster {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-redis-"));
  readonly secretDir = path.join(this.root, "secret");
  readonly pods: RedisPod[] = [];
  /** The admin user: what the probes and the preStop hook use on Redis. */
  readonly admin: CliAuth;
  /** Sentinel's default user. */
  readonly sentinelAdmin: CliAuth;
  private readonly procs: Proc[] = [];

  constructor(
    readonly config: RedisConfig,
    readonly passwords: RedisTestPasswords,
  ) {
    this.admin = { user: REDIS_USERS.admin, password: passwords.admin };
    this.sentinelAdmin = { password: passwords.sentinelAuth };
    fs.mkdirSync(this.secretDir, { mode: 0o700 });
    const files: Record<string, string> = {
      "users.acl": renderRedisAclFile(passwords),
      "sentinel-users.conf": renderSentinelUsers(passwords.sentinelClient),
      "replication-password": passwords.replication,
      "sentinel-password": passwords.sentinel,
      "sentinel-auth-password": passwords.sentinelAuth,
    };
    for (const [name, text] of Object.entries(files))
      fs.writeFileSync(path.join(this.secretDir, name), text, { mode: 0o600 });
  }

  /** How bot `bot` authenticates to Redis. */
  bot(bot: string): CliAuth {
    const password = this.passwords.bots[bot];
    if (password === undefined) throw new Error(`no test password for bot ${bot}`);
    return { user: `bot-${bot}`, password };
  }

  /** Allocates ports and renders each pod's templates with its own ports and dirs. */
  async addPods(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const dir = path.join(this.root, `pod-${i}`);
      const pod: RedisPod = {
        ordinal: i,
        port: await freePort(),
        sentinelPort: await freePort(),
        templateDir: path.join(dir, "conf"),
        redisRunDir: path.join(dir, "redis-run"),
        dataDir: path.join(dir, "data"),
        sentinelConf: path.join(dir, "data", "sentinel.conf"),
      };
      for (const d of [pod.templateDir, pod.dataDir, path.join(dir, "tmp")])
        fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(
        path.join(pod.templateDir, "redis.conf"),
        renderRedisConf(this.config, { port: pod.port, bind: HOST, dir: pod.dataDir }),
      );
      if (this.config.ha) {
        fs.writeFileSync(
          path.join(pod.templateDir, "sentinel.conf"),
          renderSentinelConf(this.config, { port: pod.sentinelPort, bind: HOST, dir: path.join(dir, "tmp") }),
        );
      }
      this.pods.push(pod);
    }
  }

  /** The env the StatefulSet gives the containers, with pod DNS names mapped to 127.0.0.1 ports. */
  env(pod: RedisPod): Record<string, string> {
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: os.tmpdir(),
      REDIS_TEMPLATE_DIR: pod.templateDir,
      REDIS_RUN_DIR: pod.redisRunDir,
      REDIS_SENTINEL_CONF: pod.sentinelConf,
      REDIS_SECRET_DIR: this.secretDir,
      REDIS_ANNOUNCE_HOST: HOST,
      REDIS_INITIAL_PRIMARY: `${HOST}:${this.pods[0].port}`,
      REDIS_SENTINELS: this.config.ha ? this.pods.map((p) => `${HOST}:${p.sentinelPort}`).join(",") : "",
      REDIS_QUERY_TIMEOUT: "2",
    };
  }

  private start(pod: RedisPod, mode: "redis" | "sentinel"): Proc {
    const child = spawn("sh", [path.join(SCRIPTS_DIR, "entrypoint.sh"), mode], {
      env: this.env(pod),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    if (child.pid === undefined) throw new Error(`could not start ${mode} of pod ${pod.ordinal}`);
    const proc: Proc = { child, pid: child.pid, log: () => log, exited };
    this.procs.push(proc);
    return proc;
  }

  startRedis(pod: RedisPod): Proc {
    pod.redis = this.start(pod, "redis");
    return pod.redis;
  }

  startSentinel(pod: RedisPod): Proc {
    pod.sentinel = this.start(pod, "sentinel");
    return pod.sentinel;
  }

  redisCli(pod: RedisPod, ...args: string[]): Promise<CliResult> {
    return cli(pod.port, args, { auth: this.admin });
  }

  sentinelCli(pod: RedisPod, ...args: string[]): Promise<CliResult> {
    return cli(pod.sentinelPort, args, { auth: this.sentinelAdmin });
  }

  async info(pod: RedisPod, section: string): Promise<Record<string, string>> {
    return parseInfo((await this.redisCli(pod, "INFO", section)).stdout);
  }

  /** Kills every process still running (SIGKILL) and removes the temp dirs. */
  async stopAll(): Promise<void> {
    for (const p of this.procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGKILL");
        await p.exited;
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
