/** The objects every bot shares: one ServiceAccount, the traders' governing Service, the scripts ConfigMap. */
import type * as k8s from "@pulumi/kubernetes";
import { tokenlessServiceAccount } from "../specs/service-account";
import { fleetLabels } from "./labels";
import { SHARED } from "./names";

export function botsServiceAccount(namespace: string): k8s.types.input.core.v1.ServiceAccount {
  // Bots never call the Kubernetes API.
  return tokenlessServiceAccount(SHARED.serviceAccount, namespace, fleetLabels("service-account"));
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
