import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DigitalOceanClusterConfig } from "../../config/cluster";
import { digitalOceanApiServerCidrs } from "./api-endpoint";
import { tokenKubeconfig } from "./kubeconfig";
import { poolTaints } from "../specs/placement";
import { poolNodeLabels, poolScaling } from "./labels";
import { PROVIDER_SETTINGS, type ClusterOutputs } from "./types";
import { doksVersion } from "./version";

/** What the DigitalOcean provider answers when no cluster has the name (its kubernetes_cluster data source). */
const NO_SUCH_CLUSTER = /No clusters found|Unable to find cluster with name/i;

/** The version the live cluster of this name runs, or undefined before it exists. */
async function liveClusterVersion(name: string, parent: pulumi.Resource): Promise<string | undefined> {
  try {
    return (await digitalocean.getKubernetesCluster({ name }, { parent })).version;
  } catch (e) {
    if (NO_SUCH_CLUSTER.test(String((e as Error)?.message ?? e))) return undefined;
    throw e;
  }
}

export interface DigitalOceanClusterArgs {
  readonly clusterName: string;
  readonly config: DigitalOceanClusterConfig;
  /** The DigitalOcean API token: the kubeconfig authenticates with it so it never expires. */
  readonly token: pulumi.Output<string>;
  /** Deletion protection on the cluster and its pools. */
  readonly protect: boolean;
}

/** A DOKS cluster: a small fixed system pool plus separately managed, autoscaling workload pools. */
export class DigitalOceanCluster extends pulumi.ComponentResource implements ClusterOutputs {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterId: pulumi.Output<string>;
  readonly kubernetesVersion: pulumi.Output<string>;
  readonly apiServerCidrs: pulumi.Output<string[]>;

  constructor(name: string, args: DigitalOceanClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cluster:DigitalOcean", name, {}, opts);
    const c = args.config;
    const system = c.systemPool;

    // "latest" would show a permanent diff: resolve the newest patch of the configured minor, and declare
    // the live cluster's own slug while it runs that minor (doksVersion says why).
    const versions = digitalocean.getKubernetesVersionsOutput(
      { versionPrefix: `${c.version}.` },
      { parent: this },
    );
    const live = pulumi.output(liveClusterVersion(args.clusterName, this));
    const version = pulumi
      .all([versions.latestVersion, live])
      .apply(([latest, liveVersion]) =>
        doksVersion({ configured: c.version, latest, live: liveVersion, autoUpgrade: c.autoUpgrade }),
      );

    const cluster = new digitalocean.KubernetesCluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        region: c.region,
        version,
        ha: c.ha,
        autoUpgrade: c.autoUpgrade,
        surgeUpgrade: c.surgeUpgrade,
        maintenancePolicy: { day: c.maintenance.day, startTime: c.maintenance.startTime },
        vpcUuid: c.vpcUuid,
        tags: ["botfleet", ...c.tags],
        // Deleting the cluster must never take the volumes (trade history, databases) with it.
        destroyAllAssociatedResources: false,
        // Changing the default pool's size replaces the whole cluster: keep it small and fixed.
        nodePool: {
          name: "system",
          size: system.size,
          nodeCount: system.count,
          autoScale: false,
          labels: poolNodeLabels({ name: "system", labels: {} }),
        },
      },
      // No ignoreChanges on version: it would make the version create-only, and a minor change a no-op.
      { parent: this, protect: args.protect },
    );

    for (const pool of c.pools) {
      const scaling = poolScaling(pool);
      new digitalocean.KubernetesNodePool(
        `${name}-pool-${pool.name}`,
        {
          clusterId: cluster.id,
          name: pool.name,
          size: pool.size,
          autoScale: scaling.autoscale,
          minNodes: scaling.autoscale ? scaling.min : undefined,
          maxNodes: scaling.autoscale ? scaling.max : undefined,
          nodeCount: scaling.autoscale ? undefined : scaling.min,
          labels: poolNodeLabels(pool),
          taints: poolTaints(pool),
          tags: ["botfleet", ...c.tags],
        },
        // The autoscaler owns the live node count.
        { parent: this, protect: args.protect, ignoreChanges: scaling.autoscale ? ["nodeCount"] : [] },
      );
    }

    this.clusterName = cluster.name;
    this.clusterId = cluster.id;
    this.kubernetesVersion = cluster.version;
    this.apiServerCidrs = pulumi
      .all([cluster.ipv4Address, cluster.endpoint])
      .apply(([ipv4Address, endpoint]) => digitalOceanApiServerCidrs(ipv4Address, endpoint));
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.kubeConfigs, args.token])
        .apply(([clusterName, server, kubeConfigs, token]) =>
          tokenKubeconfig({
            clusterName,
            server,
            caCertificateBase64: kubeConfigs[0].clusterCaCertificate,
            token,
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, clusterIdentifier: cluster.id, ...PROVIDER_SETTINGS },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, clusterId: this.clusterId });
  }
}
