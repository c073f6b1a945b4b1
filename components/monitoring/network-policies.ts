/**
 * NetworkPolicies the monitoring namespace needs on top of the platform's default deny + DNS egress.
 * Pod labels are those kube-prometheus-stack and the operator put on their pods.
 */
import type * as k8s from "@pulumi/kubernetes";
import { SMTP_PORTS } from "../../config/monitoring";
import {
  API_SERVER_SOURCE_ENTITIES,
  NODE_ENTITIES,
  podsOfNamespace,
  tcpPorts,
  type NamedCiliumPolicy,
} from "../specs/cilium";
import { DATA_APPS, POSTGRES_EXPORTER_PORT, REDIS_EXPORTER_PORT } from "../data/contract";
import { API_SERVER_PORT_NUMBERS, PRIVATE_CIDRS, inNamespace, internetPeer } from "../specs/network";
import { CRDS_UPGRADE_POD_LABELS } from "./crds-upgrade";
import type { Namespaces } from "../../config/platform";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

export interface NamedPolicy {
  readonly name: string;
  readonly spec: NetworkPolicySpec;
}

export interface NetworkPolicyArgs {
  readonly namespaces: Namespaces;
  /** Namespace of the ingress controller when Grafana is exposed. */
  readonly ingressControllerNamespace?: string;
  /** Grafana signs people in through an identity provider (`monitoring.login`): it calls it on 443. */
  readonly grafanaLogin?: boolean;
  /** Extra TCP ports Alertmanager needs to reach receivers (the SMTP smarthost's). */
  readonly receiverPorts?: readonly number[];
  /**
   * Where the nodes (kubelet, node-exporter) and the API server endpoints live.
   * @default the private ranges (VPC addresses of DOKS and LKE nodes)
   */
  readonly clusterCidrs?: readonly string[];
  /**
   * The API server's public addresses, e.g. ["203.0.113.10/32"]: derived from the cluster resource, or
   * `monitoring.apiServerCidrs` when set.
   */
  readonly apiServerCidrs?: readonly string[];
  /** Namespace of cert-manager when Grafana's TLS certificate comes from it: Prometheus scrapes its controller. */
  readonly certManagerNamespace?: string;
}

/** cert-manager's controller metrics port (`http-metrics`). */
export const CERT_MANAGER_METRICS_PORT = 9402;

export { PRIVATE_CIDRS };

const tcp = (port: number | string): Port => ({ protocol: "TCP", port });
const blocks = (cidrs: readonly string[]): Peer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
// The API server calls the webhook from the control plane, whose address a managed cluster does not publish.
const anyAddress: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };
const API_SERVER_PORTS = API_SERVER_PORT_NUMBERS.map((p) => tcp(p));
/** Kubelet (and cAdvisor) and node-exporter ports on the nodes. */
const KUBELET_PORT = 10250;
const NODE_EXPORTER_PORT = 9100;
/** The operator's admission webhook (TLS). */
const OPERATOR_WEBHOOK_PORT = 10250;
/**
 * Ports of the pods prometheus-operator generates (its StatefulSets' container ports): Prometheus' web
 * API, Alertmanager's API and its cluster (gossip) port, and their config-reloader's metrics.
 */
const PROMETHEUS_WEB_PORT = 9090;
const ALERTMANAGER_WEB_PORT = 9093;
const ALERTMANAGER_MESH_PORT = 9094;
const CONFIG_RELOADER_PORT = 8080;

/** Pods of the monitoring namespace by the `app.kubernetes.io/name` the chart and the operator give them. */
const byName = (...names: string[]): Peer => ({
  podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: names }] },
});

const OPERATOR_APP = "kube-prometheus-stack-operator";
/**
 * The chart's hook Jobs, by their pods' `app` label: the admission webhook's certificate Jobs and the CRD
 * upgrade Job (its label is ours, set through podLabels: see crds-upgrade.ts). They talk to the API server
 * only; DNS is the platform's `allow-dns-egress`.
 */
const HOOK_JOBS = [
  "kube-prometheus-stack-admission-create",
  "kube-prometheus-stack-admission-patch",
  CRDS_UPGRADE_POD_LABELS.app,
];

export function monitoringNetworkPolicies(args: NetworkPolicyArgs): NamedPolicy[] {
  const ns = args.namespaces;
  const nodes = blocks(args.clusterCidrs ?? PRIVATE_CIDRS);
  const apiServer = [...nodes, ...blocks(args.apiServerCidrs ?? [])];
  const policies: NamedPolicy[] = [
    {
      // Prometheus scrapes, Grafana queries, the operator's and Grafana's reloads: within the namespace.
      name: "monitoring-same-namespace",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    },
    {
      // Every monitoring pod but Prometheus and Alertmanager takes connections from the namespace.
      name: "monitoring-same-namespace-ingress",
      spec: {
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "NotIn", values: ["prometheus", "alertmanager"] },
          ],
        },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }] }],
      },
    },
    {
      // Prometheus' API (which can delete series through its admin API when enabled) answers Grafana's
      // queries and its own scrapes only; people reach it through an authenticated port-forward.
      name: "prometheus-ingress",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [byName("grafana", "prometheus")], ports: [tcp(PROMETHEUS_WEB_PORT)] },
          { from: [byName("prometheus")], ports: [tcp(CONFIG_RELOADER_PORT)] },
        ],
      },
    },
    {
      // Alertmanager's API can silence BotDown: only Prometheus (alerts, scrapes) and Grafana (its
      // Alertmanager data source, behind Grafana's sign-in) reach it; its replicas gossip on the mesh port.
      name: "alertmanager-ingress",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [byName("prometheus", "grafana")], ports: [tcp(ALERTMANAGER_WEB_PORT)] },
          { from: [byName("prometheus")], ports: [tcp(CONFIG_RELOADER_PORT)] },
          {
            from: [byName("alertmanager")],
            ports: [tcp(ALERTMANAGER_MESH_PORT), { protocol: "UDP", port: ALERTMANAGER_MESH_PORT }],
          },
        ],
      },
    },
    {
      name: "prometheus-scrape",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        policyTypes: ["Egress"],
        egress: [
          // Bots expose a container port named `metrics`.
          {
            to: [
              {
                ...inNamespace(ns.bots),
                podSelector: { matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] },
              },
            ],
            ports: [tcp("metrics")],
          },
          {
            to: [
              {
                ...inNamespace(ns.data),
                podSelector: {
                  matchExpressions: [
                    {
                      key: "app.kubernetes.io/name",
                      operator: "In",
                      values: [DATA_APPS.redis, DATA_APPS.postgres],
                    },
                  ],
                },
              },
            ],
            ports: [tcp(REDIS_EXPORTER_PORT), tcp(POSTGRES_EXPORTER_PORT)],
          },
          // CoreDNS only: the control-plane and kube-proxy scrapes are off in the chart values.
          { to: [inNamespace("kube-system")], ports: [tcp(9153)] },
          ...(args.certManagerNamespace !== undefined
            ? [
                {
                  to: [
                    {
                      ...inNamespace(args.certManagerNamespace),
                      podSelector: { matchLabels: { "app.kubernetes.io/name": "cert-manager" } },
                    },
                  ],
                  ports: [tcp(CERT_MANAGER_METRICS_PORT)],
                },
              ]
            : []),
          // Kubelet + cAdvisor and node-exporter (host network) on the nodes; the API server (discovery).
          { to: nodes, ports: [tcp(KUBELET_PORT), tcp(NODE_EXPORTER_PORT)] },
          { to: apiServer, ports: API_SERVER_PORTS },
        ],
      },
    },
    {
      name: "monitoring-apiserver-egress",
      spec: {
        // Grafana's sidecar watches dashboard ConfigMaps; kube-state-metrics lists every object.
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "In", values: ["grafana", "kube-state-metrics"] },
          ],
        },
        policyTypes: ["Egress"],
        egress: [{ to: apiServer, ports: API_SERVER_PORTS }],
      },
    },
    {
      name: "operator-apiserver-egress",
      spec: {
        podSelector: {
          matchExpressions: [{ key: "app", operator: "In", values: [OPERATOR_APP, ...HOOK_JOBS] }],
        },
        policyTypes: ["Egress"],
        egress: [{ to: apiServer, ports: API_SERVER_PORTS }],
      },
    },
    {
      // The API server calls the PrometheusRule admission webhook (operator TLS port 10250).
      name: "operator-webhook",
      spec: {
        podSelector: { matchLabels: { app: OPERATOR_APP } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [anyAddress], ports: [tcp(OPERATOR_WEBHOOK_PORT)] }],
      },
    },
    {
      name: "alertmanager-receivers",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
        policyTypes: ["Egress"],
        egress: [
          { to: [internetPeer()], ports: [tcp(443), ...(args.receiverPorts ?? []).map((p) => tcp(p))] },
        ],
      },
    },
  ];
  if (args.grafanaLogin ?? false) {
    // Grafana exchanges the sign-in code and reads the user's groups at the identity provider (https).
    policies.push({
      name: "grafana-identity-provider",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
        policyTypes: ["Egress"],
        egress: [{ to: [internetPeer()], ports: [tcp(443)] }],
      },
    });
  }
  if (args.ingressControllerNamespace !== undefined) {
    policies.push({
      name: "grafana-from-ingress",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [inNamespace(args.ingressControllerNamespace)], ports: [tcp(3000)] }],
      },
    });
    // cert-manager's HTTP-01 solver pod answers Let's Encrypt through the ingress controller; under the
    // namespace's default deny the certificate for Grafana could never be issued without this.
    policies.push({
      name: "acme-solver-from-ingress",
      spec: {
        podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [inNamespace(args.ingressControllerNamespace)], ports: [tcp(8089)] }],
      },
    });
  }
  return policies;
}

/**
 * What the NetworkPolicies above cannot allow under Cilium (DOKS): Cilium never matches an `ipBlock`
 * against a node or the API server, so the kubelet and node-exporter scrapes, every API call and the API
 * server's calls into the operator's webhook need its entities. Same pods, same ports as above.
 */
export function monitoringCiliumPolicies(): NamedCiliumPolicy[] {
  const toApiServer = {
    toEntities: ["kube-apiserver" as const],
    toPorts: tcpPorts(...API_SERVER_PORT_NUMBERS),
  };
  return [
    {
      name: "prometheus-nodes-apiserver-cilium",
      spec: {
        endpointSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        egress: [
          { toEntities: NODE_ENTITIES, toPorts: tcpPorts(KUBELET_PORT, NODE_EXPORTER_PORT) },
          toApiServer,
        ],
      },
    },
    {
      name: "monitoring-apiserver-cilium",
      spec: {
        endpointSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "In", values: ["grafana", "kube-state-metrics"] },
          ],
        },
        egress: [toApiServer],
      },
    },
    {
      name: "operator-apiserver-cilium",
      spec: {
        endpointSelector: {
          matchExpressions: [{ key: "app", operator: "In", values: [OPERATOR_APP, ...HOOK_JOBS] }],
        },
        egress: [toApiServer],
      },
    },
    {
      // The webhook call comes from the API server, or through a node or a tunnel agent in kube-system
      // when the managed control plane reaches the cluster that way.
      name: "operator-webhook-cilium",
      spec: {
        endpointSelector: { matchLabels: { app: OPERATOR_APP } },
        ingress: [
          { fromEntities: API_SERVER_SOURCE_ENTITIES, toPorts: tcpPorts(OPERATOR_WEBHOOK_PORT) },
          { fromEndpoints: [podsOfNamespace("kube-system")], toPorts: tcpPorts(OPERATOR_WEBHOOK_PORT) },
        ],
      },
    },
  ];
}

/**
 * SMTP ports opened for Alertmanager when an email receiver is configured. The smarthost itself is secret
 * config; reading its port would make this policy a secret too, so the standard ports are opened instead
 * (and the config schema accepts only these).
 */
export { SMTP_PORTS };
