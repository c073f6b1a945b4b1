/** Names, mounts, hosts and labels of the Redis objects: the fleet contract refers to the names. */
import type { Environment } from "../../config/environment";
import type { Namespaces } from "../../config/platform";
import type { RedisConfig } from "../../config/redis";
import type { PodPlacement } from "../specs/placement";
import { selectorLabels, standardLabels } from "../specs/labels";
import { REDIS_CLIENT, REDIS_EXPORTER_PORT, SENTINEL_PORT } from "./contract";

import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;

/** uid/gid of the `redis` user in the official image. */
export const REDIS_UID = 999;
export const EXPORTER_PORT = REDIS_EXPORTER_PORT;

/** Fixed object names: the fleet contract refers to them. */
export const REDIS_NAMES = {
  statefulSet: "redis",
  service: "redis",
  headlessService: "redis-headless",
  sentinelService: "redis-sentinel",
  configMap: "redis-config",
  authSecret: "redis-auth",
  clientSecret: REDIS_CLIENT.secret,
  serviceAccount: "redis",
  podDisruptionBudget: "redis",
  networkPolicy: "redis",
} as const;

export const MOUNTS = {
  conf: "/opt/botfleet/conf",
  secret: "/opt/botfleet/secret",
  run: "/run/botfleet",
  data: "/data",
  tmp: "/tmp",
} as const;

export interface RedisSpecArgs {
  /** `app.kubernetes.io/instance` of every object. */
  readonly instance: string;
  readonly namespaces: Namespaces;
  readonly config: RedisConfig;
  /** `local` (single-node clusters) prefers instead of requiring one pod per node. */
  readonly environment: Environment;
  /** Node selector and tolerations onto the stack's pool of this class (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
}

/** Pods in the StatefulSet: `instances` with HA, else 1. */
export function redisPodCount(config: RedisConfig): number {
  return config.ha ? config.instances : 1;
}

/** Stable DNS name of pod `ordinal` (resolvable before it is ready: the headless Service publishes not-ready addresses). */
export function redisPodHost(ordinal: number, namespace: string): string {
  return `${REDIS_NAMES.statefulSet}-${ordinal}.${REDIS_NAMES.headlessService}.${namespace}.svc.cluster.local`;
}

/** "host:port,host:port" of every Sentinel; "" without HA. */
export function sentinelAddresses(config: RedisConfig, namespace: string): string {
  if (!config.ha) return "";
  return Array.from(
    { length: config.instances },
    (_, i) => `${redisPodHost(i, namespace)}:${SENTINEL_PORT}`,
  ).join(",");
}

export function labels(args: RedisSpecArgs): Record<string, string> {
  // Roles move at failover while labels stay, so HA pods are all `node`; standalone is the primary.
  return standardLabels({
    name: "redis",
    instance: args.instance,
    component: args.config.ha ? "node" : "primary",
  });
}

export function selector(args: RedisSpecArgs): Record<string, string> {
  return selectorLabels({ name: "redis", instance: args.instance });
}

export function meta(
  args: RedisSpecArgs,
  name: string,
  namespace = args.namespaces.data,
): Input.meta.v1.ObjectMeta {
  return { name, namespace, labels: labels(args) };
}
