import * as k8s from "@pulumi/kubernetes";
import * as linode from "@pulumi/linode";
import * as pulumi from "@pulumi/pulumi";
import type { LinodeClusterConfig } from "../../config/cluster";
import type { ControlPlaneFirewall } from "../../config/control-plane-firewall";
import { linodeApiServerCidrs } from "./api-endpoint";
import { lkeControlPlaneAcl } from "./firewall";
import { decodeBase64Kubeconfig } from "./kubeconfig";
import { poolTaints } from "../specs/placement";
import { poolNodeLabels, poolScaling } from "./labels";
import { PROVIDER_SETTINGS, type ClusterOutputs } from "./types";

/**
 * The tag every separately managed LkeNodePool carries and the cluster lists in `externalPoolTags`, so
 * the cluster never plans to manage (and delete) them (@pulumi/linode: Externally Managed Node Pools).
 */
export const EXTERNAL_POOL_TAG = "botfleet-external-pool";

export interface LinodeClusterArgs {
  readonly clusterName: string;
  readonly config: LinodeClusterConfig;
  /** `cluster.controlPlaneFirewall`, resolved for the environment; undefined declares no ACL. */
  readonly firewall: ControlPlaneFirewall | undefined;
  /** Deletion protection on the cluster and its pools. */
  readonly protect: boolean;
}

/**
 * An LKE cluster. The cluster's own first pool is the small fixed system pool (LKE requires one and
 * never lets it be reordered or removed); workload pools are separate LkeNodePool resources.
 */
export class LinodeCluster extends pulumi.ComponentResource implements ClusterOutputs {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterId: pulumi.Output<string>;
  readonly kubernetesVersion: pulumi.Output<string>;
  readonly apiServerCidrs: pulumi.Output<string[]>;

  constructor(name: string, args: LinodeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cluster:Linode", name, {}, opts);
    const c = args.config;
    const system = c.systemPool;
    const tags = ["botfleet", ...c.tags];

    const cluster = new linode.LkeCluster(
      `${name}-cluster`,
      {
        label: args.clusterName,
        region: c.region,
        k8sVersion: c.version,
        controlPlane: { highAvailability: c.ha, acl: lkeControlPlaneAcl(args.firewall) },
        tags,
        // The workload pools are LkeNodePool resources of their own: without this the cluster adopts them
        // on `pulumi refresh` and the next update deletes every pool but the first.
        externalPoolTags: [EXTERNAL_POOL_TAG],
        pools: [
          { type: system.size, count: system.count, labels: poolNodeLabels({ name: "system", labels: {} }) },
        ],
      },
      { parent: this, protect: args.protect },
    );

    for (const pool of c.pools) {
      const scaling = poolScaling(pool);
      new linode.LkeNodePool(
        `${name}-pool-${pool.name}`,
        {
          clusterId: cluster.id.apply(Number),
          type: pool.size,
          nodeCount: scaling.min,
          autoscaler: scaling.autoscale ? { min: scaling.min, max: scaling.max } : undefined,
          labels: poolNodeLabels(pool),
          taints: poolTaints(pool),
          tags: [...tags, EXTERNAL_POOL_TAG],
        },
        { parent: this, protect: args.protect, ignoreChanges: scaling.autoscale ? ["nodeCount"] : [] },
      );
    }

    this.clusterName = cluster.label;
    this.clusterId = cluster.id;
    this.kubernetesVersion = cluster.k8sVersion;
    this.apiServerCidrs = cluster.apiEndpoints.apply(linodeApiServerCidrs);
    // LKE's kubeconfig authenticates with a cluster-scoped admin token (no exec plugin exists for LKE): a
    // secret in state, rotated with `linode-cli lke kubeconfig-delete <id>` (README: "Cluster credentials").
    this.kubeconfig = pulumi.secret(cluster.kubeconfig.apply(decodeBase64Kubeconfig));
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, clusterIdentifier: cluster.id, ...PROVIDER_SETTINGS },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, clusterId: this.clusterId });
  }
}
