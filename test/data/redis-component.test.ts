/**
 * The Redis component under Pulumi's mock engine (lib/mockrun.ts sets the mocks before the program
 * runs): every Kubernetes object it registers is validated against the Kubernetes OpenAPI schema
 * (kubernetes-models) and checked by the policy pack (docs/hardening.md).
 */
import * as k8s from "@pulumi/kubernetes";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Service } from "kubernetes-models/v1/Service";
import { Secret } from "kubernetes-models/v1/Secret";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { REDACTED, runProgram, type ProgramRun, type RegisteredResource } from "../../lib/mockrun";
import { redisSchema, type RedisConfig } from "../../config/redis";
import { Redis } from "../../components/data/redis";
import { passwordHash } from "../../components/data/redis-acl";
import { REDIS_CREDENTIALS, REDIS_SENTINEL_CREDENTIALS } from "../../lib/credentials";
import type { Environment } from "../../config/environment";
import { COMPONENT_ONLY, policyViolations } from "../support/policy";
import { derived, testCredentials } from "../support/credentials";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const namespaces = { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" };

const MODELS: Record<string, new (data: Any) => { validate(): void }> = {
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:core/v1:PersistentVolumeClaim": PersistentVolumeClaim,
};

async function run(
  config: RedisConfig,
  environment: Environment,
  protect: boolean,
  rotations: Record<string, number> = {},
) {
  let outputs: Record<string, unknown> = {};
  const result: ProgramRun = await runProgram(
    { stack: "redis-test", values: {}, secretKeys: new Set(), env: {}, fakeSecrets: [] },
    () => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const credentials = testCredentials(rotations);
      const redis = new Redis("redis", {
        provider,
        namespaces,
        config,
        environment,
        credentials,
        protect,
        bots: ["a", "b"],
      });
      outputs = {
        host: redis.host,
        sentinelHost: redis.sentinelHost,
        sentinels: redis.sentinels,
        masterName: redis.masterName,
        clientSecretName: redis.clientSecretName,
        authSecretName: redis.authSecretName,
        headlessServiceName: redis.headlessServiceName,
        statefulSetName: redis.statefulSetName,
      };
      return outputs;
    },
  );
  return result;
}

const k8sObjects = (rs: RegisteredResource[]) =>
  rs.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("pulumi:providers:"));
const byKind = (rs: RegisteredResource[], kind: string) =>
  k8sObjects(rs).filter((r) => r.type.endsWith(`:${kind}`));
const named = (rs: RegisteredResource[], kind: string, name: string) =>
  byKind(rs, kind).find((r) => (r.inputs.metadata as Any).name === name)!;

describe.each<[string, RedisConfig, Environment, boolean]>([
  ["standalone dev", redisSchema.parse({}), "dev", false],
  ["HA prod", redisSchema.parse({ ha: true, storageClass: "do-block-storage" }), "prod", true],
])("Redis component: %s", (_label, config, environment, protect) => {
  let result: ProgramRun;
  beforeAll(async () => {
    result = await run(config, environment, protect);
  });

  test("registers exactly the expected objects, all children of the component with the explicit provider", () => {
    const kinds = k8sObjects(result.resources).map(
      (r) => `${r.type.split(":")[2]}/${(r.inputs.metadata as Any).name}`,
    );
    expect(kinds.sort()).toEqual(
      [
        "ConfigMap/redis-config",
        "NetworkPolicy/redis",
        ...(config.ha ? [0, 1, 2] : [0]).map((i) => `PersistentVolumeClaim/data-redis-${i}`),
        "PodDisruptionBudget/redis",
        "Secret/redis-auth",
        "Secret/redis-client",
        "Secret/redis-client-a",
        "Secret/redis-client-b",
        "Service/redis",
        "Service/redis-headless",
        ...(config.ha ? ["Service/redis-sentinel"] : []),
        "ServiceAccount/redis",
        "StatefulSet/redis",
      ].sort(),
    );
    const component = result.resources.find((r) => r.type === "botfleet:data:Redis")!;
    expect(component).toBeDefined();
    for (const r of k8sObjects(result.resources)) {
      expect(r.parent).toContain("botfleet:data:Redis::redis");
      expect(r.provider).toContain("pulumi:providers:kubernetes::k8s");
    }
  });

  test("every Kubernetes object passes the kubernetes-models schema", () => {
    const objects = k8sObjects(result.resources);
    expect(objects.length).toBeGreaterThanOrEqual(9);
    for (const r of objects) {
      const Model = MODELS[r.type];
      expect(Model).toBeDefined();
      expect(() => new Model(JSON.parse(JSON.stringify(r.inputs))).validate()).not.toThrow();
    }
  });

  test("no violation of the policy pack's rules (docs/hardening.md)", () => {
    expect(policyViolations(result.resources, { skip: COMPONENT_ONLY })).toEqual([]);
  });

  test("each derived password reaches only the Secrets of who uses it, always as a Pulumi secret", () => {
    const names = [
      ...REDIS_CREDENTIALS,
      ...(config.ha ? REDIS_SENTINEL_CREDENTIALS : []),
      "redis-bot/a",
      "redis-bot/b",
    ] as const;
    const passwords = Object.fromEntries(names.map((n) => [n, derived(n)]));
    for (const r of result.resources) {
      const plain = JSON.stringify(r.inputs);
      for (const password of Object.values(passwords)) {
        if (r.type !== "kubernetes:core/v1:Secret") expect(plain).not.toContain(password);
        expect(JSON.stringify(r.redacted)).not.toContain(password);
      }
    }
    const data = (name: string) => named(result.resources, "Secret", name).inputs.stringData as Any;
    const auth = data("redis-auth");
    expect(auth["admin-password"]).toBe(passwords["redis-admin"]);
    expect(auth["replication-password"]).toBe(passwords["redis-replication"]);
    // Sentinel's credentials only with Sentinel.
    expect(auth["sentinel-password"]).toBe(passwords["redis-sentinel"]);
    expect(auth["sentinel-auth-password"]).toBe(passwords["redis-sentinel-auth"]);
    expect("sentinel-users.conf" in auth).toBe(config.ha);
    expect(auth["users.acl"].includes("user sentinel ")).toBe(config.ha);
    expect(auth["exporter-password"]).toBe(passwords["redis-exporter"]);
    // The user lists hold hashes: no password at all.
    for (const password of Object.values(passwords)) {
      expect(auth["users.acl"]).not.toContain(password);
      expect(auth["sentinel-users.conf"] ?? "").not.toContain(password);
    }
    expect(auth["users.acl"]).toContain(`user bot-a on ${passwordHash(passwords["redis-bot/a"])} `);
    // Each bot's Secret holds its own password, and no other.
    expect(data("redis-client-a")).toEqual({
      username: "bot-a",
      password: passwords["redis-bot/a"],
      keyPrefix: "a:",
    });
    expect(JSON.stringify(data("redis-client-a"))).not.toContain(passwords["redis-bot/b"]);
    expect(data("redis-client")["sentinelPassword"]).toBe(
      config.ha ? passwords["redis-sentinel-client"] : "",
    );
    for (const name of ["redis-auth", "redis-client", "redis-client-a"]) {
      // The Kubernetes SDK marks all of stringData secret.
      expect(named(result.resources, "Secret", name).redacted.stringData).toBe(REDACTED);
    }
  });

  test("redis-client lives in the bots namespace with the contract keys", () => {
    const client = named(result.resources, "Secret", "redis-client");
    expect((client.inputs.metadata as Any).namespace).toBe("botfleet-bots");
    expect(Object.keys(client.inputs.stringData as Any).sort()).toEqual([
      "host",
      "masterName",
      "port",
      "sentinelPassword",
      "sentinelUsername",
      "sentinels",
    ]);
    // HA: empty host (the `redis` Service spans replicas); clients use sentinels + masterName.
    expect((client.inputs.stringData as Any).host).toBe(
      config.ha ? "" : "redis.botfleet-data.svc.cluster.local",
    );
    expect((client.inputs.stringData as Any).masterName).toBe(config.ha ? "botfleet" : "");
    expect((client.inputs.stringData as Any).sentinels === "").toBe(!config.ha);
  });

  test("protect and retainOnDelete on the StatefulSet, exactly when asked", () => {
    const sts = named(result.resources, "StatefulSet", "redis");
    expect(sts.protect).toBe(protect);
    expect(sts.retainOnDelete).toBe(protect);
    expect((sts.inputs.spec as Any).replicas).toBe(config.ha ? 3 : 1);
  });

  test("each pod's data claim is its own resource: grows in place, kept on delete, made before the StatefulSet", () => {
    const sts = named(result.resources, "StatefulSet", "redis");
    const claims = byKind(result.resources, "PersistentVolumeClaim");
    expect(claims).toHaveLength(config.ha ? 3 : 1);
    // A template edit would replace the StatefulSet: it is ignored, the claims carry the size.
    expect(sts.ignoreChanges).toContain("spec.volumeClaimTemplates");
    const template = (sts.inputs.spec as Any).volumeClaimTemplates[0];
    for (const claim of claims) {
      expect(claim.retainOnDelete).toBe(true);
      expect(claim.protect).toBe(protect);
      expect(claim.inputs.spec).toEqual(template.spec);
      expect(claim.inputs.metadata.annotations).toEqual({
        "pulumi.com/patchForce": "true",
        "botfleet.io/size-key": "redis.storage",
      });
      expect(sts.dependencies?.filter((urn) => urn.endsWith(`::${claim.name}`))).toHaveLength(1);
    }
  });

  test("stack-facing outputs name the services and secrets", () => {
    expect(result.outputs).toMatchObject({
      host: config.ha ? "" : "redis.botfleet-data.svc.cluster.local",
      clientSecretName: "redis-client",
      authSecretName: "redis-auth",
      headlessServiceName: "redis-headless",
      statefulSetName: "redis",
      masterName: config.ha ? "botfleet" : "",
    });
    if (config.ha) expect(result.outputs.sentinelHost).toBe("redis-sentinel.botfleet-data.svc.cluster.local");
    else expect(result.outputs.sentinelHost).toBeUndefined();
  });
});

test("a rotated Redis credential: the Secrets carry the new password, users.acl accepts the new and the previous", async () => {
  const rotated = await run(redisSchema.parse({ ha: true }), "prod", false, {
    "redis-replication": 2,
    "redis-bot/a": 1,
  });
  const data = (name: string) => named(rotated.resources, "Secret", name).inputs.stringData as Any;
  const acl: string = data("redis-auth")["users.acl"];
  expect(data("redis-auth")["replication-password"]).toBe(derived("redis-replication", 2));
  expect(acl).toContain(
    `user replication on ${passwordHash(derived("redis-replication", 2))} ${passwordHash(derived("redis-replication", 1))} `,
  );
  expect(acl).not.toContain(passwordHash(derived("redis-replication", 0)));
  expect(data("redis-client-a").password).toBe(derived("redis-bot/a", 1));
  expect(acl).toContain(
    `user bot-a on ${passwordHash(derived("redis-bot/a", 1))} ${passwordHash(derived("redis-bot/a", 0))} `,
  );
  // Not rotated: one password.
  expect(acl).toMatch(new RegExp(`user bot-b on ${passwordHash(derived("redis-bot/b"))} resetchannels`));
});
