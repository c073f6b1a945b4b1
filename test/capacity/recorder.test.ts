/**
 * The in-program capacity check under Pulumi's mock engine, around the real `program()` plus bots,
 * Redis and kube-prometheus-stack: fits / needs autoscaling / cannot fit, and the numbers it checks
 * are the ones the engine received.
 */
import { generateBots } from "../../bench/fleet";
import { fleetProgram, withParts, type FleetParts } from "../../bench/harness";
import { CapacityError } from "../../components/capacity";
import { clusterSchema } from "../../config/cluster";
import { RELEVANT_TYPES, assessCapacity, inventoryOf } from "../../lib/capacity";
import { runProgram, type ProgramRun } from "../../lib/mockrun";
import { loadStack, readStackFile } from "../../lib/stackfile";
import { REPO } from "../support/stacks";

/** Paper freqtrade traders only: 250m CPU and 512Mi each (PRESET_RESOURCES). */
const freqtradeOnly = (n: number) =>
  generateBots(n, { serviceEvery: 0, scheduledEvery: 0, hummingbotEvery: 0 });
/** Paper freqtrade traders asking for 1 vCPU and 2Gi each. */
const bigTraders = (n: number) =>
  freqtradeOnly(n).map((b) => ({ ...b, resources: { requests: { cpu: "1", memory: "2Gi" } } }));

const DATA: FleetParts = { redis: {}, monitoring: {} };

async function run(
  stack: string,
  parts: FleetParts,
  override: Record<string, unknown> = {},
): Promise<ProgramRun> {
  const config = withParts({ ...readStackFile(REPO, stack), ...override }, parts);
  return runProgram(loadStack(stack, config), fleetProgram());
}

/** The report recomputed from what the mock engine received (inputs), not from the transformation. */
function fromEngine(stack: string, r: ProgramRun, clusterRaw: unknown) {
  const recorded = r.resources
    .filter((x) => RELEVANT_TYPES.has(x.type))
    .map((x) => ({ type: x.type, name: x.name, props: x.inputs }));
  return assessCapacity({ stack, cluster: clusterSchema.parse(clusterRaw) }, inventoryOf(recorded));
}

const devCluster = () => readStackFile(REPO, "dev")["botfleet:cluster"] as Record<string, unknown>;

describe("capacity check around the whole program (dev: 1 x s-2vcpu-4gb + 1-3 x s-4vcpu-8gb)", () => {
  test("a small fleet fits at min nodes: no warning, outputs carry the verdict and the cost", async () => {
    const r = await run("dev", { ...DATA, bots: freqtradeOnly(2) });
    expect(r.error).toBeUndefined();
    // 2 traders, the data layer (Redis, and Postgres once wired), Prometheus, Alertmanager, Grafana,
    // operator, kube-state-metrics: at least 8 pods, and exactly what the engine received.
    const pods = (r.outputs.capacity as { requests: { min: { pods: number } } }).requests.min.pods;
    expect(pods).toBeGreaterThanOrEqual(8);
    expect(pods).toBe(fromEngine("dev", r, devCluster()).requests.min.pods);
    expect(r.warnings.filter((w) => w.includes("capacity") || w.includes("the fleet needs"))).toEqual([]);
    const capacity = r.outputs.capacity as Record<string, unknown>;
    expect(capacity.verdict).toBe("fits");
    expect(capacity.monthlyUsd).toEqual({ min: expect.any(Number), max: expect.any(Number) });
    // Same numbers as recomputed from the inputs the engine received.
    const engine = fromEngine("dev", r, devCluster());
    expect(engine.verdict).toBe("fits");
    expect((capacity.requests as { min: unknown }).min).toEqual({
      cpu: Number((engine.requests.min.cpuMillis / 1000).toFixed(1)),
      memoryGiB: Number((engine.requests.min.memoryBytes / 2 ** 30).toFixed(1)),
      pods: engine.requests.min.pods,
      volumes: engine.requests.min.volumes,
    });
  });

  test("what the transformation saw equals what the engine received, workload by workload", async () => {
    const r = await run("dev", { ...DATA, bots: generateBots(20, { scheduledEvery: 10 }) });
    expect(r.error).toBeUndefined();
    const engine = fromEngine("dev", r, devCluster());
    const kinds = engine.inventory.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`);
    // 20 bots: 18 traders + the MQTT broker, 1 service with an HPA, 1 scheduled; the data layer; the chart.
    expect(kinds.filter((k) => k.startsWith("StatefulSet botfleet-bots/"))).toHaveLength(18 + 1);
    expect(kinds.filter((k) => k.startsWith("Deployment botfleet-bots/"))).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith("CronJob botfleet-bots/"))).toHaveLength(1);
    expect(kinds).toContain("StatefulSet botfleet-data/redis");
    // node-exporter runs in its own privileged namespace; the CRD upgrade hook counts in monitoring's.
    expect(kinds).toContain("DaemonSet botfleet-node-exporter/kps-node-exporter");
    expect(kinds).toContain("Job botfleet-monitoring/kps-crds-upgrade");
    // The service's HPA needs metrics-server, whose chart renders one more Deployment.
    expect(kinds).toContain("Deployment botfleet-metrics-server/metrics-server");
    const service = engine.inventory.workloads.find(
      (w) => w.kind === "Deployment" && w.namespace === "botfleet-bots",
    )!;
    expect([service.podsMin, service.podsMax]).toEqual([2, 4]);
    // The recorder's outputs equal the numbers recomputed from the engine's inputs.
    const capacity = r.outputs.capacity as Record<string, unknown>;
    expect(capacity.verdict).toBe(engine.verdict);
    expect(capacity.verdict).toBe("needs-autoscaling");
    const amount = (a: { cpuMillis: number; memoryBytes: number; pods: number; volumes: number }) => ({
      cpu: Number((a.cpuMillis / 1000).toFixed(1)),
      memoryGiB: Number((a.memoryBytes / 2 ** 30).toFixed(1)),
      pods: a.pods,
      volumes: a.volumes,
    });
    expect(capacity.requests).toEqual({ min: amount(engine.requests.min), max: amount(engine.requests.max) });
    expect(engine.requests.max.pods - engine.requests.min.pods).toBe(2); // the HPA's 2 -> 4
  });

  test("a bigger fleet needs the autoscaler: the program deploys with a warning", async () => {
    const r = await run("dev", { ...DATA, bots: freqtradeOnly(16) });
    expect(r.error).toBeUndefined();
    expect((r.outputs.capacity as { verdict: string }).verdict).toBe("needs-autoscaling");
    const warning = r.warnings.find((w) => w.startsWith("botfleet: the fleet needs"));
    // 16 traders' state, Redis, Postgres, Prometheus, Alertmanager and Grafana: 21 volumes, 7 per DOKS node.
    expect(warning).toMatch(
      /with HPAs at max\) and 21 volume attachments but .* allocatable and 14 volume attachments \(7 per node\) at min nodes \(system: 1 x s-2vcpu-4gb, bots: 1 x s-4vcpu-8gb\); the cluster autoscaler must add nodes \(at most .* and 28 volume attachments at max nodes\)$/,
    );
  });

  test("30 small traders with volumes: CPU and memory would fit, their volumes cannot attach", async () => {
    const small = freqtradeOnly(30).map((b) => ({
      ...b,
      resources: { requests: { cpu: "50m", memory: "128Mi" } },
    }));
    const r = await run("dev", { ...DATA, bots: small });
    expect(r.error).toBeInstanceOf(CapacityError);
    // dev's bots pool has role bots: the 30 traders' state volumes go there alone, and its 3 DOKS nodes
    // attach 21 (Redis, Postgres, Prometheus, Alertmanager and Grafana may also use the system node).
    expect(r.error!.message).toBe(
      "botfleet: the pods that run only on pool bots (StatefulSet botfleet-bots/ft-00000, StatefulSet botfleet-bots/ft-00001, StatefulSet botfleet-bots/ft-00002 and 27 more) need 30 volume attachments but pool bots attaches at most 21 (7 per node) at max nodes (bots: 3 x s-4vcpu-8gb); raise pools[0].maxNodes to 5",
    );
  });

  test("a fleet that cannot fit even at max fails the program, naming the shortfall and the fix", async () => {
    const r = await run("dev", { ...DATA, bots: bigTraders(14) });
    expect(r.error).toBeInstanceOf(CapacityError);
    const message = r.error!.message;
    expect(message).toMatch(
      /^botfleet: the pods that run only on pool bots \(StatefulSet botfleet-bots\/ft-00000, .* and 11 more\) need \d+\.\d vCPU of requests but pool bots gives at most \d+\.\d vCPU allocatable, and \d+\.\d GiB of memory requests but pool bots gives at most \d+\.\d GiB allocatable at max nodes \(bots: 3 x s-4vcpu-8gb\); raise pools\[0\]\.maxNodes to (\d+) or use a larger size$/,
    );
    // Following the advice makes the same fleet fit the pools; the bots namespace's default quota is
    // then the next limit, and raising it too makes the fleet deployable.
    const maxNodes = Number(/maxNodes to (\d+)/.exec(message)![1]);
    const cluster = devCluster();
    const pools = cluster.pools as Record<string, unknown>[];
    const biggerPool = { "botfleet:cluster": { ...cluster, pools: [{ ...pools[0], maxNodes }] } };
    const overQuota = await run("dev", { ...DATA, bots: bigTraders(14) }, biggerPool);
    expect(overQuota.error?.message).toMatch(
      /botfleet:platform\.quotas\.bots\.requestsCpu: namespace botfleet-bots needs/,
    );
    const roomyQuota = {
      quotas: {
        bots: {
          requestsCpu: "32",
          requestsMemory: "64Gi",
          limitsMemory: "128Gi",
          storage: "500Gi",
          pods: 100,
          persistentVolumeClaims: 60,
        },
      },
    };
    const fixed = await run(
      "dev",
      { ...DATA, bots: bigTraders(14) },
      { ...biggerPool, "botfleet:platform": roomyQuota },
    );
    expect(fixed.error).toBeUndefined();
    expect((fixed.outputs.capacity as { verdict: string }).verdict).toBe("needs-autoscaling");
  });

  test("Linode dev-lke: same check with LKE sizes", async () => {
    const r = await run("dev-lke", { ...DATA, bots: bigTraders(14) });
    expect(r.error?.message).toMatch(
      /pool bots gives at most .* at max nodes \(bots: 3 x g6-standard-4\); raise pools\[0\]\.maxNodes to \d+/,
    );
  });

  test("an existing cluster reports requests only and never fails the capacity check", async () => {
    // Quotas still apply on an existing cluster: give this fleet room.
    const roomy = {
      requestsCpu: "64",
      requestsMemory: "128Gi",
      limitsMemory: "256Gi",
      storage: "1Ti",
      pods: 200,
      persistentVolumeClaims: 100,
    };
    const platform = { "botfleet:platform": { quotas: { bots: roomy, data: roomy, monitoring: roomy } } };
    const r = await run("local", { ...DATA, bots: bigTraders(14) }, platform);
    expect(r.error).toBeUndefined();
    const capacity = r.outputs.capacity as Record<string, unknown>;
    expect(capacity.verdict).toBe("unknown");
    expect(capacity.monthlyUsd).toBeUndefined();
    // 14 traders, the data layer and the five chart pods (no DaemonSets in the fleet totals).
    const engine = fromEngine("local", r, { provider: "existing" });
    expect(engine.inventory.workloads.filter((w) => w.namespace === "botfleet-bots")).toHaveLength(14);
    expect(capacity.requests).toMatchObject({ min: { pods: engine.requests.min.pods } });
    expect(engine.requests.min.pods).toBeGreaterThanOrEqual(14 + 1 + 5);
    expect((capacity.requests as { min: { cpu: number } }).min.cpu).toBeGreaterThan(14);
  });
});
