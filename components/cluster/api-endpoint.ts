/**
 * The Kubernetes API server's address as the cluster resource reports it, for the NetworkPolicies of the
 * pods that talk to the API (monitoring, metrics-server). Pure: the cluster components call these inside
 * an `apply` on the cloud resource's outputs, so the address is known on the first `pulumi up` (there is
 * no "set it after the first up" step).
 */
import type { ClusterConfig } from "../../config/cluster";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const isIpv4 = (host: string): boolean => {
  const m = IPV4.exec(host);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
};

/** The host of a URL ("https://203.0.113.10:443") or a bare address ("203.0.113.10"). */
function hostOf(endpoint: string): string {
  const text = endpoint.trim();
  if (!text.includes("://")) return text;
  try {
    return new URL(text).hostname;
  } catch {
    return "";
  }
}

/**
 * "x.x.x.x/32" for every IPv4 literal among the endpoints (URLs or bare addresses), in order, without
 * duplicates. Host names (`*.k8s.ondigitalocean.com`, `*.linodelke.net`) and IPv6 addresses are skipped:
 * NetworkPolicy `ipBlock`s take addresses, and the fleet's policies are IPv4.
 */
export function ipv4HostCidrs(endpoints: readonly (string | undefined | null)[]): string[] {
  const out: string[] = [];
  for (const e of endpoints) {
    if (typeof e !== "string" || e === "") continue;
    const host = hostOf(e);
    if (isIpv4(host) && !out.includes(`${host}/32`)) out.push(`${host}/32`);
  }
  return out;
}

/**
 * DOKS: `ipv4Address` is the control plane's public IPv4 address (unset with the HA control plane, per the
 * @pulumi/digitalocean typings); `endpoint` is its URL, usually a host name. Either may carry the address.
 */
export function digitalOceanApiServerCidrs(ipv4Address: string | undefined, endpoint: string | undefined) {
  return ipv4HostCidrs([ipv4Address, endpoint]);
}

/** LKE: `apiEndpoints` lists the API server URLs (host name, IPv4 and IPv6 forms, ports 443 and 6443). */
export function linodeApiServerCidrs(apiEndpoints: readonly string[] | undefined) {
  return ipv4HostCidrs(apiEndpoints ?? []);
}

/**
 * Whether the cluster's network policies are enforced by Cilium, whose `ipBlock` rules do not match nodes
 * or the API server (docs.cilium.io, "Layer 3 Policies", "IP/CIDR based": CIDR selectors do not match
 * in-cluster entities; the API server is the `kube-apiserver` entity): the program then adds
 * CiliumNetworkPolicies with entity rules. DOKS runs Cilium as a managed component (DigitalOcean,
 * "The Managed Elements of DigitalOcean Kubernetes"). LKE's CNI (Calico, as lib/capacity/nodes.ts assumes) is
 * expected to match ipBlocks against nodes; an existing cluster's CNI is unknown.
 */
export function usesCilium(provider: ClusterConfig["provider"]): boolean {
  return provider === "digitalocean";
}
