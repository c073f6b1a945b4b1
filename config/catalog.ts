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
  /**
   * Block-storage volumes one node of this size can attach: what the cloud's CSI node plugin reports
   * as `MaxVolumesPerNode` (the scheduler's per-node volume limit). Sources next to each cloud's value.
   */
  readonly volumesPerNode: (size: NodeSize) => number;
}

/**
 * DOKS: 7 per node whatever the size. The DigitalOcean CSI driver (github.com/digitalocean/csi-digitalocean,
 * tag v4.16.0) reports `MaxVolumesPerNode: d.volumeLimit` in driver/node.go `NodeGetInfo`, from the
 * `--volume-limit` flag whose default is 7 in cmd/do-csi-plugin/main.go ("needs to match limit imposed
 * by DO storage backend"; driver/driver.go `defaultMaxVolumesPerNode = 7`). DigitalOcean's API docs for
 * a bare Droplet say more (up to 15 volumes per Droplet, pydo `volume_actions.post_by_id`); on DOKS the
 * scheduler obeys the driver's 7.
 */
export const DOKS_VOLUMES_PER_NODE = 7;

/**
 * LKE: the Linode Block Storage CSI driver (github.com/linode/linode-blockstorage-csi-driver, tag v1.1.4)
 * reports `maxVolumeAttachments(memory) - diskCount` in internal/driver/nodeserver.go `NodeGetInfo`.
 * internal/driver/limits.go: `maxVolumeAttachments` = whole GiB of memory, at least 8
 * (`maxPersistentAttachments`) and at most 64 (`maxAttachments`); `diskCount` counts the instance's own
 * QEMU disks (boot and swap). docs/deployment.md says the same ("volume + disk attachments": 8 up to
 * 8 GB, 16 at 16 GB, 32 at 32 GB, 64 from 64 GB). We count 2 instance disks (boot + swap, the driver's
 * own test case: 1 GiB with 2 disks leaves 6); check a node with `kubectl get csinode -o yaml`
 * (`spec.drivers[].allocatable.count`).
 */
export const LKE_INSTANCE_DISKS = 2;
export const lkeVolumesPerNode = (size: Pick<NodeSize, "memoryGiB">): number =>
  Math.min(Math.max(Math.floor(size.memoryGiB), 8), 64) - LKE_INSTANCE_DISKS;

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
  volumesPerNode: () => DOKS_VOLUMES_PER_NODE,
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
  volumesPerNode: lkeVolumesPerNode,
};

export const CATALOGS = { digitalocean: DIGITALOCEAN, linode: LINODE } as const;
export type CloudProvider = keyof typeof CATALOGS;
