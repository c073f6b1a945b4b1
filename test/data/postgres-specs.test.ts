/** Pure Postgres builders: schema-valid objects, hardening choices, and the script <-> pod contract. */
import * as fs from "fs";
import * as path from "path";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Service } from "kubernetes-models/v1/Service";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { postgresSchema } from "../../config/postgres";
import { bytes } from "../../config/common";
import {
  BACKUP_CHUNK_SIZE,
  BACKUP_TMP_SIZE,
  backupCronJob,
  backupPrefix,
  backupRemote,
  rcloneRemoteEnv,
} from "../../components/data/postgres-backup";
import { postgresBotIdentity, postgresUri } from "../../components/data/postgres-client";
import {
  CLIENT_LABEL,
  EXPORTER_PORT,
  NAMES,
  POSTGRES_PORT,
  ROLE_LABEL,
  SERVER_LABEL,
  type PostgresSpecArgs,
} from "../../components/data/postgres-names";
import { backupNetworkPolicy, serverNetworkPolicy } from "../../components/data/postgres-network-policies";
import { checksum as scriptsChecksum } from "../../components/specs/checksum";
import {
  maxSlotWalKeepSize,
  postgresStatefulSet,
  serverEnv,
  synchronousStandbyNames,
} from "../../components/data/postgres-server";
import { postgresPdb, postgresServices } from "../../components/data/postgres-services";
import { EXAMPLE_RECIPIENT, exampleEncryption } from "../support/backup-key";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const namespaces = { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" };
const prod = postgresSchema.parse({
  instances: 3,
  storage: "50Gi",
  storageClass: "do-block-storage",
  backup: {
    enabled: true,
    bucket: "botfleet-backups",
    endpoint: "https://fra1.digitaloceanspaces.com",
    ...exampleEncryption,
  },
});
const args: PostgresSpecArgs = {
  instance: "postgres",
  namespaces,
  config: prod,
  scriptsChecksum: "abc",
  stack: "prod",
};
const SCRIPTS = path.resolve(__dirname, "../../files/postgres");
const script = (name: string) => fs.readFileSync(path.join(SCRIPTS, name), "utf8");

describe("postgres StatefulSets", () => {
  const primary: Any = postgresStatefulSet(args, "primary");
  const replica: Any = postgresStatefulSet(args, "replica");

  test("validate against the Kubernetes schema", () => {
    expect(() => new StatefulSet(primary).validate()).not.toThrow();
    expect(() => new StatefulSet(replica).validate()).not.toThrow();
  });

  test("primary is one pod, replicas as configured; OrderedReady, Retain/Retain, headless serviceName", () => {
    expect(primary.metadata.name).toBe("postgres-primary");
    expect(primary.spec.replicas).toBe(1);
    expect(replica.spec.replicas).toBe(2);
    for (const s of [primary, replica]) {
      expect(s.spec.podManagementPolicy).toBe("OrderedReady");
      expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
      expect(s.spec.serviceName).toBe(NAMES.headless);
      expect(s.spec.volumeClaimTemplates[0].spec).toEqual({
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "50Gi" } },
        storageClassName: "do-block-storage",
      });
    }
  });

  test("selector is a stable subset of the template labels; role label is outside the selector", () => {
    const sel = replica.spec.selector.matchLabels;
    const labels = replica.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(sel)) expect(labels[k]).toBe(v);
    expect(sel[ROLE_LABEL]).toBeUndefined(); // failover flips it on a live pod
    expect(labels).toMatchObject({
      "app.kubernetes.io/name": "postgres",
      "app.kubernetes.io/component": "replica",
      "app.kubernetes.io/part-of": "botfleet",
      [ROLE_LABEL]: "replica",
      [SERVER_LABEL]: "true",
    });
  });

  test("restricted pod: uid 999, fsGroup OnRootMismatch, read-only root, emptyDirs for /tmp and the socket", () => {
    const pod = primary.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      fsGroup: 999,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
    const pg = pod.containers.find((c: Any) => c.name === "postgres");
    const mounts = Object.fromEntries(pg.volumeMounts.map((m: Any) => [m.mountPath, m.name]));
    expect(mounts["/tmp"]).toBe("tmp");
    expect(mounts["/var/run/postgresql"]).toBe("run");
    const volumes = Object.fromEntries(pod.volumes.map((v: Any) => [v.name, v]));
    expect(volumes.tmp.emptyDir).toEqual({ sizeLimit: "256Mi" });
    expect(volumes.run.emptyDir).toEqual({ medium: "Memory", sizeLimit: "16Mi" });
    // The replication passfile goes to PG_RUNTIME_DIR: a RAM-backed emptyDir, never the node's disk.
    expect(volumes.runtime.emptyDir).toEqual({ medium: "Memory", sizeLimit: "1Mi" });
    const env = Object.fromEntries(pg.env.map((e: Any) => [e.name, e.value]));
    expect(mounts[env.PG_RUNTIME_DIR]).toBe("runtime");
    expect(mounts[env.TMPDIR]).toBe("tmp");
    for (const c of [...pod.initContainers, pg]) {
      expect(c.volumeMounts.find((m: Any) => m.name === "runtime").mountPath).toBe(env.PG_RUNTIME_DIR);
    }
  });

  test("required hostname anti-affinity across all database pods", () => {
    const rule =
      primary.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(rule).toEqual([
      {
        topologyKey: "kubernetes.io/hostname",
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "postgres",
            "app.kubernetes.io/instance": "postgres",
            [SERVER_LABEL]: "true",
          },
        },
      },
    ]);
  });

  test("pg_isready -h 127.0.0.1 probes: readiness, liveness and startup all differ", () => {
    const pg = primary.spec.template.spec.containers[0];
    const probes = [pg.readinessProbe, pg.livenessProbe, pg.startupProbe];
    for (const p of probes) expect(p.exec.command.join(" ")).toContain("pg_isready -q -h 127.0.0.1 -p 5432");
    expect(new Set(probes.map((p) => JSON.stringify(p))).size).toBe(3);
    expect(pg.startupProbe.failureThreshold * pg.startupProbe.periodSeconds).toBeGreaterThanOrEqual(600);
    // Liveness tolerates "rejecting connections" (exit 1) during recovery, only "no response" (2) kills.
    expect(pg.livenessProbe.exec.command.join(" ")).toBe(
      "sh -c pg_isready -q -h 127.0.0.1 -p 5432; [ $? -ne 2 ]",
    );
    expect(pg.readinessProbe.exec.command).toEqual(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]);
  });

  test("exporter sidecar on 9187 named metrics, as the monitor role with its password from the Secret", () => {
    const exporter = primary.spec.template.spec.containers.find((c: Any) => c.name === "exporter");
    expect(exporter.ports).toEqual([{ name: "metrics", containerPort: EXPORTER_PORT, protocol: "TCP" }]);
    const pass = exporter.env.find((e: Any) => e.name === "DATA_SOURCE_PASS");
    expect(pass).toEqual({
      name: "DATA_SOURCE_PASS",
      valueFrom: { secretKeyRef: { name: NAMES.credentials, key: "monitor-password" } },
    });
    expect(exporter.env.find((e: Any) => e.name === "DATA_SOURCE_USER").value).toBe("monitor");
    expect(exporter.readinessProbe).not.toEqual(exporter.livenessProbe);
  });

  test("no env value carries a secret: passwords are mounted files or secretKeyRefs", () => {
    const pod = primary.spec.template.spec;
    for (const c of [...pod.initContainers, ...pod.containers]) {
      for (const e of c.env ?? []) {
        if (/PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_KEY|_PASS$/i.test(e.name)) expect(e.value).toBeUndefined();
      }
    }
    const creds = pod.volumes.find((v: Any) => v.name === "credentials");
    expect(creds.secret.secretName).toBe(NAMES.credentials);
  });

  test("every environment variable the pod sets is one entrypoint.sh reads", () => {
    const entry = script("entrypoint.sh");
    for (const e of serverEnv(args, "replica")) expect(entry).toContain(`${e.name}`);
    const env = Object.fromEntries(serverEnv(args, "replica").map((e: Any) => [e.name, e.value]));
    expect(env.PRIMARY_HOST).toBe("postgres-rw.botfleet-data.svc.cluster.local");
    expect(env.PG_AUTH_DIR).toBe("/etc/botfleet/postgres");
  });

  test("the init container and the server run the mounted entrypoint (init, then start)", () => {
    const pod = replica.spec.template.spec;
    expect(pod.initContainers[0].command).toEqual(["sh", "/opt/botfleet/postgres/entrypoint.sh", "init"]);
    expect(pod.containers[0].command).toEqual(["sh", "/opt/botfleet/postgres/entrypoint.sh", "start"]);
    expect(replica.spec.template.metadata.annotations["botfleet.io/scripts-checksum"]).toBe("abc");
  });
});

describe("replication settings", () => {
  test("synchronous_standby_names only for remote_write / remote_apply", () => {
    const withSync = (synchronousCommit: string) =>
      synchronousStandbyNames(postgresSchema.parse({ instances: 2, synchronousCommit }));
    expect(withSync("on")).toBe("");
    expect(withSync("local")).toBe("");
    expect(withSync("off")).toBe("");
    expect(withSync("remote_write")).toBe("ANY 1 (*)");
    expect(withSync("remote_apply")).toBe("ANY 1 (*)");
  });

  test("a dead replica's slot may pin at most a quarter of the volume (at least 1 GB)", () => {
    expect(maxSlotWalKeepSize("20Gi")).toBe("5120MB");
    expect(maxSlotWalKeepSize("50Gi")).toBe("12800MB");
    expect(maxSlotWalKeepSize("1Gi")).toBe("1024MB");
  });

  test("client URI percent-encodes the password", () => {
    expect(
      postgresUri({ username: "botfleet", password: "a/b@c:d", host: "h", port: 5432, database: "botfleet" }),
    ).toBe("postgresql://botfleet:a%2Fb%40c%3Ad@h:5432/botfleet");
  });

  test("scripts checksum changes with any script", () => {
    const a = scriptsChecksum({ "a.sh": "x", "b.sh": "y" });
    expect(scriptsChecksum({ "b.sh": "y", "a.sh": "x" })).toBe(a);
    expect(scriptsChecksum({ "a.sh": "x", "b.sh": "z" })).not.toBe(a);
  });
});

describe("postgres Services and PDB", () => {
  const [rw, ro, headless]: Any[] = postgresServices(args);

  test("postgres-rw selects the primary role, postgres-ro the replicas, headless all servers", () => {
    for (const s of [rw, ro, headless]) expect(() => new Service(s).validate()).not.toThrow();
    expect([rw.metadata.name, ro.metadata.name, headless.metadata.name]).toEqual([
      "postgres-rw",
      "postgres-ro",
      "postgres-headless",
    ]);
    expect(rw.spec.selector[ROLE_LABEL]).toBe("primary");
    expect(ro.spec.selector[ROLE_LABEL]).toBe("replica");
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.selector[ROLE_LABEL]).toBeUndefined();
    expect(rw.spec.ports).toEqual([
      { name: "postgresql", port: 5432, targetPort: "postgresql", protocol: "TCP" },
    ]);
    // The role flip must move a pod between rw and ro without touching the StatefulSet selector.
    const primaryPod = postgresStatefulSet(args, "primary").spec as Any;
    const labels = primaryPod.template.metadata.labels;
    for (const [k, v] of Object.entries(rw.spec.selector)) expect(labels[k]).toBe(v);
  });

  test("PDB allows one disruption, evicts unhealthy pods, covers database pods only", () => {
    const pdb: Any = postgresPdb(args);
    expect(() => new PodDisruptionBudget(pdb).validate()).not.toThrow();
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "postgres",
          "app.kubernetes.io/instance": "postgres",
          [SERVER_LABEL]: "true",
        },
      },
    });
  });
});

describe("network policies", () => {
  test("servers: 5432 from labelled clients in bots/data and from each other, 9187 from Prometheus; no internet", () => {
    const np: Any = serverNetworkPolicy(args);
    expect(() => new NetworkPolicy(np).validate()).not.toThrow();
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    const [db, metrics] = np.spec.ingress;
    expect(db.ports).toEqual([{ protocol: "TCP", port: POSTGRES_PORT }]);
    expect(db.from).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-bots" } },
        podSelector: { matchLabels: { [CLIENT_LABEL]: "true" } },
      },
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-data" } },
        podSelector: { matchLabels: { [CLIENT_LABEL]: "true" } },
      },
      { podSelector: { matchLabels: np.spec.podSelector.matchLabels } },
    ]);
    expect(metrics).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
      ],
      ports: [{ protocol: "TCP", port: EXPORTER_PORT }],
    });
    expect(np.spec.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
    expect(JSON.stringify(np)).not.toContain("ipBlock");
  });

  test("backup: no ingress; egress to the primary on 5432 and HTTPS to public addresses only", () => {
    const np: Any = backupNetworkPolicy(args);
    expect(() => new NetworkPolicy(np).validate()).not.toThrow();
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress[0].to[0].podSelector.matchLabels[ROLE_LABEL]).toBe("primary");
    expect(np.spec.egress[1]).toEqual({
      to: [
        {
          ipBlock: {
            cidr: "0.0.0.0/0",
            except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"],
          },
        },
      ],
      ports: [{ protocol: "TCP", port: 443 }],
    });
    // The backup pods are the ones the policy selects, and the server policy admits them as clients.
    const job: Any = backupCronJob(args);
    const podLabels = job.spec.jobTemplate.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(podLabels[CLIENT_LABEL]).toBe("true");
  });
});

describe("backup CronJob", () => {
  const job: Any = backupCronJob(args);
  const pod = job.spec.jobTemplate.spec.template.spec;
  const env = Object.fromEntries(pod.containers[0].env.map((e: Any) => [e.name, e]));

  test("validates; Forbid, startingDeadlineSeconds, OnFailure, history limits, no TTL", () => {
    expect(() => new CronJob(job).validate()).not.toThrow();
    expect(job.metadata.name).toBe("postgres-backup");
    expect(job.spec).toMatchObject({
      schedule: "0 3 * * *",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    expect(pod.restartPolicy).toBe("OnFailure");
    expect(job.spec.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test("pg_dump from the postgres image, rclone copied in from the rclone image", () => {
    expect(pod.initContainers[0]).toMatchObject({
      image: "rclone/rclone:1.68.2",
      command: ["cp", "/usr/local/bin/rclone", "/opt/botfleet/tools/rclone"],
    });
    expect(pod.containers[0].image).toBe(prod.image);
    expect(pod.containers[0].command).toEqual(["sh", "/opt/botfleet/postgres/backup.sh"]);
    expect(env.RCLONE.value).toBe("/opt/botfleet/tools/rclone");
    // No prefix configured: "<stack>/postgres", so stacks sharing the bucket never share dumps.
    expect(env.BACKUP_REMOTE.value).toBe("backup:botfleet-backups/prod/postgres");
    expect(env.BACKUP_RETENTION_COUNT).toBeUndefined();
    expect(env.PGHOST.value).toBe("postgres-rw.botfleet-data.svc.cluster.local");
  });

  test("encrypted to the public recipient only: no private key, no delete, nothing staged", () => {
    // The public key is a literal (public) value; nothing private is anywhere in the Job.
    expect(env.BACKUP_RECIPIENT.value).toBe(EXAMPLE_RECIPIENT);
    const rendered = JSON.stringify(job);
    expect(rendered).not.toMatch(/PRIVATE KEY/);
    // The streamed dump never touches a disk: /tmp is small, whatever the database size.
    const tmp = pod.volumes.find((v: Any) => v.name === "tmp");
    expect(tmp.emptyDir).toEqual({ sizeLimit: BACKUP_TMP_SIZE });
    expect(bytes(BACKUP_TMP_SIZE)).toBeLessThan(bytes(prod.storage));
    expect(env.RCLONE_CONFIG_BACKUP_CHUNK_SIZE.value).toBe(BACKUP_CHUNK_SIZE);
    // The script the Job runs never deletes, purges or moves objects (its key should not be able to).
    const script = fs.readFileSync(path.join(__dirname, "../../files/postgres/backup.sh"), "utf8");
    const commands = script.split("\n").filter((l) => !l.trim().startsWith("#"));
    expect(commands.join("\n")).not.toMatch(/\b(deletefile|delete|purge|rmdirs?|move|moveto|sync|cleanup)\b/);
    expect(commands.join("\n")).toMatch(/"\$RCLONE" rcat "\$remote\/\$name"/);
  });

  test("a config without a recipient cannot render the Job", () => {
    const noKey = { ...prod, backup: { ...prod.backup, encryption: {} } };
    expect(() => backupCronJob({ ...args, config: noKey })).toThrow(/backup.encryption.recipient/);
  });

  test("S3 keys and the database password only as secretKeyRefs", () => {
    expect(env.RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID.valueFrom.secretKeyRef).toEqual({
      name: NAMES.backupS3,
      key: "accessKeyId",
    });
    expect(env.RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({
      name: NAMES.backupS3,
      key: "secretAccessKey",
    });
    expect(env.PGPASSWORD.valueFrom.secretKeyRef).toEqual({ name: NAMES.credentials, key: "password" });
    for (const [k, v] of Object.entries(
      rcloneRemoteEnv("https://fra1.digitaloceanspaces.com", "us-east-1"),
    )) {
      expect(env[k].value).toBe(v);
    }
  });

  test("every script variable the Job sets is one backup.sh reads (libpq and rclone read their own)", () => {
    const backup = script("backup.sh");
    for (const name of Object.keys(env).filter((n) => !/^(PG|RCLONE_CONFIG_|HOME$)/.test(n))) {
      expect(backup).toContain(name);
    }
  });

  test("backupPrefix: the configured prefix, else <stack>/postgres", () => {
    expect(backupPrefix(prod, "dev")).toBe("dev/postgres");
    expect(backupPrefix(prod, "prod")).toBe("prod/postgres");
    const custom = postgresSchema.parse({ backup: { prefix: "team-a/pg" } });
    expect(backupPrefix(custom, "dev")).toBe("team-a/pg");
  });

  test("backupRemote trims slashes of the prefix", () => {
    expect(backupRemote("b", "/prod/postgres/")).toBe("backup:b/prod/postgres");
  });

  test("refuses to build without bucket and endpoint", () => {
    expect(() => backupCronJob({ ...args, config: postgresSchema.parse({}) })).toThrow(
      /backup.bucket, backup.endpoint and backup.encryption.recipient/,
    );
  });
});

test("a bot's Postgres role: bot_ and its name with '-' as '_'; a name that cannot be a role is refused", () => {
  expect(postgresBotIdentity("grid-2", "schema")).toEqual({ username: "bot_grid_2", schema: "bot_grid_2" });
  expect(postgresBotIdentity("pnl-report", "report")).toEqual({ username: "report", schema: "" });
  expect(postgresBotIdentity("a".repeat(59), "schema").username).toHaveLength(63);
  expect(() => postgresBotIdentity("a".repeat(60), "schema")).toThrow(
    /bots\["a{60}"\]\.usesPostgres: .* at most 59 characters; rename the bot/,
  );
  expect(() => postgresBotIdentity("Bad_Name", "schema")).toThrow(/DNS label/);
});
