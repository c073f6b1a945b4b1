/**
 * Pure renderers for redis.conf and sentinel.conf. They hold no secret: `files/redis/entrypoint.sh`
 * appends requirepass/masterauth/auth-pass from the mounted Secret file, the announce address and
 * (for a replica) `replicaof` at start: redis.conf into an emptyDir, sentinel.conf onto the data volume
 * (Sentinel rewrites it with the newest primary and epoch, which a whole-set restart needs).
 */
import { REDIS_PORT, SENTINEL_PORT } from "./contract";

export { REDIS_PORT, SENTINEL_PORT };
import { bytes } from "../../config/common";
import type { RedisConfig } from "../../config/redis";

/** Sentinel's name for the monitored primary; also the `masterName` clients use. */
export const SENTINEL_MASTER_NAME = "botfleet";
/** Seconds a replica may lag and still count towards `min-replicas-to-write`. */
export const MIN_REPLICAS_MAX_LAG_SECONDS = 10;
/** Share of the memory limit used as `maxmemory` when none is configured. */
export const DEFAULT_MAXMEMORY_SHARE = 0.7;

export interface RedisConfParams {
  /** @default 6379 */
  readonly port?: number;
  /** Addresses to listen on. @default "* -::*" (all, IPv4 and IPv6 when available) */
  readonly bind?: string;
  /** Data directory (the PVC). @default "/data" */
  readonly dir?: string;
}

export interface SentinelConfParams {
  /** @default 26379 */
  readonly port?: number;
  /** @default "* -::*" */
  readonly bind?: string;
  /** Sentinel's working directory (an emptyDir). @default "/tmp" */
  readonly dir?: string;
}

/** `maxmemory` in bytes: the configured value or a share of the memory limit. */
export function maxmemoryBytes(config: RedisConfig): number {
  return config.maxmemory !== undefined
    ? Math.floor(bytes(config.maxmemory))
    : Math.floor(bytes(config.resources.limits.memory) * DEFAULT_MAXMEMORY_SHARE);
}

/** redis.conf without secrets and without a role: the entrypoint adds both. */
export function renderRedisConf(config: RedisConfig, params: RedisConfParams = {}): string {
  const minReplicasToWrite = config.ha ? config.minReplicasToWrite : 0;
  const lines = [
    "# Rendered by botfleet (components/data/redis-conf.ts). Secrets are appended at start.",
    `port ${params.port ?? REDIS_PORT}`,
    `bind ${params.bind ?? "* -::*"}`,
    // Auth is always on (requirepass is appended), so protected mode never blocks a client.
    "protected-mode yes",
    "daemonize no",
    'logfile ""',
    `dir ${params.dir ?? "/data"}`,
    // Durability: every write goes to the AOF, fsynced each second (at most ~1 s lost on a crash).
    "appendonly yes",
    "appendfsync everysec",
    'appendfilename "appendonly.aof"',
    "aof-use-rdb-preamble yes",
    "auto-aof-rewrite-percentage 100",
    "auto-aof-rewrite-min-size 64mb",
    // RDB snapshots as a second copy for faster full resyncs.
    "save 900 1 300 10 60 10000",
    `maxmemory ${maxmemoryBytes(config)}`,
    `maxmemory-policy ${config.maxmemoryPolicy}`,
    // A replica refuses writes; its data comes only from the primary.
    "replica-read-only yes",
    "replica-serve-stale-data yes",
    "repl-diskless-sync yes",
    // With HA the primary stops accepting writes when no replica is in sync (see minReplicasToWrite).
    `min-replicas-to-write ${minReplicasToWrite}`,
    `min-replicas-max-lag ${MIN_REPLICAS_MAX_LAG_SECONDS}`,
    "tcp-keepalive 60",
    "timeout 0",
  ];
  return lines.join("\n") + "\n";
}

/**
 * sentinel.conf without secrets. `@PRIMARY_HOST@`/`@PRIMARY_PORT@` are filled in by the entrypoint
 * with the primary of the highest config epoch the Sentinels report or this pod's Sentinel remembers,
 * or the initial primary (ordinal 0) when nobody knows one.
 */
export function renderSentinelConf(config: RedisConfig, params: SentinelConfParams = {}): string {
  const m = SENTINEL_MASTER_NAME;
  const lines = [
    "# Rendered by botfleet (components/data/redis-conf.ts). Secrets are appended at start.",
    `port ${params.port ?? SENTINEL_PORT}`,
    `bind ${params.bind ?? "* -::*"}`,
    "protected-mode yes",
    "daemonize no",
    'logfile ""',
    `dir ${params.dir ?? "/tmp"}`,
    // StatefulSet pods are known by their stable DNS names, never by their changing pod IPs.
    "sentinel resolve-hostnames yes",
    "sentinel announce-hostnames yes",
    `sentinel monitor ${m} @PRIMARY_HOST@ @PRIMARY_PORT@ ${config.sentinelQuorum}`,
    `sentinel down-after-milliseconds ${m} ${config.downAfterMilliseconds}`,
    `sentinel failover-timeout ${m} ${config.failoverTimeoutMilliseconds}`,
    // One replica resyncs at a time, the others keep serving reads.
    `sentinel parallel-syncs ${m} 1`,
  ];
  return lines.join("\n") + "\n";
}
