import type * as k8s from "@pulumi/kubernetes";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Ranges no pod may reach over "the internet": private networks and the cloud metadata service. */
export const PRIVATE_AND_METADATA_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

/**
 * Private ranges: node and in-VPC control plane addresses (the VPC addresses of DOKS and LKE nodes, kind's
 * Docker network). Never 0.0.0.0/0: only bots and receivers reach the internet.
 */
export const PRIVATE_CIDRS: readonly string[] = PRIVATE_AND_METADATA_CIDRS.filter(
  (c) => c !== "169.254.0.0/16",
);

/** The API server's ports: 443 on DOKS and LKE's public endpoints, 6443 on kind and kubeadm clusters. */
export const API_SERVER_PORT_NUMBERS = [443, 6443] as const;

/** Denies all ingress and egress for every pod in the namespace; other policies add allows. */
export function defaultDenySpec(): NetworkPolicySpec {
  return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Lets every pod in the namespace resolve names through kube-dns, and nothing else. */
export function dnsEgressSpec(): NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}

/** A peer: every pod in the namespace named `namespace`. */
export function inNamespace(namespace: string): Peer {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

/** A peer: pods matching `labels` in the namespace named `namespace`. */
export function podsInNamespace(namespace: string, labels: Record<string, string>): Peer {
  return { ...inNamespace(namespace), podSelector: { matchLabels: labels } };
}

/** A peer: the public internet on any address except private ranges and cloud metadata. */
export function internetPeer(): Peer {
  return { ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_AND_METADATA_CIDRS } };
}
