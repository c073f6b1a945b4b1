/**
 * Every kube-prometheus-stack value path this program may set, each checked by hand against the chart's
 * values.yaml (read with the search tool from prometheus-community/helm-charts; not copied here).
 *
 * Pinned chart: kube-prometheus-stack 81.4.5 (Chart.yaml at commit 4879317737d4; its dependencies:
 * grafana 10.5.12, kube-state-metrics 7.1.0). The stored values.yaml available to check against was the one
 * at commit 001f3a6d7d24 (the Prometheus v3.5.0 / Alertmanager v0.28.1 generation of the chart); the
 * grafana sub-chart paths were checked in grafana/helm-charts charts/grafana/values.yaml (commit 001363be0ec9)
 * and the kube-state-metrics one in charts/kube-state-metrics/values.yaml (commit 0027117e971e). Every path
 * below is present in those files; re-check this list whenever KPS_CHART_VERSION changes. The four
 * control-plane switches (`kubeControllerManager.enabled`, `kubeScheduler.enabled`, `kubeEtcd.enabled`,
 * `kubeProxy.enabled`, all `true` there) and `prometheus.prometheusSpec.retentionSize` (`""` there) were
 * checked in the same kube-prometheus-stack values.yaml (commit 001f3a6d7d24).
 *
 * A path ending in `/*` is a Kubernetes object (resources, a volumeClaimTemplate, ...) whose inner keys
 * are the Kubernetes API's, not the chart's.
 */
export const CHART_VALUE_PATHS: readonly string[] = [
  "crds.enabled",
  "defaultRules.create",
  "nodeExporter.enabled",
  "kubeControllerManager.enabled",
  "kubeScheduler.enabled",
  "kubeEtcd.enabled",
  "kubeProxy.enabled",

  "alertmanager.enabled",
  "alertmanager.alertmanagerSpec.useExistingSecret",
  "alertmanager.alertmanagerSpec.configSecret",
  "alertmanager.alertmanagerSpec.storage/*",
  "alertmanager.alertmanagerSpec.resources/*",
  "alertmanager.alertmanagerSpec.persistentVolumeClaimRetentionPolicy/*",

  "prometheus.prometheusSpec.retention",
  "prometheus.prometheusSpec.retentionSize",
  "prometheus.prometheusSpec.storageSpec/*",
  "prometheus.prometheusSpec.resources/*",
  "prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy/*",
  "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues",
  "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
  "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues",

  "prometheusOperator.resources/*",

  "kube-state-metrics.resources/*",

  "grafana.enabled",
  "grafana.defaultDashboardsTimezone",
  "grafana.admin.existingSecret",
  "grafana.admin.userKey",
  "grafana.admin.passwordKey",
  "grafana.persistence.enabled",
  "grafana.persistence.type",
  "grafana.persistence.size",
  "grafana.persistence.storageClassName",
  "grafana.persistence.accessModes",
  "grafana.deploymentStrategy/*",
  "grafana.resources/*",
  "grafana.ingress.enabled",
  "grafana.sidecar.dashboards.enabled",
  "grafana.sidecar.dashboards.label",
  "grafana.sidecar.dashboards.labelValue",
  "grafana.sidecar.dashboards.searchNamespace",
  "grafana.sidecar.datasources.uid",
];

/** Leaf paths of a values object; arrays are leaves (the chart takes them whole). */
export function valuePaths(values: unknown, prefix = ""): string[] {
  if (values === null || typeof values !== "object" || Array.isArray(values))
    return prefix === "" ? [] : [prefix];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) =>
    valuePaths(v, prefix === "" ? k : `${prefix}.${k}`),
  );
}

/** The paths of `values` that the list does not allow. */
export function unknownValuePaths(values: unknown, allowed: readonly string[] = CHART_VALUE_PATHS): string[] {
  const exact = new Set(allowed.filter((p) => !p.endsWith("/*")));
  const subtrees = allowed.filter((p) => p.endsWith("/*")).map((p) => p.slice(0, -2));
  return valuePaths(values).filter(
    (p) => !exact.has(p) && !subtrees.some((s) => p === s || p.startsWith(`${s}.`)),
  );
}
