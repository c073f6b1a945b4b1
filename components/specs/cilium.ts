/**
 * CiliumNetworkPolicy (`cilium.io/v2`) specs for what a Kubernetes NetworkPolicy cannot say under Cilium:
 * its `ipBlock` rules never match the nodes or the API server, which Cilium identifies as the `host`,
 * `remote-node` and `kube-apiserver` entities (docs.cilium.io "Layer 3 Policies", "Entities based"
 * and "IP/CIDR based"; entity names as in cilium/cilium pkg/policy/api/entity.go). Cilium applies these
 * alongside the namespace's NetworkPolicies: a connection passes when either allows it.
 */

/** Cilium's policy entities used here. */
export type CiliumEntity = "host" | "remote-node" | "kube-apiserver";

/** The nodes: the pod's own (`host`, host-network pods included) and every other (`remote-node`). */
export const NODE_ENTITIES: readonly CiliumEntity[] = ["host", "remote-node"];

/**
 * Where the API server's calls into a pod (webhooks, aggregated APIs) come from: the `kube-apiserver`
 * entity, or a node when the control plane's traffic is tunnelled through the workers (Cilium's docs say
 * the entity may not match ingress then).
 */
export const API_SERVER_SOURCE_ENTITIES: readonly CiliumEntity[] = ["kube-apiserver", ...NODE_ENTITIES];

export interface CiliumLabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly {
    key: string;
    operator: "In" | "NotIn" | "Exists";
    values?: string[];
  }[];
}

export interface CiliumPortRule {
  readonly ports: readonly { readonly port: string; readonly protocol: "TCP" | "UDP" }[];
  /** L7 rules; DNS only here (names a pod may look up, through Cilium's DNS proxy). */
  readonly rules?: { readonly dns: readonly CiliumFqdnSelector[] };
}

/** A DNS name (`matchName`) or a pattern where `*` stands for DNS characters (`matchPattern`). */
export type CiliumFqdnSelector = { readonly matchName: string } | { readonly matchPattern: string };

export interface CiliumIngressRule {
  readonly fromEntities?: readonly CiliumEntity[];
  readonly fromEndpoints?: readonly CiliumLabelSelector[];
  readonly toPorts: readonly CiliumPortRule[];
}

export interface CiliumEgressRule {
  readonly toEntities?: readonly CiliumEntity[];
  readonly toEndpoints?: readonly CiliumLabelSelector[];
  /** Hosts by name (docs.cilium.io "DNS based"); alone in its rule. */
  readonly toFQDNs?: readonly CiliumFqdnSelector[];
  readonly toPorts: readonly CiliumPortRule[];
}

export interface CiliumNetworkPolicySpec {
  readonly endpointSelector: CiliumLabelSelector;
  readonly ingress?: readonly CiliumIngressRule[];
  readonly egress?: readonly CiliumEgressRule[];
}

export interface NamedCiliumPolicy {
  readonly name: string;
  readonly spec: CiliumNetworkPolicySpec;
}

export const CILIUM_API_VERSION = "cilium.io/v2";
export const CILIUM_KIND = "CiliumNetworkPolicy";

/** TCP ports as Cilium writes them (strings). */
export const tcpPorts = (...ports: number[]): CiliumPortRule[] => [
  { ports: ports.map((p) => ({ port: String(p), protocol: "TCP" as const })) },
];

/** Pods of one namespace, as a Cilium endpoint selector (the namespace is a `k8s:` label to Cilium). */
export const podsOfNamespace = (namespace: string): CiliumLabelSelector => ({
  matchLabels: { "k8s:io.kubernetes.pod.namespace": namespace },
});
