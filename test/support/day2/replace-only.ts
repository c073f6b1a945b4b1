/**
 * Which changed input paths make a provider replace an object rather than update it.
 *
 * Kubernetes: pulumi-kubernetes v4.25.0 `provider/pkg/provider/diff.go` (`forceNewProperties`,
 * `forceNew`), for the provider as botfleet configures it (`enableConfigMapMutable`,
 * `enableSecretMutable`: ConfigMap and Secret data update in place). Only the kinds and API versions we
 * register are listed; `policy/v1` PodDisruptionBudgets and `batch/v1` CronJobs have no entry there, so
 * only their metadata replaces them. A listed path replaces when it or anything under it changes;
 * `[*]` matches any list index.
 *
 * Clouds (Terraform schemas the bridged providers wrap, `ForceNew: true`): digitalocean/terraform-provider-
 * digitalocean `digitalocean/kubernetes/resource_kubernetes_cluster.go` (region, vpc_uuid,
 * cluster_subnet, service_subnet; a lower `version` through CustomizeDiff) and `kubernetes.go`
 * `nodePoolSchema` (size; the pool resource's cluster_id); linode/terraform-provider-linode
 * `linode/lke/schema_resource.go` (region, tier, apl_enabled).
 */
const METADATA = ["metadata.name", "metadata.namespace"];
const SELECTOR = ["spec.selector"];

const KUBERNETES: Record<string, readonly string[]> = {
  "apps/v1:StatefulSet": [
    "spec.podManagementPolicy",
    "spec.revisionHistoryLimit",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
    ...SELECTOR,
  ],
  "apps/v1:Deployment": SELECTOR,
  "apps/v1:DaemonSet": SELECTOR,
  "batch/v1:Job": ["spec.completions", "spec.parallelism", "spec.template", ...SELECTOR],
  "core/v1:PersistentVolumeClaim": [
    "spec.accessModes",
    "spec.selector",
    "spec.storageClassName",
    "spec.volumeName",
  ],
  "core/v1:ResourceQuota": ["spec.scopes"],
  // Mutable Secrets: only the type (diff.go falls through to the kind's own list).
  "core/v1:Secret": ["type"],
  "core/v1:Service": ["spec.clusterIP"],
  "rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
};

/** Cloud resources by Pulumi type token; input names as the Pulumi SDKs spell them. */
const CLOUD: Record<string, readonly string[]> = {
  "digitalocean:index/kubernetesCluster:KubernetesCluster": [
    "region",
    "vpcUuid",
    "clusterSubnet",
    "serviceSubnet",
    "nodePool.size",
  ],
  "digitalocean:index/kubernetesNodePool:KubernetesNodePool": ["clusterId", "size"],
  "linode:index/lkeCluster:LkeCluster": ["region", "tier", "aplEnabled"],
};

/** The replace-only paths for a registered resource's type token (`kubernetes:apps/v1:StatefulSet`). */
export function replaceOnlyPaths(type: string): readonly string[] {
  if (type.startsWith("kubernetes:helm.sh/")) return ["name", "namespace"];
  if (type.startsWith("kubernetes:"))
    return [...METADATA, ...(KUBERNETES[type.slice("kubernetes:".length)] ?? [])];
  return CLOUD[type] ?? [];
}

const matchesPrefix = (pattern: string, changed: string): boolean => {
  const p = pattern.split(".");
  const c = changed.split(".");
  if (c.length < p.length) {
    // A whole object or list appeared or vanished above the listed path.
    return c.every((part, i) => p[i] === part || p[i] === "[*]");
  }
  return p.every((part, i) => part === c[i] || (part === "[*]" && /^\d+$/.test(c[i])));
};

/** The changed paths (dotted, list indexes as numbers) that force a replacement of a `type`. */
export function replacingPaths(type: string, changed: readonly string[]): string[] {
  const listed = replaceOnlyPaths(type);
  return changed.filter((c) => listed.some((p) => matchesPrefix(p, c)));
}
