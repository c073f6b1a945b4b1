import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DigitalOceanClusterConfig } from "../../config/cluster";
import type { ControlPlaneFirewall } from "../../config/control-plane-firewall";
import { digitalOceanApiServerCidrs } from "./api-endpoint";
import { doksControlPlaneFirewall } from "./firewall";
import { doctlExecKubeconfig } from "./kubeconfig";
import { poolTaints } from "../specs/placement";
import { poolNodeLabels, poolScaling } from "./labels";
import { PROVIDER_SETTINGS, type ClusterOutputs } from "./types";
import { doksVersion } from "./version";

/** What the DigitalOcean provider answers when no cluster has the name (its kubernetes_cluster data source). */
const NO_SUCH_CLUSTER = /No clusters found|Unable to find cluster with name/i;

/**
 * Lifetime of the cluster credential the Kubernetes provider gets on each run. DOKS tokens live 7 days
 * unless asked for less (DigitalOcean API, "Retrieve the kubeconfig for a Kubernetes cluster",
 * `expiry_seconds`): long enough for the slowest `pulumi up` (every await timeout in a row), short
 * enough that the copy in the state checkpoint is dead by the next day.
 */
export const PROVIDER_CREDENTIAL_SECONDS = 6 * 60 * 60;

/** The kubeconfig DigitalOcean issued for the cluster (its data source's `kubeConfigs[0].rawConfig`). */
export function issuedKubeconfig(kubeConfigs: readonly { rawConfig?: string }[] | undefined): string {
  const raw = kubeConfigs?.[0]?.rawConfig;
  if (raw === undefined || raw === "")
    throw new Error(
      'DigitalOcean returned no kubeconfig for the cluster; the token needs the kubernetes:access_cluster scope (README: "Cluster credentials")',
    );
  return raw;
}

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
  /** `cluster.controlPlaneFirewall`, resolved for the environment; undefined declares none. */
  readonly firewall: ControlPlaneFirewall | undefined;
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
        controlPlaneFirewall: doksControlPlaneFirewall(args.firewall),
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
    // For people: no credential in it at all; doctl fetches a short-lived token with their own login.
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.id, cluster.endpoint, cluster.kubeConfigs])
        .apply(([clusterName, clusterId, server, kubeConfigs]) =>
          doctlExecKubeconfig({
            clusterName,
            clusterId,
            server,
            caCertificateBase64: kubeConfigs[0].clusterCaCertificate,
          }),
        ),
    );
    // For the provider: a cluster token fetched on every run (never the account token). It waits for the
    // cluster, so a first preview sees it unknown instead of failing to find the cluster. The state
    // checkpoint keeps this run's copy as a secret until it expires.
    const issued = digitalocean.getKubernetesClusterOutput(
      { name: cluster.name, kubeconfigExpireSeconds: PROVIDER_CREDENTIAL_SECONDS },
      { parent: this, dependsOn: [cluster] },
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: pulumi.secret(issued.kubeConfigs.apply(issuedKubeconfig)),
        clusterIdentifier: cluster.id,
        ...PROVIDER_SETTINGS,
      },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, clusterId: this.clusterId });
  }
}
