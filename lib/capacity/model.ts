/**
 * The capacity verdict: what the fleet requests against what the node pools give (fits at min nodes /
 * needs autoscaling / cannot fit even at max).
 *
 * The model is an aggregate one: it sums requests and allocatable capacity cluster-wide and checks the
 * largest pod against the largest node. Four scarce things are counted: CPU, memory, pods and block
 * volume attachments (a node attaches at most `volumesPerNode` of the catalog; a pod's claims attach to
 * its node). It places pods the way their nodeSelectors and tolerations let the scheduler place them
 * (placement.ts): demand that may only use some pools must fit in those pools. It does not bin-pack or
 * model the cluster autoscaler: a "fits" verdict is necessary, not sufficient. Sources of every number that
 * does not come from the program's own manifests are cited where the number is defined.
 */
import { CATALOGS } from "../../config/catalog";
import type { ClusterConfig } from "../../config/cluster";
import type { CostsConfig } from "../../config/costs";
import { type CostEstimate, estimateCost } from "./cost";
import type { Inventory, WorkloadDemand } from "./inventory";
import { poolNodeLabels } from "../../components/cluster/labels";
import { poolTaints } from "../../components/specs/placement";
import { MANAGED_SYSTEM_PODS, nodeAllocatable } from "./nodes";
import {
  type PoolNodes,
  describePlacement,
  eligiblePools,
  isSubset,
  maskOf,
  poolSetsToCheck,
  schedulable,
} from "./placement";
import type { Resources } from "./pods";
import { MiB, fmtCpu, fmtGiB } from "./quantities";
import { cpuDigits, describePools, gibDigits, listed, twoNumbers, volumesPerNodeText } from "./wording";

export interface Amount extends Resources {
  readonly pods: number;
  /** Block volumes attached (demand) or attachable (capacity). */
  readonly volumes: number;
}

export interface PoolCapacity extends PoolNodes {
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

export type PoolShape = Omit<PoolCapacity, "perNode">;

/**
 * Node pools from the cluster config, with the labels and taints their nodes carry (the same functions
 * the cluster components give the cloud); the fixed system pool counts as min = max = count.
 */
export function poolsOf(cluster: ClusterConfig): PoolShape[] {
  const pools: PoolShape[] = [];
  if (cluster.systemPool !== undefined)
    pools.push({
      key: "systemPool",
      name: "system",
      size: cluster.systemPool.size,
      minNodes: cluster.systemPool.count,
      maxNodes: cluster.systemPool.count,
      labels: poolNodeLabels({ name: "system", labels: {} }),
      taints: [],
    });
  cluster.pools.forEach((p, i) =>
    pools.push({
      key: `pools[${i}]`,
      name: p.name,
      size: p.size,
      minNodes: p.minNodes,
      maxNodes: p.maxNodes,
      labels: poolNodeLabels(p),
      taints: poolTaints(p),
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
  const shapes = poolsOf(cluster);
  // A DaemonSet costs a node only where its tolerations and selector let it run.
  const pools: PoolCapacity[] = shapes.map((p) => {
    const node = nodeAllocatable(catalog.sizes[p.size]);
    let overhead: Amount = MANAGED_SYSTEM_PODS.perNode;
    for (const w of inv.workloads)
      if (w.perNode && schedulable(w.placement, p))
        overhead = plus(overhead, { ...w.pod.requests, pods: 1, volumes: volumesPerPod(w) }, w.podsMin);
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
  const everyPool = maskOf(pools.map((_, i) => i));
  // The cloud's own Deployments (CoreDNS) tolerate none of our taints: they run on the untainted pools.
  const untainted = maskOf(pools.flatMap((p, i) => (schedulable(undefined, p) ? [i] : [])));
  const inSet = (mask: number) => pools.filter((_, i) => (mask & (1 << i)) !== 0);
  const total = (mask: number, at: "min" | "max") =>
    inSet(mask).reduce(
      (sum, p) => plus(sum, p.perNode, at === "min" ? p.minNodes : p.maxNodes),
      untainted !== 0 && isSubset(untainted, mask) ? plus(ZERO, MANAGED_SYSTEM_PODS.cluster, -1) : ZERO,
    );
  const allocatable = { atMin: total(everyPool, "min"), atMax: total(everyPool, "max") };

  // Where to add room: the set's first worker pool, else its system pool.
  const fix = (short: Amount, set: readonly PoolCapacity[]) => {
    const grow = set.find((p) => p.key.startsWith("pools[")) ?? set[0];
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

  // Each workload may use the pools its placement allows; one that may use none can never run.
  const fleet = inv.workloads.filter((w) => !w.perNode);
  const masks = fleet.map((w) => maskOf(eligiblePools(w.placement, pools)));
  fleet.forEach((w, i) => {
    if (masks[i] === 0 && w.podsMax > 0)
      problems.push(
        `botfleet: ${w.kind} ${w.namespace}/${w.name} has ${describePlacement(w.placement)}, which no pool matches (${pools
          .map(
            (p) =>
              `${p.name}: ${Object.entries(p.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(
                  ", ",
                )}${p.taints.length > 0 ? `; taints ${p.taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join(", ")}` : ""}`,
          )
          .join(" | ")}); add a pool with the role it selects or change its pool's taints`,
      );
  });

  // Demand confined to a set of pools must fit in that set (every union included; placement.ts).
  const scopes = poolSetsToCheck([...masks, everyPool]).map((mask) => {
    const set = inSet(mask);
    const ws = fleet.filter((_, i) => masks[i] !== 0 && isSubset(masks[i], mask));
    const whole = mask === everyPool;
    const names = set.map((p) => p.name).join(", ");
    return {
      mask,
      set,
      requests: whole ? requests : { min: fleetAmount(ws, "min"), max: fleetAmount(ws, "max") },
      allocatable: { atMin: total(mask, "min"), atMax: total(mask, "max") },
      // The whole cluster reads as before; a subset names its pools and what runs only there.
      subject: whole
        ? "the fleet"
        : `the pods that run only on ${set.length === 1 ? "pool" : "pools"} ${names} (${listed(ws.map((w) => `${w.kind} ${w.namespace}/${w.name}`))})`,
      give: whole
        ? "the pools give"
        : `${set.length === 1 ? "pool" : "pools"} ${names} ${set.length === 1 ? "gives" : "give"}`,
      run: whole
        ? "the pools run"
        : `${set.length === 1 ? "pool" : "pools"} ${names} ${set.length === 1 ? "runs" : "run"}`,
      attach: whole
        ? "the pools attach"
        : `${set.length === 1 ? "pool" : "pools"} ${names} ${set.length === 1 ? "attaches" : "attach"}`,
      empty: ws.length === 0,
    };
  });
  const short: number[] = [];
  for (const s of scopes) {
    // A superset of a set already short adds no news: that set's fix comes first.
    if (s.empty || short.some((m) => isSubset(m, s.mask))) continue;
    const need = s.requests.min;
    const have = s.allocatable.atMax;
    const shortAtMax = plus(need, have, -1);
    const cannot: string[] = [];
    if (shortAtMax.cpuMillis > 0) {
      const [n, h] = twoNumbers(need.cpuMillis, have.cpuMillis, cpuDigits);
      cannot.push(`${n} vCPU of requests but ${s.give} at most ${h} vCPU allocatable`);
    }
    if (shortAtMax.memoryBytes > 0) {
      const [n, h] = twoNumbers(need.memoryBytes, have.memoryBytes, gibDigits);
      cannot.push(`${n} GiB of memory requests but ${s.give} at most ${h} GiB allocatable`);
    }
    if (shortAtMax.pods > 0)
      cannot.push(`${need.pods} pods but ${s.run} at most ${have.pods} (${catalog.maxPodsPerNode} per node)`);
    if (shortAtMax.volumes > 0)
      cannot.push(
        `${need.volumes} volume attachments but ${s.attach} at most ${have.volumes} (${volumesPerNodeText(s.set)})`,
      );
    if (cannot.length === 0) continue;
    short.push(s.mask);
    problems.push(
      `botfleet: ${s.subject} ${s.subject === "the fleet" ? "needs" : "need"} ${cannot.join(", and ")} at max nodes (${describePools(s.set, "max")}); ${fix(shortAtMax, s.set)}`,
    );
  }

  // The largest pod must fit on one node of the largest pool it may use.
  fleet.forEach((w, i) => {
    const set = inSet(masks[i]);
    if (w.podsMax === 0 || set.length === 0) return;
    const biggest = set.reduce((best, p) =>
      p.perNode.cpuMillis + p.perNode.memoryBytes / MiB >
      best.perNode.cpuMillis + best.perNode.memoryBytes / MiB
        ? p
        : best,
    );
    const cpu = w.pod.requests.cpuMillis > Math.max(...set.map((p) => p.perNode.cpuMillis));
    const mem = w.pod.requests.memoryBytes > Math.max(...set.map((p) => p.perNode.memoryBytes));
    const attaches = volumesPerPod(w);
    const mostVolumes = Math.max(...set.map((p) => p.perNode.volumes));
    if (attaches > mostVolumes)
      problems.push(
        `botfleet: ${w.kind} ${w.namespace}/${w.name} attaches ${attaches} volumes per pod but a node attaches at most ${mostVolumes} (${volumesPerNodeText(set)}); use fewer claims per pod`,
      );
    if (cpu || mem)
      problems.push(
        `botfleet: ${w.kind} ${w.namespace}/${w.name} requests ${fmtCpu(w.pod.requests.cpuMillis)} vCPU and ${fmtGiB(w.pod.requests.memoryBytes)} GiB per pod but the largest node ${set.length < pools.length ? `it may use (pool ${biggest.name}) ` : ""}gives ${fmtCpu(biggest.perNode.cpuMillis)} vCPU and ${fmtGiB(biggest.perNode.memoryBytes)} GiB allocatable (${biggest.size}); use a larger size or lower the requests`,
      );
  });

  const exceeds = (a: Amount, b: Amount) =>
    a.cpuMillis > b.cpuMillis || a.memoryBytes > b.memoryBytes || a.pods > b.pods || a.volumes > b.volumes;
  // Volumes are named only where they are short, so CPU/memory-only warnings read as before.
  const vol = (need: Amount, have: Amount, text: (n: number) => string) =>
    need.volumes > have.volumes ? text(need.volumes) : "";
  let verdict: Verdict;
  const growing = scopes.filter((s) => !s.empty && exceeds(s.requests.max, s.allocatable.atMin));
  if (problems.length > 0) verdict = "cannot-fit";
  else if (growing.length === 0) verdict = "fits";
  else {
    verdict = "needs-autoscaling";
    for (const s of growing) {
      const req = s.requests;
      const { atMin, atMax } = s.allocatable;
      warnings.push(
        `botfleet: ${s.subject} ${s.subject === "the fleet" ? "needs" : "need"} ${fmtCpu(req.min.cpuMillis)} vCPU and ${fmtGiB(req.min.memoryBytes)} GiB of requests (${fmtCpu(req.max.cpuMillis)} vCPU and ${fmtGiB(req.max.memoryBytes)} GiB with HPAs at max)${vol(req.max, atMin, (n) => ` and ${n} volume attachments`)} but ${s.give} ${fmtCpu(atMin.cpuMillis)} vCPU and ${fmtGiB(atMin.memoryBytes)} GiB allocatable${vol(req.max, atMin, () => ` and ${atMin.volumes} volume attachments (${volumesPerNodeText(s.set)})`)} at min nodes (${describePools(s.set, "min")}); the cluster autoscaler must add nodes (at most ${fmtCpu(atMax.cpuMillis)} vCPU and ${fmtGiB(atMax.memoryBytes)} GiB${vol(req.max, atMin, () => ` and ${atMax.volumes} volume attachments`)} at max nodes)`,
      );
      if (exceeds(req.max, atMax))
        warnings.push(
          `botfleet: with every HPA at maxReplicas ${s.subject} ${s.subject === "the fleet" ? "needs" : "need"} ${fmtCpu(req.max.cpuMillis)} vCPU and ${fmtGiB(req.max.memoryBytes)} GiB${vol(req.max, atMax, (n) => ` and ${n} volume attachments`)} but ${s.give} at most ${fmtCpu(atMax.cpuMillis)} vCPU and ${fmtGiB(atMax.memoryBytes)} GiB${vol(req.max, atMax, () => ` and ${atMax.volumes} volume attachments`)}: the last replicas would stay Pending; ${fix(plus(req.max, atMax, -1), s.set)}`,
        );
    }
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
