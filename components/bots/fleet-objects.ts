/**
 * The objects every bot shares: one ServiceAccount, the traders' governing Service, the scripts
 * ConfigMap, the live traders' disruption budget.
 */
import type * as k8s from "@pulumi/kubernetes";
import { tokenlessServiceAccount } from "../specs/service-account";
import { LIVE_TRADER_SELECTOR, fleetLabels } from "./labels";
import { SHARED } from "./names";
import { botPdb } from "./workloads";

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

/**
 * One budget for every live trader: no healthy live trader's pod may be evicted (a drain, node
 * maintenance), since under OnDelete any pod deletion applies its staged template. Each live trader is
 * a one-replica StatefulSet, so the budget allows 0 disruptions whatever the number of live traders; a
 * not-Ready pod may still go (`AlwaysAllow`). Labelled as a live trader's, which the policy pack's
 * `pdb-sane` rule requires of a budget with `maxUnavailable: 0`.
 */
export function liveTradersPdb(namespace: string): k8s.types.input.policy.v1.PodDisruptionBudget {
  const labels = { ...fleetLabels("live-traders"), ...LIVE_TRADER_SELECTOR };
  return botPdb({ name: SHARED.liveTraders, namespace, labels }, { ...LIVE_TRADER_SELECTOR }, 0);
}
