/**
 * NetworkPolicies the monitoring namespace needs on top of the platform's default deny + DNS egress.
 * Pod labels are those kube-prometheus-stack and the operator put on their pods.
 */
import type * as k8s from "@pulumi/kubernetes";
import { SMTP_PORTS } from "../../config/monitoring";
import { PRIVATE_AND_METADATA_CIDRS, internetPeer } from "../specs/network";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

export interface NamedPolicy {
  readonly name: string;
  readonly spec: NetworkPolicySpec;
}

export interface NetworkPolicyArgs {
  readonly namespaces: { readonly bots: string; readonly data: string; readonly monitoring: string };
  /** Namespace of the ingress controller when Grafana is exposed. */
  readonly ingressControllerNamespace?: string;
  /** Extra TCP ports Alertmanager needs to reach receivers (the SMTP smarthost's). */
  readonly receiverPorts?: readonly number[];
  /**
   * Where the nodes (kubelet, node-exporter) and the API server endpoints live.
   * @default the private ranges (VPC addresses of DOKS and LKE nodes)
   */
  readonly clusterCidrs?: readonly string[];
  /** Extra API server addresses when the control plane endpoint is public, e.g. ["203.0.113.10/32"]. */
  readonly apiServerCidrs?: readonly string[];
  /** Namespace of cert-manager when Grafana's TLS certificate comes from it: Prometheus scrapes its controller. */
  readonly certManagerNamespace?: string;
}

/** cert-manager's controller metrics port (`http-metrics`). */
export const CERT_MANAGER_METRICS_PORT = 9402;

/** Private ranges: node and in-VPC control plane addresses. Never 0.0.0.0/0: only bots and receivers reach the internet. */
export const PRIVATE_CIDRS: readonly string[] = PRIVATE_AND_METADATA_CIDRS.filter(
  (c) => c !== "169.254.0.0/16",
);

const tcp = (port: number | string): Port => ({ protocol: "TCP", port });
const inNamespace = (name: string): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const blocks = (cidrs: readonly string[]): Peer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
// The API server calls the webhook from the control plane, whose address a managed cluster does not publish.
const anyAddress: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };
const API_SERVER_PORTS = [tcp(443), tcp(6443)];

const OPERATOR_APP = "kube-prometheus-stack-operator";
const ADMISSION_JOBS = ["kube-prometheus-stack-admission-create", "kube-prometheus-stack-admission-patch"];

export function monitoringNetworkPolicies(args: NetworkPolicyArgs): NamedPolicy[] {
  const ns = args.namespaces;
  const nodes = blocks(args.clusterCidrs ?? PRIVATE_CIDRS);
  const apiServer = [...nodes, ...blocks(args.apiServerCidrs ?? [])];
  const policies: NamedPolicy[] = [
    {
      // Grafana -> Prometheus/Alertmanager, Prometheus -> exporters, operator, config reloaders, ...
      name: "monitoring-same-namespace",
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
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
                    { key: "app.kubernetes.io/name", operator: "In", values: ["redis", "postgres"] },
                  ],
                },
              },
            ],
            ports: [tcp(9121), tcp(9187)],
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
          { to: nodes, ports: [tcp(10250), tcp(9100)] },
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
          matchExpressions: [{ key: "app", operator: "In", values: [OPERATOR_APP, ...ADMISSION_JOBS] }],
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
        ingress: [{ from: [anyAddress], ports: [tcp(10250)] }],
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
 * SMTP ports opened for Alertmanager when an email receiver is configured. The smarthost itself is secret
 * config; reading its port would make this policy a secret too, so the standard ports are opened instead
 * (and the config schema accepts only these).
 */
export { SMTP_PORTS };
