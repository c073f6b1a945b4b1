/**
 * `botfleet:costs`: optional price overrides for the monthly cost estimate (negotiated prices, a newer
 * price list, a currency-converted table). Anything not overridden comes from `config/catalog.ts`.
 */
import { z } from "zod";
import { show } from "./common";

const usd = z.number().refine((v) => Number.isFinite(v) && v >= 0, {
  error: (iss) => `must be a price in USD per month, 0 or more, got ${show(iss.input)}`,
});

const SIZE_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const costsSchema = z
  .strictObject({
    /** Node size slug -> monthly USD, e.g. `{ "s-4vcpu-8gb": 42 }`. */
    nodeSizes: z
      .record(z.string(), usd)
      .superRefine((rec, ctx) => {
        for (const slug of Object.keys(rec)) {
          if (!SIZE_SLUG.test(slug))
            ctx.addIssue({
              code: "custom",
              path: [slug],
              input: slug,
              message: `must be a node size slug such as "s-4vcpu-8gb" or "g6-standard-4", got ${show(slug)}`,
            });
        }
      })
      .optional(),
    /** Monthly price of the HA control plane. */
    haControlPlaneUsd: usd.optional(),
    /** Block storage, USD per GiB-month. */
    volumeUsdPerGiB: usd.optional(),
    /** Monthly price of one cloud load balancer. */
    loadBalancerUsd: usd.optional(),
    /** Date the overriding prices were taken ("YYYY-MM-DD"), shown with the estimate. */
    asOf: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, {
        error: (iss) => `must be a date "YYYY-MM-DD", got ${show(iss.input)}`,
      })
      .optional(),
  })
  .default({});

export type CostsConfig = z.output<typeof costsSchema>;
