/**
 * The capacity verdict: what the fleet requests against what the node pools give (fits at min nodes /
 * needs autoscaling / cannot fit even at max).
 *
 * The model is an aggregate one: it sums requests and allocatable capacity cluster-wide and checks the
 * largest pod against the largest node. Four scarce things are counted: CPU, memory, pods and block
 * volume attachments (a node attaches at most `volumesPerNode` of the catalog; a pod's claims attach to
 * its node). It does not bin-pack, follow nodeSelectors or taints, or model
 * the cluster autoscaler: a "fits" verdict is necessary, not sufficient. Sources of every number that
 * does not come from the program's own manifests are cited where the number is defined.
 */
import { CATALOGS } from "../../config/catalog";
import type { ClusterConfig } from "../../config/cluster";
import type { CostsConfig } from "../../config/costs";
import { type CostEstimate, estimateCost } from "./cost";
import type { Inventory, WorkloadDemand } from "./inventory";
import { MANAGED_SYSTEM_PODS, nodeAllocatable } from "./nodes";
import type { Resources } from "./pods";
import { GiB, MiB, fmtCpu, fmtGiB } from "./quantities";

export interface Amount extends Resources {
  readonly pods: number;
  /** Block volumes attached (demand) or attachable (capacity). */
  readonly volumes: number;
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

export const ZERO: Amount = { cpuMillis: 0, memoryBytes: 0, pods: 0, volumes: 0 };
export const plus = (a: Amount, b: Amount, times = 1): Amount => ({
  cpuMillis: a.cpuMillis + b.cpuMillis * times,
  memoryBytes: a.memoryBytes + b.memoryBytes * times,
  pods: a.pods + b.pods * times,
  volumes: a.volumes + b.volumes * times,
});

/** Volumes one pod of the workload attaches: its own claims plus every existing claim it mounts. */
export const volumesPerPod = (w: WorkloadDemand): number =>
  (w.claimsPerPod ?? 0) + (w.sharedClaims?.length ?? 0);

/**
 * What the workloads (DaemonSets excluded) request, HPAs at min or max. A pod's own claims (templates,
 * ephemeral) attach with each pod; an existing claim attaches once, to one node, while any pod that
 * mounts it runs. Pods at 0 (a stopped trader, a suspended CronJob) attach nothing: their claims exist
 * but sit on no node.
 */
export function fleetAmount(workloads: readonly WorkloadDemand[], at: "min" | "max"): Amount {
  let total = ZERO;
  const shared = new Set<string>();
  for (const w of workloads) {
    if (w.perNode) continue;
    const pods = at === "min" ? w.podsMin : w.podsMax;
    total = plus(total, { ...w.pod.requests, pods: 1, volumes: w.claimsPerPod ?? 0 }, pods);
    if (pods > 0) for (const c of w.sharedClaims ?? []) shared.add(c);
  }
  return { ...total, volumes: total.volumes + shared.size };
}

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

/** "7 per node", or "7 per s-2vcpu-4gb node, 14 per g6-standard-6 node" when sizes differ. */
function volumesPerNodeText(pools: readonly PoolCapacity[]): string {
  const bySize = new Map(pools.map((p) => [p.size, p.perNode.volumes]));
  const counts = new Set(bySize.values());
  if (counts.size === 1) return `${[...counts][0]} per node`;
  return [...bySize].map(([size, n]) => `${n} per ${size} node`).join(", ");
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
  const requests = { min: fleetAmount(inv.workloads, "min"), max: fleetAmount(inv.workloads, "max") };
  const limits = {
    min: sumLimits(inv, "min"),
    max: sumLimits(inv, "max"),
    withoutCpuLimit: inv.workloads.filter((w) => !w.perNode && w.podsMax > 0 && w.pod.withoutCpuLimit > 0)
      .length,
  };
  let daemonSetsPerNode = ZERO;
  for (const w of inv.workloads)
    if (w.perNode)
      daemonSetsPerNode = plus(
        daemonSetsPerNode,
        { ...w.pod.requests, pods: 1, volumes: volumesPerPod(w) },
        w.podsMin,
      );
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
        volumes: catalog.volumesPerNode(catalog.sizes[p.size]) - overhead.volumes,
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
      Math.ceil(Math.max(short.volumes, 0) / Math.max(grow.perNode.volumes, 1)),
    );
    // On DOKS every size attaches 7 volumes: a larger size is no fix for a volume shortage there.
    const slots = (size: string) => catalog.volumesPerNode(catalog.sizes[size]);
    const largerHelps =
      short.volumes <= 0 ||
      Object.values(catalog.sizes).some((s) => catalog.volumesPerNode(s) > slots(grow.size));
    return grow.key === "systemPool"
      ? `raise systemPool.count to ${grow.maxNodes + nodes} or add a worker pool`
      : `raise ${grow.key}.maxNodes to ${grow.maxNodes + nodes}${largerHelps ? " or use a larger size" : ""}`;
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
  if (shortAtMax.volumes > 0)
    cannot.push(
      `${requests.min.volumes} volume attachments but the pools attach at most ${allocatable.atMax.volumes} (${volumesPerNodeText(pools)})`,
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
      const attaches = volumesPerPod(w);
      const mostVolumes = Math.max(...pools.map((p) => p.perNode.volumes));
      if (attaches > mostVolumes)
        problems.push(
          `botfleet: ${w.kind} ${w.namespace}/${w.name} attaches ${attaches} volumes per pod but a node attaches at most ${mostVolumes} (${volumesPerNodeText(pools)}); use fewer claims per pod`,
        );
      if (cpu || mem)
        problems.push(
          `botfleet: ${w.kind} ${w.namespace}/${w.name} requests ${fmtCpu(w.pod.requests.cpuMillis)} vCPU and ${fmtGiB(w.pod.requests.memoryBytes)} GiB per pod but the largest node gives ${fmtCpu(biggest.perNode.cpuMillis)} vCPU and ${fmtGiB(biggest.perNode.memoryBytes)} GiB allocatable (${biggest.size}); use a larger size or lower the requests`,
        );
    }
  }

  const exceeds = (a: Amount, b: Amount) =>
    a.cpuMillis > b.cpuMillis || a.memoryBytes > b.memoryBytes || a.pods > b.pods || a.volumes > b.volumes;
  // Volumes are named only where they are short, so CPU/memory-only warnings read as before.
  const vol = (need: Amount, have: Amount, text: (n: number) => string) =>
    need.volumes > have.volumes ? text(need.volumes) : "";
  let verdict: Verdict;
  if (problems.length > 0) verdict = "cannot-fit";
  else if (!exceeds(requests.max, allocatable.atMin)) verdict = "fits";
  else {
    verdict = "needs-autoscaling";
    const { atMin, atMax } = allocatable;
    warnings.push(
      `botfleet: the fleet needs ${fmtCpu(requests.min.cpuMillis)} vCPU and ${fmtGiB(requests.min.memoryBytes)} GiB of requests (${fmtCpu(requests.max.cpuMillis)} vCPU and ${fmtGiB(requests.max.memoryBytes)} GiB with HPAs at max)${vol(requests.max, atMin, (n) => ` and ${n} volume attachments`)} but the pools give ${fmtCpu(atMin.cpuMillis)} vCPU and ${fmtGiB(atMin.memoryBytes)} GiB allocatable${vol(requests.max, atMin, () => ` and ${atMin.volumes} volume attachments (${volumesPerNodeText(pools)})`)} at min nodes (${describePools(pools, "min")}); the cluster autoscaler must add nodes (at most ${fmtCpu(atMax.cpuMillis)} vCPU and ${fmtGiB(atMax.memoryBytes)} GiB${vol(requests.max, atMin, () => ` and ${atMax.volumes} volume attachments`)} at max nodes)`,
    );
    if (exceeds(requests.max, allocatable.atMax))
      warnings.push(
        `botfleet: with every HPA at maxReplicas the fleet needs ${fmtCpu(requests.max.cpuMillis)} vCPU and ${fmtGiB(requests.max.memoryBytes)} GiB${vol(requests.max, allocatable.atMax, (n) => ` and ${n} volume attachments`)} but the pools give at most ${fmtCpu(allocatable.atMax.cpuMillis)} vCPU and ${fmtGiB(allocatable.atMax.memoryBytes)} GiB${vol(requests.max, allocatable.atMax, () => ` and ${allocatable.atMax.volumes} volume attachments`)}: the last replicas would stay Pending; ${fix(plus(requests.max, allocatable.atMax, -1))}`,
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
