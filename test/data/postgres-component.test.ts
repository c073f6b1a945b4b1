/**
 * The Postgres component under Pulumi's mock engine (lib/mockrun.ts calls pulumi.runtime.setMocks before
 * the program runs): every Kubernetes object is validated against the Kubernetes OpenAPI schema
 * (kubernetes-models) and the policy pack (docs/hardening.md); secrets stay secrets.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { REDACTED, runProgram, type ProgramRun, type RegisteredResource } from "../../lib/mockrun";
import { postgresSchema, type PostgresConfig } from "../../config/postgres";
import { Postgres } from "../../components/data/postgres";
import { COMPONENT_ONLY, policyViolations } from "../support/policy";
import { derived, testCredentials } from "../support/credentials";
import { isKubernetesObject, kindOf, nameOf, schemaError } from "../support/k8s";
import { EXAMPLE_RECIPIENT, exampleEncryption } from "../support/backup-key";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const namespaces = { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" };

async function run(config: PostgresConfig, protect: boolean, withCredentials = true): Promise<ProgramRun> {
  return runProgram(
    { stack: "postgres-test", values: {}, secretKeys: new Set(), env: {}, fakeSecrets: [] },
    () => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const pg = new Postgres("postgres", {
        provider,
        namespaces,
        config,
        environment: protect ? "prod" : "dev",
        credentials: testCredentials(),
        bots: [
          { name: "grid-2", access: "schema" },
          { name: "pnl", access: "report" },
        ],
        protect,
        backupCredentials: withCredentials
          ? { accessKeyId: pulumi.secret("AKIA-TEST"), secretAccessKey: pulumi.secret("s3-secret-key-value") }
          : undefined,
      });
      return {
        host: pg.host,
        readOnlyHost: pg.readOnlyHost,
        clientSecretName: pg.clientSecretName,
        port: pg.port,
      };
    },
  );
}

const objects = (rs: RegisteredResource[]) => rs.filter(isKubernetesObject);
const find = (rs: RegisteredResource[], kind: string, name: string) =>
  objects(rs).find((r) => kindOf(r) === kind && nameOf(r) === name) as RegisteredResource;

const dev = postgresSchema.parse({});
const prod = postgresSchema.parse({
  instances: 3,
  storage: "50Gi",
  storageClass: "do-block-storage",
  synchronousCommit: "remote_write",
  backup: {
    enabled: true,
    bucket: "botfleet-backups",
    endpoint: "https://fra1.digitaloceanspaces.com",
    prefix: "prod/postgres",
    ...exampleEncryption,
  },
});

describe.each<[string, PostgresConfig, boolean, string[]]>([
  [
    "dev: primary only, no backups",
    dev,
    false,
    [
      "ConfigMap botfleet-data/postgres-scripts",
      "NetworkPolicy botfleet-data/postgres-server",
      "PersistentVolumeClaim botfleet-data/data-postgres-primary-0",
      "PodDisruptionBudget botfleet-data/postgres",
      "Secret botfleet-bots/postgres-client",
      "Secret botfleet-bots/postgres-client-grid-2",
      "Secret botfleet-bots/postgres-client-pnl",
      "Secret botfleet-data/postgres-credentials",
      "Service botfleet-data/postgres-headless",
      "Service botfleet-data/postgres-ro",
      "Service botfleet-data/postgres-rw",
      "ServiceAccount botfleet-data/postgres",
      "StatefulSet botfleet-data/postgres-primary",
    ],
  ],
  [
    "prod: 2 standbys, sync commit, backups, protect",
    prod,
    true,
    [
      "ConfigMap botfleet-data/postgres-scripts",
      "CronJob botfleet-data/postgres-backup",
      "NetworkPolicy botfleet-data/postgres-backup",
      "NetworkPolicy botfleet-data/postgres-server",
      "PersistentVolumeClaim botfleet-data/data-postgres-primary-0",
      "PersistentVolumeClaim botfleet-data/data-postgres-replica-0",
      "PersistentVolumeClaim botfleet-data/data-postgres-replica-1",
      "PodDisruptionBudget botfleet-data/postgres",
      "Secret botfleet-bots/postgres-client",
      "Secret botfleet-bots/postgres-client-grid-2",
      "Secret botfleet-bots/postgres-client-pnl",
      "Secret botfleet-data/postgres-backup-s3",
      "Secret botfleet-data/postgres-credentials",
      "Service botfleet-data/postgres-headless",
      "Service botfleet-data/postgres-ro",
      "Service botfleet-data/postgres-rw",
      "ServiceAccount botfleet-data/postgres",
      "ServiceAccount botfleet-data/postgres-backup",
      "StatefulSet botfleet-data/postgres-primary",
      "StatefulSet botfleet-data/postgres-replica",
    ],
  ],
])("Postgres component, %s", (_label, config, protect, expected) => {
  let result: ProgramRun;
  beforeAll(async () => {
    result = await run(config, protect);
    if (result.error) throw result.error;
  });

  test("registers exactly the expected objects, children of the component, each with the explicit provider", () => {
    const objs = objects(result.resources);
    expect(objs.map((r) => `${kindOf(r)} ${r.inputs.metadata.namespace}/${nameOf(r)}`).sort()).toEqual(
      expected,
    );
    const component = result.resources.find((r) => r.type === "botfleet:data:Postgres");
    expect(component).toBeDefined();
    for (const r of objs) {
      expect(r.parent).toContain("botfleet:data:Postgres::postgres");
      expect(r.provider).toContain("pulumi:providers:kubernetes::k8s");
      expect(r.name.startsWith("postgres-")).toBe(true);
    }
  });

  test("every Kubernetes object validates against the Kubernetes OpenAPI schema", () => {
    const errors = objects(result.resources)
      .map(schemaError)
      .filter((e) => e !== undefined);
    expect(errors).toEqual([]);
  });

  test("passes the hardening checklist", () => {
    expect(policyViolations(result.resources, { skip: COMPONENT_ONLY })).toEqual([]);
  });

  test("passwords and keys reach the engine only as secrets, inside Secrets", () => {
    const creds = find(result.resources, "Secret", "postgres-credentials");
    // The engine receives each Secret's stringData as one secret value.
    expect(creds.redacted.stringData).toBe(REDACTED);
    const client = find(result.resources, "Secret", "postgres-client");
    expect(client.redacted.stringData).toBe(REDACTED);
    expect(client.inputs.stringData).toEqual({
      host: "postgres-rw.botfleet-data.svc.cluster.local",
      port: "5432",
      database: "botfleet",
    });
    // Each bot's own Secret: its role and schema, or the read-only report role; URI with the same password.
    const grid = find(result.resources, "Secret", "postgres-client-grid-2");
    const pnl = find(result.resources, "Secret", "postgres-client-pnl");
    expect(grid.redacted.stringData).toBe(REDACTED);
    expect(grid.inputs.metadata.namespace).toBe("botfleet-bots");
    expect(grid.inputs.stringData).toEqual({
      username: "bot_grid_2",
      password: derived("postgres-bot/grid-2"),
      schema: "bot_grid_2",
      uri: `postgresql://bot_grid_2:${derived("postgres-bot/grid-2")}@postgres-rw.botfleet-data.svc.cluster.local:5432/botfleet`,
    });
    expect(pnl.inputs.stringData).toMatchObject({
      username: "report",
      password: derived("postgres-report"),
      schema: "",
    });
    // The servers get every role's password; roles.sh creates a role only for bots with their own.
    expect(creds.inputs.stringData.password).toBe(derived("postgres-app"));
    expect(creds.inputs.stringData["replication-password"]).toBe(derived("postgres-replication"));
    expect(creds.inputs.stringData["report-password"]).toBe(derived("postgres-report"));
    expect(creds.inputs.stringData["monitor-password"]).toBe(derived("postgres-monitor"));
    expect(creds.inputs.stringData["bot-grid-2-password"]).toBe(derived("postgres-bot/grid-2"));
    expect(creds.inputs.stringData["bot-pnl-password"]).toBeUndefined();
    // The owner's and the other shared passwords are in no Secret of the bots namespace.
    const botsSecrets = objects(result.resources).filter(
      (r) => kindOf(r) === "Secret" && r.inputs.metadata.namespace === "botfleet-bots",
    );
    expect(botsSecrets.map(nameOf).sort()).toEqual([
      "postgres-client",
      "postgres-client-grid-2",
      "postgres-client-pnl",
    ]);
    for (const s of botsSecrets) {
      for (const n of ["postgres-app", "postgres-replication", "postgres-monitor"] as const)
        expect(JSON.stringify(s.inputs)).not.toContain(derived(n));
    }
    const sts = find(result.resources, "StatefulSet", "postgres-primary");
    const env = sts.inputs.spec.template.spec.containers[0].env;
    expect(env.find((e: Any) => e.name === "PG_BOT_ROLES").value).toBe("grid-2");
    // Outside Secrets, no password value appears anywhere in what the engine received.
    for (const password of [
      derived("postgres-app"),
      derived("postgres-replication"),
      derived("postgres-bot/grid-2"),
    ]) {
      for (const r of result.resources.filter((x) => !(isKubernetesObject(x) && kindOf(x) === "Secret"))) {
        expect(JSON.stringify(r.inputs)).not.toContain(password);
      }
    }
  });

  test("the scripts ConfigMap is exactly the pod scripts of files/postgres (what the real-server tests ran)", () => {
    const cm = find(result.resources, "ConfigMap", "postgres-scripts");
    const dir = path.resolve(__dirname, "../../files/postgres");
    // Every shell script but restore.sh, which runs on a workstation: changing it never rolls a database.
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sh") && f !== "restore.sh");
    expect(files).toHaveLength(4);
    expect(Object.keys(cm.inputs.data).sort()).toEqual(files.sort());
    for (const f of files) expect(cm.inputs.data[f]).toBe(fs.readFileSync(path.join(dir, f), "utf8"));
  });

  test("protect and retainOnDelete on the StatefulSets and credentials exactly when protect", () => {
    for (const r of result.resources.filter(
      (x) => (isKubernetesObject(x) && kindOf(x) === "StatefulSet") || nameOf(x) === "postgres-credentials",
    )) {
      expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, protect, protect]);
    }
    expect(find(result.resources, "Service", "postgres-rw").protect).toBe(false);
  });

  test("each pod's data claim is its own resource, kept on delete, protected with the data; templates ignored", () => {
    const claims = result.resources.filter(
      (x) => isKubernetesObject(x) && kindOf(x) === "PersistentVolumeClaim",
    );
    expect(claims.length).toBe(config.instances);
    for (const c of claims) {
      expect([nameOf(c), c.retainOnDelete, c.protect]).toEqual([nameOf(c), true, protect]);
      expect(c.inputs.metadata.annotations["botfleet.io/size-key"]).toBe("postgres.storage");
      expect(c.inputs.spec.resources.requests.storage).toBe(config.storage);
    }
    for (const sts of result.resources.filter((x) => isKubernetesObject(x) && kindOf(x) === "StatefulSet"))
      expect(sts.ignoreChanges).toEqual(["spec.volumeClaimTemplates"]);
  });

  test("exports the rw/ro hosts and the client Secret name", () => {
    expect(result.outputs).toMatchObject({
      host: "postgres-rw.botfleet-data.svc.cluster.local",
      readOnlyHost: "postgres-ro.botfleet-data.svc.cluster.local",
      clientSecretName: "postgres-client",
      port: 5432,
    });
  });
});

describe("Postgres component, prod specifics", () => {
  let result: ProgramRun;
  beforeAll(async () => {
    result = await run(prod, true);
  });

  test("standbys wait synchronously for one of them; the S3 Secret holds the configured keys", () => {
    const sts = find(result.resources, "StatefulSet", "postgres-replica");
    const env = Object.fromEntries(
      sts.inputs.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e.value]),
    );
    expect(env.PG_SYNCHRONOUS_COMMIT).toBe("remote_write");
    expect(env.PG_SYNCHRONOUS_STANDBY_NAMES).toBe("ANY 1 (*)");
    expect(sts.inputs.spec.replicas).toBe(2);
    const s3 = find(result.resources, "Secret", "postgres-backup-s3");
    expect(s3.redacted.stringData).toBe(REDACTED);
    expect(s3.inputs.stringData).toEqual({
      accessKeyId: "AKIA-TEST",
      secretAccessKey: "s3-secret-key-value",
    });
    const job = find(result.resources, "CronJob", "postgres-backup");
    expect(JSON.stringify(job.inputs)).not.toContain("s3-secret-key-value");
    const jobEnv = Object.fromEntries(
      job.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e.value]),
    );
    expect(jobEnv.BACKUP_REMOTE).toBe("backup:botfleet-backups/prod/postgres");
    expect(jobEnv.BACKUP_RETENTION_COUNT).toBeUndefined();
    expect(jobEnv.BACKUP_RECIPIENT).toBe(EXAMPLE_RECIPIENT);
  });

  test("without a configured prefix, backups go under <stack>/postgres (never shared between stacks)", async () => {
    const noPrefix = postgresSchema.parse({
      backup: {
        enabled: true,
        bucket: "botfleet-backups",
        endpoint: "https://fra1.digitaloceanspaces.com",
        ...exampleEncryption,
      },
    });
    expect(noPrefix.backup.prefix).toBeUndefined();
    const r = await run(noPrefix, false);
    if (r.error) throw r.error;
    const job = find(r.resources, "CronJob", "postgres-backup");
    const env = Object.fromEntries(
      job.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e.value]),
    );
    // runProgram's stack is "postgres-test".
    expect(env.BACKUP_REMOTE).toBe("backup:botfleet-backups/postgres-test/postgres");
  });

  test("the documentation recipient draws a warning (its backups could never be decrypted); a real key does not", async () => {
    const withExample = await run(prod, false);
    if (withExample.error) throw withExample.error;
    expect(withExample.warnings).toContainEqual(
      expect.stringContaining("is the documentation example key, whose private half no one has"),
    );
    // Any other key, e.g. one with a different body line, is taken silently.
    const other = EXAMPLE_RECIPIENT.replace("mDMEawyuRBYJ", "mDMEawyuRBYK");
    const withOther = await run(
      { ...prod, backup: { ...prod.backup, encryption: { recipient: other } } },
      false,
    );
    if (withOther.error) throw withOther.error;
    expect(withOther.warnings.filter((w) => w.includes("documentation example key"))).toEqual([]);
  });

  test("backups enabled without backupCredentials is an error that says how to fix it", async () => {
    const r = await run(prod, true, false);
    expect(r.error?.message).toMatch(
      /botfleet:postgres.backup.enabled is true but botfleet:backupCredentials is not set: pulumi config set --secret --path backupCredentials.accessKeyId/,
    );
  });
});
