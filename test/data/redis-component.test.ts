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

async function run(config: RedisConfig, environment: Environment, protect: boolean) {
  let outputs: Record<string, unknown> = {};
  const result: ProgramRun = await runProgram(
    { stack: "redis-test", values: {}, secretKeys: new Set(), env: {}, fakeSecrets: [] },
    () => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const credentials = testCredentials();
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

  test("the derived password reaches only the two Secrets, always as a Pulumi secret", () => {
    const password = derived("redis");
    for (const r of result.resources) {
      const plain = JSON.stringify(r.inputs);
      if (r.type !== "kubernetes:core/v1:Secret") expect(plain).not.toContain(password);
      expect(JSON.stringify(r.redacted)).not.toContain(password);
    }
    for (const name of ["redis-auth", "redis-client"]) {
      const secret = named(result.resources, "Secret", name);
      expect((secret.inputs.stringData as Any).password).toBe(password);
      // The Kubernetes SDK marks all of stringData secret.
      expect(secret.redacted.stringData).toBe(REDACTED);
    }
  });

  test("redis-client lives in the bots namespace with the contract keys", () => {
    const client = named(result.resources, "Secret", "redis-client");
    expect((client.inputs.metadata as Any).namespace).toBe("botfleet-bots");
    expect(Object.keys(client.inputs.stringData as Any).sort()).toEqual([
      "host",
      "masterName",
      "password",
      "port",
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
