/**
 * Pure builders for the Postgres half of the data layer. The component only wires these together, so
 * every object here is unit-tested and validated against the Kubernetes schema without an engine.
 * Matches what Bitnami's chart and CloudNativePG promise, as far as plain StatefulSets can (see
 * research/hardening.md items 2-11, 13, 14, 17-21, 23-25, 27-30).
 */
import * as crypto from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PostgresConfig } from "../../config/postgres";
import { bytes } from "../../config/common";
import { selectorLabels, standardLabels } from "../specs/labels";
import { internetPeer, podsInNamespace } from "../specs/network";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";

type StatefulSet = k8s.types.input.apps.v1.StatefulSet;
type Service = k8s.types.input.core.v1.Service;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Container = k8s.types.input.core.v1.Container;
type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type PodDisruptionBudget = k8s.types.input.policy.v1.PodDisruptionBudget;
type CronJob = k8s.types.input.batch.v1.CronJob;
type ServiceAccount = k8s.types.input.core.v1.ServiceAccount;

export const POSTGRES_PORT = 5432;
export const EXPORTER_PORT = 9187;
/** The official image's postgres user. */
export const POSTGRES_UID = 999;
export const REPLICATION_USER = "replicator";

export const SCRIPTS_MOUNT = "/opt/botfleet/postgres";
export const SECRETS_MOUNT = "/etc/botfleet/postgres";
export const DATA_MOUNT = "/var/lib/postgresql/data";
/** A subdirectory, so a volume's lost+found never makes initdb refuse the directory. */
export const PGDATA = `${DATA_MOUNT}/pgdata`;
export const SOCKET_DIR = "/var/run/postgresql";
/**
 * Password material only (the replication passfile): a small memory-backed emptyDir, so it never lands
 * on the node's disk. Scratch that may grow (the bootstrap server log) stays on the disk-backed /tmp.
 */
export const RUNTIME_DIR = "/opt/botfleet/runtime";
export const TMP_DIR = "/tmp";
const TOOLS_DIR = "/opt/botfleet/tools";

/** The label postgres-rw / postgres-ro select on; failover flips it on the promoted pod. */
export const ROLE_LABEL = "botfleet.io/postgres-role";
/** Marks database server pods (not backup Jobs): headless Service, PDB, anti-affinity, policies. */
export const SERVER_LABEL = "botfleet.io/postgres-server";
export const CLIENT_LABEL = "botfleet.io/postgres-client";

/** Kubernetes object names (Service names are a fleet-wide contract). */
export const NAMES = {
  rw: "postgres-rw",
  ro: "postgres-ro",
  headless: "postgres-headless",
  credentials: "postgres-credentials",
  client: "postgres-client",
  backupS3: "postgres-backup-s3",
  scripts: "postgres-scripts",
  serviceAccount: "postgres",
  backupServiceAccount: "postgres-backup",
  pdb: "postgres",
  serverPolicy: "postgres-server",
  backupPolicy: "postgres-backup",
  backup: "postgres-backup",
  statefulSet: (role: ServerRole) => `postgres-${role}`,
} as const;

export const CREDENTIAL_KEYS = { password: "password", replicationPassword: "replication-password" } as const;
export const BACKUP_S3_KEYS = { accessKeyId: "accessKeyId", secretAccessKey: "secretAccessKey" } as const;

export type ServerRole = "primary" | "replica";

export interface PostgresSpecArgs {
  /** The component's name: the `app.kubernetes.io/instance` label. */
  readonly instance: string;
  readonly namespaces: { readonly bots: string; readonly data: string; readonly monitoring: string };
  readonly config: PostgresConfig;
  /** sha256 of the scripts ConfigMap: a script change rolls the pods. */
  readonly scriptsChecksum: string;
  /** The Pulumi stack: the default backup prefix is "<stack>/postgres". */
  readonly stack: string;
}

export function serverSelector(instance: string): Record<string, string> {
  return { ...selectorLabels({ name: "postgres", instance }), [SERVER_LABEL]: "true" };
}

export function serverLabels(instance: string, role: ServerRole): Record<string, string> {
  return standardLabels(
    { name: "postgres", instance, component: role },
    { [SERVER_LABEL]: "true", [ROLE_LABEL]: role },
  );
}

export function backupLabels(instance: string): Record<string, string> {
  return standardLabels({ name: "postgres", instance, component: "backup" });
}

/** In-cluster DNS name of a data-namespace Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

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

export function scriptsChecksum(scripts: Record<string, string>): string {
  const h = crypto.createHash("sha256");
  for (const name of Object.keys(scripts).sort())
    h.update(name).update("\0").update(scripts[name]).update("\0");
  return h.digest("hex");
}

/** postgresql://user:password@host:port/db with the password percent-encoded. */
export function postgresUri(a: {
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
}) {
  return `postgresql://${encodeURIComponent(a.username)}:${encodeURIComponent(a.password)}@${a.host}:${a.port}/${encodeURIComponent(a.database)}`;
}

export function serviceAccount(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, labels },
    automountServiceAccountToken: false,
  };
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
      { name: "DATA_SOURCE_USER", value: c.username },
      {
        name: "DATA_SOURCE_PASS",
        valueFrom: { secretKeyRef: { name: NAMES.credentials, key: CREDENTIAL_KEYS.password } },
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
      replicas: role === "primary" ? 1 : c.replicas,
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

function service(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  extra: Partial<k8s.types.input.core.v1.ServiceSpec> = {},
  ports: k8s.types.input.core.v1.ServicePort[] = [
    { name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql", protocol: "TCP" },
  ],
): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels },
    spec: { selector, ports, ...extra },
  };
}

/** postgres-rw (the pod labelled primary), postgres-ro (standbys), postgres-headless (pod DNS, metrics). */
export function postgresServices(args: PostgresSpecArgs): Service[] {
  const { instance, namespaces } = args;
  const labels = standardLabels({ name: "postgres", instance, component: "database" });
  const base = serverSelector(instance);
  return [
    service(NAMES.rw, namespaces.data, labels, { ...base, [ROLE_LABEL]: "primary" }),
    service(NAMES.ro, namespaces.data, labels, { ...base, [ROLE_LABEL]: "replica" }),
    service(
      NAMES.headless,
      namespaces.data,
      labels,
      base,
      { clusterIP: "None", publishNotReadyAddresses: true },
      [
        { name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql", protocol: "TCP" },
        { name: "metrics", port: EXPORTER_PORT, targetPort: "metrics", protocol: "TCP" },
      ],
    ),
  ];
}

/** One budget over all database pods: at most one voluntarily down; never blocks a drain of a singleton. */
export function postgresPdb(args: PostgresSpecArgs): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: NAMES.pdb,
      namespace: args.namespaces.data,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "database" }),
    },
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: serverSelector(args.instance) },
    },
  };
}

/**
 * Database pods: 5432 from labelled clients in bots/data and from each other (replication), 9187 from
 * Prometheus only; egress only to each other on 5432 (a replica streams from the primary; roles swap on
 * failover, so every server pod gets it). No internet egress. DNS comes from the platform's policy.
 */
export function serverNetworkPolicy(args: PostgresSpecArgs): NetworkPolicy {
  const { instance, namespaces } = args;
  const pg = [{ protocol: "TCP", port: POSTGRES_PORT }];
  const clients = { [CLIENT_LABEL]: "true" };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: NAMES.serverPolicy,
      namespace: namespaces.data,
      labels: standardLabels({ name: "postgres", instance, component: "database" }),
    },
    spec: {
      podSelector: { matchLabels: serverSelector(instance) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            podsInNamespace(namespaces.bots, clients),
            podsInNamespace(namespaces.data, clients),
            { podSelector: { matchLabels: serverSelector(instance) } },
          ],
          ports: pg,
        },
        {
          from: [podsInNamespace(namespaces.monitoring, { "app.kubernetes.io/name": "prometheus" })],
          ports: [{ protocol: "TCP", port: EXPORTER_PORT }],
        },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: serverSelector(instance) } }], ports: pg }],
    },
  };
}

/** Backup Job pods: no ingress; egress to the pod behind postgres-rw and HTTPS to public addresses. */
export function backupNetworkPolicy(args: PostgresSpecArgs): NetworkPolicy {
  const { instance, namespaces } = args;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NAMES.backupPolicy, namespace: namespaces.data, labels: backupLabels(instance) },
    spec: {
      podSelector: { matchLabels: selectorLabels({ name: "postgres", instance, component: "backup" }) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          to: [{ podSelector: { matchLabels: { ...serverSelector(instance), [ROLE_LABEL]: "primary" } } }],
          ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
        },
        {
          // HTTPS to public addresses only: no private ranges, no cloud metadata (item 27).
          to: [internetPeer()],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    },
  };
}

/** rclone remote name used in BACKUP_REMOTE and RCLONE_CONFIG_<NAME>_*. */
export const RCLONE_REMOTE = "backup";

/** The non-secret rclone settings (the keys come from the Secret). Tests use it with a local endpoint. */
export function rcloneRemoteEnv(endpoint: string, region: string): Record<string, string> {
  const p = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}_`;
  return {
    [`${p}TYPE`]: "s3",
    [`${p}PROVIDER`]: "Other",
    [`${p}ENDPOINT`]: endpoint,
    [`${p}REGION`]: region,
    // Least privilege: the keys need object read/write/list/delete, not bucket creation.
    [`${p}NO_CHECK_BUCKET`]: "true",
  };
}

/**
 * The configured prefix, else "<stack>/postgres": retention deletes every dump under the prefix but the
 * newest N, so stacks sharing a bucket must not share a prefix (nor "restore latest" pick another's dump).
 */
export function backupPrefix(config: PostgresConfig, stack: string): string {
  return config.backup.prefix ?? `${stack}/postgres`;
}

export function backupRemote(bucket: string, prefix: string): string {
  return `${RCLONE_REMOTE}:${bucket}/${prefix.replace(/^\/+|\/+$/g, "")}`;
}

/** The daily (or configured) pg_dump to S3. Only built when backup is enabled (bucket and endpoint set). */
export function backupCronJob(args: PostgresSpecArgs): CronJob {
  const { config: c, instance, namespaces } = args;
  const b = c.backup;
  if (b.bucket === undefined || b.endpoint === undefined) {
    throw new Error("backupCronJob needs backup.bucket and backup.endpoint (the config schema enforces it)");
  }
  const keyPrefix = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}_`;
  const secretEnv = (name: string, key: string): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: NAMES.backupS3, key } },
  });
  const labels = backupLabels(instance);
  const securityContext = restrictedContainerSecurityContext(POSTGRES_UID);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: NAMES.backup, namespace: namespaces.data, labels },
    spec: {
      schedule: b.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      // A run missed by more than an hour (controller down) is skipped, not fired late in trading hours.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 4 * 3600,
          template: {
            metadata: {
              labels: { ...labels, [CLIENT_LABEL]: "true" },
              annotations: { "botfleet.io/scripts-checksum": args.scriptsChecksum },
            },
            spec: {
              restartPolicy: "OnFailure",
              serviceAccountName: NAMES.backupServiceAccount,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(POSTGRES_UID),
              initContainers: [
                {
                  // The rclone image's static binary, copied next to pg_dump (see config/postgres.ts).
                  name: "rclone",
                  image: b.image,
                  command: ["cp", "/usr/local/bin/rclone", `${TOOLS_DIR}/rclone`],
                  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                  securityContext,
                  volumeMounts: [{ name: "tools", mountPath: TOOLS_DIR }],
                },
              ],
              containers: [
                {
                  name: "backup",
                  image: c.image,
                  command: ["sh", `${SCRIPTS_MOUNT}/backup.sh`],
                  env: [
                    { name: "PGHOST", value: serviceHost(NAMES.rw, namespaces.data) },
                    { name: "PGPORT", value: String(POSTGRES_PORT) },
                    { name: "PGDATABASE", value: c.database },
                    { name: "PGUSER", value: c.username },
                    {
                      name: "PGPASSWORD",
                      valueFrom: { secretKeyRef: { name: NAMES.credentials, key: CREDENTIAL_KEYS.password } },
                    },
                    { name: "BACKUP_REMOTE", value: backupRemote(b.bucket, backupPrefix(c, args.stack)) },
                    { name: "BACKUP_RETENTION_COUNT", value: String(b.retentionCount) },
                    { name: "RCLONE", value: `${TOOLS_DIR}/rclone` },
                    { name: "HOME", value: "/tmp" },
                    { name: "TMPDIR", value: "/tmp" },
                    ...Object.entries(rcloneRemoteEnv(b.endpoint, b.region)).map(([name, value]) => ({
                      name,
                      value,
                    })),
                    secretEnv(`${keyPrefix}ACCESS_KEY_ID`, BACKUP_S3_KEYS.accessKeyId),
                    secretEnv(`${keyPrefix}SECRET_ACCESS_KEY`, BACKUP_S3_KEYS.secretAccessKey),
                  ],
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                  securityContext,
                  volumeMounts: [
                    { name: "tools", mountPath: TOOLS_DIR, readOnly: true },
                    { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "tools", emptyDir: { sizeLimit: "128Mi" } },
                { name: "scripts", configMap: { name: NAMES.scripts, defaultMode: 0o444 } },
                // The dump is staged here before upload: sized like the database volume.
                { name: "tmp", emptyDir: { sizeLimit: c.storage } },
              ],
            },
          },
        },
      },
    },
  };
}

/** Generated passwords for the application and replication users, mounted as files into the servers. */
export function credentialsSecret(
  args: PostgresSpecArgs,
  appPassword: pulumi.Input<string>,
  replicationPassword: pulumi.Input<string>,
): k8s.types.input.core.v1.Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: NAMES.credentials,
      namespace: args.namespaces.data,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "database" }),
    },
    type: "Opaque",
    stringData: {
      [CREDENTIAL_KEYS.password]: appPassword,
      [CREDENTIAL_KEYS.replicationPassword]: replicationPassword,
    },
  };
}

/** Non-secret keys of `postgres-client`: bots that use Postgres roll when they change. */
export function postgresClientSettings(
  config: Pick<PostgresConfig, "database" | "username">,
  namespaces: { readonly data: string },
): Record<string, string> {
  return {
    host: serviceHost(NAMES.rw, namespaces.data),
    port: String(POSTGRES_PORT),
    database: config.database,
    username: config.username,
  };
}

/** `postgres-client` in the bots namespace (secretKeyRef cannot cross namespaces): the fleet contract. */
export function clientSecret(
  args: PostgresSpecArgs,
  appPassword: pulumi.Input<string>,
  uri: pulumi.Input<string>,
): k8s.types.input.core.v1.Secret {
  const { config: c, namespaces } = args;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: NAMES.client,
      namespace: namespaces.bots,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "client" }),
    },
    type: "Opaque",
    stringData: { ...postgresClientSettings(c, namespaces), password: appPassword, uri },
  };
}

/** S3 keys for the backup Job, from the secret `botfleet:backupCredentials`. */
export function backupS3Secret(
  args: PostgresSpecArgs,
  keys: { readonly accessKeyId: pulumi.Input<string>; readonly secretAccessKey: pulumi.Input<string> },
): k8s.types.input.core.v1.Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: NAMES.backupS3, namespace: args.namespaces.data, labels: backupLabels(args.instance) },
    type: "Opaque",
    stringData: {
      [BACKUP_S3_KEYS.accessKeyId]: keys.accessKeyId,
      [BACKUP_S3_KEYS.secretAccessKey]: keys.secretAccessKey,
    },
  };
}

/** The container scripts (files/postgres/*.sh): no secrets in them. */
export function scriptsConfigMap(
  args: PostgresSpecArgs,
  scripts: Record<string, string>,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: NAMES.scripts,
      namespace: args.namespaces.data,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "database" }),
    },
    data: scripts,
  };
}
