/**
 * Pure builders for the Redis data layer's Kubernetes objects. `components/data/redis.ts` only wires
 * them to resources.
 *
 * Topology: one StatefulSet `redis`. Standalone (default): one pod. HA: N pods, each running redis
 * and a sentinel container side by side (as the Bitnami chart does): a pod is the unit the anti-affinity
 * spreads, so losing a node loses one Redis and one Sentinel, and 3 pods keep a Sentinel majority.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { RedisConfig } from "../../config/redis";
import { selectorLabels, standardLabels } from "../specs/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import {
  REDIS_PORT,
  SENTINEL_MASTER_NAME,
  SENTINEL_PORT,
  renderRedisConf,
  renderSentinelConf,
} from "./redis-conf";

import Input = k8s.types.input;

/** uid/gid of the `redis` user in the official image. */
export const REDIS_UID = 999;
export const EXPORTER_PORT = 9121;

/** Fixed object names: the fleet contract refers to them. */
export const REDIS_NAMES = {
  statefulSet: "redis",
  service: "redis",
  headlessService: "redis-headless",
  sentinelService: "redis-sentinel",
  configMap: "redis-config",
  authSecret: "redis-auth",
  clientSecret: "redis-client",
  serviceAccount: "redis",
  podDisruptionBudget: "redis",
  networkPolicy: "redis",
} as const;

const MOUNTS = {
  conf: "/opt/botfleet/conf",
  secret: "/opt/botfleet/secret",
  run: "/run/botfleet",
  data: "/data",
  tmp: "/tmp",
} as const;

export interface Namespaces {
  readonly bots: string;
  readonly data: string;
  readonly monitoring: string;
}

export type Environment = "dev" | "staging" | "prod" | "local";

export interface RedisSpecArgs {
  /** `app.kubernetes.io/instance` of every object. */
  readonly instance: string;
  readonly namespaces: Namespaces;
  readonly config: RedisConfig;
  /** `local` (single-node clusters) prefers instead of requiring one pod per node. */
  readonly environment: Environment;
}

/** Pods in the StatefulSet: `replicas` with HA, else 1. */
export function redisPodCount(config: RedisConfig): number {
  return config.ha ? config.replicas : 1;
}

/** Stable DNS name of pod `ordinal` (resolvable before it is ready: the headless Service publishes not-ready addresses). */
export function redisPodHost(ordinal: number, namespace: string): string {
  return `${REDIS_NAMES.statefulSet}-${ordinal}.${REDIS_NAMES.headlessService}.${namespace}.svc.cluster.local`;
}

export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** "host:port,host:port" of every Sentinel; "" without HA. */
export function sentinelAddresses(config: RedisConfig, namespace: string): string {
  if (!config.ha) return "";
  return Array.from(
    { length: config.replicas },
    (_, i) => `${redisPodHost(i, namespace)}:${SENTINEL_PORT}`,
  ).join(",");
}

/** The shell scripts that run in the containers, read from `files/redis`. */
export function redisScripts(): Record<string, string> {
  const dir = path.join(__dirname, "..", "..", "files", "redis");
  return {
    "entrypoint.sh": fs.readFileSync(path.join(dir, "entrypoint.sh"), "utf8"),
    "probe.sh": fs.readFileSync(path.join(dir, "probe.sh"), "utf8"),
    "prestop.sh": fs.readFileSync(path.join(dir, "prestop.sh"), "utf8"),
  };
}

/** ConfigMap data: rendered configs and scripts. No secret ever lands here. */
export function redisConfigMapData(config: RedisConfig): Record<string, string> {
  const data: Record<string, string> = {
    "redis.conf": renderRedisConf(config, { dir: MOUNTS.data }),
    ...redisScripts(),
  };
  if (config.ha) data["sentinel.conf"] = renderSentinelConf(config, { dir: MOUNTS.tmp });
  return data;
}

/** sha256 of the ConfigMap data: a pod template annotation, so a config change rolls the pods. */
export function checksum(data: Record<string, string>): string {
  const hash = crypto.createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
  return hash.digest("hex");
}

function labels(args: RedisSpecArgs): Record<string, string> {
  // Roles move at failover while labels stay, so HA pods are all `node`; standalone is the primary.
  return standardLabels({
    name: "redis",
    instance: args.instance,
    component: args.config.ha ? "node" : "primary",
  });
}

function selector(args: RedisSpecArgs): Record<string, string> {
  return selectorLabels({ name: "redis", instance: args.instance });
}

function meta(args: RedisSpecArgs, name: string, namespace = args.namespaces.data): Input.meta.v1.ObjectMeta {
  return { name, namespace, labels: labels(args) };
}

function secretEnv(name: string): Input.core.v1.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: REDIS_NAMES.authSecret, key: "password" } } };
}

function probeCommand(kind: "readiness" | "liveness", port: number): Input.core.v1.Probe["exec"] {
  return { command: ["sh", `${MOUNTS.conf}/probe.sh`, kind, String(port)] };
}

/** Probes per hardening item 12: readiness wants PONG, liveness tolerates LOADING/MASTERDOWN. */
function redisProbes(port: number) {
  return {
    // Replaying a large AOF can take minutes: liveness waits until the server answers at all.
    startupProbe: {
      exec: probeCommand("liveness", port),
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 60,
    },
    readinessProbe: {
      exec: probeCommand("readiness", port),
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      exec: probeCommand("liveness", port),
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
  };
}

export function redisStatefulSet(args: RedisSpecArgs, configChecksum: string): Input.apps.v1.StatefulSet {
  const { config, namespaces } = args;
  const ns = namespaces.data;
  const securityContext = restrictedContainerSecurityContext(REDIS_UID);
  const scriptEnv: Input.core.v1.EnvVar[] = [
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    {
      name: "REDIS_ANNOUNCE_HOST",
      value: `$(POD_NAME).${REDIS_NAMES.headlessService}.${ns}.svc.cluster.local`,
    },
    { name: "REDIS_INITIAL_PRIMARY", value: `${redisPodHost(0, ns)}:${REDIS_PORT}` },
    { name: "REDIS_SENTINELS", value: sentinelAddresses(config, ns) },
    { name: "REDIS_TEMPLATE_DIR", value: MOUNTS.conf },
    { name: "REDIS_RUN_DIR", value: MOUNTS.run },
    // For the probes' redis-cli; the entrypoint reads the mounted file at its default path
    // (REDIS_PASSWORD_FILE=/opt/botfleet/secret/password).
    secretEnv("REDISCLI_AUTH"),
  ];
  const commonMounts: Input.core.v1.VolumeMount[] = [
    { name: "conf", mountPath: MOUNTS.conf, readOnly: true },
    { name: "auth", mountPath: MOUNTS.secret, readOnly: true },
    { name: "tmp", mountPath: MOUNTS.tmp },
  ];

  const redis: Input.core.v1.Container = {
    name: "redis",
    image: config.image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", `${MOUNTS.conf}/entrypoint.sh`, "redis"],
    ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
    env: scriptEnv,
    resources: {
      requests: { cpu: config.resources.requests.cpu, memory: config.resources.requests.memory },
      limits: { memory: config.resources.limits.memory },
    },
    ...redisProbes(REDIS_PORT),
    // HA: a primary hands over to a replica before it stops (well within the 30 s grace period).
    ...(config.ha
      ? { lifecycle: { preStop: { exec: { command: ["sh", `${MOUNTS.conf}/prestop.sh`] } } } }
      : {}),
    securityContext,
    volumeMounts: [
      ...commonMounts,
      { name: "data", mountPath: MOUNTS.data },
      { name: "redis-run", mountPath: MOUNTS.run },
    ],
  };

  const sentinel: Input.core.v1.Container = {
    name: "sentinel",
    image: config.image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", `${MOUNTS.conf}/entrypoint.sh`, "sentinel"],
    ports: [{ name: "sentinel", containerPort: SENTINEL_PORT, protocol: "TCP" }],
    env: scriptEnv,
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    ...redisProbes(SENTINEL_PORT),
    securityContext,
    volumeMounts: [...commonMounts, { name: "sentinel-run", mountPath: MOUNTS.run }],
  };

  const exporter: Input.core.v1.Container = {
    name: "metrics",
    image: config.exporterImage,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT, protocol: "TCP" }],
    env: [{ name: "REDIS_ADDR", value: `redis://127.0.0.1:${REDIS_PORT}` }, secretEnv("REDIS_PASSWORD")],
    resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    readinessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 3 },
    livenessProbe: {
      tcpSocket: { port: "metrics" },
      periodSeconds: 20,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    securityContext,
  };

  const antiAffinityTerm = {
    topologyKey: "kubernetes.io/hostname",
    labelSelector: { matchLabels: selector(args) },
  };
  // Two copies of the data on one node is one failure away from none: required, except on
  // single-node local clusters where it would leave HA pods pending forever.
  const podAntiAffinity: Input.core.v1.PodAntiAffinity =
    args.environment === "local"
      ? {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: antiAffinityTerm },
          ],
        }
      : { requiredDuringSchedulingIgnoredDuringExecution: [antiAffinityTerm] };

  const memoryVolume = (name: string, sizeLimit: string): Input.core.v1.Volume => ({
    name,
    // The assembled config holds the password: keep it in RAM, never on the node's disk.
    emptyDir: { medium: "Memory", sizeLimit },
  });

  return {
    metadata: meta(args, REDIS_NAMES.statefulSet),
    spec: {
      serviceName: REDIS_NAMES.headlessService,
      replicas: redisPodCount(config),
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: selector(args) },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: {
        metadata: {
          labels: labels(args),
          annotations: { "botfleet.io/config-checksum": configChecksum },
        },
        spec: {
          serviceAccountName: REDIS_NAMES.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: restrictedPodSecurityContext(REDIS_UID),
          affinity: { podAntiAffinity },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(args) },
            },
          ],
          containers: config.ha ? [redis, sentinel, exporter] : [redis, exporter],
          volumes: [
            { name: "conf", configMap: { name: REDIS_NAMES.configMap, defaultMode: 0o444 } },
            {
              name: "auth",
              secret: {
                secretName: REDIS_NAMES.authSecret,
                defaultMode: 0o440,
                items: [{ key: "password", path: "password" }],
              },
            },
            memoryVolume("redis-run", "1Mi"),
            ...(config.ha ? [memoryVolume("sentinel-run", "1Mi")] : []),
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: selector(args) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(config.storageClass !== undefined ? { storageClassName: config.storageClass } : {}),
            resources: { requests: { storage: config.storage } },
          },
        },
      ],
    },
  };
}

function servicePorts(config: RedisConfig): Input.core.v1.ServicePort[] {
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
  return { metadata: meta(args, REDIS_NAMES.serviceAccount), automountServiceAccountToken: false };
}

/**
 * Ingress: Redis/Sentinel ports only from labelled clients in the bots and data namespaces and from
 * the Redis pods themselves; the exporter only from Prometheus. Egress: only the other Redis pods
 * (DNS comes from the platform's allow-DNS policy); no internet.
 */
export function redisNetworkPolicy(args: RedisSpecArgs): Input.networking.v1.NetworkPolicy {
  const { namespaces, config } = args;
  const ports = servicePorts(config).map((p) => ({ protocol: "TCP", port: p.port }));
  const byName = (ns: string) => ({ matchLabels: { "kubernetes.io/metadata.name": ns } });
  const client = { matchLabels: { "botfleet.io/redis-client": "true" } };
  const redisPods = { podSelector: { matchLabels: selector(args) } };
  return {
    metadata: meta(args, REDIS_NAMES.networkPolicy),
    spec: {
      podSelector: { matchLabels: selector(args) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            { namespaceSelector: byName(namespaces.bots), podSelector: client },
            { namespaceSelector: byName(namespaces.data), podSelector: client },
            redisPods,
          ],
          ports,
        },
        {
          from: [
            {
              namespaceSelector: byName(namespaces.monitoring),
              podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            },
          ],
          ports: [{ protocol: "TCP", port: EXPORTER_PORT }],
        },
      ],
      // Standalone Redis talks to no one; HA pods replicate and gossip with each other.
      egress: config.ha ? [{ to: [redisPods], ports }] : [],
    },
  };
}

export function redisConfigMap(args: RedisSpecArgs, data: Record<string, string>): Input.core.v1.ConfigMap {
  return { metadata: meta(args, REDIS_NAMES.configMap), data };
}

/** The password the pods read (mounted file, secretKeyRef for probes and the exporter). */
export function redisAuthSecret(args: RedisSpecArgs, password: pulumi.Input<string>): Input.core.v1.Secret {
  return { metadata: meta(args, REDIS_NAMES.authSecret), type: "Opaque", stringData: { password } };
}

/** `redis-client` in the bots namespace: secretKeyRef cannot cross namespaces. */
export function redisClientSecret(args: RedisSpecArgs, password: pulumi.Input<string>): Input.core.v1.Secret {
  return {
    metadata: meta(args, REDIS_NAMES.clientSecret, args.namespaces.bots),
    type: "Opaque",
    stringData: { ...redisClientSecretData(args.config, args.namespaces), password },
  };
}

/**
 * `host` of `redis-client`: the `redis` Service standalone; "" with HA, where that Service spans replicas
 * too (~2/3 of writes would get READONLY) and the contract is `sentinels` + `masterName`. Empty rather
 * than absent, so bots' non-optional secretKeyRef still resolves and a client that tries it fails loudly.
 */
export function redisClientHost(config: RedisConfig, namespaces: Namespaces): string {
  return config.ha ? "" : serviceHost(REDIS_NAMES.service, namespaces.data);
}

/** Non-secret keys of the `redis-client` Secret. */
export function redisClientSecretData(config: RedisConfig, namespaces: Namespaces): Record<string, string> {
  return {
    host: redisClientHost(config, namespaces),
    port: String(REDIS_PORT),
    sentinels: sentinelAddresses(config, namespaces.data),
    // Empty without Sentinel, like `sentinels`: a client that sees a master name tries Sentinel.
    masterName: config.ha ? SENTINEL_MASTER_NAME : "",
  };
}
