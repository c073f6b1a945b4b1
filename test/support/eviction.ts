/**
 * The eviction API's decision, as the API server makes it, for testing disruption budgets without a
 * cluster. Sources (kubernetes v1.33): pkg/registry/core/pod/storage/eviction.go (a pod under more than
 * one budget cannot be evicted; a not-Ready pod under `unhealthyPodEvictionPolicy: AlwaysAllow` always
 * can; otherwise only while the budget's `disruptionsAllowed` > 0) and pkg/controller/disruption
 * (an integer `maxUnavailable`: expected = the replicas of the selected pods' controllers, desired
 * healthy = expected - maxUnavailable, disruptionsAllowed = max(0, healthy - desired healthy)).
 * `kubectl drain` evicts every pod on the node and waits while any eviction is refused.
 */
import { selects, type Obj } from "./k8s";

export interface ModelPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ready: boolean;
  /** The pod's controller (a one-replica StatefulSet for a trader) and its `spec.replicas`. */
  readonly owner: string;
  readonly ownerReplicas: number;
}

/** A PodDisruptionBudget as the program registers it: `{ metadata, spec }`. */
export type ModelPdb = Obj;

const covering = (pod: ModelPod, pdbs: readonly ModelPdb[]) =>
  pdbs.filter((p) => p.metadata.namespace === pod.namespace && selects(p.spec.selector, pod.labels));

/** `status.disruptionsAllowed` of an integer-`maxUnavailable` budget over `pods`. */
export function disruptionsAllowed(pdb: ModelPdb, pods: readonly ModelPod[]): number {
  const maxUnavailable = pdb.spec.maxUnavailable;
  if (typeof maxUnavailable !== "number") throw new Error("the model handles integer maxUnavailable only");
  const selected = pods.filter((p) => covering(p, [pdb]).length === 1);
  const owners = new Map(selected.map((p) => [p.owner, p.ownerReplicas]));
  const expected = [...owners.values()].reduce((a, b) => a + b, 0);
  const healthy = selected.filter((p) => p.ready).length;
  return expected <= 0 ? 0 : Math.max(0, healthy - (expected - maxUnavailable));
}

/** Why the API server refuses to evict `pod`, or undefined when it evicts it. */
export function evictionRefusal(
  pod: ModelPod,
  pdbs: readonly ModelPdb[],
  pods: readonly ModelPod[],
): string | undefined {
  const budgets = covering(pod, pdbs);
  if (budgets.length === 0) return undefined;
  if (budgets.length > 1) return "This pod has more than one PodDisruptionBudget";
  const [pdb] = budgets;
  if (!pod.ready && pdb.spec.unhealthyPodEvictionPolicy === "AlwaysAllow") return undefined;
  return disruptionsAllowed(pdb, pods) > 0
    ? undefined
    : "Cannot evict pod as it would violate the pod's disruption budget.";
}

/** The pods a drain of `onNode` cannot evict (empty: the drain completes). */
export function drainBlockedBy(
  onNode: readonly ModelPod[],
  pdbs: readonly ModelPdb[],
  pods: readonly ModelPod[],
): string[] {
  return onNode.filter((p) => evictionRefusal(p, pdbs, pods) !== undefined).map((p) => p.name);
}
