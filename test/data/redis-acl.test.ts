/**
 * Each identity on Redis and Sentinel FOR REAL: a 3-pod set (redis-server/redis-sentinel 7.0 on
 * 127.0.0.1) started by files/redis/entrypoint.sh with the users.acl and sentinel-users.conf our
 * renderers write, exactly as the pods load them from the `redis-auth` Secret.
 */
import * as fs from "fs";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import { SENTINEL_MASTER_NAME } from "../../components/data/redis-conf";
import { REDIS_USERS, renderRedisAclFile } from "../../components/data/redis-acl";
import { RedisTestCluster, SCRIPTS_DIR, cli, waitFor, type CliAuth, type RedisPod } from "../support/redis";
import * as ha from "../support/redis-ha";

jest.setTimeout(120_000);

const PASSWORDS = ha.TEST_PASSWORDS;

/** First line of redis-cli's answer: an AUTH failure (stderr) first, else the reply (stdout). */
async function reply(port: number, auth: CliAuth | null, ...args: string[]): Promise<string> {
  const r = await cli(port, args, { auth });
  return `${r.stderr}${r.stdout}`.trim().split("\n")[0].trim();
}

describe("Redis ACL users on a 3-pod set", () => {
  const cluster = new RedisTestCluster(ha.haTestConfig, PASSWORDS);
  let primary: RedisPod;
  const botA = () => cluster.bot("a");
  const botB = () => cluster.bot("b");

  beforeAll(async () => {
    await cluster.addPods(3);
    await ha.startInOrder(cluster);
    primary = cluster.pods[0];
  });
  afterAll(() => cluster.stopAll());

  test("users.acl on disk holds hashes, no password", () => {
    const acl = fs.readFileSync(path.join(cluster.secretDir, "users.acl"), "utf8");
    const sentinelUsers = fs.readFileSync(path.join(cluster.secretDir, "sentinel-users.conf"), "utf8");
    for (const pw of [
      PASSWORDS.admin,
      PASSWORDS.replication,
      PASSWORDS.sentinel,
      PASSWORDS.exporter,
      PASSWORDS.sentinelClient,
      ...Object.values(PASSWORDS.bots),
    ]) {
      expect(acl).not.toContain(pw);
      expect(sentinelUsers).not.toContain(pw);
    }
    expect(acl).toMatch(/^user bot-a on #[0-9a-f]{64} /m);
  });

  test("a bot reads and writes its own keys and channels, and nothing else", async () => {
    const port = primary.port;
    expect(await reply(port, botA(), "SET", "a:orders", "1")).toBe("OK");
    expect(await reply(port, botA(), "GET", "a:orders")).toBe("1");
    expect(await reply(port, botA(), "PUBLISH", "a:events", "x")).toBe("0");
    expect(await reply(port, botB(), "SET", "b:orders", "2")).toBe("OK");
    // Another bot's keys, through every door: read, write, delete, multi-key, pub/sub.
    expect(await reply(port, botA(), "GET", "b:orders")).toMatch(/^NOPERM .*key/);
    expect(await reply(port, botA(), "SET", "b:orders", "stolen")).toMatch(/^NOPERM .*key/);
    expect(await reply(port, botA(), "DEL", "b:orders")).toMatch(/^NOPERM .*key/);
    expect(await reply(port, botA(), "MGET", "a:orders", "b:orders")).toMatch(/^NOPERM .*key/);
    expect(await reply(port, botA(), "SET", "unprefixed", "1")).toMatch(/^NOPERM .*key/);
    expect(await reply(port, botA(), "PUBLISH", "b:events", "x")).toMatch(/^NOPERM .*channel/);
    expect(await reply(port, cluster.admin, "GET", "b:orders")).toBe("2");
  });

  const refused: string[][] = [
    ["FLUSHALL"],
    ["FLUSHDB"],
    ["CONFIG", "SET", "maxmemory", "1"],
    ["CONFIG", "GET", "masterauth"],
    ["EVAL", "return redis.call('GET', KEYS[1])", "1", "a:orders"],
    ["FUNCTION", "FLUSH"],
    ["KEYS", "*"],
    ["ACL", "LIST"],
    ["ACL", "SETUSER", "bot-a", "+@all"],
    ["REPLICAOF", "NO", "ONE"],
    ["SHUTDOWN", "NOSAVE"],
    ["CLIENT", "KILL", "TYPE", "normal"],
    ["MONITOR"],
    ["INFO"],
  ];
  test.each(refused.map((c) => [c.join(" "), c] as const))("a bot is refused %s", async (_, command) => {
    expect(await reply(primary.port, botA(), ...command)).toMatch(/^NOPERM /);
  });

  test("DEBUG is off for every remote client (enable-debug-command default), and outside a bot's rights", async () => {
    expect(await reply(primary.port, botA(), "DEBUG", "SLEEP", "0")).toMatch(
      /^(NOPERM |ERR DEBUG command not allowed)/,
    );
    expect(await reply(primary.port, botA(), "ACL", "DRYRUN", "bot-a", "DEBUG", "SLEEP", "0")).toMatch(
      /^NOPERM /,
    );
  });

  test("unauthenticated clients and the bare-password form get nothing: the default user is off", async () => {
    expect(await reply(primary.port, null, "GET", "a:orders")).toMatch(/^NOAUTH/);
    expect(await reply(primary.port, { password: PASSWORDS.bots.a }, "PING")).toMatch(/WRONGPASS/);
    expect(await reply(primary.port, { user: "bot-a", password: PASSWORDS.bots.b }, "PING")).toMatch(
      /WRONGPASS/,
    );
  });

  test("a bot's Redis credentials are refused by Sentinel; the bots' Sentinel user only finds the primary", async () => {
    const sentinel = primary.sentinelPort;
    expect(await reply(sentinel, botA(), "PING")).toMatch(/WRONGPASS/);
    const discovery = { user: REDIS_USERS.sentinelClient, password: PASSWORDS.sentinelClient };
    const r = await cli(sentinel, ["--raw", "SENTINEL", "get-master-addr-by-name", SENTINEL_MASTER_NAME], {
      auth: discovery,
    });
    expect(r.stdout.trim().split("\n")[1]).toBe(String(primary.port));
    for (const command of [
      ["SENTINEL", "REMOVE", SENTINEL_MASTER_NAME],
      ["SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME],
      ["SENTINEL", "SET", SENTINEL_MASTER_NAME, "quorum", "1"],
      ["SENTINEL", "RESET", "*"],
      ["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "no"],
      ["ACL", "LIST"],
      ["SHUTDOWN"],
    ])
      expect(await reply(sentinel, discovery, ...command)).toMatch(/^NOPERM /);
    // Still monitored as before.
    expect((await ha.sentinelMaster(cluster, primary))["num-other-sentinels"]).toBe("2");
  });

  test("the exporter user reads metrics and nothing it could change or read keys with", async () => {
    const exporter = { user: REDIS_USERS.exporter, password: PASSWORDS.exporter };
    const port = primary.port;
    expect(await reply(port, exporter, "INFO", "replication")).toBe("# Replication");
    expect(await reply(port, exporter, "CONFIG", "GET", "maxmemory")).toBe("maxmemory");
    expect(await reply(port, exporter, "SLOWLOG", "GET", "1")).not.toMatch(/^NOPERM/);
    expect(await reply(port, exporter, "CLIENT", "LIST")).toMatch(/^id=/);
    expect(await reply(port, exporter, "LATENCY", "LATEST")).not.toMatch(/^NOPERM/);
    for (const command of [
      ["GET", "a:orders"],
      ["SET", "a:orders", "x"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["CLIENT", "KILL", "TYPE", "normal"],
      ["CLIENT", "PAUSE", "1000"],
      ["FLUSHALL"],
      ["EVAL", "return 1", "0"],
    ])
      expect(await reply(port, exporter, ...command)).toMatch(/^NOPERM /);
  });

  test("the replication and Sentinel users are limited to their protocol", async () => {
    const replication = { user: REDIS_USERS.replication, password: PASSWORDS.replication };
    const sentinel = { user: REDIS_USERS.sentinel, password: PASSWORDS.sentinel };
    expect(await reply(primary.port, replication, "PING")).toBe("PONG");
    expect(await reply(primary.port, sentinel, "PING")).toBe("PONG");
    for (const auth of [replication, sentinel]) {
      expect(await reply(primary.port, auth, "GET", "a:orders")).toMatch(/^NOPERM /);
      expect(await reply(primary.port, auth, "FLUSHALL")).toMatch(/^NOPERM /);
      expect(await reply(primary.port, auth, "CONFIG", "SET", "maxmemory", "1")).toMatch(/^NOPERM /);
    }
    // They are what the set runs on: both replicas are linked, every Sentinel sees the primary up.
    const info = await cluster.info(primary, "replication");
    expect(info.connected_slaves).toBe("2");
    for (const p of cluster.pods) {
      const m = await ha.sentinelMaster(cluster, p);
      expect(m.flags).toBe("master");
    }
  });

  test("a failover run by the sentinel user moves the primary; bot a writes its keys on the new one", async () => {
    expect(
      (await cluster.sentinelCli(primary, "SENTINEL", "FAILOVER", SENTINEL_MASTER_NAME)).stdout.trim(),
    ).toBe("OK");
    const newPort = await waitFor("every Sentinel to report a new primary", async () => {
      const ports = await Promise.all(cluster.pods.map((p) => ha.primaryFromSentinel(cluster, p)));
      return ports.every((p) => p === ports[0]) && ports[0] !== primary.port ? ports[0] : undefined;
    });
    const promoted = cluster.pods.find((p) => p.port === newPort)!;
    await waitFor("bot a to write on the new primary", async () =>
      (await reply(newPort!, botA(), "SET", "a:after-failover", "1")) === "OK" ? true : undefined,
    );
    expect(await reply(newPort!, botA(), "GET", "a:orders")).toBe("1");
    expect(await reply(newPort!, botA(), "GET", "b:orders")).toMatch(/^NOPERM /);
    // The old primary follows the new one, authenticated as the replication user.
    await waitFor("the old primary to replicate from the new one", async () => {
      const i = await cluster.info(primary, "replication");
      return i.master_port === String(promoted.port) && i.master_link_status === "up" ? true : undefined;
    });
  });

  test("acl-reload.sh applies a changed users.acl on every pod: a new bot, a rotation that keeps the old password until the next one", async () => {
    const sidecars: ChildProcess[] = [];
    const logs: string[] = [];
    const aclFile = path.join(cluster.secretDir, "users.acl");
    // As the kubelet updates a mounted Secret: a new file swapped in atomically.
    const writeAcl = (bots: Record<string, string | string[]>) => {
      fs.writeFileSync(`${aclFile}.new`, renderRedisAclFile({ ...PASSWORDS, bots }), { mode: 0o600 });
      fs.renameSync(`${aclFile}.new`, aclFile);
    };
    const canPing = async (pod: RedisPod, auth: CliAuth) => (await reply(pod.port, auth, "PING")) === "PONG";
    try {
      for (const pod of cluster.pods) {
        const env = {
          ...cluster.env(pod),
          REDISCLI_AUTH: PASSWORDS.admin,
          REDIS_ACL_RELOAD_SECONDS: "1",
          REDIS_ACL_HEARTBEAT: path.join(cluster.root, `heartbeat-${pod.ordinal}`),
        };
        const child = spawn("sh", [path.join(SCRIPTS_DIR, "acl-reload.sh")], { env });
        const i = logs.push("") - 1;
        child.stderr.on("data", (d: Buffer) => (logs[i] += d.toString()));
        sidecars.push(child);
      }
      await waitFor("every sidecar to watch", async () =>
        logs.every((l) => l.includes("watching")) ? true : undefined,
      );
      const c = { user: "bot-c", password: "Test0NewBotC0Only0For0This0Run" };
      const aNew = { user: "bot-a", password: "Test0RotatedA0Only0For0This0Run" };
      expect(await canPing(cluster.pods[0], c)).toBe(false);

      const changedAt = Date.now();
      writeAcl({ ...PASSWORDS.bots, a: [aNew.password, PASSWORDS.bots.a], c: c.password });
      for (const pod of cluster.pods)
        await waitFor(`bot c on redis-${pod.ordinal}`, async () =>
          (await canPing(pod, c)) ? true : undefined,
        );
      console.log(
        `acl-reload: a new bot could log in on every pod ${Date.now() - changedAt} ms after the change`,
      );
      for (const pod of cluster.pods) {
        expect(await canPing(pod, aNew)).toBe(true);
        expect(await canPing(pod, botA())).toBe(true); // the previous password, until the next rotation
      }
      // ACL LOAD dropped the replicas' connections once; they come back as the replication user.
      const primaryPort = (await ha.primaryFromSentinel(cluster, cluster.pods[1]))!;
      const current = cluster.pods.find((p) => p.port === primaryPort)!;
      await waitFor("both replicas to reconnect", async () =>
        (await cluster.info(current, "replication")).connected_slaves === "2" ? true : undefined,
      );

      writeAcl({ ...PASSWORDS.bots, a: aNew.password });
      for (const pod of cluster.pods)
        await waitFor(`the old password of bot a refused on redis-${pod.ordinal}`, async () =>
          (await canPing(pod, botA())) ? undefined : true,
        );
      expect(await canPing(cluster.pods[0], c)).toBe(false);
      expect(await canPing(cluster.pods[0], aNew)).toBe(true);

      // A broken file is refused by Redis as a whole: the users stay, the sidecar retries.
      fs.writeFileSync(`${aclFile}.new`, "user bot-a on nonsense-rule\n");
      fs.renameSync(`${aclFile}.new`, aclFile);
      await waitFor("the sidecar to report the refused load", async () =>
        logs[0].includes("ACL LOAD failed") ? true : undefined,
      );
      expect(await canPing(cluster.pods[0], aNew)).toBe(true);
      const alive = spawn("sh", [path.join(SCRIPTS_DIR, "acl-reload.sh"), "alive"], {
        env: { PATH: process.env.PATH, REDIS_ACL_HEARTBEAT: path.join(cluster.root, "heartbeat-0") },
      });
      expect(await new Promise((r) => alive.on("close", r))).toBe(0);
    } finally {
      for (const child of sidecars) child.kill("SIGTERM");
      writeAcl(PASSWORDS.bots);
    }
  });
});
