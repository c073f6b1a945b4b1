/** Cloud cluster rules: HA control planes in prod and sane autoscaling bounds. */
import { K, type Obj, arr, isObj, num, obj, show } from "./shapes";
import type { ResourceRule, RuleContext } from "./types";

export const cloudRules: readonly ResourceRule[] = [
  {
    name: "digitalocean-cluster",
    description:
      "DigitalOcean clusters: HA control plane in prod; an autoscaling default pool keeps 1 <= min <= max.",
    check: (r, ctx) => {
      if (r.type !== K.doCluster) return [];
      const out: string[] = [];
      if (ctx.environment === "prod" && r.props.ha !== true)
        out.push(`ha must be true in a prod stack, got ${show(r.props.ha)}`);
      out.push(...doPoolProblems("nodePool", obj(r.props.nodePool), false, ctx));
      return out;
    },
  },
  {
    name: "digitalocean-node-pool",
    description: "DigitalOcean workload pools autoscale in prod with 1 <= minNodes <= maxNodes.",
    check: (r, ctx) => (r.type === K.doNodePool ? doPoolProblems("node pool", r.props, true, ctx) : []),
  },
  {
    name: "linode-cluster",
    description: "Linode LKE: HA control plane in prod; autoscaling pools keep 1 <= min <= max.",
    check: (r, ctx) => {
      if (r.type !== K.lkeCluster) return [];
      const out: string[] = [];
      const ha = obj(r.props.controlPlane).highAvailability;
      if (ctx.environment === "prod" && ha !== true)
        out.push(`controlPlane.highAvailability must be true in a prod stack, got ${show(ha)}`);
      arr(r.props.pools).forEach((p, i) => {
        const auto = obj(p).autoscaler;
        if (!isObj(auto)) return;
        out.push(...boundsProblems(`pools[${i}].autoscaler`, num(auto.min), num(auto.max)));
      });
      return out;
    },
  },
];

function boundsProblems(where: string, min: number | undefined, max: number | undefined): string[] {
  const out: string[] = [];
  if (min === undefined || min < 1) out.push(`${where} min must be >= 1, got ${show(min)}`);
  if (max === undefined || (min !== undefined && max < min))
    out.push(`${where} max must be >= min (${show(min)}), got ${show(max)}`);
  return out;
}

/**
 * The cluster's default pool may stay fixed on purpose (DESIGN: a small system pool, so a size change
 * never replaces the cluster); separate workload pools must autoscale in prod.
 */
function doPoolProblems(where: string, pool: Obj, mustAutoscale: boolean, ctx: RuleContext): string[] {
  if (pool.autoScale === true) return boundsProblems(where, num(pool.minNodes), num(pool.maxNodes));
  if (mustAutoscale && ctx.environment === "prod")
    return [`${where}: autoScale must be true in a prod stack, got ${show(pool.autoScale)}`];
  return [];
}
