/**
 * Capacity and cost model (pure). Input: the Kubernetes resources a stack registers, as their plain
 * props, plus the cluster config. Output: what the fleet requests, what the node pools can give after
 * per-node reservations, a verdict, a monthly cost estimate from the catalog prices, and a markdown
 * summary. One file per step; this module is what the program, the synth and the benches import.
 */
export { cpuMillis, fmtCpu, fmtGiB, parseQuantity } from "./quantities";
export { podResources, type PodResources, type Resources } from "./pods";
export {
  RELEVANT_TYPES,
  inventoryOf,
  type Inventory,
  type RecordedResource,
  type Source,
  type VolumeDemand,
  type WorkloadDemand,
} from "./inventory";
export { KPS_ESTIMATES, METRICS_SERVER_ESTIMATES, kubePrometheusStack, metricsServerChart } from "./charts";
export { MANAGED_SYSTEM_PODS, nodeAllocatable, nodeReserved } from "./nodes";
export {
  assessCapacity,
  fleetAmount,
  volumesPerPod,
  poolsOf,
  type Amount,
  type CapacityInput,
  type CapacityReport,
  type PoolCapacity,
  type Verdict,
} from "./model";
export { effectivePrices, estimateCost, type CostEstimate, type CostLine } from "./cost";
export { capacityMarkdown, capacityOutputs, costSvg } from "./report";
export { capacityFromRun } from "./from-run";
