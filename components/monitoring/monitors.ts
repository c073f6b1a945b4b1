/**
 * PodMonitors (monitoring.coreos.com/v1) for bots and the data-layer exporters. PodMonitors rather than
 * ServiceMonitors: a trader has no Service of its own, and each exporter is a container on a named
 * `metrics` port. Pod labels become short target labels that the rules and dashboards use.
 */
import { RELEASE_NAME } from "./values";
import { DATA_APPS } from "../data/contract";
import type { Namespaces } from "../../config/platform";

export interface MonitorSpec {
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

const fromPodLabel = (label: string, target: string) => ({
  sourceLabels: [`__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9]/g, "_")}`],
  targetLabel: target,
  action: "replace",
});

/** Labels on the monitors themselves: `release` is what kube-prometheus-stack's Prometheus selects on. */
export const MONITOR_LABELS = { release: RELEASE_NAME, "app.kubernetes.io/part-of": "botfleet" } as const;

const podAndNamespace = [
  { sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace", action: "replace" },
  { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod", action: "replace" },
];

/**
 * cert-manager's controller, for `certmanager_certificate_expiration_timestamp_seconds`. Labels and port as the
 * cert-manager chart sets them (its own PodMonitor template selects app.kubernetes.io/name + component and
 * scrapes port `http-metrics`, 9402). honorLabels keeps the certificate's own `namespace` label rather than
 * cert-manager's, which the alert names.
 */
export function certManagerPodMonitor(namespace: string): MonitorSpec {
  return {
    name: "cert-manager",
    spec: {
      namespaceSelector: { matchNames: [namespace] },
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "cert-manager",
          "app.kubernetes.io/component": "controller",
        },
      },
      podMetricsEndpoints: [{ port: "http-metrics", interval: "60s", honorLabels: true }],
    },
  };
}

export function podMonitors(
  namespaces: Pick<Namespaces, "bots" | "data">,
  certManagerNamespace?: string,
): MonitorSpec[] {
  return [
    {
      name: "botfleet-bots",
      spec: {
        namespaceSelector: { matchNames: [namespaces.bots] },
        selector: { matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] },
        podMetricsEndpoints: [
          {
            port: "metrics",
            interval: "30s",
            relabelings: [
              ...podAndNamespace,
              fromPodLabel("botfleet.io/bot", "bot"),
              fromPodLabel("botfleet.io/preset", "preset"),
              fromPodLabel("botfleet.io/workload", "workload"),
              fromPodLabel("botfleet.io/mode", "mode"),
              fromPodLabel("botfleet.io/exchange", "exchange"),
            ],
          },
        ],
      },
    },
    ...[DATA_APPS.redis, DATA_APPS.postgres].map((app) => ({
      name: `botfleet-${app}`,
      spec: {
        namespaceSelector: { matchNames: [namespaces.data] },
        selector: { matchLabels: { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "botfleet" } },
        podMetricsEndpoints: [
          {
            // redis_exporter 9121 / postgres_exporter 9187, both named `metrics` by the data layer.
            port: "metrics",
            interval: "30s",
            relabelings: [
              ...podAndNamespace,
              fromPodLabel("app.kubernetes.io/name", "app"),
              // Not `role`: redis_exporter exports its own `role` (master/slave) label.
              fromPodLabel("app.kubernetes.io/component", "component"),
            ],
          },
        ],
      },
    })),
    ...(certManagerNamespace !== undefined ? [certManagerPodMonitor(certManagerNamespace)] : []),
  ];
}
