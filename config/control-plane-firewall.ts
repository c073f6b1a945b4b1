/**
 * `botfleet:cluster.controlPlaneFirewall`: which addresses may reach the managed Kubernetes API server.
 * DigitalOcean renders it as the cluster's `controlPlaneFirewall`, Linode as `controlPlane.acl`
 * (components/cluster). On by default in prod, where an allowlist is required; off elsewhere unless set.
 */
import { z } from "zod";
import type { Environment } from "./environment";
import { show } from "./common";

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-f:]*:[0-9a-f:]*\/(\d{1,3})$/i;

/** Whether `text` is an IPv4 CIDR ("203.0.113.0/24"): four octets <= 255 and a prefix <= 32. */
export const isIpv4Cidr = (text: string): boolean => {
  const m = IPV4_CIDR.exec(text);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};

/** Whether `text` is an IPv6 CIDR ("2001:db8::/32"): hex groups with "::" and a prefix <= 128. */
export const isIpv6Cidr = (text: string): boolean => {
  const m = IPV6_CIDR.exec(text);
  return m !== null && Number(m[1]) <= 128 && (text.match(/::/g) ?? []).length <= 1;
};

const cidr = z.string().refine((v) => isIpv4Cidr(v) || isIpv6Cidr(v), {
  error: (iss) =>
    `must be an address range in CIDR notation such as "203.0.113.7/32" or "2001:db8::/48", got ${show(iss.input)}`,
});

export const controlPlaneFirewallSchema = z.strictObject({
  /** @default true in prod, false elsewhere */
  enabled: z.boolean().optional(),
  /** Who may reach the API server: your office or VPN egress, the CI runners that run `pulumi up`. */
  allowedAddresses: z.array(cidr).default([]),
});
export type ControlPlaneFirewallConfig = z.output<typeof controlPlaneFirewallSchema>;

/** The firewall a managed cluster gets: `enabled` resolved against the environment. */
export interface ControlPlaneFirewall {
  readonly enabled: boolean;
  /** CIDRs, IPv4 and IPv6 as configured. Empty only when the firewall is off. */
  readonly allowedAddresses: readonly string[];
}

/**
 * `cluster.controlPlaneFirewall` with its default: on in prod, off elsewhere unless set. Undefined when
 * the key is absent outside prod: the cluster then declares no firewall setting at all.
 */
export function resolveControlPlaneFirewall(
  config: ControlPlaneFirewallConfig | undefined,
  environment: Environment,
): ControlPlaneFirewall | undefined {
  if (config === undefined && environment !== "prod") return undefined;
  return {
    enabled: config?.enabled ?? environment === "prod",
    allowedAddresses: config?.allowedAddresses ?? [],
  };
}

const KEY = "botfleet:cluster.controlPlaneFirewall";
const EVERYWHERE = new Set(["0.0.0.0/0", "::/0"]);
const FIX = `list the CIDRs that run kubectl and pulumi (office or VPN egress, CI runners): pulumi config set --path '${KEY}.allowedAddresses[0]' 203.0.113.7/32 (README: "Cluster credentials")`;

/**
 * The rules that tie the firewall to the environment and provider, as "key: rule, got value; fix"
 * messages (empty when it holds): an enabled firewall needs an allowlist (an empty one locks Pulumi out
 * too), and prod needs it enabled and never open to every address.
 */
export function controlPlaneFirewallProblems(
  provider: string,
  config: ControlPlaneFirewallConfig | undefined,
  environment: Environment,
): string[] {
  // An existing cluster's API server is not ours to firewall: the cluster schema refuses the key there.
  if (provider !== "digitalocean" && provider !== "linode") return [];
  const firewall = resolveControlPlaneFirewall(config, environment);
  if (firewall === undefined) return [];
  const problems: string[] = [];
  if (environment === "prod" && !firewall.enabled)
    problems.push(
      `${KEY}.enabled: must be true in prod (the API server would answer the whole internet), got false; remove the key or set it to true, and ${FIX}`,
    );
  if (firewall.enabled && firewall.allowedAddresses.length === 0)
    problems.push(
      `${KEY}.allowedAddresses: is required when the firewall is on${environment === "prod" ? " (always in prod)" : ""}, got nothing; ${FIX}`,
    );
  if (environment === "prod")
    firewall.allowedAddresses.forEach((a, i) => {
      if (EVERYWHERE.has(a))
        problems.push(
          `${KEY}.allowedAddresses[${i}]: must not allow every address in prod, got "${a}"; ${FIX}`,
        );
    });
  return problems;
}
