/**
 * What each cloud offers: regions and node sizes with their capacity and list price. Validation uses it
 * to reject a typo before anything is created; the capacity and cost estimate reads the same table.
 * Prices are USD per month, list prices as published on the date below; a stack may override them.
 */
export const PRICES_AS_OF = "2025-10-01";

export interface NodeSize {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly monthlyUsd: number;
}

export interface CloudCatalog {
  readonly regions: readonly string[];
  readonly sizes: Readonly<Record<string, NodeSize>>;
  /** Monthly price of a highly-available control plane. */
  readonly haControlPlaneUsd: number;
  /** Block storage per GiB-month. */
  readonly volumeUsdPerGiB: number;
  readonly loadBalancerUsd: number;
  /** Max pods a node runs (DOKS and LKE both cap at 110). */
  readonly maxPodsPerNode: number;
}

export const DIGITALOCEAN: CloudCatalog = {
  regions: ["nyc1", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1", "atl1"],
  sizes: {
    "s-1vcpu-2gb": { vcpu: 1, memoryGiB: 2, monthlyUsd: 12 },
    "s-2vcpu-2gb": { vcpu: 2, memoryGiB: 2, monthlyUsd: 18 },
    "s-2vcpu-4gb": { vcpu: 2, memoryGiB: 4, monthlyUsd: 24 },
    "s-4vcpu-8gb": { vcpu: 4, memoryGiB: 8, monthlyUsd: 48 },
    "s-8vcpu-16gb": { vcpu: 8, memoryGiB: 16, monthlyUsd: 96 },
    "c-2": { vcpu: 2, memoryGiB: 4, monthlyUsd: 42 },
    "c-4": { vcpu: 4, memoryGiB: 8, monthlyUsd: 84 },
    "c-8": { vcpu: 8, memoryGiB: 16, monthlyUsd: 168 },
    "g-2vcpu-8gb": { vcpu: 2, memoryGiB: 8, monthlyUsd: 63 },
    "g-4vcpu-16gb": { vcpu: 4, memoryGiB: 16, monthlyUsd: 126 },
    "g-8vcpu-32gb": { vcpu: 8, memoryGiB: 32, monthlyUsd: 252 },
    "m-2vcpu-16gb": { vcpu: 2, memoryGiB: 16, monthlyUsd: 84 },
    "m-4vcpu-32gb": { vcpu: 4, memoryGiB: 32, monthlyUsd: 168 },
  },
  haControlPlaneUsd: 40,
  volumeUsdPerGiB: 0.1,
  loadBalancerUsd: 12,
  maxPodsPerNode: 110,
};

export const LINODE: CloudCatalog = {
  regions: [
    "us-east",
    "us-central",
    "us-west",
    "us-southeast",
    "us-iad",
    "us-ord",
    "us-sea",
    "us-lax",
    "us-mia",
    "ca-central",
    "eu-west",
    "eu-central",
    "gb-lon",
    "de-fra-2",
    "fr-par",
    "nl-ams",
    "se-sto",
    "it-mil",
    "es-mad",
    "ap-south",
    "ap-northeast",
    "ap-west",
    "ap-southeast",
    "jp-osa",
    "in-maa",
    "id-cgk",
    "br-gru",
    "au-mel",
  ],
  sizes: {
    "g6-standard-1": { vcpu: 1, memoryGiB: 2, monthlyUsd: 12 },
    "g6-standard-2": { vcpu: 2, memoryGiB: 4, monthlyUsd: 24 },
    "g6-standard-4": { vcpu: 4, memoryGiB: 8, monthlyUsd: 48 },
    "g6-standard-6": { vcpu: 6, memoryGiB: 16, monthlyUsd: 96 },
    "g6-standard-8": { vcpu: 8, memoryGiB: 32, monthlyUsd: 192 },
    "g6-dedicated-2": { vcpu: 2, memoryGiB: 4, monthlyUsd: 36 },
    "g6-dedicated-4": { vcpu: 4, memoryGiB: 8, monthlyUsd: 72 },
    "g6-dedicated-8": { vcpu: 8, memoryGiB: 16, monthlyUsd: 144 },
    "g6-dedicated-16": { vcpu: 16, memoryGiB: 32, monthlyUsd: 288 },
  },
  haControlPlaneUsd: 60,
  volumeUsdPerGiB: 0.1,
  loadBalancerUsd: 10,
  maxPodsPerNode: 110,
};

export const CATALOGS = { digitalocean: DIGITALOCEAN, linode: LINODE } as const;
export type CloudProvider = keyof typeof CATALOGS;
