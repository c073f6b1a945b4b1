/**
 * The Role Grafana's sidecars run under. With `rbac.namespaced` the grafana chart (grafana-community/helm-charts,
 * tag grafana-12.11.1, templates/role.yaml) would grant get/watch/list on ConfigMaps and Secrets of the
 * namespace; the sidecars here read only ConfigMaps (`resource: configmap`: our dashboards and the chart's
 * datasource), so the chart binds this Role instead (`rbac.useExistingRole`, templates/rolebinding.yaml) and
 * Grafana cannot read the Alertmanager receiver credentials or any other Secret of the namespace.
 */
import type * as k8s from "@pulumi/kubernetes";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** get/list/watch on the namespace's ConfigMaps: what the k8s-sidecar's WATCH method needs. */
export function grafanaSidecarRules(): PolicyRule[] {
  return [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }];
}
