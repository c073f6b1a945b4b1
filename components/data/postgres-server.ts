/**
 * The database servers: a primary StatefulSet and the hot standbys streaming from it, with
 * postgres_exporter. Matches what Bitnami's chart and CloudNativePG promise, as far as plain
 * StatefulSets can (docs/hardening.md #2-11, 13, 14, 17-21, 23-25, 27-30).
 */
import type { PostgresConfig } from "../../config/postgres";
import { bytes } from "../../config/common";
import { selectorLabels } from "../specs/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import {
  CREDENTIAL_KEYS,
  DATA_MOUNT,
  EXPORTER_PORT,
  NAMES,
  PGDATA,
  POSTGRES_PORT,
  POSTGRES_UID,
  type PostgresSpecArgs,
  REPLICATION_USER,
  RUNTIME_DIR,
  SCRIPTS_MOUNT,
  SECRETS_MOUNT,
  SOCKET_DIR,
  type ServerRole,
  TMP_DIR,
  serverLabels,
  serverSelector,
} from "./postgres-names";
import { serviceHost } from "../specs/dns";
import { POSTGRES_ROLES } from "./contract";

import type * as k8s from "@pulumi/kubernetes";
type StatefulSet = k8s.types.input.apps.v1.StatefulSet;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Container = k8s.types.input.core.v1.Container;

/** Only remote_write / remote_apply wait for a standby; "on" stays local-durable and asynchronous. */
export function synchronousStandbyNames(cfg: PostgresConfig): string {
  return cfg.synchronousCommit === "remote_write" || cfg.synchronousCommit === "remote_apply"
    ? "ANY 1 (*)"
    : "";
}

/** A dead replica's slot may pin WAL up to a quarter of the volume, then it is invalidated (not a full disk). */
export function maxSlotWalKeepSize(storage: string): string {
  return `${Math.max(1024, Math.floor(bytes(storage) / 4 / 2 ** 20))}MB`;
}

/** The environment entrypoint.sh reads; passwords only as mounted files. */
export function serverEnv(args: PostgresSpecArgs, role: ServerRole): EnvVar[] {
  const { config: c, namespaces } = args;
  return [
    { name: "PGDATA", value: PGDATA },
    { name: "PG_ROLE", value: role },
    { name: "PGPORT", value: String(POSTGRES_PORT) },
    { name: "PG_SOCKET_DIR", value: SOCKET_DIR },
    { name: "PG_RUNTIME_DIR", value: RUNTIME_DIR },
    { name: "TMPDIR", value: TMP_DIR },
    { name: "PG_SUPERUSER", value: "postgres" },
    { name: "POSTGRES_DB", value: c.database },
    { name: "POSTGRES_USER", value: c.username },
    // roles.sh gives each its role and schema; a change rolls the pods (the list is in the pod spec).
    { name: "PG_BOT_ROLES", value: (args.botRoles ?? []).join(" ") },
    { name: "PG_AUTH_DIR", value: SECRETS_MOUNT },
    { name: "REPLICATION_USER", value: REPLICATION_USER },
    // Replicas follow whatever postgres-rw points at, so a label flip after failover is enough for new ones.
    { name: "PRIMARY_HOST", value: serviceHost(NAMES.rw, namespaces.data) },
    { name: "PRIMARY_PORT", value: String(POSTGRES_PORT) },
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    // Split-brain guard: a server about to start as a primary refuses while another primary (not this
    // pod) answers on postgres-rw, e.g. the old primary scaled back up by `pulumi up` after a failover.
    { name: "PG_RW_HOST", value: serviceHost(NAMES.rw, namespaces.data) },
    { name: "PG_RW_PORT", value: String(POSTGRES_PORT) },
    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: "PG_MAX_CONNECTIONS", value: String(c.maxConnections) },
    { name: "PG_SYNCHRONOUS_COMMIT", value: c.synchronousCommit },
    { name: "PG_SYNCHRONOUS_STANDBY_NAMES", value: synchronousStandbyNames(c) },
    { name: "PG_MAX_SLOT_WAL_KEEP_SIZE", value: maxSlotWalKeepSize(c.storage) },
  ];
}

const pgIsReady = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(POSTGRES_PORT)];

function serverMounts(): k8s.types.input.core.v1.VolumeMount[] {
  return [
    { name: "data", mountPath: DATA_MOUNT },
    { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
    { name: "credentials", mountPath: SECRETS_MOUNT, readOnly: true },
    { name: "tmp", mountPath: TMP_DIR },
    { name: "run", mountPath: SOCKET_DIR },
    { name: "runtime", mountPath: RUNTIME_DIR },
  ];
}

function postgresContainers(
  args: PostgresSpecArgs,
  role: ServerRole,
): { init: Container; main: Container[] } {
  const { config: c } = args;
  const env = serverEnv(args, role);
  const resources = {
    requests: { cpu: c.resources.requests.cpu, memory: c.resources.requests.memory },
    limits: { memory: c.resources.limits.memory },
  };
  const securityContext = restrictedContainerSecurityContext(POSTGRES_UID);
  // initdb or pg_basebackup runs here, before any probe: a long base backup cannot trip the startupProbe.
  const init: Container = {
    name: "init",
    image: c.image,
    command: ["sh", `${SCRIPTS_MOUNT}/entrypoint.sh`, "init"],
    env,
    resources,
    securityContext,
    volumeMounts: serverMounts(),
  };
  const postgres: Container = {
    name: "postgres",
    image: c.image,
    // sh execs postgres, so postgres is PID 1 and receives the stop signal itself.
    command: ["sh", `${SCRIPTS_MOUNT}/entrypoint.sh`, "start"],
    env,
    ports: [{ name: "postgresql", containerPort: POSTGRES_PORT, protocol: "TCP" }],
    resources,
    securityContext,
    volumeMounts: serverMounts(),
    // WAL replay after a crash can take minutes: up to 15 min before liveness applies.
    startupProbe: {
      exec: { command: pgIsReady },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 90,
    },
    // Ready only when accepting connections.
    readinessProbe: {
      exec: { command: pgIsReady },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    // Alive while it answers at all: "rejecting" (exit 1, e.g. recovery) is alive, "no response" (2) is not.
    livenessProbe: {
      exec: { command: ["sh", "-c", `${pgIsReady.join(" ")}; [ $? -ne 2 ]`] },
      periodSeconds: 20,
      timeoutSeconds: 10,
      failureThreshold: 6,
    },
    // Fast shutdown: smart (SIGTERM) would wait for every pooled client to disconnect.
    lifecycle: {
      preStop: { exec: { command: ["pg_ctl", "-D", PGDATA, "-m", "fast", "-w", "-t", "100", "stop"] } },
    },
  };
  const exporter: Container = {
    name: "exporter",
    image: c.exporterImage,
    args: [`--web.listen-address=:${EXPORTER_PORT}`],
    env: [
      { name: "DATA_SOURCE_URI", value: `127.0.0.1:${POSTGRES_PORT}/${c.database}?sslmode=disable` },
      // `monitor` (pg_monitor only), not the owner: the exporter reads statistics, never data.
      { name: "DATA_SOURCE_USER", value: POSTGRES_ROLES.monitor },
      {
        name: "DATA_SOURCE_PASS",
        valueFrom: { secretKeyRef: { name: NAMES.credentials, key: CREDENTIAL_KEYS.monitorPassword } },
      },
    ],
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT, protocol: "TCP" }],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    securityContext: restrictedContainerSecurityContext(POSTGRES_UID),
    readinessProbe: {
      httpGet: { path: "/", port: "metrics" },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: "/", port: "metrics" },
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 5,
    },
  };
  return { init, main: [postgres, exporter] };
}

/** A StatefulSet for the primary (1 pod) or the hot standbys. */
export function postgresStatefulSet(args: PostgresSpecArgs, role: ServerRole): StatefulSet {
  const { config: c, instance, namespaces } = args;
  const labels = serverLabels(instance, role);
  const { init, main } = postgresContainers(args, role);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: NAMES.statefulSet(role), namespace: namespaces.data, labels },
    spec: {
      replicas: role === "primary" ? 1 : c.instances - 1,
      serviceName: NAMES.headless,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: selectorLabels({ name: "postgres", instance, component: role }) },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: {
        metadata: {
          labels,
          annotations: { "botfleet.io/scripts-checksum": args.scriptsChecksum },
        },
        spec: {
          serviceAccountName: NAMES.serviceAccount,
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(POSTGRES_UID),
          terminationGracePeriodSeconds: 120,
          enableServiceLinks: false,
          ...args.placement,
          affinity: {
            // Never two database pods on one node: one node failure must not take primary and standby.
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: serverSelector(instance) },
                },
              ],
            },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: serverSelector(instance) },
            },
          ],
          initContainers: [init],
          containers: main,
          volumes: [
            { name: "scripts", configMap: { name: NAMES.scripts, defaultMode: 0o444 } },
            {
              name: "credentials",
              secret: {
                secretName: NAMES.credentials,
                defaultMode: 0o440,
                items: [
                  { key: CREDENTIAL_KEYS.password, path: CREDENTIAL_KEYS.password },
                  { key: CREDENTIAL_KEYS.replicationPassword, path: CREDENTIAL_KEYS.replicationPassword },
                ],
              },
            },
            { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
            { name: "run", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
            // The replication passfile: RAM only (counts against the pod's memory limit; it is bytes).
            { name: "runtime", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: selectorLabels({ name: "postgres", instance, component: role }) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: c.storage } },
            ...(c.storageClass !== undefined ? { storageClassName: c.storageClass } : {}),
          },
        },
      ],
    },
  };
}
