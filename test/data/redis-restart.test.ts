/**
 * A whole-set restart FOR REAL (a cluster outage, not maintenance): after a failover moved the primary
 * off ordinal 0 and writes were acknowledged there with `WAIT 1`, every process stops, and the set
 * comes back from the same data dirs ("volumes") through files/redis/entrypoint.sh, pod by pod as the
 * StatefulSet starts them. Ordinal 0 missed those writes: it must not become the primary the others
 * resync from.
 */
import * as fs from "fs";
import { HOST, RedisTestCluster, waitFor } from "../support/redis";
import * as ha from "../support/redis-ha";

jest.setTimeout(180_000);

describe("whole-set restart after a failover", () => {
  const cluster = new RedisTestCluster(ha.haTestConfig, ha.TEST_PASSWORDS);
  afterAll(() => cluster.stopAll());

  test("the member with the newest epoch stays primary: every WAIT-acknowledged write is found, replicas follow it", async () => {
    await cluster.addPods(3);
    await ha.startInOrder(cluster);
    const [p0, p1, p2] = cluster.pods;
    expect(await ha.role(cluster, p0)).toBe("master");

    // Ordinal 0's pod dies; the Sentinels of pods 1 and 2 promote one of their Redis.
    p0.redis!.child.kill("SIGKILL");
    p0.sentinel!.child.kill("SIGKILL");
    const primaryPort = await waitFor("a failover away from ordinal 0", async () => {
      const [a, b] = [await ha.primaryFromSentinel(cluster, p1), await ha.primaryFromSentinel(cluster, p2)];
      return a !== undefined && a === b && a !== p0.port ? a : undefined;
    });
    const primary = cluster.pods.find((p) => p.port === primaryPort)!;
    const replica = [p1, p2].find((p) => p !== primary)!;
    await waitFor("the other replica to follow the new primary", async () => {
      const i = await cluster.info(replica, "replication");
      return i.master_port === String(primaryPort) && i.master_link_status === "up" ? true : undefined;
    });

    // Writes acknowledged by a replica (WAIT 1) while ordinal 0 is down.
    const acked: string[] = [];
    for (let from = 0; acked.length < 1000; from += 100)
      acked.push(...(await ha.writeBatch(primaryPort, cluster.admin, "outage", from, 100)));
    const epochBefore = (await ha.sentinelMaster(cluster, primary))["config-epoch"];

    // The outage: every process still running dies at once.
    for (const p of [p1, p2]) {
      p.redis!.child.kill("SIGKILL");
      p.sentinel!.child.kill("SIGKILL");
      await p.redis!.exited;
      await p.sentinel!.exited;
    }

    // Everything comes back from the same volumes, ordinal 0 first.
    const restartedAt = Date.now();
    await ha.startInOrder(cluster);
    const elected = await waitFor(
      "every Sentinel to agree on one primary that every Redis follows",
      async () => {
        const ports = await Promise.all(cluster.pods.map((p) => ha.primaryFromSentinel(cluster, p)));
        if (ports[0] === undefined || ports.some((p) => p !== ports[0])) return undefined;
        const leader = cluster.pods.find((p) => p.port === ports[0])!;
        if ((await ha.role(cluster, leader)) !== "master") return undefined;
        for (const p of cluster.pods.filter((q) => q !== leader)) {
          const i = await cluster.info(p, "replication");
          if (i.master_port !== String(leader.port) || i.master_link_status !== "up") return undefined;
        }
        return leader;
      },
      90_000,
    );

    const convergedMs = Date.now() - restartedAt;
    const foundOnPrimary = await ha.countPresent(cluster, elected, acked);
    const foundOnReplicas = await Promise.all(
      cluster.pods.filter((p) => p !== elected).map((p) => ha.countPresent(cluster, p, acked)),
    );
    console.log(
      `whole-set restart: primary before redis-${primary.ordinal} (config epoch ${epochBefore}), ` +
        `elected redis-${elected.ordinal}; acked by WAIT 1 ${acked.length}, found on primary ` +
        `${foundOnPrimary}, on replicas ${foundOnReplicas.join(", ")}; converged ${convergedMs} ms after ` +
        `the restart began\n` +
        `redis-0: ${p0.redis!.log().match(/starting as [^\n]*/)?.[0]}\n` +
        `redis-${primary.ordinal}: ${primary.redis!.log().match(/starting as [^\n]*/)?.[0]}`,
    );
    expect(elected.ordinal).toBe(primary.ordinal);
    expect(foundOnPrimary).toBe(acked.length);
    expect(foundOnReplicas).toEqual([acked.length, acked.length]);
    expect(primary.redis!.log()).toMatch(
      /starting as primary \((reported by Sentinel|remembered on this pod's volume), config epoch [1-9]/,
    );
    // Sentinel's state is on the volume (0600: it holds the password, like the data it protects).
    expect(fs.readFileSync(primary.sentinelConf, "utf8")).toMatch(
      new RegExp(`^sentinel monitor botfleet ${HOST} ${primaryPort} `, "m"),
    );
    expect(fs.statSync(primary.sentinelConf).mode & 0o777).toBe(0o600);
  });
});
