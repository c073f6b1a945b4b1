/** The checklist (docs/hardening.md) on isolation: Pod Security admission and who reaches the internet. */
import { requiresLabel } from "./network";
import { K, arr, labelsOf, metadata, obj, show } from "./shapes";
import type { ResourceRule } from "./types";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const COMPONENT = "app.kubernetes.io/component";

/** Pods that may reach the internet (docs/hardening.md #27), by the labels a NetworkPolicy's podSelector requires. */
const INTERNET_CLIENTS: readonly { what: string; key: string; value?: string }[] = [
  { what: "bot pods (botfleet.io/bot)", key: "botfleet.io/bot" },
  { what: "backups (app.kubernetes.io/component: backup)", key: COMPONENT, value: "backup" },
  {
    what: "Alertmanager (app.kubernetes.io/name: alertmanager)",
    key: "app.kubernetes.io/name",
    value: "alertmanager",
  },
  {
    what: "Grafana, to its identity provider (app.kubernetes.io/name: grafana)",
    key: "app.kubernetes.io/name",
    value: "grafana",
  },
];

export const isolationRules: readonly ResourceRule[] = [
  {
    name: "pod-security-enforced",
    description:
      "Every namespace enforces the restricted Pod Security Standard; only node-exporter's namespace " +
      "(app.kubernetes.io/component: nodeExporter) may enforce privileged (hardening 1).",
    check: (r) => {
      if (r.type !== K.namespace) return [];
      const labels = labelsOf(metadata(r).labels);
      const enforce = labels[ENFORCE];
      if (enforce === "restricted") return [];
      if (enforce === "privileged" && labels[COMPONENT] === "nodeExporter") return [];
      return [
        `label ${ENFORCE} must be "restricted" (only node-exporter's namespace may be "privileged"), got ${show(enforce)}`,
      ];
    },
  },
  {
    name: "internet-egress-only-for-allowed-clients",
    description:
      "Only bots, off-cluster backups, Alertmanager and Grafana (its sign-in) reach the internet: a NetworkPolicy egress to " +
      "0.0.0.0/0 selects only pods labelled as one of them (hardening 27).",
    check: (r) => {
      if (r.type !== K.networkPolicy) return [];
      const spec = obj(r.props.spec);
      const allowed = INTERNET_CLIENTS.some((c) => requiresLabel(spec.podSelector, c.key, c.value));
      if (allowed) return [];
      const internet = arr(spec.egress).some((rule) =>
        arr(obj(rule).to).some((peer) => obj(obj(peer).ipBlock).cidr === "0.0.0.0/0"),
      );
      return internet
        ? [
            `egress to 0.0.0.0/0 from podSelector ${show(spec.podSelector)}: only ` +
              `${INTERNET_CLIENTS.map((c) => c.what).join(", ")} may reach the internet`,
          ]
        : [];
    },
  },
];
