/**
 * kube-prometheus-stack's own CRD upgrade: Helm installs a chart's `crds/` once and never upgrades them, so a
 * chart bump would leave prometheus-operator's CRDs at the first release's schema. The chart ships a hook for
 * this (prometheus-community/helm-charts, tag kube-prometheus-stack-88.5.3,
 * charts/kube-prometheus-stack/charts/crds/templates/upgrade/*.yaml): on pre-install, pre-upgrade and
 * pre-rollback a Job's busybox init container bunzips the CRDs from a ConfigMap into an emptyDir at /tmp and
 * its kubectl container runs `kubectl apply --server-side --force-conflicts` on them, under a ServiceAccount
 * whose ClusterRole may only create/patch/update/get/list the chart's own CRDs (clusterrole.yaml lists them
 * by `resourceNames`). This module sets what that Job needs here: pinned images, resources (the monitoring
 * namespace's quota refuses a pod without them), Pod Security `restricted` contexts and pod labels the
 * network policies select.
 */
import type { ComponentResources } from "../../config/monitoring";

/**
 * busybox 1.37.0 from Docker Hub's official images: tag `1.37.0` is in docker-library/official-images
 * library/busybox (first in commit 06e240455e, 2024-09-30; still listed at 37079fb336f5, 2026-08-21).
 * No digest: Docker Hub cannot be read from here, and a digest copied from other projects is a guess
 * (a wrong one would fail every chart upgrade at the pull). Pin it with
 * `crane digest docker.io/library/busybox:1.37.0` where the registry is reachable.
 */
export const BUSYBOX_IMAGE = {
  registry: "docker.io",
  repository: "library/busybox",
  tag: "1.37.0",
  sha: "",
} as const;

/**
 * kubectl v1.34.4: the Kubernetes release v1.34.4 (k8s.io/kubernetes module v1.34.4, published
 * 2026-02-10) whose build/common.sh `kube::build::get_docker_wrapped_binaries` lists `kubectl` among the
 * images every release pushes to registry.k8s.io, tagged with the release version. Within one minor of the
 * clusters' 1.33 (kubectl's version skew policy). No digest: none could be proven from here, so only the
 * tag is pinned (the chart renders `:tag` when `kubectl.sha` is empty).
 */
export const KUBECTL_IMAGE = {
  registry: "registry.k8s.io",
  repository: "kubectl",
  tag: "v1.34.4",
} as const;

/**
 * Labels of the Job's pods. The chart's job.yaml puts `kube-prometheus-stack.crd.upgradeJob.labels` on the
 * Job object only; its pod template carries nothing but `upgradeJob.podLabels` (and the Job controller's
 * `job-name`), so the policies select this label, set through podLabels.
 */
export const CRDS_UPGRADE_POD_LABELS = { app: "kube-prometheus-stack-crds-upgrade" } as const;

/** The chart's busybox and kubectl run as `nobody`; both write only the /tmp emptyDir. */
const NOBODY = 65534;

/** Where client-go's in-cluster config reads the token, CA and namespace (rest.InClusterConfig). */
const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The API token as an explicit projected volume instead of the automounted one (policy: no automount): a
 * 10-minute token (the API's minimum), the cluster CA and the namespace, read-only. The chart mounts its
 * extraVolumeMounts into both containers, as the automount would.
 */
const TOKEN_VOLUME = {
  name: "api-token",
  projected: {
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: 600 } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
    ],
  },
};

/** `crds.upgradeJob` values: the hook enabled with everything it needs to pass admission and quotas. */
export function crdsUpgradeJobValues(resources: ComponentResources): Record<string, unknown> {
  return {
    enabled: true,
    // The CRDs are the chart's: the hook's server-side apply takes over fields another manager set.
    forceConflicts: true,
    image: {
      // job.yaml tests `upgradeJob.image.sha` (not `image.busybox.sha`) before it appends busybox's digest.
      sha: BUSYBOX_IMAGE.sha,
      busybox: { ...BUSYBOX_IMAGE, pullPolicy: "IfNotPresent" },
      kubectl: { ...KUBECTL_IMAGE, sha: "", pullPolicy: "IfNotPresent" },
    },
    // kubectl keeps its discovery cache under $HOME; the root filesystem is read-only, /tmp is the emptyDir.
    env: { HOME: "/tmp" },
    // Both containers get these (job.yaml applies upgradeJob.resources to each).
    resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
    podLabels: { ...CRDS_UPGRADE_POD_LABELS },
    serviceAccount: { automountServiceAccountToken: false },
    automountServiceAccountToken: false,
    extraVolumes: [TOKEN_VOLUME],
    extraVolumeMounts: [{ name: TOKEN_VOLUME.name, mountPath: TOKEN_DIR, readOnly: true }],
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: NOBODY,
      runAsGroup: NOBODY,
      fsGroup: NOBODY,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}
