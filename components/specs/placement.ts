/**
 * Where a workload class runs: the node selector and tolerations that put its pods on the stack's
 * pools of its role (config/cluster.ts `pools[].role`, `dedicated`). The capacity model reads these
 * back from the rendered pod specs, so it places pods exactly as the scheduler will.
 */
import type * as k8s from "@pulumi/kubernetes";
import {
  ROLE_KEY,
  type ClusterConfig,
  type WorkerPoolConfig,
  type WorkloadClass,
} from "../../config/cluster";

type Toleration = k8s.types.input.core.v1.Toleration;

/** The scheduling fields a pod spec spreads in; empty when the class has no pool of its own. */
export interface PodPlacement {
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: Toleration[];
}

/** The taint a dedicated pool of `role` carries: `botfleet.io/role=<role>:NoSchedule`. */
export function roleTaint(role: string): { key: string; value: string; effect: "NoSchedule" } {
  return { key: ROLE_KEY, value: role, effect: "NoSchedule" };
}

/** Every taint a pool's nodes carry: the configured ones plus the role taint when dedicated. */
export function poolTaints(
  pool: Pick<WorkerPoolConfig, "role" | "dedicated" | "taints">,
): { key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[] {
  const configured = pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
  return pool.dedicated ? [...configured, roleTaint(pool.role)] : configured;
}

/**
 * Node selector `botfleet.io/role: <class>` when the stack has a pool of that role (else none: the
 * class runs on any untainted node, the system pool included), and the role toleration when one of
 * those pools is dedicated. An `existing` cluster has no managed pools, so nothing is selected.
 */
export function placementFor(cluster: Pick<ClusterConfig, "pools">, cls: WorkloadClass): PodPlacement {
  const pools = cluster.pools.filter((p) => p.role === cls);
  if (pools.length === 0) return {};
  const tolerations: Toleration[] = pools.some((p) => p.dedicated)
    ? [{ key: ROLE_KEY, operator: "Equal", value: cls, effect: "NoSchedule" }]
    : [];
  return { nodeSelector: { [ROLE_KEY]: cls }, ...(tolerations.length > 0 ? { tolerations } : {}) };
}

/** A DaemonSet that must run on every node (node-exporter) tolerates every taint, any effect. */
export const EVERY_TAINT: Toleration[] = [{ operator: "Exists" }];
