/**
 * metrics-server, the source of the `metrics.k8s.io` API every bot service's HPA reads. DOKS, LKE and kind
 * ship none, so without it each HPA reports FailedGetResourceMetric and never scales. The official chart,
 * pinned, in its own namespace: Pod Security `restricted` enforced, default deny, DNS egress and its own
 * policy (plus a CiliumNetworkPolicy where Cilium enforces them). Thin: the objects come from pure builders.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MetricsServerConfig } from "../../config/platform";
import { CILIUM_API_VERSION, CILIUM_KIND } from "../specs/cilium";
import { standardLabels } from "../specs/labels";
import { podSecurityLabels } from "../specs/namespace";
import { defaultDenySpec, dnsEgressSpec } from "../specs/network";
import { metricsServerCiliumPolicy, metricsServerPolicySpec } from "./network-policies";
import {
  METRICS_SERVER_CHART,
  METRICS_SERVER_CHART_VERSION,
  METRICS_SERVER_RELEASE,
  METRICS_SERVER_REPO,
  metricsServerValues,
} from "./values";

export interface MetricsServerArgs {
  readonly provider: k8s.Provider;
  /** Validated `botfleet:platform.metricsServer`. */
  readonly config: MetricsServerConfig;
  /** The API server's addresses ("x.x.x.x/32") as the cluster resource reports them. @default [] */
  readonly apiServerCidrs?: pulumi.Input<readonly string[]>;
  /** The cluster enforces policies with Cilium (DOKS): add the entity-based policy. @default false */
  readonly cilium?: boolean;
}

export class MetricsServer extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly namespace: string;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:platform:MetricsServer", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const nsName = args.config.namespace;
    const labels = (component: string) =>
      standardLabels({ name: "metrics-server", instance: name, component });

    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: nsName,
          labels: { ...labels("namespace"), ...podSecurityLabels("restricted") },
        },
      },
      child,
    );
    const meta = (objectName: string) => ({ name: objectName, namespace: nsName, labels: labels("network") });
    const inNs = { ...child, dependsOn: [ns] };
    const cidrs = pulumi.output(args.apiServerCidrs ?? []);
    const policies: pulumi.Resource[] = [
      new k8s.networking.v1.NetworkPolicy(
        `${name}-default-deny`,
        { metadata: meta("default-deny"), spec: defaultDenySpec() },
        inNs,
      ),
      new k8s.networking.v1.NetworkPolicy(
        `${name}-allow-dns`,
        { metadata: meta("allow-dns-egress"), spec: dnsEgressSpec() },
        inNs,
      ),
      new k8s.networking.v1.NetworkPolicy(
        `${name}-policy`,
        {
          metadata: meta("metrics-server"),
          spec: cidrs.apply((c) => metricsServerPolicySpec({ apiServerCidrs: c })),
        },
        inNs,
      ),
    ];
    if (args.cilium ?? false) {
      const p = metricsServerCiliumPolicy();
      policies.push(
        new k8s.apiextensions.CustomResource(
          `${name}-cilium`,
          { apiVersion: CILIUM_API_VERSION, kind: CILIUM_KIND, metadata: meta(p.name), spec: p.spec },
          inNs,
        ),
      );
    }

    this.namespace = nsName;
    // The pod starts only once its policies exist: under the default deny it could reach neither the
    // kubelets nor the API server, never become ready, and the atomic release would roll back.
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: METRICS_SERVER_RELEASE,
        chart: METRICS_SERVER_CHART,
        version: METRICS_SERVER_CHART_VERSION,
        repositoryOpts: { repo: METRICS_SERVER_REPO },
        namespace: nsName,
        createNamespace: false,
        atomic: true,
        cleanupOnFail: true,
        timeout: 300,
        values: metricsServerValues(args.config),
      },
      { ...child, dependsOn: [ns, ...policies] },
    );
    this.registerOutputs({ namespace: nsName, release: this.release.status });
  }
}
