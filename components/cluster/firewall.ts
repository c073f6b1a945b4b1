/**
 * The control-plane firewall as each cloud's cluster resource takes it. Pure: digitalocean.ts and
 * linode.ts pass the result straight to the resource. Input: `cluster.controlPlaneFirewall` resolved by
 * config/control-plane-firewall.ts (undefined: declare nothing, the cloud's own default stays).
 */
import type * as digitalocean from "@pulumi/digitalocean";
import type * as linode from "@pulumi/linode";
import { isIpv4Cidr, type ControlPlaneFirewall } from "../../config/control-plane-firewall";

/** DOKS `controlPlaneFirewall` (@pulumi/digitalocean 4.80.1 KubernetesCluster): enabled + CIDR list. */
export function doksControlPlaneFirewall(
  firewall: ControlPlaneFirewall | undefined,
): digitalocean.types.input.KubernetesClusterControlPlaneFirewall | undefined {
  if (firewall === undefined) return undefined;
  return { enabled: firewall.enabled, allowedAddresses: [...firewall.allowedAddresses] };
}

/**
 * LKE `controlPlane.acl` (@pulumi/linode 5.1.1 LkeCluster): `enabled: true` makes the default DENY and
 * `addresses` the ALLOW list, split into IPv4 and IPv6 CIDRs; `enabled: false` is the default ALLOW
 * (the typings: "the same effect as delete the ACL configuration").
 */
export function lkeControlPlaneAcl(
  firewall: ControlPlaneFirewall | undefined,
): linode.types.input.LkeClusterControlPlaneAcl | undefined {
  if (firewall === undefined) return undefined;
  if (!firewall.enabled) return { enabled: false };
  const ipv4s = firewall.allowedAddresses.filter(isIpv4Cidr);
  const ipv6s = firewall.allowedAddresses.filter((a) => !isIpv4Cidr(a));
  return { enabled: true, addresses: [{ ipv4s, ipv6s }] };
}
