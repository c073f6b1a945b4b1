/** Cluster configs the capacity tests share, parsed by the real schema. */
import { clusterSchema, type ClusterConfig } from "../../config/cluster";

export const cluster = (raw: unknown): ClusterConfig => clusterSchema.parse(raw);

/** A dev-like cluster: one fixed system node and a `bots` pool of 1 to `maxNodes` nodes. */
export const devCluster = (
  provider: "digitalocean" | "linode",
  sizes: { system: string; bots: string },
  maxNodes: number,
): ClusterConfig =>
  cluster({
    provider,
    region: provider === "digitalocean" ? "fra1" : "eu-central",
    version: "1.33",
    systemPool: { size: sizes.system, count: 1 },
    pools: [{ name: "bots", size: sizes.bots, minNodes: 1, maxNodes }],
  });

/** The dev stack's pools: 1 x s-2vcpu-4gb + 1-3 x s-4vcpu-8gb. */
export const DEV_DO = devCluster("digitalocean", { system: "s-2vcpu-4gb", bots: "s-4vcpu-8gb" }, 3);
