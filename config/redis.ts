/**
 * Schema of the `botfleet:redis` stack key: the Redis half of the data layer.
 * Standalone by default (one pod, AOF on a PVC); `ha: true` runs Redis + Sentinel in N pods.
 */
import { z } from "zod";
import { byteQuantity, bytes, count, cpuQuantity, pinnedImage, show } from "./common";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Eviction policies Redis accepts. Bot state must not be evicted, hence `noeviction` by default. */
export const MAXMEMORY_POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;

/**
 * Official Redis image; the plain tag is the Debian bookworm variant (sh, timeout and redis-cli for the
 * entrypoint and probes). 7.2 is a maintained, BSD-licensed line, and 7.2.16 has the fixes for the
 * authenticated Lua RCEs fixed in 7.2.6 (CVE-2024-31449) and 7.2.11 (CVE-2025-49844). Source:
 * docker-library/official-images library/redis, added by 32dbe4eb08 ("Redis security release 2026-08-18",
 * built from redis/docker-library-redis tag v7.2.16); checked 2026-11-29.
 */
export const DEFAULT_REDIS_IMAGE = "redis:7.2.16";
/** oliver006/redis_exporter tag v1.62.0 (its Drone release pushes the tag name); checked 2026-11-29. */
export const DEFAULT_EXPORTER_IMAGE = "oliver006/redis_exporter:v1.62.0";

export const redisSchema = z
  .strictObject({
    /** Redis + Sentinel in `instances` pods (automatic failover). @default false */
    ha: z.boolean().default(false),
    /** Redis pods when `ha`, the primary included (the rest are its replicas); 1 without `ha`. @default 3 */
    instances: count(1).default(3),
    /** Sentinels that must agree the primary is down before a failover. @default 2 */
    sentinelQuorum: count(1).default(2),
    /**
     * With `ha`: the primary refuses writes unless this many replicas are connected and at most
     * 10 s behind. 1 of 2 replicas keeps writes going while one replica is down, and stops an
     * isolated old primary from taking writes that a failover would throw away. @default 1
     */
    minReplicasToWrite: count(0).default(1),
    /** Sentinel: how long a primary must be unreachable before it is considered down. @default 10000 */
    downAfterMilliseconds: count(500).default(10000),
    /** Sentinel: how long a failover may take before another Sentinel retries it. @default 60000 */
    failoverTimeoutMilliseconds: count(1000).default(60000),
    /** PVC size per pod. @default "8Gi" */
    storage: byteQuantity.default("8Gi"),
    /** StorageClass of the PVCs; the cluster default when unset. */
    storageClass: z
      .string()
      .refine((v) => DNS1123_SUBDOMAIN.test(v) && v.length <= 253, {
        error: (iss) => `must be a StorageClass name (a DNS-1123 subdomain), got ${show(iss.input)}`,
      })
      .optional(),
    /** Resources of the redis container. */
    resources: z
      .strictObject({
        requests: z
          .strictObject({
            /** @default "100m" */
            cpu: cpuQuantity.default("100m"),
            /** @default "256Mi" */
            memory: byteQuantity.default("256Mi"),
          })
          .prefault({}),
        limits: z
          .strictObject({
            /** @default "512Mi" */
            memory: byteQuantity.default("512Mi"),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Redis image, pinned. @default "redis:7.2.16" */
    image: pinnedImage.default(DEFAULT_REDIS_IMAGE),
    /** redis_exporter image, pinned. @default "oliver006/redis_exporter:v1.62.0" */
    exporterImage: pinnedImage.default(DEFAULT_EXPORTER_IMAGE),
    /** Redis `maxmemory`; 70% of the memory limit when unset (headroom for the AOF rewrite fork). */
    maxmemory: byteQuantity.optional(),
    /** Redis `maxmemory-policy`. @default "noeviction" */
    maxmemoryPolicy: z
      .string()
      .refine((v) => (MAXMEMORY_POLICIES as readonly string[]).includes(v), {
        error: (iss) => `must be one of ${MAXMEMORY_POLICIES.join(", ")}, got ${show(iss.input)}`,
      })
      .default("noeviction"),
  })
  .superRefine((v, ctx) => {
    if (v.ha && v.instances < 3) {
      ctx.addIssue({
        code: "custom",
        path: ["instances"],
        message: `must be >= 3 when ha is true (Sentinel needs a majority of 3 to fail over), got ${v.instances}`,
        input: v.instances,
      });
    }
    if (v.ha && v.sentinelQuorum > v.instances) {
      ctx.addIssue({
        code: "custom",
        path: ["sentinelQuorum"],
        message: `must be <= instances (${v.instances}), got ${v.sentinelQuorum}`,
        input: v.sentinelQuorum,
      });
    }
    if (v.ha && v.minReplicasToWrite > v.instances - 1) {
      ctx.addIssue({
        code: "custom",
        path: ["minReplicasToWrite"],
        message: `must be <= instances - 1 (${v.instances - 1}) or the primary can never accept a write, got ${v.minReplicasToWrite}`,
        input: v.minReplicasToWrite,
      });
    }
    const limit = bytes(v.resources.limits.memory);
    if (bytes(v.resources.requests.memory) > limit) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", "requests", "memory"],
        message: `must be <= resources.limits.memory (${v.resources.limits.memory}), got ${show(v.resources.requests.memory)}`,
        input: v.resources.requests.memory,
      });
    }
    if (v.maxmemory !== undefined && bytes(v.maxmemory) >= limit) {
      ctx.addIssue({
        code: "custom",
        path: ["maxmemory"],
        message: `must be < resources.limits.memory (${v.resources.limits.memory}) so Redis refuses writes before the kernel kills it, got ${show(v.maxmemory)}`,
        input: v.maxmemory,
      });
    }
  });

export type RedisConfig = z.output<typeof redisSchema>;
