/** What one pod requests and is limited to, read the way the scheduler reads it. */
import { asArray, asRecord } from "./inventory";
import { cpuMillis, parseQuantity } from "./quantities";

export interface Resources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export interface PodResources {
  /** What the scheduler charges the pod (Kubernetes' effective request). */
  readonly requests: Resources;
  /** Effective limits, counting only containers that set one. */
  readonly limits: Resources;
  /** Containers (app + init) without a CPU limit / memory limit. */
  readonly withoutCpuLimit: number;
  readonly withoutMemoryLimit: number;
}

export interface ContainerLike {
  readonly resources?: {
    readonly requests?: Record<string, unknown>;
    readonly limits?: Record<string, unknown>;
  };
  readonly restartPolicy?: string;
}

type Dim = "cpu" | "memory";
const readDim = (dim: Dim, q: unknown) => (dim === "cpu" ? cpuMillis(q) : parseQuantity(q));

/** A container's request: an unset request defaults to the limit (Kubernetes API defaulting), else 0. */
function containerRequest(c: ContainerLike, dim: Dim): number {
  return readDim(dim, c.resources?.requests?.[dim]) ?? readDim(dim, c.resources?.limits?.[dim]) ?? 0;
}

function containerLimit(c: ContainerLike, dim: Dim): number | undefined {
  return readDim(dim, c.resources?.limits?.[dim]);
}

/**
 * The effective pod value for one resource, as the scheduler computes it (KEP-753 sidecars included):
 * max(sum(app) + sum(sidecars), max over init containers of (init + sidecars started before it)),
 * plus the RuntimeClass pod overhead.
 */
function effective(
  containers: readonly ContainerLike[],
  inits: readonly ContainerLike[],
  value: (c: ContainerLike) => number,
): number {
  let sidecars = 0;
  let initPeak = 0;
  for (const ic of inits) {
    if (ic.restartPolicy === "Always") {
      sidecars += value(ic);
      initPeak = Math.max(initPeak, sidecars);
    } else initPeak = Math.max(initPeak, value(ic) + sidecars);
  }
  const app = containers.reduce((sum, c) => sum + value(c), 0);
  return Math.max(app + sidecars, initPeak);
}

/** Requests and limits of one pod spec (`spec.template.spec`). */
export function podResources(spec: unknown): PodResources {
  const s = asRecord(spec);
  const containers = asArray(s.containers) as ContainerLike[];
  const inits = asArray(s.initContainers) as ContainerLike[];
  const overhead = asRecord(s.overhead);
  const all = [...containers, ...inits];
  const req = (dim: Dim) =>
    effective(containers, inits, (c) => containerRequest(c, dim)) + (readDim(dim, overhead[dim]) ?? 0);
  const lim = (dim: Dim) => effective(containers, inits, (c) => containerLimit(c, dim) ?? 0);
  return {
    requests: { cpuMillis: req("cpu"), memoryBytes: req("memory") },
    limits: { cpuMillis: lim("cpu"), memoryBytes: lim("memory") },
    withoutCpuLimit: all.filter((c) => containerLimit(c, "cpu") === undefined).length,
    withoutMemoryLimit: all.filter((c) => containerLimit(c, "memory") === undefined).length,
  };
}
