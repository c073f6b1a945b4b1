/**
 * Container resources in Kubernetes' own shape (ResourceRequirements), the one vocabulary every
 * `resources` key of the stack config uses: `{ requests: { cpu, memory }, limits: { memory } }`.
 */
import { z } from "zod";
import { byteQuantity, bytes, cpuQuantity } from "./common";

/** Requests and a memory limit, no CPU limit (throttling loses samples and delays order cancels). */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

/**
 * `{ requests: { cpu, memory }, limits: { memory } }`, each field required when the object is given,
 * `defaults` when it is not; `limits.memory` must be >= `requests.memory`.
 */
export function containerResources(defaults: ContainerResources) {
  return z
    .strictObject({
      requests: z.strictObject({ cpu: cpuQuantity, memory: byteQuantity }),
      limits: z.strictObject({ memory: byteQuantity }),
    })
    .superRefine((r, ctx) => {
      if (bytes(r.limits.memory) < bytes(r.requests.memory))
        ctx.addIssue({
          code: "custom",
          path: ["limits", "memory"],
          input: r.limits.memory,
          message: `must be >= requests.memory (${r.requests.memory}), got ${r.limits.memory}`,
        });
    })
    .default(defaults);
}

/** `{ requests, limits }` from the old flat `{ cpu, memory, memoryLimit }` (tests and fixtures). */
export const requirements = (cpu: string, memory: string, memoryLimit: string): ContainerResources => ({
  requests: { cpu, memory },
  limits: { memory: memoryLimit },
});
