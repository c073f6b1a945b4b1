/**
 * Fleet health from the workloads' live status, as `pulumi up` leaves it: the promotion to prod reads
 * it from dev's stack outputs and refuses when any bot is not ready or has a restart pending.
 */
export interface BotHealth {
  readonly ready: boolean;
  /** A bot the stack stops on purpose (`stopped: true`) counts as healthy. */
  readonly stopped?: boolean;
  /**
   * A trader whose pod runs an older revision than its template (an OnDelete change staged, not yet
   * applied): it goes live only when the pod is deleted. Set on traders only.
   */
  readonly pendingRestart?: boolean;
  /** The StatefulSet's `status.currentRevision` and `status.updateRevision`, when it reports them. */
  readonly currentRevision?: string;
  readonly updateRevision?: string;
}

export interface FleetHealth {
  readonly ready: boolean;
  /** Traders with a staged template their pod does not run yet (see {@link BotHealth.pendingRestart}). */
  readonly pendingRestart: readonly string[];
  readonly bots: Readonly<Record<string, BotHealth>>;
}

interface WorkloadStatus {
  readonly readyReplicas?: number;
  readonly replicas?: number;
}

interface StatefulSetStatus extends WorkloadStatus {
  readonly updatedReplicas?: number;
  readonly currentRevision?: string;
  readonly updateRevision?: string;
}

/**
 * Whether a pod still runs a revision older than the template. The revisions differing is not enough:
 * under OnDelete the StatefulSet controller never advances `currentRevision` (kubernetes/kubernetes#73492,
 * fixed only in 2026), so after the operator's delete it still differs; `updatedReplicas` (pods at
 * `updateRevision`) short of `replicas` is what says a pod is left on the old one.
 */
export function pendingRestart(status: StatefulSetStatus | undefined): boolean {
  if (status?.updateRevision === undefined || status.currentRevision === status.updateRevision) return false;
  return (status.updatedReplicas ?? 0) < (status.replicas ?? 0);
}

/** A trader is ready when its one pod is; a stopped trader has none by design. */
export function traderHealth(stopped: boolean, status: StatefulSetStatus | undefined): BotHealth {
  const revisions = {
    pendingRestart: pendingRestart(status),
    ...(status?.currentRevision === undefined ? {} : { currentRevision: status.currentRevision }),
    ...(status?.updateRevision === undefined ? {} : { updateRevision: status.updateRevision }),
  };
  if (stopped) return { ready: true, stopped: true, ...revisions };
  return { ready: (status?.readyReplicas ?? 0) >= 1, ...revisions };
}

/** A service is ready when every replica the HPA asked for is, and there is at least one. */
export function serviceHealth(status: WorkloadStatus | undefined): BotHealth {
  const ready = status?.readyReplicas ?? 0;
  return { ready: ready >= 1 && ready >= (status?.replicas ?? 1) };
}

export function fleetHealth(bots: Record<string, BotHealth>): FleetHealth {
  const pending = Object.keys(bots).filter((b) => bots[b].pendingRestart === true);
  return { ready: Object.values(bots).every((b) => b.ready), pendingRestart: pending.sort(), bots };
}
