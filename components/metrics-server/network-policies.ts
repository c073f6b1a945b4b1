/**
 * metrics-server's own network policies, on top of its namespace's default deny and DNS egress. What it
 * talks to (the chart's README, "Requirements"): the API server calls it on its secure port (the
 * `metrics.k8s.io` APIService), it calls every kubelet on the node status port (10250) and the API server.
 */
import type * as k8s from "@pulumi/kubernetes";
import {
  API_SERVER_SOURCE_ENTITIES,
  NODE_ENTITIES,
  podsOfNamespace,
  tcpPorts,
  type NamedCiliumPolicy,
} from "../specs/cilium";
import { API_SERVER_PORT_NUMBERS, PRIVATE_CIDRS } from "../specs/network";
import { METRICS_SERVER_POD_LABELS, METRICS_SERVER_PORT } from "./values";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** The kubelet port metrics-server scrapes (`--kubelet-use-node-status-port`: 10250 on every provider here). */
export const KUBELET_PORT = 10250;

export interface MetricsServerPolicyArgs {
  /** The API server's public addresses ("x.x.x.x/32"), as the cluster resource reports them. */
  readonly apiServerCidrs: readonly string[];
  /** Nodes and in-VPC control plane addresses. @default the private ranges */
  readonly clusterCidrs?: readonly string[];
}

const tcp = (port: number) => ({ protocol: "TCP", port });
const blocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));

/**
 * Ingress from the API server on the secure port and egress to the kubelets and the API server. The API
 * server reaches the pod from its own address, or from a node or tunnel agent inside the private ranges when
 * the managed control plane reaches the cluster that way: both are allowed, the internet is not.
 */
export function metricsServerPolicySpec(args: MetricsServerPolicyArgs): NetworkPolicySpec {
  const nodes = blocks(args.clusterCidrs ?? PRIVATE_CIDRS);
  const apiServer = [...nodes, ...blocks(args.apiServerCidrs)];
  return {
    podSelector: { matchLabels: { ...METRICS_SERVER_POD_LABELS } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: apiServer, ports: [tcp(METRICS_SERVER_PORT)] }],
    egress: [
      { to: nodes, ports: [tcp(KUBELET_PORT)] },
      { to: apiServer, ports: API_SERVER_PORT_NUMBERS.map(tcp) },
    ],
  };
}

/** The same under Cilium (DOKS), where nodes and the API server are entities an `ipBlock` never matches. */
export function metricsServerCiliumPolicy(): NamedCiliumPolicy {
  return {
    name: "metrics-server-cilium",
    spec: {
      endpointSelector: { matchLabels: { ...METRICS_SERVER_POD_LABELS } },
      ingress: [
        { fromEntities: API_SERVER_SOURCE_ENTITIES, toPorts: tcpPorts(METRICS_SERVER_PORT) },
        { fromEndpoints: [podsOfNamespace("kube-system")], toPorts: tcpPorts(METRICS_SERVER_PORT) },
      ],
      egress: [
        { toEntities: NODE_ENTITIES, toPorts: tcpPorts(KUBELET_PORT) },
        { toEntities: ["kube-apiserver"], toPorts: tcpPorts(...API_SERVER_PORT_NUMBERS) },
      ],
    },
  };
}
