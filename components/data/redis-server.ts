/**
 * The Redis StatefulSet. Standalone (default): one pod. HA: N pods, each running redis and a sentinel
 * container side by side (as the Bitnami chart does): a pod is the unit the anti-affinity spreads, so
 * losing a node loses one Redis and one Sentinel, and 3 pods keep a Sentinel majority.
 */
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import { REDIS_PORT, SENTINEL_PORT } from "./redis-conf";
import { REDIS_AUTH_KEYS } from "./redis-client";
import { REDIS_USERS } from "./redis-acl";
import {
  EXPORTER_PORT,
  MOUNTS,
  REDIS_NAMES,
  REDIS_UID,
  type RedisSpecArgs,
  labels,
  meta,
  redisPodCount,
  redisPodHost,
  selector,
  sentinelAddresses,
} from "./redis-names";

import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;

/** An env var from a key of `redis-auth`. */
function secretEnv(name: string, key: string): Input.core.v1.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: REDIS_NAMES.authSecret, key } } };
}

/** `redis-auth` mounted with only `keys`: each container sees the files it reads, nothing more. */
function authVolume(name: string, keys: readonly string[]): Input.core.v1.Volume {
  return {
    name,
    secret: {
      secretName: REDIS_NAMES.authSecret,
      defaultMode: 0o440,
      items: keys.map((key) => ({ key, path: key })),
    },
  };
}

function probeCommand(
  kind: "readiness" | "liveness",
  port: number,
  user: string | undefined,
): Input.core.v1.Probe["exec"] {
  return {
    command: ["sh", `${MOUNTS.conf}/probe.sh`, kind, String(port), ...(user === undefined ? [] : [user])],
  };
}

/**
 * Probes per docs/hardening.md #12: readiness wants PONG, liveness tolerates LOADING/MASTERDOWN.
 * `user`: the ACL user the probe authenticates as (undefined: `default`, as on Sentinel).
 */
function redisProbes(port: number, user?: string) {
  return {
    // Replaying a large AOF can take minutes: liveness waits until the server answers at all.
    startupProbe: {
      exec: probeCommand("liveness", port, user),
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 60,
    },
    readinessProbe: {
      exec: probeCommand("readiness", port, user),
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      exec: probeCommand("liveness", port, user),
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
    // Sentinel's own config on the data volume: Sentinel rewrites it on every failover, so a set
    // restarted as a whole still knows the newest primary and epoch (files/redis/README.md).
    { name: "REDIS_SENTINEL_CONF", value: `${MOUNTS.data}/sentinel.conf` },
    { name: "REDIS_SECRET_DIR", value: MOUNTS.secret },
    { name: "REDIS_REPLICATION_USER", value: REDIS_USERS.replication },
    { name: "REDIS_SENTINEL_USER", value: REDIS_USERS.sentinel },
  ];
  const commonMounts: Input.core.v1.VolumeMount[] = [
    { name: "conf", mountPath: MOUNTS.conf, readOnly: true },
    { name: "tmp", mountPath: MOUNTS.tmp },
  ];

  const redis: Input.core.v1.Container = {
    name: "redis",
    image: config.image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", `${MOUNTS.conf}/entrypoint.sh`, "redis"],
    ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
    env: [
      ...scriptEnv,
      // The probes and the preStop hook act as the admin user (redis-cli --user, never -a).
      { name: "REDIS_ADMIN_USER", value: REDIS_USERS.admin },
      secretEnv("REDISCLI_AUTH", REDIS_AUTH_KEYS.admin),
      // The preStop hook asks Sentinel for the hand-over.
      ...(config.ha ? [secretEnv("REDIS_SENTINEL_AUTH", REDIS_AUTH_KEYS.sentinelAuth)] : []),
    ],
    resources: {
      requests: { cpu: config.resources.requests.cpu, memory: config.resources.requests.memory },
      limits: { memory: config.resources.limits.memory },
    },
    ...redisProbes(REDIS_PORT, REDIS_USERS.admin),
    // HA: a primary hands over to a replica before it stops (well within the 30 s grace period).
    ...(config.ha
      ? { lifecycle: { preStop: { exec: { command: ["sh", `${MOUNTS.conf}/prestop.sh`] } } } }
      : {}),
    securityContext,
    volumeMounts: [
      ...commonMounts,
      { name: "redis-auth", mountPath: MOUNTS.secret, readOnly: true },
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
    // The probes use Sentinel's default user.
    env: [...scriptEnv, secretEnv("REDISCLI_AUTH", REDIS_AUTH_KEYS.sentinelAuth)],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    ...redisProbes(SENTINEL_PORT),
    securityContext,
    volumeMounts: [
      ...commonMounts,
      { name: "sentinel-auth", mountPath: MOUNTS.secret, readOnly: true },
      { name: "data", mountPath: MOUNTS.data },
    ],
  };

  const exporter: Input.core.v1.Container = {
    name: "metrics",
    image: config.exporterImage,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT, protocol: "TCP" }],
    // Its own read-only user (INFO, CONFIG GET, SLOWLOG GET, CLIENT LIST...: redis-acl.ts).
    env: [
      { name: "REDIS_ADDR", value: `redis://127.0.0.1:${REDIS_PORT}` },
      { name: "REDIS_USER", value: REDIS_USERS.exporter },
      secretEnv("REDIS_PASSWORD", REDIS_AUTH_KEYS.exporter),
    ],
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

  // Applies a changed users.acl (bots added, passwords rotated) with ACL LOAD: files/redis/acl-reload.sh.
  const aclReload: Input.core.v1.Container = {
    name: "acl-reload",
    image: config.image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", `${MOUNTS.conf}/acl-reload.sh`],
    env: [
      { name: "REDIS_SECRET_DIR", value: MOUNTS.secret },
      { name: "REDIS_RUN_DIR", value: MOUNTS.run },
      { name: "REDIS_TEMPLATE_DIR", value: MOUNTS.conf },
      { name: "REDIS_ADMIN_USER", value: REDIS_USERS.admin },
      secretEnv("REDISCLI_AUTH", REDIS_AUTH_KEYS.admin),
    ],
    resources: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "32Mi" } },
    // Alive while its loop goes round (a heartbeat each 10 s); it never gates the pod for long.
    readinessProbe: {
      exec: { command: ["sh", `${MOUNTS.conf}/acl-reload.sh`, "alive"] },
      periodSeconds: 15,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      exec: { command: ["sh", `${MOUNTS.conf}/acl-reload.sh`, "alive"] },
      periodSeconds: 30,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    securityContext,
    volumeMounts: [
      { name: "conf", mountPath: MOUNTS.conf, readOnly: true },
      { name: "tmp", mountPath: MOUNTS.tmp },
      { name: "redis-auth", mountPath: MOUNTS.secret, readOnly: true },
      { name: "redis-run", mountPath: MOUNTS.run, readOnly: true },
    ],
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
    // The assembled config holds the replication password: keep it in RAM, never on the node's disk.
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
          ...args.placement,
          affinity: { podAntiAffinity },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(args) },
            },
          ],
          containers: config.ha ? [redis, sentinel, exporter, aclReload] : [redis, exporter, aclReload],
          volumes: [
            { name: "conf", configMap: { name: REDIS_NAMES.configMap, defaultMode: 0o444 } },
            authVolume("redis-auth", [
              REDIS_AUTH_KEYS.aclFile,
              REDIS_AUTH_KEYS.replication,
              ...(config.ha ? [REDIS_AUTH_KEYS.sentinelAuth] : []),
            ]),
            ...(config.ha
              ? [
                  authVolume("sentinel-auth", [
                    REDIS_AUTH_KEYS.sentinel,
                    REDIS_AUTH_KEYS.sentinelAuth,
                    REDIS_AUTH_KEYS.sentinelUsers,
                  ]),
                ]
              : []),
            memoryVolume("redis-run", "1Mi"),
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
