import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NamespaceRole, PlatformConfig } from "../config/platform";
import { standardLabels } from "./specs/labels";
import {
  limitRangeSpec,
  podSecurityLabels,
  resourceQuotaSpec,
  type PodSecurityLevel,
} from "./specs/namespace";
import { defaultDenySpec, dnsEgressSpec } from "./specs/network";

export interface PlatformArgs {
  readonly provider: k8s.Provider;
  readonly config: PlatformConfig;
  /** Protect the namespaces: deleting one deletes every PVC in it. */
  readonly protect: boolean;
}

/**
 * Pod Security level per namespace. nodeExporter is the one exception: kube-prometheus-stack's
 * node-exporter needs hostNetwork, hostPID and hostPath to read node metrics, which only `privileged`
 * admits, so it runs alone there. Audit and warn stay at restricted, so anything else that slips shows up.
 * Every other chart pod in monitoring runs restricted (README "Monitoring permissions" lists the checks).
 */
export const POD_SECURITY: Record<NamespaceRole, PodSecurityLevel> = {
  bots: "restricted",
  data: "restricted",
  monitoring: "restricted",
  nodeExporter: "privileged",
};

/** Namespaces with Pod Security labels, default-deny + DNS egress, quotas and container defaults. */
export class Platform extends pulumi.ComponentResource {
  /** Namespace names by role, resolved once their Namespace objects exist. */
  readonly namespaces: Record<NamespaceRole, pulumi.Output<string>>;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:platform:Platform", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const roles = Object.keys(POD_SECURITY) as NamespaceRole[];
    const namespaces = {} as Record<NamespaceRole, pulumi.Output<string>>;

    for (const role of roles) {
      const nsName = args.config.namespaces[role];
      const ns = new k8s.core.v1.Namespace(
        `${name}-${role}`,
        {
          metadata: {
            name: nsName,
            labels: {
              ...standardLabels({ name: "botfleet", instance: nsName, component: role }),
              ...podSecurityLabels(POD_SECURITY[role]),
            },
          },
        },
        { ...childOpts, protect: args.protect, retainOnDelete: args.protect },
      );
      const inNs = (suffix: string) => ({ name: suffix, namespace: ns.metadata.name });
      const nsOpts = { ...childOpts, dependsOn: [ns] };
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${role}-default-deny`,
        { metadata: inNs("default-deny"), spec: defaultDenySpec() },
        nsOpts,
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${role}-allow-dns`,
        { metadata: inNs("allow-dns-egress"), spec: dnsEgressSpec() },
        nsOpts,
      );
      new k8s.core.v1.ResourceQuota(
        `${name}-${role}-quota`,
        { metadata: inNs("botfleet-quota"), spec: resourceQuotaSpec(args.config.quotas[role]) },
        nsOpts,
      );
      new k8s.core.v1.LimitRange(
        `${name}-${role}-limits`,
        { metadata: inNs("container-defaults"), spec: limitRangeSpec(args.config.containerDefaults) },
        nsOpts,
      );
      namespaces[role] = ns.metadata.name;
    }
    this.namespaces = namespaces;
    this.registerOutputs({ namespaces });
  }
}
