/**
 * The whole fleet, wired: config at one boundary, then thin components that share one provider.
 * `index.ts` runs it under the Pulumi CLI; tests and the offline synth run it under the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { createCluster } from "./components/cluster";
import { Platform } from "./components/platform";

export function program(): Record<string, unknown> {
  // Throws one error listing every config problem before any resource is registered.
  const config = loadConfig();
  const cluster = createCluster(config);
  const platform = new Platform("platform", {
    provider: cluster.provider,
    config: config.platform,
    protect: config.protect,
  });

  return {
    environment: config.environment,
    clusterName: cluster.clusterName,
    clusterId: cluster.clusterId,
    kubernetesVersion: cluster.kubernetesVersion,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    namespaces: platform.namespaces,
  };
}
