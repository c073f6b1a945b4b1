import type { WorkerPoolConfig } from "../../config/cluster";

/** Node label that names a pool; workloads may select on it. */
export const POOL_LABEL = "botfleet.io/pool";

export function poolNodeLabels(pool: Pick<WorkerPoolConfig, "name" | "labels">): Record<string, string> {
  return { ...pool.labels, [POOL_LABEL]: pool.name };
}

/** Autoscaling is on whenever a pool may grow. A fixed pool runs exactly minNodes. */
export function poolScaling(pool: Pick<WorkerPoolConfig, "minNodes" | "maxNodes">) {
  return { autoscale: pool.maxNodes > pool.minNodes, min: pool.minNodes, max: pool.maxNodes };
}
