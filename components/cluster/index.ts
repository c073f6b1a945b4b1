import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config";
import { resolveControlPlaneFirewall } from "../../config/control-plane-firewall";
import { DigitalOceanCluster } from "./digitalocean";
import { ExistingCluster } from "./existing";
import { LinodeCluster } from "./linode";
import type { ClusterOutputs } from "./types";

export type { ClusterOutputs } from "./types";
export { usesCilium } from "./api-endpoint";

/** The cluster for the stack's `cluster.provider`; all three modes give the same outputs. */
export function createCluster(config: StackConfig, opts?: pulumi.ComponentResourceOptions): ClusterOutputs {
  const c = config.cluster;
  const clusterName = c.name ?? `${config.project}-${config.stack}`;
  switch (c.provider) {
    case "digitalocean":
      return new DigitalOceanCluster(
        "cluster",
        {
          clusterName,
          config: c,
          firewall: resolveControlPlaneFirewall(c.controlPlaneFirewall, config.environment),
          protect: config.protect,
        },
        opts,
      );
    case "linode":
      return new LinodeCluster(
        "cluster",
        {
          clusterName,
          config: c,
          firewall: resolveControlPlaneFirewall(c.controlPlaneFirewall, config.environment),
          protect: config.protect,
        },
        opts,
      );
    case "existing":
      return new ExistingCluster("cluster", { clusterName, config: c }, opts);
  }
}
