import { redisSchema, DEFAULT_REDIS_IMAGE, DEFAULT_EXPORTER_IMAGE } from "../../config/redis";

function problems(input: unknown): string[] {
  const r = redisSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("botfleet:redis schema", () => {
  test("an empty section resolves to a safe standalone default", () => {
    expect(redisSchema.parse({})).toEqual({
      ha: false,
      instances: 3,
      sentinelQuorum: 2,
      minReplicasToWrite: 1,
      downAfterMilliseconds: 10000,
      failoverTimeoutMilliseconds: 60000,
      storage: "8Gi",
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      image: DEFAULT_REDIS_IMAGE,
      exporterImage: DEFAULT_EXPORTER_IMAGE,
      maxmemoryPolicy: "noeviction",
    });
  });

  test("the default images are pinned official ones", () => {
    expect(DEFAULT_REDIS_IMAGE).toMatch(/^redis:7\.\d+\.\d+$/);
    expect(DEFAULT_EXPORTER_IMAGE).toMatch(/^oliver006\/redis_exporter:v\d+\.\d+\.\d+$/);
  });

  test("a full HA section is accepted as given; partial resources keep the other defaults", () => {
    const cfg = redisSchema.parse({
      ha: true,
      instances: 5,
      sentinelQuorum: 3,
      minReplicasToWrite: 2,
      storage: "20Gi",
      storageClass: "do-block-storage",
      resources: { limits: { memory: "2Gi" } },
      maxmemory: "1500Mi",
      maxmemoryPolicy: "volatile-lru",
    });
    expect(cfg.instances).toBe(5);
    expect(cfg.storageClass).toBe("do-block-storage");
    expect(cfg.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "2Gi" } });
    expect(cfg.maxmemory).toBe("1500Mi");
  });

  test.each<[string, unknown, string[]]>([
    [
      "ha with 2 pods",
      { ha: true, instances: 2 },
      ["instances: must be >= 3 when ha is true (Sentinel needs a majority of 3 to fail over), got 2"],
    ],
    [
      "quorum above the pods",
      { ha: true, instances: 3, sentinelQuorum: 4 },
      ["sentinelQuorum: must be <= instances (3), got 4"],
    ],
    [
      "min replicas to write = all pods",
      { ha: true, minReplicasToWrite: 3 },
      ["minReplicasToWrite: must be <= instances - 1 (2) or the primary can never accept a write, got 3"],
    ],
    [
      "maxmemory at the limit",
      { maxmemory: "512Mi" },
      [
        'maxmemory: must be < resources.limits.memory (512Mi) so Redis refuses writes before the kernel kills it, got "512Mi"',
      ],
    ],
    [
      "request above the limit",
      { resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } },
      ['resources.requests.memory: must be <= resources.limits.memory (512Mi), got "1Gi"'],
    ],
    ["unknown key", { ha: false, sentinels: 3 }, [': Unrecognized key: "sentinels"']],
    [
      "unpinned image",
      { image: "redis" },
      [
        'image: must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got "redis"',
      ],
    ],
    [
      "latest exporter",
      { exporterImage: "oliver006/redis_exporter:latest" },
      [
        'exporterImage: must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got "oliver006/redis_exporter:latest"',
      ],
    ],
    [
      "bad eviction policy",
      { maxmemoryPolicy: "lru" },
      [
        'maxmemoryPolicy: must be one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl, got "lru"',
      ],
    ],
    [
      "bad storage",
      { storage: "lots" },
      [
        'storage: must be a positive quantity such as "512Mi" or "8Gi" (binary suffixes Ki, Mi, Gi, Ti), got "lots"',
      ],
    ],
    [
      "bad storage class",
      { storageClass: "Fast_SSD" },
      ['storageClass: must be a StorageClass name (a DNS-1123 subdomain), got "Fast_SSD"'],
    ],
    ["fractional pods", { ha: true, instances: 3.5 }, ["instances: must be a whole number >= 1, got 3.5"]],
    [
      "down-after too small",
      { downAfterMilliseconds: 100 },
      ["downAfterMilliseconds: must be a whole number >= 500, got 100"],
    ],
  ])("rejects %s", (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  test("ha without explicit instances uses 3 pods and quorum 2, which pass", () => {
    expect(problems({ ha: true })).toEqual([]);
  });
});
