/**
 * Capacity and cost model (pure). Input: the Kubernetes resources a stack registers, as their plain
 * props, plus the cluster config. Output: what the fleet requests, what the node pools can give after
 * per-node reservations, a verdict (fits at min nodes / needs autoscaling / cannot fit even at max), a
 * monthly cost estimate from the catalog prices, and a markdown summary.
 *
 * The model is an aggregate one: it sums requests and allocatable capacity cluster-wide and checks the
 * largest pod against the largest node. It does not bin-pack, follow nodeSelectors or taints, or model
 * the cluster autoscaler: a "fits" verdict is necessary, not sufficient. Sources of every number that
 * does not come from the program's own manifests are cited where the number is defined.
 */
import { CATALOGS, PRICES_AS_OF, type CloudCatalog, type NodeSize } from "../config/catalog";
import { clusterSchema, type ClusterConfig } from "../config/cluster";
import { costsSchema, type CostsConfig } from "../config/costs";

// ---------------------------------------------------------------------------------------------------
// Quantities

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+))?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** A Kubernetes quantity ("500m", "2", "1.5Gi", "1e3") as a number of base units; undefined if unreadable. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * SUFFIX[m[3] ?? ""];
}

/** CPU quantity to millicores. */
export const cpuMillis = (q: unknown): number | undefined => {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.round(v * 1000);
};

export const fmtCpu = (millis: number): string => (millis / 1000).toFixed(1);
export const fmtGiB = (bytes: number): string => (bytes / GiB).toFixed(1);

// ---------------------------------------------------------------------------------------------------
// Pods

export interface Resources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export interface PodResources {
  /** What the scheduler charges the pod (Kubernetes' effective request). */
  readonly requests: Resources;
  /** Effective limits, counting only containers that set one. */
  readonly limits: Resources;
  /** Containers (app + init) without a CPU limit / memory limit. */
  readonly withoutCpuLimit: number;
  readonly withoutMemoryLimit: number;
}

interface ContainerLike {
  readonly resources?: {
    readonly requests?: Record<string, unknown>;
    readonly limits?: Record<string, unknown>;
  };
  readonly restartPolicy?: string;
}

type Dim = "cpu" | "memory";
const readDim = (dim: Dim, q: unknown) => (dim === "cpu" ? cpuMillis(q) : parseQuantity(q));

/** A container's request: an unset request defaults to the limit (Kubernetes API defaulting), else 0. */
function containerRequest(c: ContainerLike, dim: Dim): number {
  return readDim(dim, c.resources?.requests?.[dim]) ?? readDim(dim, c.resources?.limits?.[dim]) ?? 0;
}

function containerLimit(c: ContainerLike, dim: Dim): number | undefined {
  return readDim(dim, c.resources?.limits?.[dim]);
}

/**
 * The effective pod value for one resource, as the scheduler computes it (KEP-753 sidecars included):
 * max(sum(app) + sum(sidecars), max over init containers of (init + sidecars started before it)),
 * plus the RuntimeClass pod overhead.
 */
function effective(
  containers: readonly ContainerLike[],
  inits: readonly ContainerLike[],
  value: (c: ContainerLike) => number,
): number {
  let sidecars = 0;
  let initPeak = 0;
  for (const ic of inits) {
    if (ic.restartPolicy === "Always") {
      sidecars += value(ic);
      initPeak = Math.max(initPeak, sidecars);
    } else initPeak = Math.max(initPeak, value(ic) + sidecars);
  }
  const app = containers.reduce((sum, c) => sum + value(c), 0);
  return Math.max(app + sidecars, initPeak);
}

/** Requests and limits of one pod spec (`spec.template.spec`). */
export function podResources(spec: unknown): PodResources {
  const s = asRecord(spec);
  const containers = asArray(s.containers) as ContainerLike[];
  const inits = asArray(s.initContainers) as ContainerLike[];
  const overhead = asRecord(s.overhead);
  const all = [...containers, ...inits];
  const req = (dim: Dim) =>
    effective(containers, inits, (c) => containerRequest(c, dim)) + (readDim(dim, overhead[dim]) ?? 0);
  const lim = (dim: Dim) => effective(containers, inits, (c) => containerLimit(c, dim) ?? 0);
  return {
    requests: { cpuMillis: req("cpu"), memoryBytes: req("memory") },
    limits: { cpuMillis: lim("cpu"), memoryBytes: lim("memory") },
    withoutCpuLimit: all.filter((c) => containerLimit(c, "cpu") === undefined).length,
    withoutMemoryLimit: all.filter((c) => containerLimit(c, "memory") === undefined).length,
  };
}

// ---------------------------------------------------------------------------------------------------
// Inventory: what a stack renders

/** A resource as the program registered it: its type token, Pulumi name and plain props. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly props: unknown;
}

/** The types the model reads; a recorder keeps only these. */
export const RELEVANT_TYPES: ReadonlySet<string> = new Set([
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:batch/v1:Job",
  "kubernetes:core/v1:Pod",
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:Service",
  "kubernetes:helm.sh/v3:Release",
]);

export type Source = "manifest" | "chart values" | "estimate";

export interface WorkloadDemand {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Pods with HPAs at minReplicas / at maxReplicas. Per node for a DaemonSet. */
  readonly podsMin: number;
  readonly podsMax: number;
  readonly perNode: boolean;
  readonly pod: PodResources;
  readonly source: Source;
  /** Why a number is what it is (HPA, suspended, chart default...). */
  readonly note?: string;
}

export interface VolumeDemand {
  readonly namespace: string;
  readonly name: string;
  readonly bytes: number;
  /** Volumes of this size (one per StatefulSet replica for a claim template). */
  readonly count: number;
  readonly source: Source;
}

export interface Inventory {
  readonly workloads: readonly WorkloadDemand[];
  readonly volumes: readonly VolumeDemand[];
  /** `namespace/name` of every Service of type LoadBalancer. */
  readonly loadBalancers: readonly string[];
  /** Resources whose numbers could not be read (a computed Output where a plain value was expected). */
  readonly unreadable: readonly string[];
}

const isOutputLike = (v: unknown): boolean =>
  v !== null && typeof v === "object" && (v as Record<string, unknown>).__pulumiOutput === true;

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isOutputLike(v)
    ? (v as Record<string, unknown>)
    : {};
}
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
const int = (v: unknown, fallback: number): number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback;

/** Follows `path` through raw values; `output` tells whether a step was a Pulumi Output. */
function walk(v: unknown, path: readonly string[]): { value: unknown; output: boolean } {
  let cur = v;
  for (const key of path) {
    if (isOutputLike(cur)) return { value: undefined, output: true };
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return { value: cur, output: isOutputLike(cur) };
}

/** True if the value or anything inside it is a Pulumi Output (unknown until deployment). */
function hasOutput(v: unknown, depth = 0): boolean {
  if (isOutputLike(v)) return true;
  if (depth > 12 || v === null || typeof v !== "object") return false;
  return Object.values(v as object).some((x) => hasOutput(x, depth + 1));
}

const KIND: Record<string, string> = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:apps/v1:DaemonSet": "DaemonSet",
  "kubernetes:apps/v1:ReplicaSet": "ReplicaSet",
  "kubernetes:batch/v1:CronJob": "CronJob",
  "kubernetes:batch/v1:Job": "Job",
  "kubernetes:core/v1:Pod": "Pod",
};

/** Builds the inventory from every recorded resource (HPAs are matched to their targets by name). */
export function inventoryOf(resources: readonly RecordedResource[]): Inventory {
  const hpas = new Map<string, { min: number; max: number }>();
  for (const r of resources) {
    if (!r.type.startsWith("kubernetes:autoscaling/")) continue;
    const p = asRecord(r.props);
    const spec = asRecord(p.spec);
    const ref = asRecord(spec.scaleTargetRef);
    const ns = str(asRecord(p.metadata).namespace, "default");
    const max = int(spec.maxReplicas, 1);
    hpas.set(`${ns}/${str(ref.kind, "")}/${str(ref.name, "")}`, {
      min: Math.min(int(spec.minReplicas, 1), max),
      max,
    });
  }

  const workloads: WorkloadDemand[] = [];
  const volumes: VolumeDemand[] = [];
  const loadBalancers: string[] = [];
  const unreadable: string[] = [];
  for (const r of resources) {
    const p = asRecord(r.props);
    const meta = asRecord(p.metadata);
    const namespace = str(meta.namespace, "default");
    const name = str(meta.name, r.name);
    const spec = asRecord(p.spec);
    const kind = KIND[r.type];
    if (kind !== undefined) {
      let podPath: string[];
      let pods = 1;
      let note: string | undefined;
      let podsMax: number | undefined;
      if (kind === "CronJob") {
        const job = asRecord(asRecord(spec.jobTemplate).spec);
        podPath = ["spec", "jobTemplate", "spec", "template", "spec"];
        pods = spec.suspend === true ? 0 : int(job.parallelism, 1);
        note = spec.suspend === true ? "suspended" : "counted while it runs";
      } else if (kind === "Job") {
        podPath = ["spec", "template", "spec"];
        pods = int(spec.parallelism, 1);
      } else if (kind === "Pod") {
        podPath = ["spec"];
      } else {
        podPath = ["spec", "template", "spec"];
        const hpa = hpas.get(`${namespace}/${kind}/${name}`);
        if (hpa !== undefined) {
          pods = hpa.min;
          podsMax = hpa.max;
          note = `HPA ${hpa.min}-${hpa.max}`;
        } else if (kind !== "DaemonSet") pods = int(spec.replicas, 1);
        if (kind === "StatefulSet") {
          // Claims outlive a scale to 0 (a stopped trader keeps its state): at least one set.
          const sets = Math.max(podsMax ?? pods, 1);
          for (const t of asArray(spec.volumeClaimTemplates)) {
            const tm = asRecord(t);
            const size = parseQuantity(asRecord(asRecord(asRecord(tm.spec).resources).requests).storage);
            const claim = str(asRecord(tm.metadata).name, "data");
            if (size === undefined) unreadable.push(`${kind} ${namespace}/${name} claim ${claim}`);
            else
              volumes.push({
                namespace,
                name: `${claim}-${name}`,
                bytes: size,
                count: sets,
                source: "manifest",
              });
          }
        }
      }
      const podSpec = walk(r.props, podPath);
      const containers = [
        ...asArray(asRecord(podSpec.value).containers),
        ...asArray(asRecord(podSpec.value).initContainers),
      ];
      if (podSpec.output || containers.some((c) => hasOutput(asRecord(c).resources)))
        unreadable.push(`${kind} ${namespace}/${name}`);
      workloads.push({
        kind,
        namespace,
        name,
        podsMin: pods,
        podsMax: podsMax ?? pods,
        perNode: kind === "DaemonSet",
        pod: podResources(podSpec.value),
        source: "manifest",
        ...(note !== undefined ? { note } : {}),
      });
    } else if (r.type === "kubernetes:core/v1:PersistentVolumeClaim") {
      const size = parseQuantity(asRecord(asRecord(spec.resources).requests).storage);
      if (size === undefined) unreadable.push(`PersistentVolumeClaim ${namespace}/${name}`);
      else volumes.push({ namespace, name, bytes: size, count: 1, source: "manifest" });
    } else if (r.type === "kubernetes:core/v1:Service") {
      if (spec.type === "LoadBalancer") loadBalancers.push(`${namespace}/${name}`);
    } else if (r.type === "kubernetes:helm.sh/v3:Release") {
      const chart = str(p.chart, "");
      if (chart === "kube-prometheus-stack" || chart.endsWith("/kube-prometheus-stack")) {
        if (hasOutput(p.values)) unreadable.push(`helm release ${name} values`);
        const kps = kubePrometheusStack(str(p.namespace, namespace), str(p.name, name), asRecord(p.values));
        workloads.push(...kps.workloads);
        volumes.push(...kps.volumes);
      } else if (chart === "metrics-server" || chart.endsWith("/metrics-server")) {
        if (hasOutput(p.values)) unreadable.push(`helm release ${name} values`);
        workloads.push(
          metricsServerChart(str(p.namespace, namespace), str(p.name, name), asRecord(p.values)),
        );
      }
    }
  }
  return { workloads, volumes, loadBalancers, unreadable };
}

// ---------------------------------------------------------------------------------------------------
// kube-prometheus-stack: the pods a Helm release renders that the program never sees as objects

const r = (cpu: string, memory: string, cpuLimit?: string, memoryLimit?: string) => ({
  requests: { cpu, memory },
  limits: { ...(cpuLimit ? { cpu: cpuLimit } : {}), ...(memoryLimit ? { memory: memoryLimit } : {}) },
});

/**
 * Per-container estimates for kube-prometheus-stack pods whose resources the program leaves at the
 * chart default (`resources: {}` in the chart's values.yaml, so the scheduler would charge nothing,
 * although they do use the node). Values set by the program's Helm values always win.
 *
 * Sources:
 * - config reloader sidecar/init of Prometheus and Alertmanager: prometheus-operator's defaults,
 *   `--config-reloader-cpu-request` 10m, `--config-reloader-memory-request` 50Mi, limits the same
 *   (operator CLI reference; CHANGELOG 0.65, #5539 lowered the CPU request from 100m to 10m).
 * - node-exporter 102m/180Mi (limits 250m/180Mi), kube-state-metrics 10m/190Mi, Prometheus 400Mi,
 *   Alertmanager 4m/100Mi, Grafana 100m/100Mi, operator 100m/100Mi: the component defaults of
 *   prometheus-operator/kube-prometheus (jsonnet/kube-prometheus/components/*.libsonnet).
 * - Grafana's k8s-sidecar containers (dashboards, datasources): 10m/64Mi each, our estimate; the
 *   chart sets none.
 */
export const KPS_ESTIMATES = {
  configReloader: r("10m", "50Mi", "10m", "50Mi"),
  prometheus: r("0", "400Mi"),
  alertmanager: r("4m", "100Mi", "100m", "100Mi"),
  grafana: r("100m", "100Mi", "200m", "200Mi"),
  grafanaSidecar: r("10m", "64Mi"),
  operator: r("100m", "100Mi", "200m", "200Mi"),
  kubeStateMetrics: r("10m", "190Mi", "100m", "250Mi"),
  nodeExporter: r("102m", "180Mi", "250m", "180Mi"),
} as const;

function pick(values: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = values;
  for (const p of path) cur = asRecord(cur)[p];
  return cur;
}

/** Resources from the values at `path` when the program set requests there, else the estimate. */
function chartContainer(
  values: Record<string, unknown>,
  path: string[],
  estimate: ContainerLike["resources"],
) {
  const set = asRecord(pick(values, path));
  const fromValues = Object.keys(asRecord(set.requests)).length > 0;
  return { resources: fromValues ? (set as ContainerLike["resources"]) : estimate, fromValues };
}

/** The pods and volumes a kube-prometheus-stack release renders, from the values the program set. */
export function kubePrometheusStack(
  namespace: string,
  release: string,
  values: Record<string, unknown>,
): { workloads: WorkloadDemand[]; volumes: VolumeDemand[] } {
  const workloads: WorkloadDemand[] = [];
  const volumes: VolumeDemand[] = [];
  const enabled = (path: string[], byDefault = true) => {
    const v = pick(values, path);
    return typeof v === "boolean" ? v : byDefault;
  };
  const add = (
    name: string,
    containers: { resources?: ContainerLike["resources"]; fromValues: boolean }[],
    pods: number,
    extra: { perNode?: boolean; inits?: ContainerLike[] } = {},
  ) => {
    const pod = podResources({ containers, initContainers: extra.inits ?? [] });
    workloads.push({
      kind: extra.perNode ? "DaemonSet" : "Pod",
      namespace,
      name: `${release}-${name}`,
      podsMin: pods,
      podsMax: pods,
      perNode: extra.perNode ?? false,
      pod,
      source: containers.every((c) => c.fromValues) ? "chart values" : "estimate",
      note: "helm chart",
    });
  };
  const reloader = { resources: KPS_ESTIMATES.configReloader, fromValues: false };
  const claim = (name: string, spec: unknown, count: number) => {
    const size = parseQuantity(
      pick(asRecord(spec), ["volumeClaimTemplate", "spec", "resources", "requests", "storage"]),
    );
    if (size !== undefined)
      volumes.push({ namespace, name: `${release}-${name}`, bytes: size, count, source: "chart values" });
  };

  if (enabled(["prometheus", "enabled"])) {
    const spec = ["prometheus", "prometheusSpec"];
    const replicas = int(pick(values, [...spec, "replicas"]), 1);
    add(
      "prometheus",
      [chartContainer(values, [...spec, "resources"], KPS_ESTIMATES.prometheus), reloader],
      replicas,
      {
        inits: [reloader],
      },
    );
    claim("prometheus", pick(values, [...spec, "storageSpec"]), replicas);
  }
  if (enabled(["alertmanager", "enabled"])) {
    const spec = ["alertmanager", "alertmanagerSpec"];
    const replicas = int(pick(values, [...spec, "replicas"]), 1);
    add(
      "alertmanager",
      [chartContainer(values, [...spec, "resources"], KPS_ESTIMATES.alertmanager), reloader],
      replicas,
      { inits: [reloader] },
    );
    claim("alertmanager", pick(values, [...spec, "storage"]), replicas);
  }
  if (enabled(["grafana", "enabled"])) {
    const sidecars = ["dashboards", "datasources"].filter((s) =>
      enabled(["grafana", "sidecar", s, "enabled"]),
    );
    const sidecar = chartContainer(values, ["grafana", "sidecar", "resources"], KPS_ESTIMATES.grafanaSidecar);
    add(
      "grafana",
      [
        chartContainer(values, ["grafana", "resources"], KPS_ESTIMATES.grafana),
        ...sidecars.map(() => sidecar),
      ],
      int(pick(values, ["grafana", "replicas"]), 1),
    );
    const persistence = asRecord(pick(values, ["grafana", "persistence"]));
    const size = parseQuantity(persistence.size);
    if (persistence.enabled === true && size !== undefined)
      volumes.push({ namespace, name: `${release}-grafana`, bytes: size, count: 1, source: "chart values" });
  }
  if (enabled(["prometheusOperator", "enabled"]))
    add("operator", [chartContainer(values, ["prometheusOperator", "resources"], KPS_ESTIMATES.operator)], 1);
  if (enabled(["kubeStateMetrics", "enabled"]))
    add(
      "kube-state-metrics",
      [chartContainer(values, ["kube-state-metrics", "resources"], KPS_ESTIMATES.kubeStateMetrics)],
      int(pick(values, ["kube-state-metrics", "replicas"]), 1),
    );
  if (enabled(["nodeExporter", "enabled"]))
    add(
      "node-exporter",
      [chartContainer(values, ["prometheus-node-exporter", "resources"], KPS_ESTIMATES.nodeExporter)],
      1,
      { perNode: true },
    );
  return { workloads, volumes };
}

// ---------------------------------------------------------------------------------------------------
// metrics-server: the Deployment its chart renders

/**
 * The official metrics-server chart's own defaults (charts/metrics-server/values.yaml at tag
 * metrics-server-helm-chart-3.13.1): `resources.requests` 100m / 200Mi, no limits; the optional
 * addon-resizer ("nanny") sidecar 40m / 25Mi, limits the same.
 */
export const METRICS_SERVER_ESTIMATES = {
  metricsServer: r("100m", "200Mi"),
  addonResizer: r("40m", "25Mi", "40m", "25Mi"),
} as const;

/** The metrics-server pod(s) a release renders: `replicas` of them, with the values' resources. */
export function metricsServerChart(
  namespace: string,
  release: string,
  values: Record<string, unknown>,
): WorkloadDemand {
  const main = chartContainer(values, ["resources"], METRICS_SERVER_ESTIMATES.metricsServer);
  const containers = [main];
  if (pick(values, ["addonResizer", "enabled"]) === true)
    containers.push(
      chartContainer(values, ["addonResizer", "resources"], METRICS_SERVER_ESTIMATES.addonResizer),
    );
  const replicas = int(pick(values, ["replicas"]), 1);
  return {
    kind: "Deployment",
    namespace,
    name: release,
    podsMin: replicas,
    podsMax: replicas,
    perNode: false,
    pod: podResources({ containers }),
    source: containers.every((c) => c.fromValues) ? "chart values" : "estimate",
    note: "helm chart",
  };
}

// ---------------------------------------------------------------------------------------------------
// Nodes

/**
 * CPU and memory a node reserves for the OS, kubelet and container runtime, plus the kubelet's hard
 * eviction threshold. DigitalOcean and Linode do not publish their kube-reserved settings in a form we
 * could cite, so we use GKE's published tiers (cloud.google.com/kubernetes-engine/docs/concepts/
 * plan-node-sizes#memory_and_cpu_reservations), which AKS and several other managed services use too:
 * - memory: 25% of the first 4 GiB, 20% of the next 4 GiB, 10% of the next 8 GiB, 6% of the next
 *   112 GiB, 2% above 128 GiB; plus 100 MiB eviction threshold;
 * - CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above 4.
 * Measure a real node (`kubectl describe node`, Allocatable) to calibrate.
 */
export function nodeReserved(size: Pick<NodeSize, "vcpu" | "memoryGiB">): Resources {
  const tiers = (amount: number, steps: [number, number][], rest: number) => {
    let left = amount;
    let reserved = 0;
    for (const [width, rate] of steps) {
      const take = Math.min(left, width);
      reserved += take * rate;
      left -= take;
    }
    return reserved + left * rest;
  };
  const memGiB = tiers(
    size.memoryGiB,
    [
      [4, 0.25],
      [4, 0.2],
      [8, 0.1],
      [112, 0.06],
    ],
    0.02,
  );
  const cores = tiers(
    size.vcpu,
    [
      [1, 0.06],
      [1, 0.01],
      [2, 0.005],
    ],
    0.0025,
  );
  return { cpuMillis: Math.round(cores * 1000), memoryBytes: Math.round(memGiB * GiB + 100 * MiB) };
}

export function nodeAllocatable(size: Pick<NodeSize, "vcpu" | "memoryGiB">): Resources {
  const reserved = nodeReserved(size);
  return {
    cpuMillis: size.vcpu * 1000 - reserved.cpuMillis,
    memoryBytes: size.memoryGiB * GiB - reserved.memoryBytes,
  };
}

/**
 * Pods the managed cloud runs that the program does not render. Estimates, to calibrate on a real
 * cluster with `kubectl describe node`:
 * - per node: CNI agent (Cilium on DOKS, Calico on LKE), kube-proxy or its eBPF replacement, the CSI
 *   node plugin and the cloud's node agent: 300m CPU and 400Mi in all, 4 pods;
 * - per cluster: CoreDNS, 2 replicas of 100m / 70Mi (requests of CoreDNS's upstream Kubernetes
 *   deployment manifest, coredns/deployment kubernetes/coredns.yaml.sed).
 */
export const MANAGED_SYSTEM_PODS = {
  perNode: { cpuMillis: 300, memoryBytes: 400 * MiB, pods: 4 },
  cluster: { cpuMillis: 2 * 100, memoryBytes: 2 * 70 * MiB, pods: 2 },
} as const;

// ---------------------------------------------------------------------------------------------------
// Capacity verdict

export interface Amount extends Resources {
  readonly pods: number;
}

export interface PoolCapacity {
  /** Config path of the pool: `systemPool` or `pools[0]`. */
  readonly key: string;
  readonly name: string;
  readonly size: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** One node after reservations, managed node agents and the fleet's DaemonSets. */
  readonly perNode: Amount;
}

export type Verdict = "fits" | "needs-autoscaling" | "cannot-fit" | "unknown";

export interface CapacityReport {
  readonly stack: string;
  readonly provider: ClusterConfig["provider"];
  readonly verdict: Verdict;
  /** Fleet requests (everything but DaemonSets and the cloud's own pods), HPAs at min / at max. */
  readonly requests: { readonly min: Amount; readonly max: Amount };
  readonly limits: { readonly min: Resources; readonly max: Resources; readonly withoutCpuLimit: number };
  /** Requests of the fleet's DaemonSets (kube-prometheus-stack's node-exporter...) per node. */
  readonly daemonSetsPerNode: Amount;
  readonly pools: readonly PoolCapacity[];
  /** Allocatable for the fleet across all pools, after per-node overheads and the cluster's own pods. */
  readonly allocatable?: { readonly atMin: Amount; readonly atMax: Amount };
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  readonly inventory: Inventory;
  readonly cost?: CostEstimate;
}

const ZERO: Amount = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
const plus = (a: Amount, b: Amount, times = 1): Amount => ({
  cpuMillis: a.cpuMillis + b.cpuMillis * times,
  memoryBytes: a.memoryBytes + b.memoryBytes * times,
  pods: a.pods + b.pods * times,
});

/** Node pools from the cluster config; the fixed system pool counts as min = max = count. */
export function poolsOf(
  cluster: ClusterConfig,
): { key: string; name: string; size: string; minNodes: number; maxNodes: number }[] {
  const pools = [];
  if (cluster.systemPool !== undefined)
    pools.push({
      key: "systemPool",
      name: "system",
      size: cluster.systemPool.size,
      minNodes: cluster.systemPool.count,
      maxNodes: cluster.systemPool.count,
    });
  cluster.pools.forEach((p, i) =>
    pools.push({
      key: `pools[${i}]`,
      name: p.name,
      size: p.size,
      minNodes: p.minNodes,
      maxNodes: p.maxNodes,
    }),
  );
  return pools;
}

function sumRequests(inv: Inventory, at: "min" | "max"): Amount {
  let total = ZERO;
  for (const w of inv.workloads) {
    if (w.perNode) continue;
    const pods = at === "min" ? w.podsMin : w.podsMax;
    total = plus(total, { ...w.pod.requests, pods: 1 }, pods);
  }
  return total;
}

function sumLimits(inv: Inventory, at: "min" | "max"): Resources {
  let cpu = 0;
  let mem = 0;
  for (const w of inv.workloads) {
    if (w.perNode) continue;
    const pods = at === "min" ? w.podsMin : w.podsMax;
    cpu += w.pod.limits.cpuMillis * pods;
    mem += w.pod.limits.memoryBytes * pods;
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

const describePools = (pools: readonly PoolCapacity[], at: "min" | "max") =>
  pools.map((p) => `${p.name}: ${at === "min" ? p.minNodes : p.maxNodes} x ${p.size}`).join(", ");

/** "14.2" vs "14.2" would read as equal: show more digits when rounding hides the difference. */
function twoNumbers(a: number, b: number, fmt: (v: number, digits: number) => string): [string, string] {
  for (const digits of [1, 2, 3]) {
    const [x, y] = [fmt(a, digits), fmt(b, digits)];
    if (x !== y) return [x, y];
  }
  return [fmt(a, 3), fmt(b, 3)];
}
const cpuDigits = (millis: number, d: number) => (millis / 1000).toFixed(d);
const gibDigits = (bytes: number, d: number) => (bytes / GiB).toFixed(d);

export interface CapacityInput {
  readonly stack: string;
  readonly cluster: ClusterConfig;
  readonly costs?: CostsConfig;
}

/** The capacity verdict and cost estimate for one stack's inventory. */
export function assessCapacity(input: CapacityInput, inv: Inventory): CapacityReport {
  const { cluster } = input;
  const requests = { min: sumRequests(inv, "min"), max: sumRequests(inv, "max") };
  const limits = {
    min: sumLimits(inv, "min"),
    max: sumLimits(inv, "max"),
    withoutCpuLimit: inv.workloads.filter((w) => !w.perNode && w.podsMax > 0 && w.pod.withoutCpuLimit > 0)
      .length,
  };
  let daemonSetsPerNode = ZERO;
  for (const w of inv.workloads)
    if (w.perNode) daemonSetsPerNode = plus(daemonSetsPerNode, { ...w.pod.requests, pods: 1 }, w.podsMin);
  const warnings: string[] = [];
  const problems: string[] = [];
  if (inv.unreadable.length > 0)
    warnings.push(
      `botfleet: capacity: ${inv.unreadable.length} value(s) were computed Outputs and not counted: ${inv.unreadable.slice(0, 5).join("; ")}`,
    );

  if (cluster.provider === "existing") {
    return {
      stack: input.stack,
      provider: cluster.provider,
      verdict: "unknown",
      requests,
      limits,
      daemonSetsPerNode,
      pools: [],
      problems,
      warnings,
      inventory: inv,
    };
  }

  const catalog = CATALOGS[cluster.provider];
  const overhead = plus(MANAGED_SYSTEM_PODS.perNode, daemonSetsPerNode);
  const pools: PoolCapacity[] = poolsOf(cluster).map((p) => {
    const node = nodeAllocatable(catalog.sizes[p.size]);
    return {
      ...p,
      perNode: {
        cpuMillis: node.cpuMillis - overhead.cpuMillis,
        memoryBytes: node.memoryBytes - overhead.memoryBytes,
        pods: catalog.maxPodsPerNode - overhead.pods,
      },
    };
  });
  const total = (at: "min" | "max") =>
    pools.reduce(
      (sum, p) => plus(sum, p.perNode, at === "min" ? p.minNodes : p.maxNodes),
      plus(ZERO, MANAGED_SYSTEM_PODS.cluster, -1),
    );
  const allocatable = { atMin: total("min"), atMax: total("max") };

  // Where to add room: the first worker pool, else the system pool.
  const grow = pools.find((p) => p.key.startsWith("pools[")) ?? pools[0];
  const fix = (short: Amount) => {
    if (grow === undefined) return "add a node pool";
    const nodes = Math.max(
      Math.ceil(Math.max(short.cpuMillis, 0) / Math.max(grow.perNode.cpuMillis, 1)),
      Math.ceil(Math.max(short.memoryBytes, 0) / Math.max(grow.perNode.memoryBytes, 1)),
      Math.ceil(Math.max(short.pods, 0) / Math.max(grow.perNode.pods, 1)),
    );
    return grow.key === "systemPool"
      ? `raise systemPool.count to ${grow.maxNodes + nodes} or add a worker pool`
      : `raise ${grow.key}.maxNodes to ${grow.maxNodes + nodes} or use a larger size`;
  };
  const shortAtMax = plus(requests.min, allocatable.atMax, -1);
  const atMaxPools = describePools(pools, "max");
  const cannot: string[] = [];
  if (shortAtMax.cpuMillis > 0) {
    const [need, have] = twoNumbers(requests.min.cpuMillis, allocatable.atMax.cpuMillis, cpuDigits);
    cannot.push(`${need} vCPU of requests but the pools give at most ${have} vCPU allocatable`);
  }
  if (shortAtMax.memoryBytes > 0) {
    const [need, have] = twoNumbers(requests.min.memoryBytes, allocatable.atMax.memoryBytes, gibDigits);
    cannot.push(`${need} GiB of memory requests but the pools give at most ${have} GiB allocatable`);
  }
  if (shortAtMax.pods > 0)
    cannot.push(
      `${requests.min.pods} pods but the pools run at most ${allocatable.atMax.pods} (${catalog.maxPodsPerNode} per node)`,
    );
  if (cannot.length > 0)
    problems.push(
      `botfleet: the fleet needs ${cannot.join(", and ")} at max nodes (${atMaxPools}); ${fix(shortAtMax)}`,
    );

  // The largest pod must fit on one node of the largest pool.
  const biggest = pools.reduce<PoolCapacity | undefined>(
    (best, p) =>
      best === undefined ||
      p.perNode.cpuMillis + p.perNode.memoryBytes / MiB >
        best.perNode.cpuMillis + best.perNode.memoryBytes / MiB
        ? p
        : best,
    undefined,
  );
  if (biggest !== undefined) {
    for (const w of inv.workloads) {
      if (w.perNode || w.podsMax === 0) continue;
      const cpu = w.pod.requests.cpuMillis > Math.max(...pools.map((p) => p.perNode.cpuMillis));
      const mem = w.pod.requests.memoryBytes > Math.max(...pools.map((p) => p.perNode.memoryBytes));
      if (cpu || mem)
        problems.push(
          `botfleet: ${w.kind} ${w.namespace}/${w.name} requests ${fmtCpu(w.pod.requests.cpuMillis)} vCPU and ${fmtGiB(w.pod.requests.memoryBytes)} GiB per pod but the largest node gives ${fmtCpu(biggest.perNode.cpuMillis)} vCPU and ${fmtGiB(biggest.perNode.memoryBytes)} GiB allocatable (${biggest.size}); use a larger size or lower the requests`,
        );
    }
  }

  const exceeds = (a: Amount, b: Amount) =>
    a.cpuMillis > b.cpuMillis || a.memoryBytes > b.memoryBytes || a.pods > b.pods;
  let verdict: Verdict;
  if (problems.length > 0) verdict = "cannot-fit";
  else if (!exceeds(requests.max, allocatable.atMin)) verdict = "fits";
  else {
    verdict = "needs-autoscaling";
    warnings.push(
      `botfleet: the fleet needs ${fmtCpu(requests.min.cpuMillis)} vCPU and ${fmtGiB(requests.min.memoryBytes)} GiB of requests (${fmtCpu(requests.max.cpuMillis)} vCPU and ${fmtGiB(requests.max.memoryBytes)} GiB with HPAs at max) but the pools give ${fmtCpu(allocatable.atMin.cpuMillis)} vCPU and ${fmtGiB(allocatable.atMin.memoryBytes)} GiB allocatable at min nodes (${describePools(pools, "min")}); the cluster autoscaler must add nodes (at most ${fmtCpu(allocatable.atMax.cpuMillis)} vCPU and ${fmtGiB(allocatable.atMax.memoryBytes)} GiB at max nodes)`,
    );
    if (exceeds(requests.max, allocatable.atMax))
      warnings.push(
        `botfleet: with every HPA at maxReplicas the fleet needs ${fmtCpu(requests.max.cpuMillis)} vCPU and ${fmtGiB(requests.max.memoryBytes)} GiB but the pools give at most ${fmtCpu(allocatable.atMax.cpuMillis)} vCPU and ${fmtGiB(allocatable.atMax.memoryBytes)} GiB: the last replicas would stay Pending; ${fix(plus(requests.max, allocatable.atMax, -1))}`,
      );
  }
  return {
    stack: input.stack,
    provider: cluster.provider,
    verdict,
    requests,
    limits,
    daemonSetsPerNode,
    pools,
    allocatable,
    problems,
    warnings,
    inventory: inv,
    cost: estimateCost(cluster, inv, input.costs),
  };
}

// ---------------------------------------------------------------------------------------------------
// Cost

export interface CostLine {
  readonly item: string;
  readonly minUsd: number;
  readonly maxUsd: number;
}

export interface CostEstimate {
  readonly provider: "digitalocean" | "linode";
  /** Date of the prices used: the catalog's, or `costs.asOf` when the stack overrides any. */
  readonly pricesAsOf: string;
  /** Which prices came from `botfleet:costs`. */
  readonly overridden: readonly string[];
  readonly lines: readonly CostLine[];
  readonly volumeGiB: number;
  readonly loadBalancers: number;
  readonly minUsd: number;
  readonly maxUsd: number;
}

const cents = (v: number) => Math.round(v * 100) / 100;

/** Prices after the stack's overrides. */
export function effectivePrices(catalog: CloudCatalog, costs: CostsConfig | undefined) {
  const overridden: string[] = [];
  const o = <T>(key: string, override: T | undefined, fallback: T): T => {
    if (override === undefined) return fallback;
    overridden.push(key);
    return override;
  };
  const sizes: Record<string, number> = {};
  for (const [slug, s] of Object.entries(catalog.sizes)) sizes[slug] = s.monthlyUsd;
  for (const [slug, usd] of Object.entries(costs?.nodeSizes ?? {}))
    sizes[slug] = o(`nodeSizes.${slug}`, usd, 0);
  return {
    sizes,
    haControlPlaneUsd: o("haControlPlaneUsd", costs?.haControlPlaneUsd, catalog.haControlPlaneUsd),
    volumeUsdPerGiB: o("volumeUsdPerGiB", costs?.volumeUsdPerGiB, catalog.volumeUsdPerGiB),
    loadBalancerUsd: o("loadBalancerUsd", costs?.loadBalancerUsd, catalog.loadBalancerUsd),
    overridden,
  };
}

/**
 * Monthly list-price estimate: nodes at min and at max, the HA control plane, block storage (every
 * volume rounded up to whole GiB, as both clouds bill) and cloud load balancers. Not counted: egress
 * beyond the included transfer, snapshots, backups' object storage, reserved IPs, taxes.
 */
export function estimateCost(
  cluster: ClusterConfig,
  inv: Pick<Inventory, "volumes" | "loadBalancers">,
  costs?: CostsConfig,
): CostEstimate | undefined {
  if (cluster.provider === "existing") return undefined;
  const prices = effectivePrices(CATALOGS[cluster.provider], costs);
  const lines: CostLine[] = [];
  for (const p of poolsOf(cluster)) {
    const unit = prices.sizes[p.size];
    const nodes = p.minNodes === p.maxNodes ? `${p.minNodes}` : `${p.minNodes}-${p.maxNodes}`;
    lines.push({
      item: `${p.name} nodes (${nodes} x ${p.size} at $${unit})`,
      minUsd: cents(p.minNodes * unit),
      maxUsd: cents(p.maxNodes * unit),
    });
  }
  if (cluster.ha)
    lines.push({
      item: "HA control plane",
      minUsd: prices.haControlPlaneUsd,
      maxUsd: prices.haControlPlaneUsd,
    });
  const volumeGiB = inv.volumes.reduce((sum, v) => sum + Math.max(1, Math.ceil(v.bytes / GiB)) * v.count, 0);
  if (volumeGiB > 0) {
    const usd = cents(volumeGiB * prices.volumeUsdPerGiB);
    lines.push({
      item: `block storage (${volumeGiB} GiB at $${prices.volumeUsdPerGiB}/GiB)`,
      minUsd: usd,
      maxUsd: usd,
    });
  }
  const lbs = inv.loadBalancers.length;
  if (lbs > 0) {
    const usd = cents(lbs * prices.loadBalancerUsd);
    lines.push({ item: `load balancers (${lbs} at $${prices.loadBalancerUsd})`, minUsd: usd, maxUsd: usd });
  }
  return {
    provider: cluster.provider,
    pricesAsOf:
      prices.overridden.length > 0 ? (costs?.asOf ?? `${PRICES_AS_OF} with overrides`) : PRICES_AS_OF,
    overridden: prices.overridden,
    lines,
    volumeGiB,
    loadBalancers: lbs,
    minUsd: cents(lines.reduce((s, l) => s + l.minUsd, 0)),
    maxUsd: cents(lines.reduce((s, l) => s + l.maxUsd, 0)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Rendering

const amountRow = (label: string, a: Amount) =>
  `| ${label} | ${fmtCpu(a.cpuMillis)} | ${fmtGiB(a.memoryBytes)} | ${a.pods} |`;
const usd = (v: number) => `$${v.toFixed(2)}`;

const VERDICT_TEXT: Record<Verdict, string> = {
  fits: "fits at min nodes",
  "needs-autoscaling": "needs autoscaling",
  "cannot-fit": "cannot fit, even at max nodes",
  unknown: "unknown (existing cluster: capacity not managed here; requests only)",
};

/** The capacity and cost summary as markdown lines (for the synth's summary.md). */
export function capacityMarkdown(report: CapacityReport): string[] {
  const lines = ["", `### Capacity: ${VERDICT_TEXT[report.verdict]}`, ""];
  lines.push("| | vCPU | memory GiB | pods |", "|---|---|---|---|");
  lines.push(amountRow("fleet requests (HPAs at min)", report.requests.min));
  lines.push(amountRow("fleet requests (HPAs at max)", report.requests.max));
  lines.push(amountRow("DaemonSets, per node", report.daemonSetsPerNode));
  if (report.allocatable) {
    lines.push(amountRow("allocatable at min nodes", report.allocatable.atMin));
    lines.push(amountRow("allocatable at max nodes", report.allocatable.atMax));
  }
  lines.push(
    "",
    `Limits (HPAs at max): ${fmtCpu(report.limits.max.cpuMillis)} vCPU, ${fmtGiB(report.limits.max.memoryBytes)} GiB memory; ${report.limits.withoutCpuLimit} workload(s) without a CPU limit.`,
  );
  if (report.pools.length > 0) {
    lines.push(
      "",
      "| pool | size | nodes | per node for the fleet (vCPU / GiB / pods) |",
      "|---|---|---|---|",
    );
    for (const p of report.pools)
      lines.push(
        `| ${p.name} (\`${p.key}\`) | ${p.size} | ${p.minNodes === p.maxNodes ? p.minNodes : `${p.minNodes}-${p.maxNodes}`} | ${fmtCpu(p.perNode.cpuMillis)} / ${fmtGiB(p.perNode.memoryBytes)} / ${p.perNode.pods} |`,
      );
    lines.push(
      "",
      "Per node: size minus GKE-style kube/system reservations and eviction threshold, minus estimated managed node agents and the fleet's DaemonSets (see `lib/capacity.ts`).",
    );
  }
  const byNs = new Map<string, Amount>();
  for (const w of report.inventory.workloads) {
    if (w.perNode) continue;
    byNs.set(w.namespace, plus(byNs.get(w.namespace) ?? ZERO, { ...w.pod.requests, pods: 1 }, w.podsMax));
  }
  if (byNs.size > 0) {
    lines.push("", "| namespace | vCPU | memory GiB | pods (HPAs at max) |", "|---|---|---|---|");
    for (const [ns, a] of [...byNs].sort(([x], [y]) => x.localeCompare(y))) lines.push(amountRow(ns, a));
  }
  const estimated = report.inventory.workloads.filter((w) => w.source === "estimate").map((w) => w.name);
  if (estimated.length > 0)
    lines.push("", `Estimated (chart defaults set no requests): ${estimated.join(", ")}.`);
  for (const p of report.problems) lines.push("", `**Error:** ${p}`);
  for (const w of report.warnings) lines.push("", `Warning: ${w}`);
  const cost = report.cost;
  if (cost) {
    lines.push("", `### Monthly cost estimate (USD, list prices as of ${cost.pricesAsOf})`, "");
    lines.push("| item | at min nodes | at max nodes |", "|---|---|---|");
    for (const l of cost.lines) lines.push(`| ${l.item} | ${usd(l.minUsd)} | ${usd(l.maxUsd)} |`);
    lines.push(`| **total** | **${usd(cost.minUsd)}** | **${usd(cost.maxUsd)}** |`);
    if (cost.overridden.length > 0)
      lines.push("", `Overridden by \`botfleet:costs\`: ${cost.overridden.join(", ")}.`);
  }
  return lines;
}

/** Plain data for stack outputs. */
export function capacityOutputs(report: CapacityReport): Record<string, unknown> {
  const amount = (a: Amount) => ({
    cpu: Number(fmtCpu(a.cpuMillis)),
    memoryGiB: Number(fmtGiB(a.memoryBytes)),
    pods: a.pods,
  });
  return {
    verdict: report.verdict,
    requests: { min: amount(report.requests.min), max: amount(report.requests.max) },
    ...(report.allocatable
      ? { allocatable: { atMin: amount(report.allocatable.atMin), atMax: amount(report.allocatable.atMax) } }
      : {}),
    ...(report.cost
      ? {
          monthlyUsd: { min: report.cost.minUsd, max: report.cost.maxUsd },
          pricesAsOf: report.cost.pricesAsOf,
        }
      : {}),
  };
}

/** A horizontal bar chart of monthly cost per stack (min solid, max outlined) as an SVG string. */
export function costSvg(rows: readonly { stack: string; minUsd: number; maxUsd: number }[]): string {
  const barH = 22;
  const left = 120;
  const width = 640;
  const top = 30;
  const scaleMax = Math.max(1, ...rows.map((x) => x.maxUsd));
  const px = (v: number) => ((width - left - 90) * v) / scaleMax;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const height = top + rows.length * (barH + 10) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="18" font-weight="bold">Monthly cost per stack (USD; filled: min nodes, outline: max nodes)</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barH + 10);
    parts.push(
      `<text x="10" y="${y + 15}">${esc(row.stack)}</text>`,
      `<rect x="${left}" y="${y}" width="${px(row.maxUsd).toFixed(1)}" height="${barH}" fill="none" stroke="#336"/>`,
      `<rect x="${left}" y="${y}" width="${px(row.minUsd).toFixed(1)}" height="${barH}" fill="#69c"/>`,
      `<text x="${(left + px(row.maxUsd) + 6).toFixed(1)}" y="${y + 15}">$${row.minUsd.toFixed(0)}-$${row.maxUsd.toFixed(0)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// After the fact: from a mock-engine run (the offline synth)

/**
 * The report for a finished mock-engine run, from the inputs the engine received. `values` are the
 * stack's raw config values (`LoadedStack.values`: full keys, structured values as JSON text); the
 * cluster and costs sections are parsed with their schemas, so call this only for a run without a
 * config error.
 */
export function capacityFromRun(
  stack: string,
  values: Readonly<Record<string, string>>,
  run: { readonly resources: readonly { type: string; name: string; inputs: Record<string, unknown> }[] },
): CapacityReport {
  const json = (key: string) => (values[key] === undefined ? undefined : JSON.parse(values[key]));
  const cluster = clusterSchema.parse(json("botfleet:cluster"));
  const costs = costsSchema.parse(json("botfleet:costs"));
  const recorded = run.resources
    .filter((r) => RELEVANT_TYPES.has(r.type))
    .map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
  return assessCapacity({ stack, cluster, costs }, inventoryOf(recorded));
}
