/** The Secrets the servers and the backup Job mount: generated passwords and the S3 keys. */
import { standardLabels } from "../specs/labels";
import {
  BACKUP_S3_KEYS,
  CREDENTIAL_KEYS,
  NAMES,
  type PostgresSpecArgs,
  backupLabels,
} from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

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
