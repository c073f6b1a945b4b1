/** The encrypted pg_dump-to-S3 CronJob (streamed, nothing staged) and where its dumps go. */
import type { PostgresConfig } from "../../config/postgres";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import {
  BACKUP_S3_KEYS,
  CLIENT_LABEL,
  CREDENTIAL_KEYS,
  NAMES,
  POSTGRES_PORT,
  POSTGRES_UID,
  type PostgresSpecArgs,
  SCRIPTS_MOUNT,
  TOOLS_DIR,
  backupLabels,
} from "./postgres-names";
import { serviceHost } from "../specs/dns";

import type * as k8s from "@pulumi/kubernetes";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type CronJob = k8s.types.input.batch.v1.CronJob;

/** rclone remote name used in BACKUP_REMOTE and RCLONE_CONFIG_<NAME>_*. */
export const RCLONE_REMOTE = "backup";
/** S3 multipart chunk size for the streamed upload (rclone's s3 chunk_size; its default 5Mi caps a stream at 48 GiB). */
export const BACKUP_CHUNK_SIZE = "32Mi";
/** The backup Job's /tmp: gpg's home and a few status files, whatever the database's size. */
export const BACKUP_TMP_SIZE = "64Mi";

/** The non-secret rclone settings (the keys come from the Secret). Tests use it with a local endpoint. */
export function rcloneRemoteEnv(endpoint: string, region: string): Record<string, string> {
  const p = `RCLONE_CONFIG_${RCLONE_REMOTE.toUpperCase()}_`;
  return {
    [`${p}TYPE`]: "s3",
    [`${p}PROVIDER`]: "Other",
    [`${p}ENDPOINT`]: endpoint,
    [`${p}REGION`]: region,
    // Least privilege: the keys need object put and list, never delete nor bucket creation.
    [`${p}NO_CHECK_BUCKET`]: "true",
    // rcat streams an unknown size as a multipart upload of these chunks (at most 10,000 parts: 312 GiB);
    // upload_concurrency (4) chunks are buffered in memory, so 128 MiB of the Job's limit.
    [`${p}CHUNK_SIZE`]: BACKUP_CHUNK_SIZE,
  };
}

/**
 * The configured prefix, else "<stack>/postgres": stacks sharing a bucket must not share a prefix, or
 * "restore latest" could pick another stack's dump (and a lifecycle rule scoped to it would hit both).
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
  const recipient = b.encryption.recipient;
  if (b.bucket === undefined || b.endpoint === undefined || recipient === undefined) {
    throw new Error(
      "backupCronJob needs backup.bucket, backup.endpoint and backup.encryption.recipient (the config schema enforces it)",
    );
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
              ...args.placement,
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
                    // A public key: fine as a literal env value. The private key never enters the cluster.
                    { name: "BACKUP_RECIPIENT", value: recipient },
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
                  // pg_dump + gpg + rclone's 4 x 32Mi upload buffers.
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
                // Only gpg's throwaway home and status files: the dump is streamed, never staged.
                { name: "tmp", emptyDir: { sizeLimit: BACKUP_TMP_SIZE } },
              ],
            },
          },
        },
      },
    },
  };
}
