/**
 * NetworkPolicies the monitoring namespace needs on top of the platform's default deny + DNS egress.
 * Pod labels are those kube-prometheus-stack and the operator put on their pods.
 */
import type * as k8s from "@pulumi/kubernetes";

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
}

const tcp = (port: number | string): Port => ({ protocol: "TCP", port });
const inNamespace = (name: string): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
// The managed control plane (DOKS, LKE) and the nodes' kubelets have addresses we cannot know at deploy time.
const anywhere: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };
const internet: Peer = {
  ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] },
};
const API_SERVER_PORTS = [tcp(443), tcp(6443)];

const OPERATOR_APP = "kube-prometheus-stack-operator";
const ADMISSION_JOBS = ["kube-prometheus-stack-admission-create", "kube-prometheus-stack-admission-patch"];

export function monitoringNetworkPolicies(args: NetworkPolicyArgs): NamedPolicy[] {
  const ns = args.namespaces;
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
          // CoreDNS, kube-proxy, controller-manager, scheduler, etcd (where the provider exposes them).
          {
            to: [inNamespace("kube-system")],
            ports: [tcp(9153), tcp(10249), tcp(10257), tcp(10259), tcp(2381)],
          },
          // API server (service discovery), kubelet + cAdvisor, node-exporter on the host network.
          { to: [anywhere], ports: [...API_SERVER_PORTS, tcp(10250), tcp(9100)] },
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
        egress: [{ to: [anywhere], ports: API_SERVER_PORTS }],
      },
    },
    {
      name: "operator-apiserver-egress",
      spec: {
        podSelector: {
          matchExpressions: [{ key: "app", operator: "In", values: [OPERATOR_APP, ...ADMISSION_JOBS] }],
        },
        policyTypes: ["Egress"],
        egress: [{ to: [anywhere], ports: API_SERVER_PORTS }],
      },
    },
    {
      // The API server calls the PrometheusRule admission webhook (operator TLS port 10250).
      name: "operator-webhook",
      spec: {
        podSelector: { matchLabels: { app: OPERATOR_APP } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [anywhere], ports: [tcp(10250)] }],
      },
    },
    {
      name: "alertmanager-receivers",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
        policyTypes: ["Egress"],
        egress: [{ to: [internet], ports: [tcp(443), ...(args.receiverPorts ?? []).map((p) => tcp(p))] }],
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
  }
  return policies;
}

/**
 * SMTP ports opened for Alertmanager when an email receiver is configured. The smarthost itself is secret
 * config; reading its port would make this policy a secret too, so the standard ports are opened instead.
 */
export const SMTP_PORTS: readonly number[] = [25, 465, 587];
