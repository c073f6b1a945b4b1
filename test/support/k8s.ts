/** Helpers over the resources the mock harness records: Kubernetes objects, pod specs, schema checks. */
import { isKubernetesObject, type RegisteredResource } from "../../lib/mockrun";
import { selects as policySelects } from "../../policy/network";

export { isKubernetesObject };

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const isKubernetes = (r: RegisteredResource) => r.type.startsWith("kubernetes:") && r.custom;

export function kindOf(r: RegisteredResource): string {
  return r.type.slice(r.type.lastIndexOf(":") + 1);
}

export function ofKind(resources: RegisteredResource[], kind: string): RegisteredResource[] {
  return resources.filter((r) => isKubernetesObject(r) && kindOf(r) === kind);
}

/** `kubernetes:apps/v1:StatefulSet` -> `kubernetes-models/apps/v1/StatefulSet`; undefined for CRDs. */
export function modelModulePath(type: string): string | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
  if (!m) return undefined;
  const groupVersion = m[1].replace(/^core\//, "");
  const path = `kubernetes-models/${groupVersion}/${m[2]}`;
  try {
    require.resolve(path);
    return path;
  } catch {
    return undefined;
  }
}

/** Validates one object against the Kubernetes OpenAPI schema; returns the error text or undefined. */
export function schemaError(r: RegisteredResource): string | undefined {
  const path = modelModulePath(r.type);
  if (!path) return `no kubernetes-models schema for ${r.type}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = require(path)[kindOf(r)];
  try {
    new Model(r.inputs).validate();
    return undefined;
  } catch (e) {
    return `${r.type} ${r.name}: ${(e as Error).message}`;
  }
}

export function namespaceOf(r: RegisteredResource): string | undefined {
  return (r.inputs.metadata as Obj | undefined)?.namespace;
}

export function nameOf(r: RegisteredResource): string {
  return (r.inputs.metadata as Obj | undefined)?.name ?? r.name;
}

const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export interface Workload {
  readonly resource: RegisteredResource;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly template: Obj;
  readonly podSpec: Obj;
  readonly podLabels: Record<string, string>;
}

export function workloads(resources: RegisteredResource[]): Workload[] {
  const out: Workload[] = [];
  for (const r of resources.filter(isKubernetesObject)) {
    const kind = kindOf(r);
    if (kind === "Pod") {
      out.push({
        resource: r,
        kind,
        namespace: namespaceOf(r),
        template: r.inputs,
        podSpec: r.inputs.spec as Obj,
        podLabels: (r.inputs.metadata as Obj)?.labels ?? {},
      });
      continue;
    }
    const path = POD_TEMPLATE_PATHS[kind];
    if (!path) continue;
    const template = path.reduce<Obj | undefined>((o, k) => o?.[k], r.inputs);
    if (!template) continue;
    out.push({
      resource: r,
      kind,
      namespace: namespaceOf(r),
      template,
      podSpec: template.spec ?? {},
      podLabels: template.metadata?.labels ?? {},
    });
  }
  return out;
}

export function containersOf(podSpec: Obj): { container: Obj; init: boolean }[] {
  return [
    ...((podSpec.initContainers ?? []) as Obj[]).map((container) => ({ container, init: true })),
    ...((podSpec.containers ?? []) as Obj[]).map((container) => ({ container, init: false })),
  ];
}

/**
 * Does a label selector (matchLabels and matchExpressions) select these labels? The policy pack's
 * semantics (policy/network.ts), except that a missing selector selects nothing here.
 */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  return Boolean(selector) && policySelects(selector, labels);
}
