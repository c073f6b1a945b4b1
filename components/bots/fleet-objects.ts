/** The objects every bot shares: one ServiceAccount, the traders' governing Service, the scripts ConfigMap. */
import type * as k8s from "@pulumi/kubernetes";
import { fleetLabels } from "./labels";
import { SHARED } from "./names";

export function botsServiceAccount(namespace: string): k8s.types.input.core.v1.ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: SHARED.serviceAccount, namespace, labels: fleetLabels("service-account") },
    // Bots never call the Kubernetes API.
    automountServiceAccountToken: false,
  };
}

/** The governing Service every trader StatefulSet names: stable DNS per pod, no load balancing. */
export function tradersHeadlessService(namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SHARED.tradersService, namespace, labels: fleetLabels("traders") },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "app.kubernetes.io/part-of": "botfleet", "botfleet.io/workload": "trader" },
    },
  };
}

export function scriptsConfigMap(
  namespace: string,
  scripts: Record<string, string>,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SHARED.scripts, namespace, labels: fleetLabels("scripts") },
    data: scripts,
  };
}
