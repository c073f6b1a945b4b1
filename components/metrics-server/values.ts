/**
 * Helm values for the official metrics-server chart (kubernetes-sigs/metrics-server, charts/metrics-server).
 * Pure. Every path set here is in METRICS_SERVER_VALUE_PATHS (tested).
 *
 * Pinned chart: 3.13.1 (app version 0.8.1). Verified in the kubernetes-sigs/metrics-server repository: tag
 * `metrics-server-helm-chart-3.13.1` (commit 842dcc8c42f2), whose charts/metrics-server/Chart.yaml says
 * `version: 3.13.1`, and the chart repository index on the gh-pages branch (index.yaml, commit c6db65ff,
 * 2026-06-11) lists 3.13.1 with the release asset
 * github.com/kubernetes-sigs/metrics-server/releases/download/metrics-server-helm-chart-3.13.1/metrics-server-3.13.1.tgz.
 * Re-check the paths below against charts/metrics-server/values.yaml at the new tag whenever the pin moves.
 */
import type { MetricsServerConfig } from "../../config/platform";

export const METRICS_SERVER_CHART = "metrics-server";
export const METRICS_SERVER_CHART_VERSION = "3.13.1";
export const METRICS_SERVER_REPO = "https://kubernetes-sigs.github.io/metrics-server/";
/** Release name; the chart names its Deployment, Service and pods' `app.kubernetes.io/instance` after it. */
export const METRICS_SERVER_RELEASE = "metrics-server";

/** The chart's `containerPort` (its default): the secure port the API server calls, `--secure-port`. */
export const METRICS_SERVER_PORT = 10250;

/** Labels the chart puts on the pod (`metrics-server.selectorLabels` in templates/_helpers.tpl). */
export const METRICS_SERVER_POD_LABELS = {
  "app.kubernetes.io/name": METRICS_SERVER_CHART,
  "app.kubernetes.io/instance": METRICS_SERVER_RELEASE,
} as const;

/**
 * The Pod Security `restricted` container settings. The chart's values.yaml at 3.13.1 sets exactly these
 * as `securityContext` (allowPrivilegeEscalation false, readOnlyRootFilesystem true, runAsNonRoot true,
 * runAsUser 1000, seccomp RuntimeDefault, drop ALL); they are repeated here so that a chart bump cannot
 * loosen them, and the namespace enforces `restricted` besides.
 */
export const RESTRICTED_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: "RuntimeDefault" },
  capabilities: { drop: ["ALL"] },
} as const;

/**
 * The value paths this program may set, each present in charts/metrics-server/values.yaml at tag
 * metrics-server-helm-chart-3.13.1. A path ending in `/*` is a Kubernetes object whose inner keys are the
 * Kubernetes API's.
 */
export const METRICS_SERVER_VALUE_PATHS: readonly string[] = [
  "replicas",
  "containerPort",
  "hostNetwork.enabled",
  "apiService.create",
  "args",
  "securityContext/*",
  "resources/*",
  "metrics.enabled",
  "serviceMonitor.enabled",
  "podDisruptionBudget.enabled",
];

export function metricsServerValues(config: MetricsServerConfig): Record<string, unknown> {
  const r = config.resources;
  return {
    // One pod: a node drain pauses the HPAs for the ~20 s a replacement takes to become ready.
    replicas: 1,
    podDisruptionBudget: { enabled: false },
    containerPort: METRICS_SERVER_PORT,
    // Pod network, not the host's: keeps the pod inside Pod Security restricted.
    hostNetwork: { enabled: false },
    // The APIService v1beta1.metrics.k8s.io is what the HPAs read.
    apiService: { create: true },
    // kind's kubelets serve self-signed certificates; never needed on DOKS.
    args: config.kubeletInsecureTls ? ["--kubelet-insecure-tls"] : [],
    securityContext: RESTRICTED_SECURITY_CONTEXT,
    resources: { requests: { ...r.requests }, limits: { ...r.limits } },
    // Prometheus does not scrape it: kube-prometheus-stack reads the kubelets itself.
    metrics: { enabled: false },
    serviceMonitor: { enabled: false },
  };
}
