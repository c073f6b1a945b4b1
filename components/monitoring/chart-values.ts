/**
 * Every kube-prometheus-stack value path this program may set, each checked by hand against the values.yaml
 * files of the pinned release (config/monitoring.ts KPS_CHART_VERSION), read from the fetched git history on
 * 2026-11-29 (not copied here):
 * - prometheus-community/helm-charts, tag kube-prometheus-stack-88.5.3 (commit ea930baeebeb),
 *   charts/kube-prometheus-stack/values.yaml: every path below that does not start with `grafana.` or
 *   `kube-state-metrics.`, plus the kps-only `grafana.enabled`, `grafana.defaultDashboardsTimezone` and
 *   `grafana.sidecar.datasources.uid` (the last is read by the chart's templates/grafana/configmaps-datasources.yaml).
 *   `alertmanager.alertmanagerSpec.configSecret` is a commented-out key there; templates/alertmanager/alertmanager.yaml
 *   reads it, and `useExistingSecret: true` stops templates/alertmanager/secret.yaml from rendering. So are
 *   `prometheusOperator.namespaces.{releaseNamespace,additional}`, read by templates/prometheus-operator/deployment.yaml.
 * - The Grafana sub-chart that release pins (grafana 12.11.1; since kube-prometheus-stack 81.5.1 it comes from the
 *   grafana-community repository): grafana-community/helm-charts, tag grafana-12.11.1 (commit 864f77946836),
 *   charts/grafana/values.yaml: `admin.*`, `persistence.*`, `deploymentStrategy`, `resources`, `ingress.enabled`
 *   and `sidecar.dashboards.*`. `persistence.storageClassName` is commented out there; templates/pvc.yaml reads it.
 *   `initChownData.enabled`, `rbac.namespaced`, `rbac.useExistingRole` (commented out there; templates/rolebinding.yaml
 *   reads it) and `sidecar.{dashboards,datasources}.resource` too. `grafana.ini` (a map of Grafana's own
 *   settings, rendered section by section by templates/_config.tpl) and `envValueFrom` (env vars from
 *   Secrets) are in that values.yaml; their inner keys are Grafana's and Kubernetes', hence `/*`.
 * - The kube-state-metrics sub-chart it pins (8.4.0): prometheus-community/helm-charts, tag kube-state-metrics-8.4.0
 *   (commit 1982f1c5828e), charts/kube-state-metrics/values.yaml: `resources`, `collectorsExclude`.
 * - The prometheus-node-exporter sub-chart it pins (4.56.1): tag prometheus-node-exporter-4.56.1,
 *   charts/prometheus-node-exporter/values.yaml: `namespaceOverride`.
 * - The crds sub-chart bundled in the kube-prometheus-stack-88.5.3 tag: `crds.upgradeJob.*` are in the parent's
 *   values.yaml, except `crds.upgradeJob.image.sha`, which charts/crds/templates/upgrade/job.yaml reads as the
 *   switch that appends busybox's digest.
 * `nodeSelector`/`tolerations` of alertmanagerSpec, prometheusSpec, prometheusOperator, kube-state-metrics
 * (values.yaml of its 8.4.0 above) and grafana (its 12.11.1 values.yaml above) were checked the same way on
 * 2026-11-29, and `tolerations` of the node-exporter sub-chart kps 88.5.3 pins: prometheus-community/helm-charts,
 * tag prometheus-node-exporter-4.56.1 (commit 8b8e639cac80), charts/prometheus-node-exporter/values.yaml.
 * Re-check this list whenever KPS_CHART_VERSION changes, and add the release to KPS_VERIFIED_RELEASES.
 *
 * A path ending in `/*` is a Kubernetes object (resources, a volumeClaimTemplate, ...) whose inner keys
 * are the Kubernetes API's, not the chart's.
 */
export const CHART_VALUE_PATHS: readonly string[] = [
  "crds.enabled",
  "crds.upgradeJob.enabled",
  "crds.upgradeJob.forceConflicts",
  "crds.upgradeJob.image.sha",
  "crds.upgradeJob.image.busybox.registry",
  "crds.upgradeJob.image.busybox.repository",
  "crds.upgradeJob.image.busybox.tag",
  "crds.upgradeJob.image.busybox.sha",
  "crds.upgradeJob.image.busybox.pullPolicy",
  "crds.upgradeJob.image.kubectl.registry",
  "crds.upgradeJob.image.kubectl.repository",
  "crds.upgradeJob.image.kubectl.tag",
  "crds.upgradeJob.image.kubectl.sha",
  "crds.upgradeJob.image.kubectl.pullPolicy",
  "crds.upgradeJob.env/*",
  "crds.upgradeJob.resources/*",
  "crds.upgradeJob.podLabels/*",
  "crds.upgradeJob.serviceAccount.automountServiceAccountToken",
  "crds.upgradeJob.automountServiceAccountToken",
  "crds.upgradeJob.extraVolumes/*",
  "crds.upgradeJob.extraVolumeMounts/*",
  "crds.upgradeJob.podSecurityContext/*",
  "crds.upgradeJob.containerSecurityContext/*",
  "defaultRules.create",
  "nodeExporter.enabled",
  "prometheus-node-exporter.tolerations/*",
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
  "alertmanager.alertmanagerSpec.nodeSelector/*",
  "alertmanager.alertmanagerSpec.tolerations/*",

  "prometheus.prometheusSpec.retention",
  "prometheus.prometheusSpec.retentionSize",
  "prometheus.prometheusSpec.storageSpec/*",
  "prometheus.prometheusSpec.resources/*",
  "prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy/*",
  "prometheus.prometheusSpec.nodeSelector/*",
  "prometheus.prometheusSpec.tolerations/*",
  "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues",
  "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
  "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues",

  "prometheus-node-exporter.namespaceOverride",

  "prometheusOperator.resources/*",
  "prometheusOperator.namespaces.releaseNamespace",
  "prometheusOperator.namespaces.additional",
  "prometheusOperator.nodeSelector/*",
  "prometheusOperator.tolerations/*",

  "kube-state-metrics.resources/*",
  "kube-state-metrics.collectorsExclude",
  "kube-state-metrics.nodeSelector/*",
  "kube-state-metrics.tolerations/*",

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
  "grafana.initChownData.enabled",
  "grafana.rbac.namespaced",
  "grafana.rbac.useExistingRole",
  "grafana.resources/*",
  "grafana.nodeSelector/*",
  "grafana.tolerations/*",
  "grafana.ingress.enabled",
  "grafana.grafana.ini/*",
  "grafana.envValueFrom/*",
  "grafana.sidecar.dashboards.enabled",
  "grafana.sidecar.dashboards.label",
  "grafana.sidecar.dashboards.labelValue",
  "grafana.sidecar.dashboards.searchNamespace",
  "grafana.sidecar.dashboards.resource",
  "grafana.sidecar.datasources.uid",
  "grafana.sidecar.datasources.resource",
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
