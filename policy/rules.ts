/**
 * botfleet policy rules as pure functions over `{ type, props }`.
 *
 * Dependency-free on purpose: the policy pack (`index.ts`) wraps these for `pulumi preview --policy-pack`,
 * and the jest suite runs the very same functions over resources captured by the mock harness.
 * Item numbers refer to docs/hardening.md.
 */

/** One resource as Pulumi sees it: its type token and its inputs as plain JSON. */
export interface PolicyResource {
  readonly type: string;
  readonly props: Record<string, unknown>;
  /** Pulumi's logical name (for messages and for matching autonamed objects). */
  readonly name?: string;
  readonly urn?: string;
}

export type Environment = "dev" | "staging" | "prod" | "local";

export interface RuleContext {
  readonly environment: Environment;
}

export interface Violation {
  readonly rule: string;
  readonly type: string;
  readonly name?: string;
  readonly urn?: string;
  readonly message: string;
}

export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  /** Messages for every problem of one resource; empty when it complies. */
  readonly check: (resource: PolicyResource, ctx: RuleContext) => string[];
}

export interface StackFinding {
  readonly resource: PolicyResource;
  readonly message: string;
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly PolicyResource[], ctx: RuleContext) => StackFinding[];
}

// ---------------------------------------------------------------- plain-JSON helpers

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const labelsOf = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string") out[k] = val;
  return out;
};
const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

// ---------------------------------------------------------------- Kubernetes shapes

const K8S = "kubernetes:";
export const K = {
  pod: "kubernetes:core/v1:Pod",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  service: "kubernetes:core/v1:Service",
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  doCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
  doNodePool: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
  lkeCluster: "linode:index/lkeCluster:LkeCluster",
} as const;

const isHpa = (type: string) =>
  type.startsWith(`${K8S}autoscaling/`) && type.endsWith(":HorizontalPodAutoscaler");

/** Workload kinds whose pod template we inspect, and where that template lives. */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  [K.pod]: [],
  [K.deployment]: ["spec", "template"],
  [K.statefulSet]: ["spec", "template"],
  [K.daemonSet]: ["spec", "template"],
  [K.replicaSet]: ["spec", "template"],
  [K.job]: ["spec", "template"],
  [K.cronJob]: ["spec", "jobTemplate", "spec", "template"],
};

const dig = (root: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((v, k) => obj(v)[k], root);

export const isWorkload = (r: PolicyResource): boolean => r.type in POD_TEMPLATE_PATHS;
const isBatch = (r: PolicyResource) => r.type === K.job || r.type === K.cronJob;

interface PodView {
  readonly labels: Record<string, string>;
  readonly spec: Obj;
}

/** The pod template (labels + spec) of a workload, or undefined for other resources. */
export function podTemplate(r: PolicyResource): PodView | undefined {
  const path = POD_TEMPLATE_PATHS[r.type];
  if (path === undefined) return undefined;
  const template = path.length === 0 ? r.props : obj(dig(r.props, path));
  return { labels: labelsOf(obj(template.metadata).labels), spec: obj(template.spec) };
}

interface ContainerView {
  readonly name: string;
  readonly kind: "container" | "initContainer" | "ephemeralContainer";
  readonly c: Obj;
}

function containersOf(spec: Obj): ContainerView[] {
  const out: ContainerView[] = [];
  const add = (list: unknown, kind: ContainerView["kind"]) =>
    arr(list).forEach((c, i) => out.push({ name: str(obj(c).name) ?? `#${i}`, kind, c: obj(c) }));
  add(spec.initContainers, "initContainer");
  add(spec.containers, "container");
  add(spec.ephemeralContainers, "ephemeralContainer");
  return out;
}

const label = (v: ContainerView) => `${v.kind} "${v.name}"`;
const metadata = (r: PolicyResource) => obj(r.props.metadata);
/** Kubernetes object name: explicit metadata.name, else Pulumi's logical name (autonaming prefix). */
export const objectName = (r: PolicyResource) => str(metadata(r).name) ?? r.name ?? "";
export const namespaceOf = (r: PolicyResource) => str(metadata(r).namespace) ?? "default";
const workloadLabels = (r: PolicyResource): Record<string, string> => ({
  ...labelsOf(metadata(r).labels),
  ...(podTemplate(r)?.labels ?? {}),
});
export const isTrader = (r: PolicyResource) => workloadLabels(r)["botfleet.io/workload"] === "trader";

/** Run `check` on every container of a workload; no-op for other resources. */
function perContainer(r: PolicyResource, check: (v: ContainerView, pod: Obj) => string[]): string[] {
  const pod = podTemplate(r);
  if (pod === undefined) return [];
  return containersOf(pod.spec).flatMap((v) => check(v, pod.spec));
}

// ---------------------------------------------------------------- images and secrets

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** True for `repo@sha256:<64 hex>` or `repo:<tag>` with a tag other than `latest` (item 10). */
export function isPinnedImage(image: string): boolean {
  if (image.includes("@")) return DIGEST.test(image);
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  if (colon < 0) return false;
  const tag = image.slice(colon + 1);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== "latest";
}

const SECRET_NAME =
  /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth)/i;
/** A name that points at a mounted secret file or names a Secret is not itself a secret. */
const SECRET_REFERENCE = /(_file|_path|_dir|_secret_name|_ref)$/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !SECRET_REFERENCE.test(name);
}

// ---------------------------------------------------------------- resource rules

const ALLOWED_VOLUME_KEYS = new Set([
  "name",
  "configMap",
  "secret",
  "emptyDir",
  "projected",
  "downwardAPI",
  "persistentVolumeClaim",
  "ephemeral",
  "csi",
]);

export const resourceRules: readonly ResourceRule[] = [
  {
    name: "pod-run-as-non-root",
    description: "Pods run as a numeric non-root user with runAsNonRoot (hardening 3).",
    check: (r) =>
      perContainer(r, (v, pod) => {
        const psc = obj(pod.securityContext);
        const csc = obj(v.c.securityContext);
        const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
        const uid = num(csc.runAsUser) ?? num(psc.runAsUser);
        const out: string[] = [];
        if (nonRoot !== true) out.push(`${label(v)}: runAsNonRoot must be true, got ${show(nonRoot)}`);
        if (uid === undefined || uid === 0)
          out.push(`${label(v)}: runAsUser must be a numeric non-zero uid, got ${show(uid)}`);
        return out;
      }),
  },
  {
    name: "no-privilege-escalation",
    description:
      "Every container sets allowPrivilegeEscalation: false and is not privileged (hardening 2, 6).",
    check: (r) =>
      perContainer(r, (v) => {
        const sc = obj(v.c.securityContext);
        const out: string[] = [];
        if (sc.allowPrivilegeEscalation !== false)
          out.push(
            `${label(v)}: allowPrivilegeEscalation must be false, got ${show(sc.allowPrivilegeEscalation)}`,
          );
        if (sc.privileged === true) out.push(`${label(v)}: privileged must not be true`);
        return out;
      }),
  },
  {
    name: "drop-all-capabilities",
    description: "Every container drops ALL capabilities and adds at most NET_BIND_SERVICE (hardening 5).",
    check: (r) =>
      perContainer(r, (v) => {
        const caps = obj(obj(v.c.securityContext).capabilities);
        const drop = arr(caps.drop);
        const extra = arr(caps.add).filter((c) => c !== "NET_BIND_SERVICE");
        const out: string[] = [];
        if (!drop.includes("ALL"))
          out.push(`${label(v)}: capabilities.drop must include "ALL", got ${show(caps.drop)}`);
        if (extra.length > 0) out.push(`${label(v)}: only NET_BIND_SERVICE may be added, got ${show(extra)}`);
        return out;
      }),
  },
  {
    name: "seccomp-runtime-default",
    description:
      "Every container runs under the RuntimeDefault (or a Localhost) seccomp profile (hardening 4).",
    check: (r) =>
      perContainer(r, (v, pod) => {
        const type =
          str(obj(obj(v.c.securityContext).seccompProfile).type) ??
          str(obj(obj(pod.securityContext).seccompProfile).type);
        return type === "RuntimeDefault" || type === "Localhost"
          ? []
          : [`${label(v)}: seccompProfile.type must be RuntimeDefault, got ${show(type)}`];
      }),
  },
  {
    name: "read-only-root-filesystem",
    description:
      "Every container has a read-only root filesystem; writable paths are emptyDir or PVC (hardening 8).",
    check: (r) =>
      perContainer(r, (v) => {
        const ro = obj(v.c.securityContext).readOnlyRootFilesystem;
        return ro === true ? [] : [`${label(v)}: readOnlyRootFilesystem must be true, got ${show(ro)}`];
      }),
  },
  {
    name: "host-access-and-volumes",
    description: "No host namespaces, hostPort or hostPath; only restricted volume types (hardening 6, 7).",
    check: (r) => {
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      const out: string[] = [];
      for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const)
        if (pod.spec[key] === true) out.push(`pod: ${key} must not be true`);
      for (const vol of arr(pod.spec.volumes)) {
        const bad = Object.keys(obj(vol)).filter((k) => !ALLOWED_VOLUME_KEYS.has(k));
        if (bad.length > 0)
          out.push(`volume "${str(obj(vol).name) ?? "?"}": type ${bad.join(", ")} is not allowed`);
      }
      for (const v of containersOf(pod.spec))
        for (const port of arr(v.c.ports))
          if (obj(port).hostPort !== undefined)
            out.push(`${label(v)}: hostPort must not be set, got ${show(obj(port).hostPort)}`);
      return out;
    },
  },
  {
    name: "resources-requests-limits",
    description: "Every container requests cpu and memory and limits memory (hardening 9).",
    check: (r) =>
      perContainer(r, (v) => {
        if (v.kind === "ephemeralContainer") return [];
        const res = obj(v.c.resources);
        const req = obj(res.requests);
        const lim = obj(res.limits);
        const missing = [
          req.cpu === undefined ? "requests.cpu" : undefined,
          req.memory === undefined ? "requests.memory" : undefined,
          lim.memory === undefined ? "limits.memory" : undefined,
        ].filter((m): m is string => m !== undefined);
        return missing.length === 0 ? [] : [`${label(v)}: resources must set ${missing.join(", ")}`];
      }),
  },
  {
    name: "pinned-images",
    description: "Images are pinned to a version tag or a digest, never latest or untagged (hardening 10).",
    check: (r) =>
      perContainer(r, (v) => {
        const image = v.c.image;
        // An unknown image (undefined during preview) is not a finding; a missing one is caught by the API server.
        if (image === undefined) return [];
        return typeof image === "string" && isPinnedImage(image)
          ? []
          : [
              `${label(v)}: image must be pinned to a tag other than latest or a sha256 digest, got ${show(image)}`,
            ];
      }),
  },
  {
    name: "no-literal-secret-env",
    description:
      "No secret-like env var carries a literal value; use secretKeyRef or a mounted file (hardening 30).",
    check: (r) =>
      perContainer(r, (v) =>
        arr(v.c.env)
          .map(obj)
          .filter(
            (e) =>
              typeof e.name === "string" &&
              looksLikeSecretName(e.name) &&
              typeof e.value === "string" &&
              e.value !== "",
          )
          .map(
            (e) =>
              `${label(v)}: env ${str(e.name)} has a literal value; use valueFrom.secretKeyRef or a secret file`,
          ),
      ),
  },
  {
    name: "no-secrets-in-configmaps",
    description: "ConfigMaps carry no secret-like keys (hardening 30).",
    check: (r) => {
      if (r.type !== K.configMap) return [];
      const keys = [...Object.keys(obj(r.props.data)), ...Object.keys(obj(r.props.binaryData))];
      return keys
        .filter(looksLikeSecretName)
        .map((k) => `ConfigMap key "${k}" looks like a secret; put it in a Secret`);
    },
  },
  {
    name: "no-service-account-token",
    description: "Pods and ServiceAccounts set automountServiceAccountToken: false (hardening 29).",
    check: (r) => {
      if (r.type === K.serviceAccount)
        return r.props.automountServiceAccountToken === false
          ? []
          : [
              `ServiceAccount: automountServiceAccountToken must be false, got ${show(r.props.automountServiceAccountToken)}`,
            ];
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      return pod.spec.automountServiceAccountToken === false
        ? []
        : [
            `pod: automountServiceAccountToken must be false, got ${show(pod.spec.automountServiceAccountToken)}`,
          ];
    },
  },
  {
    name: "probes",
    description:
      "Long-running containers have readiness and liveness probes that differ and target declared ports; Jobs are exempt (hardening 11).",
    check: (r) => {
      if (isBatch(r)) return [];
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      return containersOf(pod.spec)
        .filter((v) => v.kind === "container")
        .flatMap((v) => {
          const out: string[] = [];
          const readiness = v.c.readinessProbe;
          const liveness = v.c.livenessProbe;
          if (!isObj(readiness)) out.push(`${label(v)}: readinessProbe is required`);
          if (!isObj(liveness)) out.push(`${label(v)}: livenessProbe is required`);
          if (isObj(readiness) && isObj(liveness) && JSON.stringify(readiness) === JSON.stringify(liveness))
            out.push(
              `${label(v)}: readinessProbe and livenessProbe must differ (a failing liveness restarts the pod)`,
            );
          const ports = arr(v.c.ports).map(obj);
          const names = new Set<unknown>(ports.map((p) => p.name).filter((n) => typeof n === "string"));
          const numbers = new Set<unknown>(
            ports.map((p) => p.containerPort).filter((n) => typeof n === "number"),
          );
          for (const [kind, probe] of [
            ["readinessProbe", readiness],
            ["livenessProbe", liveness],
            ["startupProbe", v.c.startupProbe],
          ] as const) {
            const handler = obj(probe);
            const port = obj(handler.httpGet).port ?? obj(handler.tcpSocket).port ?? obj(handler.grpc).port;
            if (port === undefined) continue;
            const declared = typeof port === "number" ? numbers.has(port) : names.has(port);
            if (!declared)
              out.push(
                `${label(v)}: ${kind} targets port ${show(port)}, which the container does not declare`,
              );
          }
          return out;
        });
    },
  },
  {
    name: "no-unannotated-load-balancer",
    description:
      'A Service of type LoadBalancer needs the annotation botfleet.io/allow-load-balancer: "true".',
    check: (r) => {
      if (r.type !== K.service || obj(r.props.spec).type !== "LoadBalancer") return [];
      const allowed = labelsOf(metadata(r).annotations)["botfleet.io/allow-load-balancer"] === "true";
      return allowed
        ? []
        : ['Service type LoadBalancer requires annotation botfleet.io/allow-load-balancer: "true"'];
    },
  },
  {
    name: "trader-is-statefulset-singleton",
    description:
      "Trader workloads are never a Deployment/ReplicaSet/DaemonSet; a trader StatefulSet has replicas 1.",
    check: (r) => {
      if (!isWorkload(r) || !isTrader(r)) return [];
      if (r.type === K.deployment || r.type === K.replicaSet || r.type === K.daemonSet)
        return [`trader workloads must be a StatefulSet with replicas 1, got ${r.type.split(":").pop()}`];
      if (r.type === K.statefulSet) {
        const replicas = obj(r.props.spec).replicas;
        if (replicas !== undefined && replicas !== 1)
          return [
            `trader StatefulSet must have replicas 1 (duplicate orders otherwise), got ${show(replicas)}`,
          ];
      }
      return [];
    },
  },
  {
    name: "hpa-sane",
    description:
      "HPAs are autoscaling/v2 with minReplicas >= 2, maxReplicas > minReplicas and a scale-down stabilization window (hardening 15).",
    check: (r) => {
      if (!isHpa(r.type)) return [];
      if (r.type !== K.hpaV2) return [`HorizontalPodAutoscaler must be autoscaling/v2, got ${r.type}`];
      const spec = obj(r.props.spec);
      const min = num(spec.minReplicas) ?? 1;
      const max = num(spec.maxReplicas);
      const out: string[] = [];
      if (min < 2) out.push(`minReplicas must be >= 2, got ${min}`);
      if (max === undefined || max <= min)
        out.push(`maxReplicas must be > minReplicas (${min}), got ${show(max)}`);
      const window = num(obj(obj(spec.behavior).scaleDown).stabilizationWindowSeconds);
      if (window === undefined || window <= 0)
        out.push(`behavior.scaleDown.stabilizationWindowSeconds must be > 0, got ${show(window)}`);
      return out;
    },
  },
  {
    name: "pdb-sane",
    description:
      "PDBs allow at least one disruption and use unhealthyPodEvictionPolicy: AlwaysAllow (hardening 17).",
    check: (r) => {
      if (r.type !== K.pdb) return [];
      const spec = obj(r.props.spec);
      const out: string[] = [];
      if (spec.unhealthyPodEvictionPolicy !== "AlwaysAllow")
        out.push(
          `unhealthyPodEvictionPolicy must be AlwaysAllow, got ${show(spec.unhealthyPodEvictionPolicy)}`,
        );
      if (spec.maxUnavailable !== undefined && (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%"))
        out.push(`maxUnavailable must allow a disruption, got ${show(spec.maxUnavailable)}`);
      if (spec.minAvailable === "100%") out.push(`minAvailable "100%" blocks every disruption`);
      if (spec.minAvailable === undefined && spec.maxUnavailable === undefined)
        out.push("one of minAvailable or maxUnavailable must be set");
      return out;
    },
  },
  {
    name: "digitalocean-cluster",
    description:
      "DigitalOcean clusters: HA control plane in prod; an autoscaling default pool keeps 1 <= min <= max.",
    check: (r, ctx) => {
      if (r.type !== K.doCluster) return [];
      const out: string[] = [];
      if (ctx.environment === "prod" && r.props.ha !== true)
        out.push(`ha must be true in a prod stack, got ${show(r.props.ha)}`);
      out.push(...doPoolProblems("nodePool", obj(r.props.nodePool), false, ctx));
      return out;
    },
  },
  {
    name: "digitalocean-node-pool",
    description: "DigitalOcean workload pools autoscale in prod with 1 <= minNodes <= maxNodes.",
    check: (r, ctx) => (r.type === K.doNodePool ? doPoolProblems("node pool", r.props, true, ctx) : []),
  },
  {
    name: "linode-cluster",
    description: "Linode LKE: HA control plane in prod; autoscaling pools keep 1 <= min <= max.",
    check: (r, ctx) => {
      if (r.type !== K.lkeCluster) return [];
      const out: string[] = [];
      const ha = obj(r.props.controlPlane).highAvailability;
      if (ctx.environment === "prod" && ha !== true)
        out.push(`controlPlane.highAvailability must be true in a prod stack, got ${show(ha)}`);
      arr(r.props.pools).forEach((p, i) => {
        const auto = obj(p).autoscaler;
        if (!isObj(auto)) return;
        out.push(...boundsProblems(`pools[${i}].autoscaler`, num(auto.min), num(auto.max)));
      });
      return out;
    },
  },
];

function boundsProblems(where: string, min: number | undefined, max: number | undefined): string[] {
  const out: string[] = [];
  if (min === undefined || min < 1) out.push(`${where} min must be >= 1, got ${show(min)}`);
  if (max === undefined || (min !== undefined && max < min))
    out.push(`${where} max must be >= min (${show(min)}), got ${show(max)}`);
  return out;
}

/**
 * The cluster's default pool may stay fixed on purpose (DESIGN: a small system pool, so a size change
 * never replaces the cluster); separate workload pools must autoscale in prod.
 */
function doPoolProblems(where: string, pool: Obj, mustAutoscale: boolean, ctx: RuleContext): string[] {
  if (pool.autoScale === true) return boundsProblems(where, num(pool.minNodes), num(pool.maxNodes));
  if (mustAutoscale && ctx.environment === "prod")
    return [`${where}: autoScale must be true in a prod stack, got ${show(pool.autoScale)}`];
  return [];
}

// ---------------------------------------------------------------- stack rules

const selectorMatches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Whether `name` is `r`'s Kubernetes name: explicit, or Pulumi's autoname `<logical name>-<suffix>`. */
function namesObject(r: PolicyResource, name: string): boolean {
  const explicit = str(metadata(r).name);
  if (explicit !== undefined) return explicit === name;
  return (
    r.name !== undefined &&
    (name === r.name ||
      (name.startsWith(`${r.name}-`) && /^[a-z0-9]{1,16}$/.test(name.slice(r.name.length + 1))))
  );
}

interface HpaTarget {
  readonly hpa: PolicyResource;
  readonly kind: string;
  readonly name: string | undefined;
  readonly target: PolicyResource | undefined;
}

function hpaTargets(resources: readonly PolicyResource[]): HpaTarget[] {
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
    description: "A Deployment scaled by an HPA sets no spec.replicas (hardening 16).",
    check: (resources) =>
      hpaTargets(resources).flatMap(({ target }): StackFinding[] =>
        target !== undefined && target.type === K.deployment && obj(target.props.spec).replicas !== undefined
          ? [
              {
                resource: target,
                message: `Deployment scaled by an HPA must not set spec.replicas, got ${show(obj(target.props.spec).replicas)}`,
              },
            ]
          : [],
      ),
  },
  {
    name: "pdb-coverage",
    description:
      "Every workload with >= 2 replicas (or an HPA) has a PDB; a PDB on a singleton never blocks a drain (hardening 17).",
    check: (resources) => {
      const pdbs = resources.filter((r) => r.type === K.pdb);
      const scaled = new Set(hpaTargets(resources).flatMap((t) => (t.target ? [t.target] : [])));
      const findings: StackFinding[] = [];
      for (const w of resources) {
        const replicas = replicasOf(w);
        if (replicas === undefined) continue;
        const labels = podTemplate(w)?.labels ?? {};
        const covering = pdbs.filter(
          (p) =>
            namespaceOf(p) === namespaceOf(w) &&
            selectorMatches(labelsOf(obj(obj(p.props.spec).selector).matchLabels), labels),
        );
        if ((replicas >= 2 || scaled.has(w)) && covering.length === 0)
          findings.push({
            resource: w,
            message: `workload ${objectName(w)} runs ${scaled.has(w) ? "under an HPA" : `${replicas} replicas`} but no PodDisruptionBudget selects its pods`,
          });
        if (replicas === 1 && !scaled.has(w))
          for (const p of covering) {
            const spec = obj(p.props.spec);
            const blocks =
              spec.minAvailable === 1 ||
              spec.minAvailable === "100%" ||
              spec.maxUnavailable === 0 ||
              spec.maxUnavailable === "0%";
            if (blocks)
              findings.push({
                resource: p,
                message: `PDB on singleton ${objectName(w)} blocks node drains; use maxUnavailable: 1`,
              });
          }
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
];

// ---------------------------------------------------------------- running everything

/** Every violation of every rule over a whole stack. */
export function evaluate(resources: readonly PolicyResource[], ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  for (const r of resources)
    for (const rule of resourceRules)
      for (const message of rule.check(r, ctx))
        out.push({ rule: rule.name, type: r.type, name: r.name, urn: r.urn, message });
  for (const rule of stackRules)
    for (const f of rule.check(resources, ctx))
      out.push({
        rule: rule.name,
        type: f.resource.type,
        name: f.resource.name,
        urn: f.resource.urn,
        message: f.message,
      });
  return out;
}

/** Adapt the mock harness's `{ type, name, inputs }` records. */
export function fromHarness(record: {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}): PolicyResource {
  return { type: record.type, name: record.name, props: record.inputs };
}

/** Environment of a stack: policy config wins, else the stack name (`prod`, `production`, `*-prod`). */
export function environmentOf(stack: string, configured?: string): Environment {
  if (configured === "dev" || configured === "staging" || configured === "prod" || configured === "local")
    return configured;
  const s = stack.split("/").pop() ?? stack;
  if (/(^|[-_.])(prod|production)$/.test(s)) return "prod";
  if (/(^|[-_.])staging$/.test(s)) return "staging";
  if (/(^|[-_.])local$/.test(s)) return "local";
  return "dev";
}

/** Stack name from a URN `urn:pulumi:<stack>::<project>::...`. */
export function stackOfUrn(urn: string): string {
  return urn.split("::")[0]?.split(":")[2] ?? "";
}
