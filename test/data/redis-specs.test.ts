/** Pure builders: rendered Redis/Sentinel configs and the Kubernetes specs, without mocks. */
import { redisSchema, type RedisConfig } from "../../config/redis";
import { maxmemoryBytes, renderRedisConf, renderSentinelConf } from "../../components/data/redis-conf";
import { redisClientSecretData } from "../../components/data/redis-client";
import { checksum } from "../../components/specs/checksum";
import { redisConfigMapData } from "../../components/data/redis-configmap";
import { sentinelAddresses, type RedisSpecArgs } from "../../components/data/redis-names";
import type { Environment } from "../../config/environment";
import { redisNetworkPolicy } from "../../components/data/redis-network-policy";
import { redisStatefulSet } from "../../components/data/redis-server";
import { redisHeadlessService, redisPodDisruptionBudget } from "../../components/data/redis-services";

const namespaces = { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" };
const standalone = redisSchema.parse({});
const ha = redisSchema.parse({ ha: true, storageClass: "fast", storage: "20Gi" });
const spec = (config: RedisConfig, environment: Environment = "prod"): RedisSpecArgs => ({
  instance: "redis",
  namespaces,
  config,
  environment,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const directives = (conf: string) => conf.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("renderRedisConf", () => {
  test("standalone: AOF every second, no eviction, memory below the limit, no replica rule, no secret", () => {
    const conf = directives(renderRedisConf(standalone));
    expect(conf).toEqual(
      expect.arrayContaining([
        "port 6379",
        "protected-mode yes",
        "dir /data",
        "appendonly yes",
        "appendfsync everysec",
        "maxmemory-policy noeviction",
        `maxmemory ${Math.floor(512 * 2 ** 20 * 0.7)}`,
        "min-replicas-to-write 0",
        "min-replicas-max-lag 10",
      ]),
    );
    expect(conf.join("\n")).not.toMatch(/requirepass|masterauth|replicaof/);
  });

  test("HA: the primary needs one in-sync replica to accept a write; parameters override port, bind and dir", () => {
    const conf = directives(renderRedisConf(ha, { port: 7000, bind: "127.0.0.1", dir: "/tmp/x" }));
    expect(conf).toEqual(
      expect.arrayContaining(["port 7000", "bind 127.0.0.1", "dir /tmp/x", "min-replicas-to-write 1"]),
    );
  });

  test("an explicit maxmemory wins over the share of the limit", () => {
    expect(maxmemoryBytes(redisSchema.parse({ maxmemory: "300Mi" }))).toBe(300 * 2 ** 20);
    expect(renderRedisConf(redisSchema.parse({ maxmemory: "300Mi" }))).toContain(
      `maxmemory ${300 * 2 ** 20}\n`,
    );
  });
});

describe("renderSentinelConf", () => {
  test("DNS names, quorum, timings, and the monitor line before the per-master settings", () => {
    const cfg = redisSchema.parse({ ha: true, sentinelQuorum: 2, downAfterMilliseconds: 5000 });
    const conf = directives(renderSentinelConf(cfg, { port: 26000, dir: "/run/s" }));
    expect(conf).toEqual(
      expect.arrayContaining([
        "port 26000",
        "dir /run/s",
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        "sentinel down-after-milliseconds botfleet 5000",
        "sentinel failover-timeout botfleet 60000",
        "sentinel parallel-syncs botfleet 1",
      ]),
    );
    const monitor = conf.indexOf("sentinel monitor botfleet @PRIMARY_HOST@ @PRIMARY_PORT@ 2");
    expect(monitor).toBeGreaterThan(conf.indexOf("sentinel resolve-hostnames yes"));
    expect(monitor).toBeLessThan(conf.indexOf("sentinel down-after-milliseconds botfleet 5000"));
    expect(conf.join("\n")).not.toMatch(/requirepass|auth-pass/);
  });
});

describe("ConfigMap data and checksum", () => {
  test("holds configs and scripts, sentinel.conf only with HA, and no password directive", () => {
    expect(Object.keys(redisConfigMapData(standalone)).sort()).toEqual([
      "acl-reload.sh",
      "entrypoint.sh",
      "prestop.sh",
      "probe.sh",
      "redis.conf",
    ]);
    const data = redisConfigMapData(ha);
    expect(Object.keys(data).sort()).toEqual([
      "acl-reload.sh",
      "entrypoint.sh",
      "prestop.sh",
      "probe.sh",
      "redis.conf",
      "sentinel.conf",
    ]);
    expect(data["redis.conf"]).not.toMatch(/^(requirepass|user|aclfile|masterauth)/m);
    expect(data["entrypoint.sh"]).toMatch(/^#!\/bin\/sh/);
  });

  test("the checksum follows the content", () => {
    expect(checksum(redisConfigMapData(ha))).toBe(checksum(redisConfigMapData(ha)));
    expect(checksum(redisConfigMapData(ha))).not.toBe(
      checksum(redisConfigMapData(redisSchema.parse({ ha: true, downAfterMilliseconds: 5000 }))),
    );
  });
});

describe("redisStatefulSet", () => {
  const sts = (config: RedisConfig, env: Environment = "prod") =>
    redisStatefulSet(spec(config, env), "sum") as Any;

  test("standalone: one pod, redis + exporter, PVC with retention", () => {
    const s = sts(standalone);
    expect(s.spec.replicas).toBe(1);
    expect(s.spec.serviceName).toBe("redis-headless");
    expect(s.spec.template.spec.containers.map((c: Any) => c.name)).toEqual([
      "redis",
      "metrics",
      "acl-reload",
    ]);
    expect(s.spec.template.spec.containers[0].lifecycle).toBeUndefined();
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(s.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "8Gi" } },
    });
    expect(s.spec.template.metadata.labels["app.kubernetes.io/component"]).toBe("primary");
    expect(s.spec.template.metadata.annotations["botfleet.io/config-checksum"]).toBe("sum");
    const env = s.spec.template.spec.containers[0].env;
    expect(env.find((e: Any) => e.name === "REDIS_SENTINELS").value).toBe("");
  });

  test("HA: N pods with a sentinel each, the storage class, required one-pod-per-node", () => {
    const s = sts(ha);
    expect(s.spec.replicas).toBe(3);
    expect(s.spec.template.spec.containers.map((c: Any) => c.name)).toEqual([
      "redis",
      "sentinel",
      "metrics",
      "acl-reload",
    ]);
    expect(s.spec.template.spec.containers[0].lifecycle.preStop.exec.command).toEqual([
      "sh",
      "/opt/botfleet/conf/prestop.sh",
    ]);
    expect(s.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(20);
    expect(s.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("fast");
    expect(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("20Gi");
    const anti = s.spec.template.spec.affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: s.spec.selector.matchLabels } },
    ]);
    expect(s.spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
    const env = Object.fromEntries(s.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e]));
    expect(env.REDIS_INITIAL_PRIMARY.value).toBe(
      "redis-0.redis-headless.botfleet-data.svc.cluster.local:6379",
    );
    expect(env.REDIS_ANNOUNCE_HOST.value).toBe("$(POD_NAME).redis-headless.botfleet-data.svc.cluster.local");
    expect(env.REDIS_SENTINELS.value).toBe(sentinelAddresses(ha, "botfleet-data"));
    // The probes and the preStop hook act as the admin user; the hook also asks Sentinel.
    expect(env.REDISCLI_AUTH).toEqual({
      name: "REDISCLI_AUTH",
      valueFrom: { secretKeyRef: { name: "redis-auth", key: "admin-password" } },
    });
    expect(env.REDIS_ADMIN_USER.value).toBe("botfleet-admin");
    expect(env.REDIS_SENTINEL_AUTH.valueFrom.secretKeyRef.key).toBe("sentinel-auth-password");
  });

  test("each container mounts only the redis-auth files its entrypoint mode reads, where it reads them", () => {
    const pod = sts(ha).spec.template.spec;
    const entrypoint = redisConfigMapData(ha)["entrypoint.sh"];
    const [redis, sentinel, exporter] = pod.containers;
    const items = (volume: string) =>
      pod.volumes.find((v: Any) => v.name === volume).secret.items.map((i: Any) => [i.key, i.path]);
    expect(items("redis-auth")).toEqual([
      ["users.acl", "users.acl"],
      ["replication-password", "replication-password"],
      ["sentinel-auth-password", "sentinel-auth-password"],
    ]);
    expect(items("sentinel-auth")).toEqual([
      ["sentinel-password", "sentinel-password"],
      ["sentinel-auth-password", "sentinel-auth-password"],
      ["sentinel-users.conf", "sentinel-users.conf"],
    ]);
    for (const [container, volume] of [
      [redis, "redis-auth"],
      [sentinel, "sentinel-auth"],
    ]) {
      const mount = container.volumeMounts.find((m: Any) => m.name === volume);
      expect(mount).toEqual({ name: volume, mountPath: "/opt/botfleet/secret", readOnly: true });
      expect(container.env).toContainEqual({ name: "REDIS_SECRET_DIR", value: "/opt/botfleet/secret" });
    }
    for (const file of items("redis-auth")
      .concat(items("sentinel-auth"))
      .map(([key]: string[]) => key))
      expect(entrypoint).toContain(file);
    // The exporter: its own user, no file.
    expect(exporter.volumeMounts ?? []).toEqual([]);
    expect(exporter.env).toContainEqual({ name: "REDIS_USER", value: "exporter" });
    expect(exporter.env.find((e: Any) => e.name === "REDIS_PASSWORD").valueFrom.secretKeyRef.key).toBe(
      "exporter-password",
    );
    // Standalone: no Sentinel files anywhere.
    const single = sts(standalone).spec.template.spec;
    expect(single.volumes.map((v: Any) => v.name)).not.toContain("sentinel-auth");
    expect(JSON.stringify(single)).not.toContain("sentinel-auth-password");
  });

  test("Sentinel keeps its config on the data volume, where the redis entrypoint also reads it", () => {
    const pod = sts(ha).spec.template.spec;
    const [redis, sentinel] = pod.containers;
    for (const c of [redis, sentinel]) {
      expect(c.volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
      expect(c.env).toContainEqual({ name: "REDIS_SENTINEL_CONF", value: "/data/sentinel.conf" });
    }
    // Nothing in memory is left for Sentinel: its state must survive the pod.
    expect(pod.volumes.map((v: Any) => v.name)).not.toContain("sentinel-run");
  });

  test("local clusters prefer instead of requiring one pod per node", () => {
    const anti = sts(ha, "local").spec.template.spec.affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
  });

  test("probes: redis-cli through probe.sh with REDISCLI_AUTH (never -a), readiness differs from liveness", () => {
    for (const c of sts(ha).spec.template.spec.containers) {
      expect(c.readinessProbe).toBeDefined();
      expect(c.livenessProbe).toBeDefined();
      expect(c.readinessProbe).not.toEqual(c.livenessProbe);
      expect(JSON.stringify(c)).not.toContain('"-a"');
    }
    const [redis, sentinel] = sts(ha).spec.template.spec.containers;
    expect(redis.readinessProbe.exec.command).toEqual([
      "sh",
      "/opt/botfleet/conf/probe.sh",
      "readiness",
      "6379",
      "botfleet-admin",
    ]);
    expect(redis.livenessProbe.exec.command).toEqual([
      "sh",
      "/opt/botfleet/conf/probe.sh",
      "liveness",
      "6379",
      "botfleet-admin",
    ]);
    expect(sentinel.readinessProbe.exec.command).toEqual([
      "sh",
      "/opt/botfleet/conf/probe.sh",
      "readiness",
      "26379",
    ]);
  });

  test("restricted: uid 999, read-only root, no token, the password only as a file or secretKeyRef", () => {
    const pod = sts(ha).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      for (const e of c.env)
        if (/PASSWORD|AUTH/.test(e.name) && !e.name.endsWith("_FILE"))
          expect(e.valueFrom.secretKeyRef.name).toBe("redis-auth");
    }
    const vols = Object.fromEntries(pod.volumes.map((v: Any) => [v.name, v]));
    expect(vols["redis-run"].emptyDir.medium).toBe("Memory");
    expect(vols["redis-auth"].secret.secretName).toBe("redis-auth");
    expect(vols["sentinel-auth"].secret.secretName).toBe("redis-auth");
  });
});

describe("Services, PDB, NetworkPolicy, client Secret", () => {
  test("headless Service publishes not-ready pods (Sentinel bootstraps on their DNS names)", () => {
    const svc = redisHeadlessService(spec(ha)) as Any;
    expect(svc.spec.clusterIP).toBe("None");
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(svc.spec.ports.map((p: Any) => p.port)).toEqual([6379, 26379]);
  });

  test("PDB: one pod at a time, unhealthy pods always evictable", () => {
    expect((redisPodDisruptionBudget(spec(ha)) as Any).spec).toMatchObject({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
  });

  test("NetworkPolicy: clients of bots and data, the redis pods, Prometheus on 9121; egress only to redis pods", () => {
    const np = redisNetworkPolicy(spec(ha)) as Any;
    const self = { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "redis" };
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress[0]).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-bots" } },
          podSelector: { matchLabels: { "botfleet.io/redis-client": "true" } },
        },
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-data" } },
          podSelector: { matchLabels: { "botfleet.io/redis-client": "true" } },
        },
        { podSelector: { matchLabels: self } },
      ],
      ports: [
        { protocol: "TCP", port: 6379 },
        { protocol: "TCP", port: 26379 },
      ],
    });
    expect(np.spec.ingress[1]).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
      ],
      ports: [{ protocol: "TCP", port: 9121 }],
    });
    expect(np.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: self } }], ports: np.spec.ingress[0].ports },
    ]);
    expect((redisNetworkPolicy(spec(standalone)) as Any).spec.egress).toEqual([]);
  });

  test("redis-client data: the client Service, and Sentinel addresses + master name only with HA", () => {
    expect(redisClientSecretData(standalone, namespaces)).toEqual({
      host: "redis.botfleet-data.svc.cluster.local",
      port: "6379",
      sentinels: "",
      masterName: "",
      sentinelUsername: "",
    });
    // HA: no host. The `redis` Service spans replicas (READONLY for writes); Sentinel is the contract.
    expect(redisClientSecretData(ha, namespaces)).toEqual({
      host: "",
      port: "6379",
      sentinels: [0, 1, 2]
        .map((i) => `redis-${i}.redis-headless.botfleet-data.svc.cluster.local:26379`)
        .join(","),
      masterName: "botfleet",
      sentinelUsername: "bots",
    });
  });
});
