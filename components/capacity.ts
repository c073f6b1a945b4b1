/**
 * The in-program capacity check. A stack transformation records every Kubernetes workload, HPA, PVC,
 * LoadBalancer Service and Helm release exactly as the program registers it (pod specs here are plain
 * values), so the numbers checked are the numbers deployed. `check()` runs once the program has built
 * everything: it throws when the fleet cannot fit even at max nodes (so `pulumi preview` fails) and
 * warns when it needs the autoscaler.
 *
 * Wiring, in `program()`:
 *   const config = loadConfig();
 *   const capacity = startCapacityRecorder(config);   // before any resource
 *   ... every component ...
 *   const report = capacity.check();                  // last
 *   return { ..., capacity: capacityOutputs(report) };
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/cluster";
import type { CostsConfig } from "../config/costs";
import {
  RELEVANT_TYPES,
  assessCapacity,
  inventoryOf,
  type CapacityReport,
  type RecordedResource,
} from "../lib/capacity";

/** The parts of the stack config the check reads (`StackConfig` fits). */
export interface CapacityRecorderConfig {
  readonly stack: string;
  readonly cluster: ClusterConfig;
  /** `botfleet:costs` price overrides. @default catalog prices */
  readonly costs?: CostsConfig;
}

/** Thrown by {@link CapacityRecorder.check} when the fleet cannot be scheduled even at max nodes. */
export class CapacityError extends Error {
  constructor(readonly report: CapacityReport) {
    super(report.problems.join("\n"));
    this.name = "CapacityError";
  }
}

export interface CapacityRecorder {
  /** The verdict and cost over what has been recorded so far. */
  report(): CapacityReport;
  /** Throws {@link CapacityError} on cannot-fit; logs every warning with `pulumi.log.warn`. */
  check(): CapacityReport;
}

/**
 * Starts recording. Call before the program creates any resource: a stack transformation only sees
 * resources constructed after it is registered. Resources created later inside an `apply` are seen
 * only if they exist before `check()` runs.
 */
export function startCapacityRecorder(config: CapacityRecorderConfig): CapacityRecorder {
  const recorded: RecordedResource[] = [];
  pulumi.runtime.registerStackTransformation((args) => {
    if (RELEVANT_TYPES.has(args.type)) recorded.push({ type: args.type, name: args.name, props: args.props });
    return undefined;
  });
  const report = () =>
    assessCapacity(
      { stack: config.stack, cluster: config.cluster, costs: config.costs },
      inventoryOf(recorded),
    );
  return {
    report,
    check() {
      const r = report();
      for (const w of r.warnings) void pulumi.log.warn(w);
      if (r.verdict === "cannot-fit") throw new CapacityError(r);
      return r;
    },
  };
}
