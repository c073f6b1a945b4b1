/**
 * `botfleet:postgres`: the Postgres half of the data layer (primary + hot standbys, exporter, backups),
 * and `botfleet:backupCredentials`, the secret S3 keys the backup CronJob uses.
 */
import { z } from "zod";
import { RECIPIENT_FIX, backupEncryptionSchema } from "./backup-encryption";
import { byteQuantity, bytes, count, cpuQuantity, cronSchedule, pinnedImage, show } from "./common";

/**
 * Official image, major 15 to match the Debian PostgreSQL 15.18 the real-server tests run the same
 * scripts against. The bookworm variant is used on purpose: backup.sh needs GNU date (%N) and the
 * entrypoint's `tr`/`sed -i` behave as tested.
 */
// docker-library/official-images library/postgres, tag added by 6af773ed6c (2026-05-14); checked 2026-11-29.
export const DEFAULT_POSTGRES_IMAGE = "postgres:15.18-bookworm";
// prometheus-community/postgres_exporter tag v0.17.1 (its CircleCI release publishes the tag); checked 2026-11-29.
export const DEFAULT_EXPORTER_IMAGE = "prometheuscommunity/postgres-exporter:v0.17.1";
/**
 * The S3 client. Its static rclone binary is copied by an init container into the postgres image, which
 * runs backup.sh: pg_dump then always matches the server's major version, and no image has to be built.
 */
// rclone/rclone tag v1.68.2 (its release workflow pushes rclone/rclone:<version>); checked 2026-11-29.
export const DEFAULT_BACKUP_IMAGE = "rclone/rclone:1.68.2";

/** Roles and names the entrypoint reserves. */
const RESERVED_USERS = ["postgres", "replicator"];

/** An unquoted Postgres identifier we can put in a URI and a psql variable without escaping. */
const pgIdentifier = z.string().refine((v) => /^[a-z_][a-z0-9_]{0,62}$/.test(v), {
  error: (iss) =>
    `must be a lowercase Postgres identifier (a-z, 0-9, "_", starting with a letter or "_", at most 63 characters), got ${show(iss.input)}`,
});

// Port 443 only: the backup job's NetworkPolicy allows HTTPS to public addresses and nothing else.
const httpsUrl = z.string().refine((v) => /^https:\/\/[A-Za-z0-9.-]+(:443)?\/?$/.test(v), {
  error: (iss) =>
    `must be an https URL on port 443 of an S3-compatible endpoint without a path, such as "https://fra1.digitaloceanspaces.com", got ${show(iss.input)}`,
});

/** S3 bucket naming rules (3-63 chars, lowercase, digits, dots, hyphens). */
const bucketName = z.string().refine((v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v), {
  error: (iss) =>
    `must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), got ${show(iss.input)}`,
});

const objectPrefix = z
  .string()
  .refine((v) => /^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/.test(v) && !v.includes(".."), {
    error: (iss) =>
      `must be an object key prefix such as "postgres" or "prod/postgres" (letters, digits, ".", "_", "-", "/"), got ${show(iss.input)}`,
  });

const resourcesSchema = z
  .strictObject({
    requests: z
      .strictObject({
        cpu: cpuQuantity.default("250m"),
        memory: byteQuantity.default("512Mi"),
      })
      .prefault({}),
    limits: z.strictObject({ memory: byteQuantity.default("1Gi") }).prefault({}),
  })
  .superRefine((v, ctx) => {
    if (bytes(v.limits.memory) < bytes(v.requests.memory)) {
      ctx.addIssue({
        code: "custom",
        path: ["limits", "memory"],
        message: `must be >= requests.memory (${v.requests.memory}), got ${show(v.limits.memory)}`,
        input: v.limits.memory,
      });
    }
  });

export const postgresBackupSchema = z.strictObject({
  /** Off by default: turning it on requires bucket, endpoint, encryption.recipient and `botfleet:backupCredentials`. */
  enabled: z.boolean().default(false),
  schedule: cronSchedule.default("0 3 * * *"),
  /**
   * Removed: the job's key cannot delete, so retention is the bucket's lifecycle rule (docs/restore.md).
   * Kept here only to refuse it with that fix instead of "Unrecognized key".
   */
  retentionCount: z.unknown().optional(),
  bucket: bucketName.optional(),
  endpoint: httpsUrl.optional(),
  /** Signing region; DigitalOcean Spaces and Linode accept "us-east-1". */
  region: z.string().min(1).default("us-east-1"),
  /**
   * Object key prefix of this stack's dumps. Restore picks "latest" under it, so two stacks must never
   * share one: unset, the component uses "<stack>/postgres". @default "<stack>/postgres"
   */
  prefix: objectPrefix.optional(),
  image: pinnedImage.default(DEFAULT_BACKUP_IMAGE),
  encryption: backupEncryptionSchema.prefault({}),
});

export const SYNCHRONOUS_COMMIT = ["on", "remote_write", "remote_apply", "local", "off"] as const;

export const postgresSchema = z
  .strictObject({
    /** Postgres pods: the primary and its hot standbys (instances - 1). @default 1 (the prod stack sets 2 or more) */
    instances: count(1).default(1),
    storage: byteQuantity.default("20Gi"),
    storageClass: z.string().min(1).optional(),
    image: pinnedImage.default(DEFAULT_POSTGRES_IMAGE),
    exporterImage: pinnedImage.default(DEFAULT_EXPORTER_IMAGE),
    database: pgIdentifier.default("botfleet"),
    username: pgIdentifier
      .refine((v) => !RESERVED_USERS.includes(v), {
        error: (iss) =>
          `must not be one of the reserved roles ${RESERVED_USERS.join(", ")}, got ${show(iss.input)}`,
      })
      .default("botfleet"),
    /**
     * "on" (default): every commit is flushed to the primary's WAL and replication is asynchronous, so a
     * dead standby never stalls order bookkeeping (CloudNativePG's and Bitnami's default). "remote_write"
     * or "remote_apply" wait for one standby (synchronous_standby_names = ANY 1 (*)): no committed
     * trade is lost on failover, at the price of latency, and writes block while no standby is up.
     */
    synchronousCommit: z.enum(SYNCHRONOUS_COMMIT).default("on"),
    maxConnections: count(10).default(100),
    resources: resourcesSchema.prefault({}),
    backup: postgresBackupSchema.prefault({}),
  })
  .superRefine((v, ctx) => {
    if (
      (v.synchronousCommit === "remote_write" || v.synchronousCommit === "remote_apply") &&
      v.instances < 2
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["synchronousCommit"],
        message: `"${v.synchronousCommit}" waits for a standby and needs instances >= 2 (every commit would hang), got instances ${v.instances}`,
        input: v.synchronousCommit,
      });
    }
    if (v.maxConnections > 10000) {
      ctx.addIssue({
        code: "custom",
        path: ["maxConnections"],
        message: `must be <= 10000 (use a pooler beyond that), got ${v.maxConnections}`,
        input: v.maxConnections,
      });
    }
    if (v.backup.retentionCount !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["backup", "retentionCount"],
        message: `is removed: the backup key cannot delete, so old dumps expire by the bucket's lifecycle rule (docs/restore.md "Retention"); delete this key, got ${show(v.backup.retentionCount)}`,
        input: v.backup.retentionCount,
      });
    }
    if (v.backup.enabled) {
      for (const key of ["bucket", "endpoint"] as const) {
        if (v.backup[key] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["backup", key],
            message: `is required when backup.enabled is true, got nothing`,
            input: undefined,
          });
        }
      }
      if (v.backup.encryption.recipient === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["backup", "encryption", "recipient"],
          message: `is required when backup.enabled is true (dumps are encrypted to it), got nothing; ${RECIPIENT_FIX}`,
          input: undefined,
        });
      }
    }
  });

export type PostgresConfig = z.output<typeof postgresSchema>;
export type PostgresBackupConfig = z.output<typeof postgresBackupSchema>;

/**
 * `botfleet:backupCredentials` (secret): S3 keys for the backup bucket. They should be able to put and
 * list objects in that one bucket and nothing else (no delete): see README "Security" for the policies.
 */
export const backupCredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1, { error: "must be a non-empty access key id" }),
  secretAccessKey: z.string().min(1, { error: "must be a non-empty secret access key" }),
});
export type BackupCredentials = z.output<typeof backupCredentialsSchema>;

/** The secret config keys a Postgres config needs, for the loader to demand: backups need S3 keys. */
export function requiredPostgresSecrets(cfg: PostgresConfig): string[] {
  return cfg.backup.enabled ? ["backupCredentials"] : [];
}
