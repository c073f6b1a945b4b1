/** The headless, client and Sentinel Services, the disruption budget and the ServiceAccount. */
import type { RedisConfig } from "../../config/redis";
import { REDIS_PORT, SENTINEL_PORT } from "./redis-conf";
import { REDIS_NAMES, type RedisSpecArgs, meta, selector, labels } from "./redis-names";
import { tokenlessServiceAccount } from "../specs/service-account";

import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;

export function servicePorts(config: RedisConfig): Input.core.v1.ServicePort[] {
  const ports: Input.core.v1.ServicePort[] = [
    { name: "redis", port: REDIS_PORT, targetPort: "redis", protocol: "TCP" },
  ];
  if (config.ha)
    ports.push({ name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel", protocol: "TCP" });
  return ports;
}

/** Headless Service: the pods' stable DNS names, published before they are ready (Sentinel needs them to bootstrap). */
export function redisHeadlessService(args: RedisSpecArgs): Input.core.v1.Service {
  return {
    metadata: meta(args, REDIS_NAMES.headlessService),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: selector(args),
      ports: servicePorts(args.config),
    },
  };
}

/**
 * Client Service on 6379. Standalone: the one Redis. With HA it spans every pod (a replica answers
 * writes with READONLY), so it is for reads and diagnostics only: `redis-client` then has an empty `host`
 * and HA clients must ask Sentinel (`sentinels` + `masterName`). A primary-only Service would need a
 * label kept on the current primary, i.e. RBAC for the pods to patch each other; we avoid that.
 */
export function redisClientService(args: RedisSpecArgs): Input.core.v1.Service {
  return {
    metadata: meta(args, REDIS_NAMES.service),
    spec: {
      type: "ClusterIP",
      selector: selector(args),
      ports: [{ name: "redis", port: REDIS_PORT, targetPort: "redis", protocol: "TCP" }],
    },
  };
}

/** Sentinel Service on 26379 (HA only). */
export function redisSentinelService(args: RedisSpecArgs): Input.core.v1.Service {
  return {
    metadata: meta(args, REDIS_NAMES.sentinelService),
    spec: {
      type: "ClusterIP",
      selector: selector(args),
      ports: [{ name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel", protocol: "TCP" }],
    },
  };
}

/** At most one pod down by choice; a crash-looping pod never blocks a node drain. */
export function redisPodDisruptionBudget(args: RedisSpecArgs): Input.policy.v1.PodDisruptionBudget {
  return {
    metadata: meta(args, REDIS_NAMES.podDisruptionBudget),
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: selector(args) },
    },
  };
}

export function redisServiceAccount(args: RedisSpecArgs): Input.core.v1.ServiceAccount {
  return tokenlessServiceAccount(REDIS_NAMES.serviceAccount, args.namespaces.data, labels(args));
}
