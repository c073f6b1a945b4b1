/**
 * Helpers for the real-server Sentinel tests: start a 3-pod set the way the StatefulSet does, ask
 * Sentinels for the primary, write keys acknowledged by `WAIT 1` and count them back.
 */
import { redisSchema } from "../../config/redis";
import { SENTINEL_MASTER_NAME } from "../../components/data/redis-conf";
import { HOST, RedisTestCluster, cli, testPasswords, waitFor, type CliAuth, type RedisPod } from "./redis";

/** Passwords of a test set: every user its own, bots `a` and `b` included. */
export const TEST_PASSWORDS = testPasswords("Only0For0This0Run", ["a", "b"]);

/** 3 pods, quorum 2, fast failure detection (1 s) so a failover fits in a test. */
export const haTestConfig = redisSchema.parse({
  ha: true,
  instances: 3,
  sentinelQuorum: 2,
  downAfterMilliseconds: 1000,
  failoverTimeoutMilliseconds: 3000,
});

export async function role(cluster: RedisTestCluster, pod: RedisPod): Promise<string> {
  return (await cluster.info(pod, "replication")).role ?? "";
}

/** The primary's port this pod's Sentinel reports, undefined when it knows none or is down. */
export async function primaryFromSentinel(
  cluster: RedisTestCluster,
  pod: RedisPod,
): Promise<number | undefined> {
  const r = await cluster.sentinelCli(
    pod,
    "--raw",
    "SENTINEL",
    "get-master-addr-by-name",
    SENTINEL_MASTER_NAME,
  );
  const [host, port] = r.stdout.trim().split("\n");
  return host === HOST && /^\d+$/.test(port ?? "") ? Number(port) : undefined;
}

/** `SENTINEL MASTER` fields of this pod's Sentinel (num-slaves, num-other-sentinels, config-epoch...). */
export async function sentinelMaster(
  cluster: RedisTestCluster,
  pod: RedisPod,
): Promise<Record<string, string>> {
  const lines = (
    await cluster.sentinelCli(pod, "--raw", "SENTINEL", "master", SENTINEL_MASTER_NAME)
  ).stdout.split("\n");
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) fields[lines[i]] = lines[i + 1];
  return fields;
}

async function ping(port: number, auth: CliAuth): Promise<true | undefined> {
  return (await cli(port, ["PING"], { auth })).stdout.trim() === "PONG" ? true : undefined;
}

/**
 * Starts every pod in ordinal order, each only once the previous one answers PING on Redis and
 * Sentinel (the StatefulSet's OrderedReady), then waits until every Sentinel sees 2 replicas and
 * 2 other Sentinels.
 */
export async function startInOrder(cluster: RedisTestCluster): Promise<void> {
  for (const p of cluster.pods) {
    cluster.startRedis(p);
    cluster.startSentinel(p);
    await waitFor(`redis-${p.ordinal} ready`, () => ping(p.port, cluster.admin));
    await waitFor(`sentinel-${p.ordinal} ready`, () => ping(p.sentinelPort, cluster.sentinelAdmin));
  }
  for (const p of cluster.pods) {
    await waitFor(
      `sentinel-${p.ordinal} to see the whole set`,
      async () => {
        const m = await sentinelMaster(cluster, p);
        return m["num-slaves"] === "2" && m["num-other-sentinels"] === "2" ? true : undefined;
      },
      60_000,
    );
  }
}

/** Writes `SET key value` + `WAIT 1 1000` pairs; a key counts as acknowledged only when both replies are seen. */
export async function writeBatch(
  port: number,
  auth: CliAuth,
  prefix: string,
  from: number,
  count: number,
): Promise<string[]> {
  let stdin = "";
  for (let i = from; i < from + count; i++) stdin += `SET ${prefix}:${i} v${i}\nWAIT 1 1000\n`;
  const r = await cli(port, [], { auth, stdin });
  const lines = r.stdout.split("\n");
  const acked: string[] = [];
  for (let i = 0; i < count; i++) {
    const [set, wait] = [lines[2 * i], lines[2 * i + 1]];
    if (set !== "OK" || !/^\d+$/.test(wait ?? "")) break;
    if (Number(wait) >= 1) acked.push(`${prefix}:${from + i}`);
  }
  return acked;
}

/** Runs `batch(from)` (50 keys each) in the background until stopped; `keys` collects every acknowledged key. */
export function backgroundWriter(batch: (from: number) => Promise<string[]>) {
  const keys: string[] = [];
  let stopped = false;
  const done = (async () => {
    for (let next = 0; !stopped; next += 50) {
      keys.push(...(await batch(next)));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    keys,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** How many of `keys` hold their written value (`v<n>` for `prefix:<n>`) on this pod. */
export async function countPresent(
  cluster: RedisTestCluster,
  pod: RedisPod,
  keys: string[],
): Promise<number> {
  let found = 0;
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200);
    const values = (await cluster.redisCli(pod, "--raw", "MGET", ...chunk)).stdout.split("\n");
    chunk.forEach((key, j) => {
      if (values[j] === `v${key.slice(key.lastIndexOf(":") + 1)}`) found++;
    });
  }
  return found;
}
