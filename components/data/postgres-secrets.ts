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

/** Every role's password, as the servers mount them (files named by CREDENTIAL_KEYS); bots: name -> password. */
export interface PostgresPasswords {
  readonly owner: pulumi.Input<string>;
  readonly replication: pulumi.Input<string>;
  readonly report: pulumi.Input<string>;
  readonly monitor: pulumi.Input<string>;
  readonly bots: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Generated passwords of every role, mounted as files into the servers (roles.sh sets them). */
export function credentialsSecret(
  args: PostgresSpecArgs,
  passwords: PostgresPasswords,
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
      [CREDENTIAL_KEYS.password]: passwords.owner,
      [CREDENTIAL_KEYS.replicationPassword]: passwords.replication,
      [CREDENTIAL_KEYS.reportPassword]: passwords.report,
      [CREDENTIAL_KEYS.monitorPassword]: passwords.monitor,
      ...Object.fromEntries(
        Object.entries(passwords.bots).map(([bot, password]) => [CREDENTIAL_KEYS.botPassword(bot), password]),
      ),
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
