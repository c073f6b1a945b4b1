/**
 * The Postgres half of the data layer: a primary StatefulSet, optional hot standbys streaming from it
 * through replication slots, postgres_exporter, the rw/ro/headless Services, the `postgres-client`
 * Secret for bots, network policies, and a pg_dump-to-S3 CronJob. Failover is manual and documented
 * (files/postgres/failover.sh). Wires the pure builders of `postgres-*.ts`.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { VolumeClaimLedger, statefulSetWithClaims } from "../volume-claims";
import type { Secretify } from "../../config/common";
import { standardLabels } from "../specs/labels";
import type { BackupCredentials, PostgresConfig } from "../../config/postgres";
import { type Credentials, postgresBotCredentialName } from "../../lib/credentials";
import { exampleRecipientWarning } from "../../config/backup-encryption";
import { backupCronJob } from "./postgres-backup";
import { type PostgresAccess, botClientSecret, clientSecret, postgresBotIdentity } from "./postgres-client";
import { serviceHost } from "../specs/dns";
import { NAMES, POSTGRES_PORT, backupLabels, type PostgresSpecArgs } from "./postgres-names";
import { backupNetworkPolicy, serverNetworkPolicy } from "./postgres-network-policies";
import { checksum } from "../specs/checksum";
import { readFiles } from "../specs/files";
import { scriptsConfigMap } from "./postgres-scripts";
import { backupS3Secret, credentialsSecret } from "./postgres-secrets";
import { tokenlessServiceAccount as serviceAccount } from "../specs/service-account";
import { postgresStatefulSet } from "./postgres-server";
import { postgresPdb, postgresServices } from "./postgres-services";
import type { Environment } from "../../config/environment";
import type { PodPlacement } from "../specs/placement";
import type { Namespaces } from "../../config/platform";

/** Where the container scripts live in the repository. */
export const POSTGRES_SCRIPTS_DIR = path.resolve(__dirname, "../../files/postgres");

/**
 * The scripts the pods run, for the scripts ConfigMap (its checksum is on the pod templates, so a change
 * rolls them). restore.sh is not one: it runs on an operator's workstation (docs/restore.md), so a fix to
 * it never restarts a database.
 */
export const POSTGRES_POD_SCRIPTS = ["backup.sh", "entrypoint.sh", "failover.sh", "roles.sh"] as const;

/** Reads the pod scripts of files/postgres for the scripts ConfigMap. */
export function readPostgresScripts(dir: string = POSTGRES_SCRIPTS_DIR): Record<string, string> {
  return readFiles(dir, { names: POSTGRES_POD_SCRIPTS });
}

export interface PostgresArgs {
  /** The provider of the target cluster; every Kubernetes resource uses it. */
  readonly provider: k8s.Provider;
  /** Postgres lives in `data`; `postgres-client` goes to `bots`; Prometheus in `monitoring` scrapes. */
  readonly namespaces: Namespaces;
  /** The validated `botfleet:postgres` section. */
  readonly config: PostgresConfig;
  /** The secret `botfleet:backupCredentials`; required when `config.backup.enabled`. */
  readonly backupCredentials?: Secretify<BackupCredentials>;
  /** Accepted for the fleet contract; Postgres is built the same everywhere (protect decides retention). */
  /** Node selector and tolerations onto the stack's data pool (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
  readonly environment: Environment;
  /**
   * The stack's credentials: `postgres-app` (the owner role), `postgres-replication` (`replicator`),
   * `postgres-report`, `postgres-monitor` and `postgres-bot/<bot>` per bot with its own role.
   */
  readonly credentials: Credentials;
  /** Bots with `usesPostgres`: each gets `postgres-client-<bot>` (its own role, or `report`). @default [] */
  readonly bots?: readonly { readonly name: string; readonly access: PostgresAccess }[];
  /** Protect and retain the StatefulSets and the credentials Secret (prod). @default false */
  readonly protect?: boolean;
  /** Checks the data claims against the last deployment. @default a ledger with no history */
  readonly volumeClaims?: VolumeClaimLedger;
}

export class Postgres extends pulumi.ComponentResource {
  /** DNS name of postgres-rw (the primary). */
  public readonly host: pulumi.Output<string>;
  /** DNS name of postgres-ro (hot standbys; no endpoints while instances is 1). */
  public readonly readOnlyHost: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** Secret in the bots namespace: host, port, database (who: `postgres-client-<bot>`). */
  public readonly clientSecretName: pulumi.Output<string>;
  /** The backup CronJob's name; undefined when backups are off. */
  public readonly backupCronJobName: pulumi.Output<string | undefined>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:data:Postgres", name, {}, opts);
    const { provider, namespaces, config } = args;
    const protect = args.protect ?? false;
    const child = { parent: this, provider };
    const keep = { protect, retainOnDelete: protect };

    const bots = args.bots ?? [];
    // Checked before anything is created: a name that cannot become a role throws here.
    bots.forEach((b) => postgresBotIdentity(b.name, b.access));
    const botRoles = bots.filter((b) => b.access === "schema").map((b) => b.name);
    const scripts = readPostgresScripts();
    const spec: PostgresSpecArgs = {
      instance: name,
      namespaces,
      config,
      scriptsChecksum: checksum(scripts),
      stack: pulumi.getStack(),
      placement: args.placement,
      botRoles,
    };

    // Alphanumeric: safe in a URI, a libpq passfile and psql literals without any escaping surprises.
    // roles.sh sets them at every start of the primary; the pods roll when the bot list changes (env),
    // a rotated password alone takes effect at the primary's next restart (docs/operations.md).
    const get = (n: Parameters<Credentials["get"]>[0]) => args.credentials.get(n);
    const botPasswords = Object.fromEntries(botRoles.map((b) => [b, get(postgresBotCredentialName(b))]));
    const report = get("postgres-report");
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      credentialsSecret(spec, {
        owner: get("postgres-app"),
        replication: get("postgres-replication"),
        report,
        monitor: get("postgres-monitor"),
        bots: botPasswords,
      }),
      { ...child, ...keep },
    );
    const client = new k8s.core.v1.Secret(`${name}-client`, clientSecret(spec), child);
    for (const bot of bots) {
      const password = bot.access === "report" ? report : botPasswords[bot.name];
      new k8s.core.v1.Secret(
        `${name}-client-${bot.name}`,
        botClientSecret(spec, bot.name, bot.access, password),
        child,
      );
    }
    const configMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, scriptsConfigMap(spec, scripts), child);
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-serviceaccount`,
      serviceAccount(
        NAMES.serviceAccount,
        namespaces.data,
        standardLabels({ name: "postgres", instance: name, component: "database" }),
      ),
      child,
    );

    // postgresServices returns rw, ro, headless in that order.
    const [rw, ro, headless] = postgresServices(spec).map(
      (s, i) => new k8s.core.v1.Service(`${name}-${["rw", "ro", "headless"][i]}`, s, child),
    );
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, postgresPdb(spec), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-networkpolicy`, serverNetworkPolicy(spec), child);

    const dependsOn = [credentials, configMap, sa, headless];
    const claims = {
      keys: { storage: "postgres.storage", storageClass: "postgres.storageClass" },
      ledger: args.volumeClaims ?? new VolumeClaimLedger(),
      protect,
    };
    const primary = statefulSetWithClaims(
      `${name}-primary`,
      postgresStatefulSet(spec, "primary"),
      { ...claims, ordinals: 1 },
      { ...child, ...keep, dependsOn },
    );
    if (config.instances > 1) {
      statefulSetWithClaims(
        `${name}-replica`,
        postgresStatefulSet(spec, "replica"),
        { ...claims, ordinals: config.instances - 1 },
        // A replica's init container waits for the primary anyway; ordering just avoids noisy restarts.
        { ...child, ...keep, dependsOn: [...dependsOn, primary, rw] },
      );
    }

    let cronJob: k8s.batch.v1.CronJob | undefined;
    if (config.backup.enabled) {
      if (args.backupCredentials === undefined) {
        throw new Error(
          "botfleet:postgres.backup.enabled is true but botfleet:backupCredentials is not set: " +
            "pulumi config set --secret --path backupCredentials.accessKeyId ... (and secretAccessKey)",
        );
      }
      const s3 = new k8s.core.v1.Secret(
        `${name}-backup-s3`,
        backupS3Secret(spec, args.backupCredentials),
        child,
      );
      const backupSa = new k8s.core.v1.ServiceAccount(
        `${name}-backup-serviceaccount`,
        serviceAccount(NAMES.backupServiceAccount, namespaces.data, backupLabels(name)),
        child,
      );
      new k8s.networking.v1.NetworkPolicy(`${name}-backup-networkpolicy`, backupNetworkPolicy(spec), child);
      const exampleKey = exampleRecipientWarning(spec.config.backup.encryption.recipient);
      if (exampleKey !== undefined) void pulumi.log.warn(exampleKey, this);
      cronJob = new k8s.batch.v1.CronJob(`${name}-backup`, backupCronJob(spec), {
        ...child,
        dependsOn: [s3, backupSa, configMap, credentials],
      });
    }

    this.host = rw.metadata.apply((m) => serviceHost(m.name, namespaces.data));
    this.readOnlyHost = ro.metadata.apply((m) => serviceHost(m.name, namespaces.data));
    this.port = pulumi.output(POSTGRES_PORT);
    this.clientSecretName = client.metadata.name;
    this.backupCronJobName = cronJob ? cronJob.metadata.name : pulumi.output(undefined);

    this.registerOutputs({
      host: this.host,
      readOnlyHost: this.readOnlyHost,
      port: this.port,
      clientSecretName: this.clientSecretName,
      backupCronJobName: this.backupCronJobName,
    });
  }
}
