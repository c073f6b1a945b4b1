/** The inventory: the workloads, HPAs and volumes a stack renders, from its recorded resources. */
import { kubePrometheusStack, metricsServerChart } from "./charts";
import { type Placement, readPlacement } from "./placement";
import { type PodResources, podResources } from "./pods";
import { parseQuantity } from "./quantities";

/** A resource as the program registered it: its type token, Pulumi name and plain props. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly props: unknown;
}

/** The types the model reads; a recorder keeps only these. */
export const RELEVANT_TYPES: ReadonlySet<string> = new Set([
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:batch/v1:Job",
  "kubernetes:core/v1:Pod",
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:Service",
  "kubernetes:helm.sh/v3:Release",
]);

export type Source = "manifest" | "chart values" | "estimate";

export interface WorkloadDemand {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Pods with HPAs at minReplicas / at maxReplicas. Per node for a DaemonSet. */
  readonly podsMin: number;
  readonly podsMax: number;
  readonly perNode: boolean;
  readonly pod: PodResources;
  readonly source: Source;
  /** Why a number is what it is (HPA, suspended, chart default...). */
  readonly note?: string;
  /**
   * Block volumes each pod attaches for itself: StatefulSet claim templates and generic ephemeral
   * volumes, one per pod. Absent means 0.
   */
  readonly claimsPerPod?: number;
  /**
   * `namespace/name` of existing PersistentVolumeClaims the pods mount: a ReadWriteOnce claim attaches
   * once, to the node of the pod that mounts it, however many pods share it. Absent means none.
   */
  readonly sharedClaims?: readonly string[];
  /** The pod's nodeSelector and tolerations: which pools it may land on. Absent means none. */
  readonly placement?: Placement;
}

export interface VolumeDemand {
  readonly namespace: string;
  readonly name: string;
  readonly bytes: number;
  /** Volumes of this size (one per StatefulSet replica for a claim template). */
  readonly count: number;
  readonly source: Source;
  /** Recorded as a standalone PersistentVolumeClaim (not a claim template or chart value). */
  readonly fromClaim?: boolean;
}

export interface Inventory {
  readonly workloads: readonly WorkloadDemand[];
  readonly volumes: readonly VolumeDemand[];
  /** `namespace/name` of every Service of type LoadBalancer. */
  readonly loadBalancers: readonly string[];
  /** Resources whose numbers could not be read (a computed Output where a plain value was expected). */
  readonly unreadable: readonly string[];
}

const isOutputLike = (v: unknown): boolean =>
  v !== null && typeof v === "object" && (v as Record<string, unknown>).__pulumiOutput === true;

export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isOutputLike(v)
    ? (v as Record<string, unknown>)
    : {};
}
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
export const int = (v: unknown, fallback: number): number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback;

/** Follows `path` through raw values; `output` tells whether a step was a Pulumi Output. */
function walk(v: unknown, path: readonly string[]): { value: unknown; output: boolean } {
  let cur = v;
  for (const key of path) {
    if (isOutputLike(cur)) return { value: undefined, output: true };
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return { value: cur, output: isOutputLike(cur) };
}

/** True if the value or anything inside it is a Pulumi Output (unknown until deployment). */
function hasOutput(v: unknown, depth = 0): boolean {
  if (isOutputLike(v)) return true;
  if (depth > 12 || v === null || typeof v !== "object") return false;
  return Object.values(v as object).some((x) => hasOutput(x, depth + 1));
}

const KIND: Record<string, string> = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:apps/v1:DaemonSet": "DaemonSet",
  "kubernetes:apps/v1:ReplicaSet": "ReplicaSet",
  "kubernetes:batch/v1:CronJob": "CronJob",
  "kubernetes:batch/v1:Job": "Job",
  "kubernetes:core/v1:Pod": "Pod",
};

/** The claims a pod spec mounts: per pod (generic ephemeral) and existing claims by `namespace/name`. */
function podClaims(podSpec: unknown, namespace: string): { ephemeral: number; shared: string[] } {
  let ephemeral = 0;
  const shared = new Set<string>();
  for (const v of asArray(asRecord(podSpec).volumes)) {
    const vol = asRecord(v);
    const claimName = asRecord(vol.persistentVolumeClaim).claimName;
    if (typeof claimName === "string") shared.add(`${namespace}/${claimName}`);
    else if (Object.keys(asRecord(vol.ephemeral)).length > 0) ephemeral++;
  }
  return { ephemeral, shared: [...shared] };
}

/**
 * Drops a standalone PersistentVolumeClaim that a StatefulSet's claim template already counts: the
 * controller names its claims `<template>-<statefulset>-<ordinal>` and adopts an existing claim of that
 * name, so a claim recorded both ways is one volume.
 */
function withoutTemplateDuplicates(
  volumes: readonly VolumeDemand[],
  templates: readonly { namespace: string; prefix: string; sets: number }[],
): VolumeDemand[] {
  const claimed = new Set<string>();
  for (const t of templates) for (let i = 0; i < t.sets; i++) claimed.add(`${t.namespace}/${t.prefix}-${i}`);
  return volumes.filter((v) => !(v.fromClaim === true && claimed.has(`${v.namespace}/${v.name}`)));
}

/** Builds the inventory from every recorded resource (HPAs are matched to their targets by name). */
export function inventoryOf(resources: readonly RecordedResource[]): Inventory {
  const hpas = new Map<string, { min: number; max: number }>();
  for (const r of resources) {
    if (!r.type.startsWith("kubernetes:autoscaling/")) continue;
    const p = asRecord(r.props);
    const spec = asRecord(p.spec);
    const ref = asRecord(spec.scaleTargetRef);
    const ns = str(asRecord(p.metadata).namespace, "default");
    const max = int(spec.maxReplicas, 1);
    hpas.set(`${ns}/${str(ref.kind, "")}/${str(ref.name, "")}`, {
      min: Math.min(int(spec.minReplicas, 1), max),
      max,
    });
  }

  const workloads: WorkloadDemand[] = [];
  const volumes: VolumeDemand[] = [];
  const templates: { namespace: string; prefix: string; sets: number }[] = [];
  const loadBalancers: string[] = [];
  const unreadable: string[] = [];
  for (const r of resources) {
    const p = asRecord(r.props);
    const meta = asRecord(p.metadata);
    const namespace = str(meta.namespace, "default");
    const name = str(meta.name, r.name);
    const spec = asRecord(p.spec);
    const kind = KIND[r.type];
    if (kind !== undefined) {
      let podPath: string[];
      let pods = 1;
      let note: string | undefined;
      let podsMax: number | undefined;
      let templateClaims = 0;
      if (kind === "CronJob") {
        const job = asRecord(asRecord(spec.jobTemplate).spec);
        podPath = ["spec", "jobTemplate", "spec", "template", "spec"];
        pods = spec.suspend === true ? 0 : int(job.parallelism, 1);
        note = spec.suspend === true ? "suspended" : "counted while it runs";
      } else if (kind === "Job") {
        podPath = ["spec", "template", "spec"];
        pods = int(spec.parallelism, 1);
      } else if (kind === "Pod") {
        podPath = ["spec"];
      } else {
        podPath = ["spec", "template", "spec"];
        const hpa = hpas.get(`${namespace}/${kind}/${name}`);
        if (hpa !== undefined) {
          pods = hpa.min;
          podsMax = hpa.max;
          note = `HPA ${hpa.min}-${hpa.max}`;
        } else if (kind !== "DaemonSet") pods = int(spec.replicas, 1);
        if (kind === "StatefulSet") {
          // Claims outlive a scale to 0 (a stopped trader keeps its state): at least one set.
          const sets = Math.max(podsMax ?? pods, 1);
          for (const t of asArray(spec.volumeClaimTemplates)) {
            const tm = asRecord(t);
            const size = parseQuantity(asRecord(asRecord(asRecord(tm.spec).resources).requests).storage);
            const claim = str(asRecord(tm.metadata).name, "data");
            templateClaims++;
            templates.push({ namespace, prefix: `${claim}-${name}`, sets });
            if (size === undefined) unreadable.push(`${kind} ${namespace}/${name} claim ${claim}`);
            else
              volumes.push({
                namespace,
                name: `${claim}-${name}`,
                bytes: size,
                count: sets,
                source: "manifest",
              });
          }
        }
      }
      const podSpec = walk(r.props, podPath);
      const containers = [
        ...asArray(asRecord(podSpec.value).containers),
        ...asArray(asRecord(podSpec.value).initContainers),
      ];
      if (podSpec.output || containers.some((c) => hasOutput(asRecord(c).resources)))
        unreadable.push(`${kind} ${namespace}/${name}`);
      const claims = podClaims(podSpec.value, namespace);
      workloads.push({
        kind,
        namespace,
        name,
        podsMin: pods,
        podsMax: podsMax ?? pods,
        perNode: kind === "DaemonSet",
        pod: podResources(podSpec.value),
        source: "manifest",
        ...(note !== undefined ? { note } : {}),
        ...(templateClaims + claims.ephemeral > 0 ? { claimsPerPod: templateClaims + claims.ephemeral } : {}),
        ...(claims.shared.length > 0 ? { sharedClaims: claims.shared } : {}),
        placement: readPlacement(podSpec.value),
      });
    } else if (r.type === "kubernetes:core/v1:PersistentVolumeClaim") {
      const size = parseQuantity(asRecord(asRecord(spec.resources).requests).storage);
      if (size === undefined) unreadable.push(`PersistentVolumeClaim ${namespace}/${name}`);
      else volumes.push({ namespace, name, bytes: size, count: 1, source: "manifest", fromClaim: true });
    } else if (r.type === "kubernetes:core/v1:Service") {
      if (spec.type === "LoadBalancer") loadBalancers.push(`${namespace}/${name}`);
    } else if (r.type === "kubernetes:helm.sh/v3:Release") {
      const chart = str(p.chart, "");
      if (chart === "kube-prometheus-stack" || chart.endsWith("/kube-prometheus-stack")) {
        if (hasOutput(p.values)) unreadable.push(`helm release ${name} values`);
        const kps = kubePrometheusStack(str(p.namespace, namespace), str(p.name, name), asRecord(p.values));
        workloads.push(...kps.workloads);
        volumes.push(...kps.volumes);
      } else if (chart === "metrics-server" || chart.endsWith("/metrics-server")) {
        if (hasOutput(p.values)) unreadable.push(`helm release ${name} values`);
        workloads.push(
          metricsServerChart(str(p.namespace, namespace), str(p.name, name), asRecord(p.values)),
        );
      }
    }
  }
  return { workloads, volumes: withoutTemplateDuplicates(volumes, templates), loadBalancers, unreadable };
}
