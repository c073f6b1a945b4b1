/** Quotas too small for the fleet are refused before anything is created, naming the key to raise. */
import { ConfigError } from "../config";
import type { Inventory } from "../lib/capacity";
import { namespaceDemand, quotaProblems } from "../lib/quota";
import { readStackFile } from "../lib/stackfile";
import { REPO, runConfig } from "./support/stacks";

const pod = (cpuMillis: number, memoryBytes: number, memoryLimitBytes = memoryBytes) => ({
  requests: { cpuMillis, memoryBytes },
  limits: { cpuMillis: 0, memoryBytes: memoryLimitBytes },
  withoutCpuLimit: 1,
  withoutMemoryLimit: 0,
});
const GiB = 2 ** 30;

const inventory: Inventory = {
  workloads: [
    {
      kind: "StatefulSet",
      namespace: "bots",
      name: "t",
      podsMin: 1,
      podsMax: 1,
      perNode: false,
      pod: pod(500, GiB),
      source: "manifest",
    },
    {
      kind: "Deployment",
      namespace: "bots",
      name: "api",
      podsMin: 2,
      podsMax: 4,
      perNode: false,
      pod: pod(250, GiB / 2),
      source: "manifest",
    },
    {
      kind: "DaemonSet",
      namespace: "mon",
      name: "node-exporter",
      podsMin: 1,
      podsMax: 1,
      perNode: true,
      pod: pod(100, GiB / 4),
      source: "estimate",
    },
  ],
  volumes: [{ namespace: "bots", name: "state", bytes: 5 * GiB, count: 3, source: "manifest" }],
  loadBalancers: [],
  unreadable: [],
};

test("per-namespace demand counts HPAs at max, DaemonSets per node, claims per replica", () => {
  const d = namespaceDemand(inventory, 5);
  expect(d.get("bots")).toEqual({
    cpuMillis: 1500,
    memoryBytes: 3 * GiB,
    memoryLimitBytes: 3 * GiB,
    pods: 5,
    storageBytes: 15 * GiB,
    claims: 3,
  });
  expect(d.get("mon")).toMatchObject({ cpuMillis: 500, pods: 5 });
  expect(namespaceDemand(inventory, undefined).get("mon")).toMatchObject({ cpuMillis: 0, pods: 0 });
});

test("every exceeded quota is named with the key, the need and the limit", () => {
  const quota = {
    requestsCpu: "1",
    requestsMemory: "2Gi",
    limitsMemory: "2Gi",
    storage: "10Gi",
    pods: 4,
    persistentVolumeClaims: 2,
  };
  const roomy = {
    requestsCpu: "8",
    requestsMemory: "16Gi",
    limitsMemory: "32Gi",
    storage: "100Gi",
    pods: 100,
    persistentVolumeClaims: 10,
  };
  const platform = {
    namespaces: { bots: "bots", data: "data", monitoring: "mon", nodeExporter: "ne" },
    quotas: { bots: quota, data: roomy, monitoring: roomy, nodeExporter: roomy },
    containerDefaults: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  };
  const key = "botfleet:platform.quotas.bots";
  const tail = "raise it or shrink the fleet";
  expect(quotaProblems(inventory, platform, 5)).toEqual([
    `${key}.requestsCpu: namespace bots needs 1.5 vCPU of requests (HPAs at max), more than the quota's 1; ${tail}`,
    `${key}.requestsMemory: namespace bots needs 3.0 GiB of memory requests (HPAs at max), more than the quota's 2Gi; ${tail}`,
    `${key}.limitsMemory: namespace bots needs 3.0 GiB of memory limits (HPAs at max), more than the quota's 2Gi; ${tail}`,
    `${key}.pods: namespace bots needs 5 pods (HPAs at max), more than the quota's 4; ${tail}`,
    `${key}.storage: namespace bots needs 15.0 GiB of volumes (HPAs at max), more than the quota's 10Gi; ${tail}`,
    `${key}.persistentVolumeClaims: namespace bots needs 3 volume claims (HPAs at max), more than the quota's 2; ${tail}`,
  ]);
  expect(
    quotaProblems(
      inventory,
      { ...platform, quotas: { bots: roomy, data: roomy, monitoring: roomy, nodeExporter: roomy } },
      5,
    ),
  ).toEqual([]);
});

test("the program refuses a stack whose quota cannot hold its fleet", async () => {
  const config = readStackFile(REPO, "local");
  const platform = config["botfleet:platform"] as { quotas: Record<string, Record<string, unknown>> };
  const tight = { ...platform, quotas: { ...platform.quotas, data: { ...platform.quotas.data, pods: 1 } } };
  const run = runConfig("local", { ...config, "botfleet:platform": tight });
  await expect(run).rejects.toBeInstanceOf(ConfigError);
  await expect(run).rejects.toThrow(
    /botfleet:platform\.quotas\.data\.pods: namespace botfleet-data needs \d+ pods \(HPAs at max\), more than the quota's 1/,
  );
});
