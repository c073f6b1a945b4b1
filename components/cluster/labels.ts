import { ROLE_KEY, type WorkerPoolConfig } from "../../config/cluster";

/** Node label that names a pool; workloads may select on it. */
export const POOL_LABEL = "botfleet.io/pool";

/**
 * A pool's node labels: its own, its name, and `botfleet.io/role` (the class whose pods select it).
 * The system pool has no role: nothing selects it, it runs what has no pool of its own.
 */
export function poolNodeLabels(
  pool: Pick<WorkerPoolConfig, "name" | "labels"> & { role?: WorkerPoolConfig["role"] },
): Record<string, string> {
  return {
    ...pool.labels,
    [POOL_LABEL]: pool.name,
    ...(pool.role !== undefined ? { [ROLE_KEY]: pool.role } : {}),
  };
}

/** Autoscaling is on whenever a pool may grow. A fixed pool runs exactly minNodes. */
export function poolScaling(pool: Pick<WorkerPoolConfig, "minNodes" | "maxNodes">) {
  return { autoscale: pool.maxNodes > pool.minNodes, min: pool.minNodes, max: pool.maxNodes };
}
