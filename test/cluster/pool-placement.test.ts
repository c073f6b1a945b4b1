/**
 * Pools serve workload classes (cluster.pools[].role, dedicated): the prod stack under the mock engine
 * puts Redis and Postgres on the data pool and the bots on the bots pool, taints only the dedicated pool,
 * lets exactly its class tolerate the taint, and the capacity model places every pod where its selector
 * and tolerations let the scheduler place it.
 */
import { clusterSchema } from "../../config/cluster";
import { RELEVANT_TYPES, assessCapacity, inventoryOf } from "../../lib/capacity";
import { eligiblePools } from "../../lib/capacity/placement";
import { type JsonObject, type RegisteredResource } from "../../lib/mockrun";
import { readStackFile } from "../../lib/stackfile";
import { REPO, runConfig, runStackFile, type StackRun } from "../support/stacks";

const ROLE = "botfleet.io/role";
const DATA_TOLERATION = { key: ROLE, operator: "Equal", value: "data", effect: "NoSchedule" };

const POD_KINDS: Record<string, string[]> = {
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Every pod template the run registered: `namespace/name` and its pod spec. */
function podSpecs(run: StackRun): { id: string; namespace: string; spec: JsonObject }[] {
  return run.resources.flatMap((r: RegisteredResource) => {
    const path = POD_KINDS[r.type];
    if (path === undefined) return [];
    const spec = path.reduce<JsonObject>((v, k) => v?.[k], r.inputs);
    const ns = r.inputs.metadata.namespace as string;
    return [{ id: `${ns}/${r.inputs.metadata.name}`, namespace: ns, spec }];
  });
}

function recomputed(stack: string, run: StackRun, clusterRaw: unknown) {
  const recorded = run.resources
    .filter((x) => RELEVANT_TYPES.has(x.type))
    .map((x) => ({ type: x.type, name: x.name, props: x.inputs }));
  return assessCapacity({ stack, cluster: clusterSchema.parse(clusterRaw) }, inventoryOf(recorded));
}

describe("prod: a bots pool and a dedicated data pool", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStackFile("prod");
  }, 120_000);

  test("the node pools carry their role label, and only the dedicated data pool the role taint", () => {
    const pools = run.resources.filter(
      (r) => r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
    );
    const byName = Object.fromEntries(pools.map((p) => [p.inputs.name, p.inputs]));
    expect(Object.keys(byName).sort()).toEqual(["bots", "data"]);
    expect(byName.bots.labels).toMatchObject({ [ROLE]: "bots", "botfleet.io/pool": "bots" });
    expect(byName.bots.taints ?? []).toEqual([]);
    expect(byName.data.labels).toMatchObject({ [ROLE]: "data", "botfleet.io/pool": "data" });
    expect(byName.data.taints).toEqual([{ key: ROLE, value: "data", effect: "NoSchedule" }]);
  });

  test("Redis, Postgres and the backup select the data pool and tolerate its taint; bots select the bots pool", () => {
    const specs = podSpecs(run);
    const data = specs.filter((s) => s.namespace === "botfleet-data");
    const bots = specs.filter((s) => s.namespace === "botfleet-bots");
    expect(data.map((s) => s.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/redis/), expect.stringMatching(/postgres/)]),
    );
    expect(data.some((s) => s.id.includes("backup"))).toBe(true);
    for (const s of data) {
      expect([s.id, s.spec.nodeSelector]).toEqual([s.id, { [ROLE]: "data" }]);
      expect([s.id, s.spec.tolerations]).toEqual([s.id, [DATA_TOLERATION]]);
    }
    expect(bots.length).toBeGreaterThanOrEqual(5);
    for (const s of bots) {
      expect([s.id, s.spec.nodeSelector]).toEqual([s.id, { [ROLE]: "bots" }]);
      // The bots pool is not dedicated: nothing to tolerate.
      expect([s.id, s.spec.tolerations]).toEqual([s.id, undefined]);
    }
  });

  test("the data taint is tolerated by exactly the data class; node-exporter tolerates every taint", () => {
    const tolerating = podSpecs(run)
      .filter((s) => JSON.stringify(s.spec.tolerations ?? []).includes(ROLE))
      .map((s) => s.namespace);
    expect(new Set(tolerating)).toEqual(new Set(["botfleet-data"]));
    const kps = run.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack",
    )!;
    const values = kps.inputs.values as JsonObject;
    expect(values["prometheus-node-exporter"].tolerations).toEqual([{ operator: "Exists" }]);
    // No monitoring pool in prod: the chart's pods select nothing and tolerate nothing.
    expect(values.prometheus.prometheusSpec.nodeSelector).toBeUndefined();
    expect(values.grafana.tolerations).toBeUndefined();
  });

  test("the capacity model places each class on its pools, as the selectors do", () => {
    const report = recomputed("prod", run, readStackFile(REPO, "prod")["botfleet:cluster"]);
    const names = report.pools.map((p) => p.name);
    expect(names).toEqual(["system", "bots", "data"]);
    const where = (w: { placement?: Parameters<typeof eligiblePools>[0] }) =>
      eligiblePools(w.placement, report.pools).map((i) => names[i]);
    const placed = report.inventory.workloads.filter((w) => !w.perNode);
    for (const w of placed.filter((w) => w.namespace === "botfleet-data"))
      expect([w.name, where(w)]).toEqual([w.name, ["data"]]);
    for (const w of placed.filter((w) => w.namespace === "botfleet-bots"))
      expect([w.name, where(w)]).toEqual([w.name, ["bots"]]);
    // Unselected pods (monitoring) stay off the tainted data pool.
    for (const w of placed.filter((w) => w.namespace === "botfleet-monitoring"))
      expect([w.name, where(w)]).toEqual([w.name, ["system", "bots"]]);
    // node-exporter runs on every pool: each node pays for it.
    const nodeExporter = report.inventory.workloads.find((w) => w.perNode)!;
    expect(where(nodeExporter)).toEqual(["system", "bots", "data"]);
    expect(report.problems).toEqual([]);
  });
});

describe("a data layer that does not fit the data pool", () => {
  test("is refused naming the data pool, though the bots pool is empty", async () => {
    const config = readStackFile(REPO, "prod");
    const cluster = config["botfleet:cluster"] as JsonObject;
    const small = {
      ...config,
      "botfleet:bots": [],
      "botfleet:cluster": {
        ...cluster,
        pools: [
          { name: "bots", role: "bots", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 6 },
          { name: "data", role: "data", dedicated: true, size: "s-2vcpu-4gb", minNodes: 1, maxNodes: 1 },
        ],
      },
    };
    await expect(runConfig("prod", small)).rejects.toThrow(
      /the pods that run only on pool data \(StatefulSet botfleet-data\/[^)]*postgres[^)]*\) need .* but pool data gives at most .* at max nodes \(data: 1 x s-2vcpu-4gb\); raise pools\[1\]\.maxNodes to \d+/,
    );
  }, 120_000);

  test("without roles the same pools take the data layer anywhere, and it fits", async () => {
    const config = readStackFile(REPO, "prod");
    const cluster = config["botfleet:cluster"] as JsonObject;
    const run = await runConfig("prod", {
      ...config,
      "botfleet:bots": [],
      "botfleet:cluster": {
        ...cluster,
        pools: [
          { name: "bots", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 6 },
          { name: "data", size: "s-2vcpu-4gb", minNodes: 1, maxNodes: 1 },
        ],
      },
    });
    const sts = podSpecs(run).filter((s) => s.namespace === "botfleet-data");
    expect(sts.every((s) => s.spec.nodeSelector === undefined && s.spec.tolerations === undefined)).toBe(
      true,
    );
    expect((run.outputs.capacity as JsonObject).verdict).not.toBe("cannot-fit");
  }, 120_000);
});

describe("Linode: LkeNodePool labels and taints", () => {
  test("a dedicated monitoring pool is labelled and tainted; the chart's pods select it and tolerate it", async () => {
    const config = readStackFile(REPO, "dev-lke");
    const cluster = config["botfleet:cluster"] as JsonObject;
    const run = await runConfig("dev-lke", {
      ...config,
      "botfleet:cluster": {
        ...cluster,
        pools: [
          ...(cluster.pools as JsonObject[]),
          {
            name: "mon",
            role: "monitoring",
            dedicated: true,
            size: "g6-standard-4",
            minNodes: 1,
            maxNodes: 1,
          },
        ],
      },
    });
    const pools = run.resources.filter((r) => r.type === "linode:index/lkeNodePool:LkeNodePool");
    const mon = pools.find((p) => p.inputs.labels["botfleet.io/pool"] === "mon")!;
    expect(mon.inputs.labels[ROLE]).toBe("monitoring");
    expect(mon.inputs.taints).toEqual([{ key: ROLE, value: "monitoring", effect: "NoSchedule" }]);
    const kps = run.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack",
    )!;
    const v = kps.inputs.values as JsonObject;
    const placement = {
      nodeSelector: { [ROLE]: "monitoring" },
      tolerations: [{ key: ROLE, operator: "Equal", value: "monitoring", effect: "NoSchedule" }],
    };
    for (const at of [
      v.prometheus.prometheusSpec,
      v.alertmanager.alertmanagerSpec,
      v.grafana,
      v.prometheusOperator,
      v["kube-state-metrics"],
    ])
      expect(at).toMatchObject(placement);
    // The model reads the same values: Prometheus may only use the monitoring pool.
    const report = recomputed(
      "dev-lke",
      run,
      run.stack.values["botfleet:cluster"] ? JSON.parse(run.stack.values["botfleet:cluster"]) : cluster,
    );
    const prom = report.inventory.workloads.find((w) => w.name.endsWith("-prometheus"))!;
    expect(eligiblePools(prom.placement, report.pools).map((i) => report.pools[i].name)).toEqual(["mon"]);
  }, 120_000);
});
