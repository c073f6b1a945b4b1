/**
 * Which pools a pod may land on, read the way the scheduler reads it: every `nodeSelector` entry must
 * be a label of the pool's nodes, and every NoSchedule/NoExecute taint of those nodes must be tolerated
 * (PreferNoSchedule only steers, it never keeps a pod off). The model groups workloads by the pools they
 * may use and checks each group against those pools alone.
 */

export interface TolerationLike {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface TaintLike {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

/** A pod's node selector and tolerations; both empty when the spec sets none. */
export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly TolerationLike[];
}

/** What a pool's nodes show the scheduler. */
export interface PoolNodes {
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintLike[];
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
// Local, not inventory.ts's: inventory imports this module.
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Reads `nodeSelector` and `tolerations` from a pod spec or a chart's values for one pod. */
export function readPlacement(spec: unknown, defaultTolerations: readonly TolerationLike[] = []): Placement {
  const s = record(spec);
  const nodeSelector: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(s.nodeSelector))) if (typeof v === "string") nodeSelector[k] = v;
  const tolerations = Array.isArray(s.tolerations)
    ? (s.tolerations as unknown[]).map((t) => {
        const r = record(t);
        return { key: text(r.key), operator: text(r.operator), value: text(r.value), effect: text(r.effect) };
      })
    : defaultTolerations;
  return { nodeSelector, tolerations };
}

/** Kubernetes toleration matching: an empty key with Exists matches every taint, an empty effect every effect. */
export function tolerates(tolerations: readonly TolerationLike[], taint: TaintLike): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false;
    const exists = t.operator === "Exists";
    if (t.key === undefined || t.key === "") return exists;
    if (t.key !== taint.key) return false;
    return exists || (t.value ?? "") === taint.value;
  });
}

/** True if a pod with this placement may be scheduled on the pool's nodes. */
export function schedulable(placement: Placement | undefined, pool: PoolNodes): boolean {
  const p = placement ?? { nodeSelector: {}, tolerations: [] };
  const labelsMatch = Object.entries(p.nodeSelector).every(([k, v]) => pool.labels[k] === v);
  const taintsTolerated = pool.taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((t) => tolerates(p.tolerations, t));
  return labelsMatch && taintsTolerated;
}

/** Indices of the pools a pod may land on. */
export function eligiblePools(placement: Placement | undefined, pools: readonly PoolNodes[]): number[] {
  return pools.flatMap((pool, i) => (schedulable(placement, pool) ? [i] : []));
}

/** `{botfleet.io/role: data}` and tolerations, for messages. */
export function describePlacement(placement: Placement | undefined): string {
  const sel = Object.entries(placement?.nodeSelector ?? {}).map(([k, v]) => `${k}: ${v}`);
  const tol = (placement?.tolerations ?? []).map(
    (t) =>
      `${t.key ?? "*"}${t.operator === "Exists" ? "" : `=${t.value ?? ""}`}:${t.effect !== undefined && t.effect !== "" ? t.effect : "*"}`,
  );
  return `nodeSelector {${sel.join(", ")}}${tol.length > 0 ? ` tolerating ${tol.join(", ")}` : " and no tolerations"}`;
}

/**
 * The pool sets to check (Hall's condition): the distinct sets the workloads may use and every union
 * of them. Demand confined to a set must fit in that set; checking unions catches two groups that fit
 * apart but not together. Sets are bit masks over the pool list.
 */
export function poolSetsToCheck(masks: readonly number[]): number[] {
  const sets = new Set<number>();
  for (const m of masks) {
    if (m === 0) continue;
    for (const s of [...sets]) sets.add(s | m);
    sets.add(m);
  }
  // Smallest sets first: the most specific message comes first.
  return [...sets].sort((a, b) => popcount(a) - popcount(b) || a - b);
}

export function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

export const maskOf = (indices: readonly number[]): number => indices.reduce((m, i) => m | (1 << i), 0);
export const isSubset = (a: number, b: number): boolean => (a & ~b) === 0;
