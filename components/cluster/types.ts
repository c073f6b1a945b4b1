import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** What every cluster mode gives the rest of the program. */
export interface ClusterOutputs {
  /** The one Kubernetes provider every Kubernetes resource in the program uses. */
  readonly provider: k8s.Provider;
  /** Admin kubeconfig, always a secret. Empty for an `existing` cluster on the ambient kubeconfig. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  /** Cloud cluster id (or `existing/<context>`): the provider's `clusterIdentifier`. */
  readonly clusterId: pulumi.Output<string>;
  /** Resolved Kubernetes version (`1.33.1-do.0`), or the configured one. */
  readonly kubernetesVersion: pulumi.Output<string>;
  /**
   * The API server's IPv4 address(es) as "x.x.x.x/32", from the cluster resource's outputs (known on the
   * first `up`); empty when the cloud reports none (DOKS with the HA control plane) or for `existing`.
   */
  readonly apiServerCidrs: pulumi.Output<string[]>;
}

/**
 * Settings every cluster mode gives its Kubernetes provider. Server-side apply, and ConfigMap and
 * Secret data updated in place: without the two `enable*Mutable` flags the provider replaces a
 * ConfigMap or Secret on any data change (delete, then create), so a pod starting in the gap cannot
 * mount it and a protected one cannot change at all (pulumi-kubernetes provider docs, `Provider`
 * inputs). Pods still roll, or stay pending for live traders, by their config checksum annotation.
 */
export const PROVIDER_SETTINGS = {
  enableServerSideApply: true,
  enableConfigMapMutable: true,
  enableSecretMutable: true,
} as const;
