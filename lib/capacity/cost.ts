/** The monthly cost estimate from the catalog prices, after the stack's overrides. */
import { CATALOGS, PRICES_AS_OF, type CloudCatalog } from "../../config/catalog";
import type { ClusterConfig } from "../../config/cluster";
import type { CostsConfig } from "../../config/costs";
import type { Inventory } from "./inventory";
import { poolsOf } from "./model";
import { GiB } from "./quantities";

export interface CostLine {
  readonly item: string;
  readonly minUsd: number;
  readonly maxUsd: number;
}

export interface CostEstimate {
  readonly provider: "digitalocean" | "linode";
  /** Date of the prices used: the catalog's, or `costs.asOf` when the stack overrides any. */
  readonly pricesAsOf: string;
  /** Which prices came from `botfleet:costs`. */
  readonly overridden: readonly string[];
  readonly lines: readonly CostLine[];
  readonly volumeGiB: number;
  readonly loadBalancers: number;
  readonly minUsd: number;
  readonly maxUsd: number;
}

const cents = (v: number) => Math.round(v * 100) / 100;

/** Prices after the stack's overrides. */
export function effectivePrices(catalog: CloudCatalog, costs: CostsConfig | undefined) {
  const overridden: string[] = [];
  const o = <T>(key: string, override: T | undefined, fallback: T): T => {
    if (override === undefined) return fallback;
    overridden.push(key);
    return override;
  };
  const sizes: Record<string, number> = {};
  for (const [slug, s] of Object.entries(catalog.sizes)) sizes[slug] = s.monthlyUsd;
  for (const [slug, usd] of Object.entries(costs?.nodeSizes ?? {}))
    sizes[slug] = o(`nodeSizes.${slug}`, usd, 0);
  return {
    sizes,
    haControlPlaneUsd: o("haControlPlaneUsd", costs?.haControlPlaneUsd, catalog.haControlPlaneUsd),
    volumeUsdPerGiB: o("volumeUsdPerGiB", costs?.volumeUsdPerGiB, catalog.volumeUsdPerGiB),
    loadBalancerUsd: o("loadBalancerUsd", costs?.loadBalancerUsd, catalog.loadBalancerUsd),
    overridden,
  };
}

/**
 * Monthly list-price estimate: nodes at min and at max, the HA control plane, block storage (every
 * volume rounded up to whole GiB, as both clouds bill) and cloud load balancers. Not counted: egress
 * beyond the included transfer, snapshots, backups' object storage, reserved IPs, taxes.
 */
export function estimateCost(
  cluster: ClusterConfig,
  inv: Pick<Inventory, "volumes" | "loadBalancers">,
  costs?: CostsConfig,
): CostEstimate | undefined {
  if (cluster.provider === "existing") return undefined;
  const prices = effectivePrices(CATALOGS[cluster.provider], costs);
  const lines: CostLine[] = [];
  for (const p of poolsOf(cluster)) {
    const unit = prices.sizes[p.size];
    const nodes = p.minNodes === p.maxNodes ? `${p.minNodes}` : `${p.minNodes}-${p.maxNodes}`;
    lines.push({
      item: `${p.name} nodes (${nodes} x ${p.size} at $${unit})`,
      minUsd: cents(p.minNodes * unit),
      maxUsd: cents(p.maxNodes * unit),
    });
  }
  if (cluster.ha)
    lines.push({
      item: "HA control plane",
      minUsd: prices.haControlPlaneUsd,
      maxUsd: prices.haControlPlaneUsd,
    });
  const volumeGiB = inv.volumes.reduce((sum, v) => sum + Math.max(1, Math.ceil(v.bytes / GiB)) * v.count, 0);
  if (volumeGiB > 0) {
    const usd = cents(volumeGiB * prices.volumeUsdPerGiB);
    lines.push({
      item: `block storage (${volumeGiB} GiB at $${prices.volumeUsdPerGiB}/GiB)`,
      minUsd: usd,
      maxUsd: usd,
    });
  }
  const lbs = inv.loadBalancers.length;
  if (lbs > 0) {
    const usd = cents(lbs * prices.loadBalancerUsd);
    lines.push({ item: `load balancers (${lbs} at $${prices.loadBalancerUsd})`, minUsd: usd, maxUsd: usd });
  }
  return {
    provider: cluster.provider,
    pricesAsOf:
      prices.overridden.length > 0 ? (costs?.asOf ?? `${PRICES_AS_OF} with overrides`) : PRICES_AS_OF,
    overridden: prices.overridden,
    lines,
    volumeGiB,
    loadBalancers: lbs,
    minUsd: cents(lines.reduce((s, l) => s + l.minUsd, 0)),
    maxUsd: cents(lines.reduce((s, l) => s + l.maxUsd, 0)),
  };
}
