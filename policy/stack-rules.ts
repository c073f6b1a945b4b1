/** Rules over the whole stack: HPA targets, PDB coverage, default-deny per namespace. */
import {
  K,
  SAFE_TO_EVICT,
  arr,
  blocksEvictions,
  isHpa,
  isLiveTrader,
  isObj,
  isTrader,
  isWorkload,
  labelsOf,
  metadata,
  namespaceOf,
  num,
  obj,
  objectName,
  podTemplate,
  show,
  str,
  isDatabaseServer,
} from "./shapes";
import type { PolicyResource, StackFinding, StackRule } from "./types";

// ---------------------------------------------------------------- stack rules

const selectorMatches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Whether `name` is `r`'s Kubernetes name: explicit, or Pulumi's autoname `<logical name>-<suffix>`. */
export function namesObject(r: PolicyResource, name: string): boolean {
  const explicit = str(metadata(r).name);
  if (explicit !== undefined) return explicit === name;
  return (
    r.name !== undefined &&
    (name === r.name ||
      (name.startsWith(`${r.name}-`) && /^[a-z0-9]{1,16}$/.test(name.slice(r.name.length + 1))))
  );
}

export interface HpaTarget {
  readonly hpa: PolicyResource;
  readonly kind: string;
  readonly name: string | undefined;
  readonly target: PolicyResource | undefined;
}

export function hpaTargets(resources: readonly PolicyResource[]): HpaTarget[] {
  return resources
    .filter((r) => isHpa(r.type))
    .map((hpa) => {
      const ref = obj(obj(hpa.props.spec).scaleTargetRef);
      const kind = str(ref.kind) ?? "";
      const name = str(ref.name);
      const target = resources.find(
        (w) =>
          isWorkload(w) &&
          w.type.endsWith(`:${kind}`) &&
          namespaceOf(w) === namespaceOf(hpa) &&
          name !== undefined &&
          namesObject(w, name),
      );
      return { hpa, kind, name, target };
    });
}

const replicasOf = (r: PolicyResource): number | undefined =>
  r.type === K.deployment || r.type === K.statefulSet || r.type === K.replicaSet
    ? (num(obj(r.props.spec).replicas) ?? 1)
    : undefined;

/**
 * Pods a Deployment, StatefulSet or ReplicaSet runs at the least: its HPA's minReplicas when one scales
 * it, else spec.replicas (1 when unset); undefined for other resources.
 */
export function minimumPods(w: PolicyResource, targets: readonly HpaTarget[]): number | undefined {
  const replicas = replicasOf(w);
  if (replicas === undefined) return undefined;
  const scaler = targets.find((t) => t.target === w);
  return scaler === undefined ? replicas : (num(obj(scaler.hpa.props.spec).minReplicas) ?? 1);
}

export const stackRules: readonly StackRule[] = [
  {
    name: "hpa-targets-existing-non-trader",
    description: "Every HPA targets a workload in the stack, never a trader (hardening 15).",
    check: (resources) =>
      hpaTargets(resources).flatMap(({ hpa, kind, name, target }): StackFinding[] => {
        // An unknown target name (preview of a new autonamed workload) cannot be checked.
        if (name === undefined) return [];
        if (target === undefined)
          return [
            {
              resource: hpa,
              message: `scaleTargetRef ${kind}/${name} does not name a workload in namespace ${namespaceOf(hpa)}`,
            },
          ];
        if (isTrader(target))
          return [
            {
              resource: hpa,
              message: `HPA must never scale trader workload ${kind}/${name} (duplicate orders)`,
            },
          ];
        return [];
      }),
  },
  {
    name: "hpa-scaled-without-replicas",
    description: "A workload scaled by an HPA (of any kind) sets no spec.replicas (hardening 16).",
    check: (resources) =>
      hpaTargets(resources).flatMap(({ kind, target }): StackFinding[] =>
        target !== undefined && obj(target.props.spec).replicas !== undefined
          ? [
              {
                resource: target,
                message: `${kind} scaled by an HPA must not set spec.replicas, got ${show(obj(target.props.spec).replicas)}`,
              },
            ]
          : [],
      ),
  },
  {
    name: "pdb-coverage",
    description:
      "Every workload with >= 2 replicas (or an HPA) has a PDB that allows a disruption; a PDB on a singleton " +
      "never blocks a drain, except a live trader's: every live trader has a PDB with maxUnavailable: 0 and " +
      'its pods carry cluster-autoscaler.kubernetes.io/safe-to-evict: "false", since under OnDelete any ' +
      "eviction would apply its staged template unannounced (hardening 17).",
    check: (resources) => {
      const pdbs = resources.filter((r) => r.type === K.pdb);
      const targets = hpaTargets(resources);
      const scaled = new Set(targets.flatMap((t) => (t.target ? [t.target] : [])));
      const findings: StackFinding[] = [];
      for (const w of resources) {
        const replicas = minimumPods(w, targets);
        if (replicas === undefined) continue;
        const labels = podTemplate(w)?.labels ?? {};
        const covering = pdbs.filter(
          (p) =>
            namespaceOf(p) === namespaceOf(w) &&
            selectorMatches(labelsOf(obj(obj(p.props.spec).selector).matchLabels), labels),
        );
        const replicated = replicas >= 2 || scaled.has(w);
        if (replicated && covering.length === 0)
          findings.push({
            resource: w,
            message: `workload ${objectName(w)} runs ${scaled.has(w) ? "under an HPA" : `${replicas} replicas`} but no PodDisruptionBudget selects its pods`,
          });
        const live = isLiveTrader(w) && !replicated;
        for (const p of covering) {
          const spec = obj(p.props.spec);
          const minAvailable = num(spec.minAvailable);
          if (
            replicated &&
            (blocksEvictions(spec) || (minAvailable !== undefined && minAvailable >= replicas))
          )
            findings.push({
              resource: p,
              message: `PDB on replicated workload ${objectName(w)} (at least ${replicas} pods) allows no disruption; use maxUnavailable: 1`,
            });
          if (!replicated && !live && (spec.minAvailable === 1 || blocksEvictions(spec)))
            findings.push({
              resource: p,
              message: `PDB on singleton ${objectName(w)} blocks node drains; use maxUnavailable: 1 (only a live trader's may block them)`,
            });
        }
        if (!live) continue;
        if (!covering.some((p) => obj(p.props.spec).maxUnavailable === 0))
          findings.push({
            resource: w,
            message: `live trader ${objectName(w)} needs a PodDisruptionBudget with maxUnavailable: 0: a drain would evict it and apply its staged (OnDelete) template unannounced`,
          });
        const annotations = obj(obj(obj(obj(w.props.spec).template).metadata).annotations);
        if (annotations[SAFE_TO_EVICT] !== "false")
          findings.push({
            resource: w,
            message: `live trader ${objectName(w)}'s pod template needs annotation ${SAFE_TO_EVICT}: "false", got ${show(annotations[SAFE_TO_EVICT])}: the cluster autoscaler would scale its node down`,
          });
      }
      return findings;
    },
  },
  {
    name: "default-deny-per-namespace",
    description:
      "Every namespace the stack creates or deploys pods into has a default-deny NetworkPolicy for Ingress and Egress (hardening 25).",
    check: (resources) => {
      const namespaces = new Map<string, PolicyResource>();
      for (const r of resources) {
        if (r.type === K.namespace) namespaces.set(objectName(r), r);
        else if (isWorkload(r) && !namespaces.has(namespaceOf(r))) namespaces.set(namespaceOf(r), r);
      }
      const denied = new Set(
        resources
          .filter((r) => r.type === K.networkPolicy)
          .filter((r) => {
            const spec = obj(r.props.spec);
            const selectsAll = Object.keys(obj(spec.podSelector)).every((k) => {
              const v = obj(spec.podSelector)[k];
              return Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0;
            });
            const types = arr(spec.policyTypes);
            return (
              selectsAll &&
              types.includes("Ingress") &&
              types.includes("Egress") &&
              arr(spec.ingress).length === 0 &&
              arr(spec.egress).length === 0
            );
          })
          .map(namespaceOf),
      );
      return [...namespaces.entries()]
        .filter(([ns]) => !denied.has(ns))
        .map(([ns, resource]) => ({
          resource,
          message: `namespace ${ns} has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress+Egress, no rules)`,
        }));
    },
  },
  {
    name: "database-anti-affinity",
    description:
      "Once a database has two or more pods, across its StatefulSets, each requires hostname anti-affinity (hardening 18).",
    check: (resources) => {
      const servers = resources.filter(
        (r) => r.type === K.statefulSet && isDatabaseServer(podTemplate(r)?.labels ?? {}),
      );
      const appOf = (r: PolicyResource) => podTemplate(r)?.labels["app.kubernetes.io/name"];
      return servers.flatMap((w): StackFinding[] => {
        const pods = servers
          .filter((x) => namespaceOf(x) === namespaceOf(w) && appOf(x) === appOf(w))
          .reduce((n, x) => n + (num(obj(x.props.spec).replicas) ?? 1), 0);
        const required = obj(
          obj(podTemplate(w)?.spec.affinity).podAntiAffinity,
        ).requiredDuringSchedulingIgnoredDuringExecution;
        return pods >= 2 && required === undefined
          ? [
              {
                resource: w,
                message: `${appOf(w)} runs ${pods} pods: each needs required hostname anti-affinity`,
              },
            ]
          : [];
      });
    },
  },
];
