/**
 * Fleet health from the workloads' live status, as `pulumi up` leaves it: the promotion to prod reads
 * it from dev's stack outputs and refuses when any bot is not ready.
 */
export interface BotHealth {
  readonly ready: boolean;
  /** A bot the stack stops on purpose (`stopped: true`) counts as healthy. */
  readonly stopped?: boolean;
}

export interface FleetHealth {
  readonly ready: boolean;
  readonly bots: Readonly<Record<string, BotHealth>>;
}

interface WorkloadStatus {
  readonly readyReplicas?: number;
  readonly replicas?: number;
}

/** A trader is ready when its one pod is; a stopped trader has none by design. */
export function traderHealth(stopped: boolean, status: WorkloadStatus | undefined): BotHealth {
  if (stopped) return { ready: true, stopped: true };
  return { ready: (status?.readyReplicas ?? 0) >= 1 };
}

/** A service is ready when every replica the HPA asked for is, and there is at least one. */
export function serviceHealth(status: WorkloadStatus | undefined): BotHealth {
  const ready = status?.readyReplicas ?? 0;
  return { ready: ready >= 1 && ready >= (status?.replicas ?? 1) };
}

export function fleetHealth(bots: Record<string, BotHealth>): FleetHealth {
  return { ready: Object.values(bots).every((b) => b.ready), bots };
}
