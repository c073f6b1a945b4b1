/** The pure capacity and cost model: quantities, pod arithmetic, node reservations, verdicts, prices. */
import { z } from "zod";
import { costsSchema } from "../../config/costs";
import { monitoringSchema } from "../../config/monitoring";
import { buildHelmValues } from "../../components/monitoring/values";
import { metricsServerValues } from "../../components/metrics-server/values";
import { platformSchema } from "../../config/platform";
import {
  assessCapacity,
  capacityFromRun,
  capacityMarkdown,
  capacityOutputs,
  costSvg,
  cpuMillis,
  estimateCost,
  inventoryOf,
  kubePrometheusStack,
  metricsServerChart,
  nodeAllocatable,
  parseQuantity,
  podResources,
  type Inventory,
  type RecordedResource,
  type WorkloadDemand,
} from "../../lib/capacity";
import { DEV_DO, cluster } from "./clusters";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const container = (cpu: string, memory: string, extra: Record<string, unknown> = {}) => ({
  name: "c",
  image: "x:1",
  resources: { requests: { cpu, memory }, limits: { memory } },
  ...extra,
});

/** A trader-like StatefulSet with one container. */
const statefulSet = (name: string, cpu: string, memory: string, replicas = 1): RecordedResource => ({
  type: "kubernetes:apps/v1:StatefulSet",
  name,
  props: {
    metadata: { name, namespace: "botfleet-bots" },
    spec: {
      replicas,
      template: { spec: { containers: [container(cpu, memory)] } },
      volumeClaimTemplates: [
        { metadata: { name: "state" }, spec: { resources: { requests: { storage: "5Gi" } } } },
      ],
    },
  },
});

describe("quantities", () => {
  test.each([
    ["500m", 0.5],
    ["2", 2],
    ["0.25", 0.25],
    ["1Gi", GiB],
    ["512Mi", 512 * MiB],
    ["1G", 1e9],
    ["1e3", 1000],
    ["1.5Ki", 1536],
    [3, 3],
  ])("%s", (q, expected) => expect(parseQuantity(q)).toBeCloseTo(expected, 9));
  test.each(["", "abc", "1Xi", "--1", undefined, null, {}])("unreadable %p", (q) =>
    expect(parseQuantity(q)).toBeUndefined(),
  );
  test("CPU in millicores", () => {
    expect(cpuMillis("250m")).toBe(250);
    expect(cpuMillis("1.5")).toBe(1500);
  });
});

describe("pod requests as Kubernetes counts them", () => {
  test("app containers add up; an init container counts only if larger (max(init, sum(app)))", () => {
    const pod = podResources({
      containers: [container("100m", "128Mi"), container("200m", "256Mi")],
      initContainers: [container("500m", "64Mi")],
    });
    expect(pod.requests).toEqual({ cpuMillis: 500, memoryBytes: 384 * MiB });
    expect(pod.limits.memoryBytes).toBe(384 * MiB);
    expect(pod.withoutCpuLimit).toBe(3);
    expect(pod.withoutMemoryLimit).toBe(0);
  });
  test("a sidecar (init with restartPolicy Always) runs alongside later inits and the app", () => {
    const pod = podResources({
      initContainers: [container("50m", "32Mi", { restartPolicy: "Always" }), container("100m", "512Mi")],
      containers: [container("100m", "128Mi")],
    });
    // cpu: max(100 + 50, 100 + 50) = 150; memory: max(128 + 32, 512 + 32) = 544Mi
    expect(pod.requests).toEqual({ cpuMillis: 150, memoryBytes: 544 * MiB });
  });
  test("an unset request defaults to the limit, and pod overhead is added", () => {
    const pod = podResources({
      containers: [{ name: "c", resources: { limits: { cpu: "1", memory: "1Gi" } } }],
      overhead: { cpu: "250m", memory: "120Mi" },
    });
    expect(pod.requests).toEqual({ cpuMillis: 1250, memoryBytes: GiB + 120 * MiB });
  });
  test("no resources at all is zero, not an error", () => {
    expect(podResources({ containers: [{ name: "c" }] }).requests).toEqual({ cpuMillis: 0, memoryBytes: 0 });
  });
});

describe("inventory from rendered resources", () => {
  const resources: RecordedResource[] = [
    statefulSet("trader-a", "500m", "1Gi"),
    statefulSet("trader-stopped", "500m", "1Gi", 0),
    {
      type: "kubernetes:apps/v1:Deployment",
      name: "svc",
      props: {
        metadata: { name: "signal-api", namespace: "botfleet-bots" },
        spec: { template: { spec: { containers: [container("100m", "128Mi")] } } },
      },
    },
    {
      type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
      name: "hpa",
      props: {
        metadata: { name: "signal-api", namespace: "botfleet-bots" },
        spec: { scaleTargetRef: { kind: "Deployment", name: "signal-api" }, minReplicas: 2, maxReplicas: 5 },
      },
    },
    {
      type: "kubernetes:batch/v1:CronJob",
      name: "cron",
      props: {
        metadata: { name: "download", namespace: "botfleet-bots" },
        spec: { jobTemplate: { spec: { template: { spec: { containers: [container("250m", "512Mi")] } } } } },
      },
    },
    {
      type: "kubernetes:batch/v1:CronJob",
      name: "cron-off",
      props: {
        metadata: { name: "paused", namespace: "botfleet-bots" },
        spec: {
          suspend: true,
          jobTemplate: { spec: { template: { spec: { containers: [container("250m", "512Mi")] } } } },
        },
      },
    },
    {
      type: "kubernetes:apps/v1:DaemonSet",
      name: "ds",
      props: {
        metadata: { name: "agent", namespace: "botfleet-monitoring" },
        spec: { template: { spec: { containers: [container("50m", "64Mi")] } } },
      },
    },
    {
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      name: "pvc",
      props: {
        metadata: { name: "backup", namespace: "botfleet-data" },
        spec: { resources: { requests: { storage: "1.5Gi" } } },
      },
    },
    {
      type: "kubernetes:core/v1:Service",
      name: "lb",
      props: { metadata: { name: "ingress", namespace: "ingress" }, spec: { type: "LoadBalancer" } },
    },
    {
      type: "kubernetes:core/v1:Service",
      name: "cip",
      props: { metadata: { name: "internal", namespace: "x" }, spec: { type: "ClusterIP" } },
    },
  ];
  const inv = inventoryOf(resources);
  const byName = (n: string) => inv.workloads.find((w) => w.name === n) as WorkloadDemand;

  test("replicas, HPA min/max, CronJob while it runs, suspended and stopped count 0, DaemonSet per node", () => {
    expect([byName("trader-a").podsMin, byName("trader-a").podsMax]).toEqual([1, 1]);
    expect([byName("trader-stopped").podsMin, byName("trader-stopped").podsMax]).toEqual([0, 0]);
    expect([byName("signal-api").podsMin, byName("signal-api").podsMax]).toEqual([2, 5]);
    expect(byName("signal-api").note).toBe("HPA 2-5");
    expect(byName("download").podsMin).toBe(1);
    expect(byName("paused").podsMin).toBe(0);
    expect(byName("agent").perNode).toBe(true);
  });
  test("volumes: claim templates per replica (a stopped trader keeps its claim) and standalone PVCs", () => {
    expect(inv.volumes.map((v) => [v.name, v.bytes / GiB, v.count])).toEqual([
      ["state-trader-a", 5, 1],
      ["state-trader-stopped", 5, 1],
      ["backup", 1.5, 1],
    ]);
    expect(inv.loadBalancers).toEqual(["ingress/ingress"]);
    expect(inv.unreadable).toEqual([]);
  });
  test("a computed Output where a resource quantity should be is reported, not silently zero", () => {
    const output = { __pulumiOutput: true };
    const withOutput = inventoryOf([
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "d",
        props: {
          metadata: { name: "d", namespace: "n" },
          spec: {
            template: { spec: { containers: [{ name: "c", resources: { requests: { cpu: output } } }] } },
          },
        },
      },
    ]);
    expect(withOutput.unreadable).toEqual(["Deployment n/d"]);
  });
});

describe("kube-prometheus-stack pods from the values the program sets", () => {
  const values = buildHelmValues({
    config: monitoringSchema.parse({}),
    environment: "dev",
    namespace: "botfleet-monitoring",
    nodeExporterNamespace: "botfleet-node-exporter",
  });
  const kps = kubePrometheusStack("botfleet-monitoring", "kps", values);
  const w = (n: string) => kps.workloads.find((x) => x.name === `kps-${n}`) as WorkloadDemand;

  test("Prometheus and Alertmanager use the program's requests plus the operator's config reloader", () => {
    expect(w("prometheus").pod.requests).toEqual({ cpuMillis: 510, memoryBytes: 2 * GiB + 50 * MiB });
    expect(w("prometheus").source).toBe("estimate"); // the reloader part is the operator's default
    expect(w("alertmanager").pod.requests).toEqual({ cpuMillis: 60, memoryBytes: 178 * MiB });
  });
  test("operator and kube-state-metrics from values; Grafana adds two estimated sidecars; node-exporter per node", () => {
    expect(w("operator").pod.requests).toEqual({ cpuMillis: 100, memoryBytes: 128 * MiB });
    expect(w("operator").source).toBe("chart values");
    expect(w("kube-state-metrics").pod.requests).toEqual({ cpuMillis: 50, memoryBytes: 128 * MiB });
    expect(w("grafana").pod.requests).toEqual({ cpuMillis: 120, memoryBytes: 384 * MiB });
    expect(w("node-exporter").perNode).toBe(true);
    expect(w("node-exporter").pod.requests).toEqual({ cpuMillis: 102, memoryBytes: 180 * MiB });
  });
  test("volumes from storageSpec, alertmanager storage and Grafana persistence", () => {
    expect(kps.volumes.map((v) => [v.name, v.bytes / GiB])).toEqual([
      ["kps-prometheus", 50],
      ["kps-alertmanager", 5],
      ["kps-grafana", 5],
    ]);
  });
  test("a disabled component renders no pod", () => {
    const off = kubePrometheusStack("m", "kps", { ...values, grafana: { enabled: false } });
    expect(off.workloads.map((x) => x.name)).not.toContain("kps-grafana");
  });
});

describe("metrics-server pods from the values the program sets", () => {
  const values = metricsServerValues(platformSchema.parse({}).metricsServer);

  test("one pod with the program's requests and memory limit", () => {
    expect(metricsServerChart("botfleet-metrics-server", "metrics-server", values)).toEqual({
      kind: "Deployment",
      namespace: "botfleet-metrics-server",
      name: "metrics-server",
      podsMin: 1,
      podsMax: 1,
      perNode: false,
      pod: {
        requests: { cpuMillis: 100, memoryBytes: 200 * MiB },
        limits: { cpuMillis: 0, memoryBytes: 400 * MiB },
        withoutCpuLimit: 1,
        withoutMemoryLimit: 0,
      },
      source: "chart values",
      note: "helm chart",
      placement: { nodeSelector: {}, tolerations: [] },
    });
  });

  test("without resources in the values, the chart's own requests; replicas and the addon-resizer count", () => {
    const w = metricsServerChart("ns", "ms", { replicas: 2, addonResizer: { enabled: true } });
    expect([w.podsMin, w.podsMax, w.source]).toEqual([2, 2, "estimate"]);
    expect(w.pod.requests).toEqual({ cpuMillis: 140, memoryBytes: 225 * MiB });
  });

  test("the recorded Release is read into the inventory, in the release's namespace", () => {
    const inv = inventoryOf([
      {
        type: "kubernetes:helm.sh/v3:Release",
        name: "metrics-server-release",
        props: {
          chart: "metrics-server",
          name: "metrics-server",
          namespace: "botfleet-metrics-server",
          values,
        },
      },
    ]);
    expect(inv.workloads.map((x) => [x.namespace, x.name, x.pod.requests.cpuMillis])).toEqual([
      ["botfleet-metrics-server", "metrics-server", 100],
    ]);
  });
});

describe("node allocatable (GKE-style tiers + 100Mi eviction)", () => {
  test.each([
    // size, vCPU, GiB, allocatable millicores, allocatable GiB
    ["s-2vcpu-4gb", 2, 4, 1930, 4 - 1 - 100 / 1024],
    ["s-4vcpu-8gb", 4, 8, 3920, 8 - 1.8 - 100 / 1024],
    ["s-8vcpu-16gb", 8, 16, 7910, 16 - 2.6 - 100 / 1024],
    ["g6-standard-8", 8, 32, 7910, 32 - 2.6 - 16 * 0.06 - 100 / 1024],
    ["s-1vcpu-2gb", 1, 2, 940, 2 - 0.5 - 100 / 1024],
  ])("%s", (_slug, vcpu, memoryGiB, cpu, mem) => {
    const a = nodeAllocatable({ vcpu, memoryGiB });
    expect(a.cpuMillis).toBe(cpu);
    expect(a.memoryBytes / GiB).toBeCloseTo(mem, 6);
  });
});

describe("verdict", () => {
  const fleet = (n: number) =>
    inventoryOf(Array.from({ length: n }, (_, i) => statefulSet(`t${i}`, "500m", "1Gi")));
  // Per node for the fleet: allocatable minus the managed node agents (300m, 400Mi).
  // system s-2vcpu-4gb: 1630m, 2.5117 GiB; bots s-4vcpu-8gb: 3620m, 5.7117 GiB; CoreDNS takes 200m, 140Mi.
  test("fits at min nodes", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, fleet(4));
    expect(r.allocatable?.atMin.cpuMillis).toBe(1630 + 3620 - 200);
    expect(r.allocatable?.atMax.cpuMillis).toBe(1630 + 3 * 3620 - 200);
    expect(r.allocatable!.atMin.memoryBytes / GiB).toBeCloseTo(2.51172 + 5.71172 - 140 / 1024, 4);
    expect(r.verdict).toBe("fits");
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
  test("needs autoscaling: a warning naming min and max", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, fleet(12));
    expect(r.verdict).toBe("needs-autoscaling");
    expect(r.warnings).toEqual([
      "botfleet: the fleet needs 6.0 vCPU and 12.0 GiB of requests (6.0 vCPU and 12.0 GiB with HPAs at max) but the pools give 5.0 vCPU and 8.1 GiB allocatable at min nodes (system: 1 x s-2vcpu-4gb, bots: 1 x s-4vcpu-8gb); the cluster autoscaler must add nodes (at most 12.3 vCPU and 19.5 GiB at max nodes)",
    ]);
  });
  test("cannot fit even at max: the error names the shortfall and the fix", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, fleet(25));
    expect(r.verdict).toBe("cannot-fit");
    expect(r.problems).toEqual([
      "botfleet: the fleet needs 12.5 vCPU of requests but the pools give at most 12.3 vCPU allocatable, and 25.0 GiB of memory requests but the pools give at most 19.5 GiB allocatable at max nodes (system: 1 x s-2vcpu-4gb, bots: 3 x s-4vcpu-8gb); raise pools[0].maxNodes to 4 or use a larger size",
    ]);
  });
  test("the suggested maxNodes is enough: applying it fits", () => {
    const bigger = cluster({
      ...DEV_DO,
      pools: [{ name: "bots", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 4 }],
    });
    expect(assessCapacity({ stack: "dev", cluster: bigger }, fleet(25)).verdict).toBe("needs-autoscaling");
  });
  test("a pod larger than any node cannot fit whatever the node count", () => {
    const inv = inventoryOf([statefulSet("huge", "6", "4Gi")]);
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inv);
    expect(r.verdict).toBe("cannot-fit");
    expect(r.problems).toEqual([
      "botfleet: StatefulSet botfleet-bots/huge requests 6.0 vCPU and 4.0 GiB per pod but the largest node gives 3.6 vCPU and 5.7 GiB allocatable (s-4vcpu-8gb); use a larger size or lower the requests",
    ]);
  });
  test("HPA max beyond max nodes is a warning, not an error", () => {
    const inv = inventoryOf([
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "d",
        props: {
          metadata: { name: "api", namespace: "b" },
          spec: { template: { spec: { containers: [container("1", "1Gi")] } } },
        },
      },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "h",
        props: {
          metadata: { name: "api", namespace: "b" },
          spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 20 },
        },
      },
    ]);
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inv);
    expect(r.verdict).toBe("needs-autoscaling");
    expect(r.warnings[1]).toMatch(/^botfleet: with every HPA at maxReplicas the fleet needs 20\.0 vCPU/);
    expect(r.warnings[1]).toMatch(/raise pools\[0\]\.maxNodes to 6 or use a larger size$/);
  });
  test("DaemonSets are charged on every node", () => {
    const ds: RecordedResource = {
      type: "kubernetes:apps/v1:DaemonSet",
      name: "ds",
      props: {
        metadata: { name: "ne" },
        spec: { template: { spec: { containers: [container("100m", "100Mi")] } } },
      },
    };
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf([ds]));
    expect(r.daemonSetsPerNode).toEqual({ cpuMillis: 100, memoryBytes: 100 * MiB, pods: 1, volumes: 0 });
    expect(r.allocatable?.atMax.cpuMillis).toBe(1530 + 3 * 3520 - 200);
  });
  test("existing cluster: requests only, verdict unknown, no cost", () => {
    const r = assessCapacity({ stack: "local", cluster: cluster({ provider: "existing" }) }, fleet(3));
    expect(r.verdict).toBe("unknown");
    expect(r.allocatable).toBeUndefined();
    expect(r.cost).toBeUndefined();
    expect(r.requests.min).toEqual({ cpuMillis: 1500, memoryBytes: 3 * GiB, pods: 3, volumes: 3 });
  });
});

describe("monthly cost", () => {
  const storage = (gib: number[], lbs = 0): Pick<Inventory, "volumes" | "loadBalancers"> => ({
    volumes: gib.map((g, i) => ({
      namespace: "n",
      name: `v${i}`,
      bytes: g * GiB,
      count: 1,
      source: "manifest",
    })),
    loadBalancers: Array.from({ length: lbs }, (_, i) => `n/lb${i}`),
  });

  test("DigitalOcean dev: nodes at min and max, volumes rounded up to whole GiB, one load balancer", () => {
    const c = estimateCost(DEV_DO, storage([5, 5, 5, 50, 1.5], 1))!;
    // nodes 24 + 1..3 x 48; volumes 5+5+5+50+2 = 67 GiB x $0.10; LB $12
    expect(c.lines).toEqual([
      { item: "system nodes (1 x s-2vcpu-4gb at $24)", minUsd: 24, maxUsd: 24 },
      { item: "bots nodes (1-3 x s-4vcpu-8gb at $48)", minUsd: 48, maxUsd: 144 },
      { item: "block storage (67 GiB at $0.1/GiB)", minUsd: 6.7, maxUsd: 6.7 },
      { item: "load balancers (1 at $12)", minUsd: 12, maxUsd: 12 },
    ]);
    expect([c.minUsd, c.maxUsd]).toEqual([90.7, 186.7]);
    expect(c.pricesAsOf).toBe("2025-10-01");
  });
  test("DigitalOcean prod: HA control plane and two autoscaled pools", () => {
    const prod = cluster({
      provider: "digitalocean",
      region: "fra1",
      version: "1.33",
      ha: true,
      systemPool: { size: "s-2vcpu-4gb", count: 2 },
      pools: [
        { name: "bots", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 6 },
        { name: "data", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 3 },
      ],
    });
    const c = estimateCost(prod, storage([]))!;
    expect([c.minUsd, c.maxUsd]).toEqual([48 + 96 + 96 + 40, 48 + 288 + 144 + 40]);
  });
  test("Linode: LKE prices, HA control plane at $60, NodeBalancer at $10", () => {
    const lke = cluster({
      provider: "linode",
      region: "eu-central",
      version: "1.33",
      ha: true,
      systemPool: { size: "g6-standard-2", count: 1 },
      pools: [{ name: "bots", size: "g6-standard-4", minNodes: 1, maxNodes: 3 }],
    });
    const c = estimateCost(lke, storage([10], 1))!;
    expect([c.minUsd, c.maxUsd]).toEqual([24 + 48 + 60 + 1 + 10, 24 + 144 + 60 + 1 + 10]);
  });
  test("botfleet:costs overrides prices and carries its date", () => {
    const costs = costsSchema.parse({
      nodeSizes: { "s-4vcpu-8gb": 42 },
      volumeUsdPerGiB: 0.08,
      asOf: "2026-01-15",
    });
    const c = estimateCost(DEV_DO, storage([100]), costs)!;
    expect([c.minUsd, c.maxUsd]).toEqual([24 + 42 + 8, 24 + 126 + 8]);
    expect(c.overridden).toEqual(["nodeSizes.s-4vcpu-8gb", "volumeUsdPerGiB"]);
    expect(c.pricesAsOf).toBe("2026-01-15");
  });
});

describe("botfleet:costs schema", () => {
  const messages = (v: unknown) => {
    const r = z.safeParse(costsSchema, v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  test("absent means no overrides", () => expect(costsSchema.parse(undefined)).toEqual({}));
  test.each([
    [{ loadBalancerUsd: -1 }, ["loadBalancerUsd: must be a price in USD per month, 0 or more, got -1"]],
    [
      { nodeSizes: { S_4: 10 } },
      ['nodeSizes.S_4: must be a node size slug such as "s-4vcpu-8gb" or "g6-standard-4", got "S_4"'],
    ],
    [{ asOf: "Jan 2026" }, ['asOf: must be a date "YYYY-MM-DD", got "Jan 2026"']],
  ])("%j", (input, expected) => expect(messages(input)).toEqual(expected));
  test("unknown keys are errors", () => expect(messages({ egressUsd: 3 })).toHaveLength(1));
});

describe("rendering", () => {
  const r = assessCapacity(
    { stack: "dev", cluster: DEV_DO },
    inventoryOf([statefulSet("a", "500m", "1Gi"), statefulSet("b", "500m", "1Gi")]),
  );
  test("markdown names the verdict, the totals and the cost", () => {
    const md = capacityMarkdown(r).join("\n");
    expect(md).toContain("### Capacity: fits at min nodes");
    expect(md).toContain("| fleet requests (HPAs at min) | 1.0 | 2.0 | 2 |");
    expect(md).toContain("| allocatable at max nodes | 12.3 | 19.5 |");
    expect(md).toContain("| **total** | **$73.00** | **$169.00** |");
    expect(md).toContain("list prices as of 2025-10-01");
  });
  test("outputs are plain numbers", () => {
    expect(capacityOutputs(r)).toMatchObject({
      verdict: "fits",
      requests: { min: { cpu: 1, memoryGiB: 2, pods: 2 } },
      monthlyUsd: { min: 73, max: 169 },
    });
  });
  test("SVG: one bar pair per stack, escaped names, widths proportional to cost", () => {
    const svg = costSvg([
      { stack: "dev", minUsd: 73, maxUsd: 169 },
      { stack: "prod<1>", minUsd: 280, maxUsd: 520 },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg).toContain("prod&lt;1&gt;");
    const widths = [...svg.matchAll(/width="([\d.]+)" height="22"/g)].map((m) => Number(m[1]));
    expect(widths[2]).toBeCloseTo(430, 0); // prod max = full scale (640 - 120 - 90)
    expect(widths[1] / widths[2]).toBeCloseTo(73 / 520, 2);
  });
});

describe("capacityFromRun (the synth's path)", () => {
  test("reads the cluster and the botfleet:costs overrides from the stack's raw values", () => {
    const values = {
      "botfleet:cluster": JSON.stringify(DEV_DO),
      "botfleet:costs": JSON.stringify({ nodeSizes: { "s-2vcpu-4gb": 20 }, asOf: "2026-02-01" }),
    };
    const trader = statefulSet("a", "500m", "1Gi");
    const report = capacityFromRun("dev", values, {
      resources: [
        { type: trader.type, name: trader.name, inputs: trader.props as Record<string, unknown> },
        { type: "kubernetes:core/v1:ConfigMap", name: "ignored", inputs: { data: {} } },
      ],
    });
    expect(report.requests.min).toEqual({ cpuMillis: 500, memoryBytes: GiB, pods: 1, volumes: 1 });
    expect(report.cost?.lines[0]).toEqual({
      item: "system nodes (1 x s-2vcpu-4gb at $20)",
      minUsd: 20,
      maxUsd: 20,
    });
    expect(report.cost?.pricesAsOf).toBe("2026-02-01");
  });
});
