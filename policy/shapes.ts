/** Reading Kubernetes objects as plain JSON: pod templates, containers, names, images, secret-like names. */
import type { PolicyResource, ResourceRule } from "./types";

// ---------------------------------------------------------------- plain-JSON helpers

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
export const labelsOf = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string") out[k] = val;
  return out;
};
export const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

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
  secret: "kubernetes:core/v1:Secret",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  doCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
  doNodePool: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
  lkeCluster: "linode:index/lkeCluster:LkeCluster",
} as const;

export const isHpa = (type: string) =>
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
export const isBatch = (r: PolicyResource) => r.type === K.job || r.type === K.cronJob;

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

export function containersOf(spec: Obj): ContainerView[] {
  const out: ContainerView[] = [];
  const add = (list: unknown, kind: ContainerView["kind"]) =>
    arr(list).forEach((c, i) => out.push({ name: str(obj(c).name) ?? `#${i}`, kind, c: obj(c) }));
  add(spec.initContainers, "initContainer");
  add(spec.containers, "container");
  add(spec.ephemeralContainers, "ephemeralContainer");
  return out;
}

export const label = (v: ContainerView) => `${v.kind} "${v.name}"`;
export const metadata = (r: PolicyResource) => obj(r.props.metadata);
/** Kubernetes object name: explicit metadata.name, else Pulumi's logical name (autonaming prefix). */
export const objectName = (r: PolicyResource) => str(metadata(r).name) ?? r.name ?? "";
export const namespaceOf = (r: PolicyResource) => str(metadata(r).namespace) ?? "default";
const workloadLabels = (r: PolicyResource): Record<string, string> => ({
  ...labelsOf(metadata(r).labels),
  ...(podTemplate(r)?.labels ?? {}),
});
export const isTrader = (r: PolicyResource) => workloadLabels(r)["botfleet.io/workload"] === "trader";

/** The cluster autoscaler's pod annotation: "false" keeps it from scaling the pod's node down. */
export const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
const isLiveTraderLabels = (labels: Record<string, string>) =>
  labels["botfleet.io/workload"] === "trader" && labels["botfleet.io/mode"] === "live";
/**
 * A trader placing real orders (a StatefulSet labelled `botfleet.io/workload: trader`,
 * `botfleet.io/mode: live`): under OnDelete any deletion of its pod applies its staged template, so
 * it is the one workload whose PDB blocks evictions on purpose.
 */
export const isLiveTrader = (r: PolicyResource) =>
  r.type === K.statefulSet && isLiveTraderLabels(workloadLabels(r));
/** A PDB labelled as a live trader's: the only PDB that may allow no disruption. */
export const isLiveTraderPdb = (r: PolicyResource) =>
  r.type === K.pdb && isLiveTraderLabels(labelsOf(metadata(r).labels));
/** A PDB spec that lets no healthy pod be evicted. */
export const blocksEvictions = (spec: Obj): boolean =>
  spec.maxUnavailable === 0 || spec.maxUnavailable === "0%" || spec.minAvailable === "100%";

/** Run `check` on every container of a workload; no-op for other resources. */
export function perContainer(r: PolicyResource, check: (v: ContainerView, pod: Obj) => string[]): string[] {
  const pod = podTemplate(r);
  if (pod === undefined) return [];
  return containersOf(pod.spec).flatMap((v) => check(v, pod.spec));
}

/** A rule that checks every container of every workload (see {@link perContainer}). */
export const containerRule = (
  name: string,
  description: string,
  check: (v: ContainerView, pod: Obj) => string[],
): ResourceRule => ({ name, description, check: (r) => perContainer(r, check) });

// ---------------------------------------------------------------- images and secrets

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** True for an image pinned by digest: `repo@sha256:<64 hex>` or `repo:<tag>@sha256:<64 hex>`. */
export function isDigestImage(image: string): boolean {
  return DIGEST.test(image) && image.indexOf("@") === image.lastIndexOf("@");
}

/** True for `repo@sha256:<64 hex>` or `repo:<tag>` with a tag other than `latest` (docs/hardening.md #10). */
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

/** A Redis or Postgres server pod (not a backup Job), by its standard labels. */
export function isDatabaseServer(labels: Record<string, string>, app?: string): boolean {
  const name = labels["app.kubernetes.io/name"];
  return (
    (app === undefined ? name === "postgres" || name === "redis" : name === app) &&
    labels["app.kubernetes.io/component"] !== "backup"
  );
}
