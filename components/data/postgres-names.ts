/** Names, ports, mounts, labels and Secret keys of the Postgres objects; Service names are a fleet-wide contract. */
import type { PostgresConfig } from "../../config/postgres";
import { selectorLabels, standardLabels } from "../specs/labels";
import { POSTGRES_CLIENT, POSTGRES_EXPORTER_PORT, POSTGRES_PORT } from "./contract";
import type { Namespaces } from "../../config/platform";
import type { PodPlacement } from "../specs/placement";

export { POSTGRES_PORT };
export const EXPORTER_PORT = POSTGRES_EXPORTER_PORT;
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
export const TOOLS_DIR = "/opt/botfleet/tools";

/** The label postgres-rw / postgres-ro select on; failover flips it on the promoted pod. */
export const ROLE_LABEL = "botfleet.io/postgres-role";
/** Marks database server pods (not backup Jobs): headless Service, PDB, anti-affinity, policies. */
export const SERVER_LABEL = "botfleet.io/postgres-server";
export const CLIENT_LABEL = POSTGRES_CLIENT.label;

/** Kubernetes object names (Service names are a fleet-wide contract). */
export const NAMES = {
  rw: "postgres-rw",
  ro: "postgres-ro",
  headless: "postgres-headless",
  credentials: "postgres-credentials",
  client: POSTGRES_CLIENT.secret,
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

/** Files of the mounted `postgres-credentials` Secret (entrypoint.sh, roles.sh). */
export const CREDENTIAL_KEYS = {
  password: "password",
  replicationPassword: "replication-password",
  reportPassword: "report-password",
  monitorPassword: "monitor-password",
  botPassword: (bot: string): string => `bot-${bot}-password`,
} as const;
/** Longest bot name that fits `bot_<name>` in Postgres' 63-character identifiers. */
export const POSTGRES_BOT_NAME_MAX = 59;
export const BACKUP_S3_KEYS = { accessKeyId: "accessKeyId", secretAccessKey: "secretAccessKey" } as const;

export type ServerRole = "primary" | "replica";

export interface PostgresSpecArgs {
  /** The component's name: the `app.kubernetes.io/instance` label. */
  readonly instance: string;
  readonly namespaces: Namespaces;
  readonly config: PostgresConfig;
  /** sha256 of the scripts ConfigMap: a script change rolls the pods. */
  readonly scriptsChecksum: string;
  /** The Pulumi stack: the default backup prefix is "<stack>/postgres". */
  readonly stack: string;
  /** Node selector and tolerations onto the stack's pool of this class (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
  /** Bots with their own role (`usesPostgres`, `postgresAccess: schema`). @default [] */
  readonly botRoles?: readonly string[];
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
