/** The capacity report of a finished mock-engine run (the offline synth). */
import { clusterSchema } from "../../config/cluster";
import { costsSchema } from "../../config/costs";
import { RELEVANT_TYPES, inventoryOf } from "./inventory";
import { type CapacityReport, assessCapacity } from "./model";

/**
 * The report for a finished mock-engine run, from the inputs the engine received. `values` are the
 * stack's raw config values (`LoadedStack.values`: full keys, structured values as JSON text); the
 * cluster and costs sections are parsed with their schemas, so call this only for a run without a
 * config error.
 */
export function capacityFromRun(
  stack: string,
  values: Readonly<Record<string, string>>,
  run: { readonly resources: readonly { type: string; name: string; inputs: Record<string, unknown> }[] },
): CapacityReport {
  const json = (key: string) => (values[key] === undefined ? undefined : JSON.parse(values[key]));
  const cluster = clusterSchema.parse(json("botfleet:cluster"));
  const costs = costsSchema.parse(json("botfleet:costs"));
  const recorded = run.resources
    .filter((r) => RELEVANT_TYPES.has(r.type))
    .map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
  return assessCapacity({ stack, cluster, costs }, inventoryOf(recorded));
}
