import { z } from "zod";
import { ALWAYS_RUN, byteQuantity, count, cpuQuantity, dns1123Label, isRecord } from "./common";

const quota = z.strictObject({
  /** Sum of CPU requests in the namespace. */
  requestsCpu: cpuQuantity,
  requestsMemory: byteQuantity,
  limitsMemory: byteQuantity,
  /** Sum of PVC requests. */
  storage: byteQuantity,
  pods: count(1),
  persistentVolumeClaims: count(0),
});

const containerDefaults = z.strictObject({
  /** Request given to a container that declares none. */
  cpu: cpuQuantity,
  memory: byteQuantity,
  /** Memory limit given to a container that declares none. */
  memoryLimit: byteQuantity,
});

export const platformSchema = z.strictObject({
  namespaces: z
    .strictObject({
      bots: dns1123Label().default("botfleet-bots"),
      data: dns1123Label().default("botfleet-data"),
      monitoring: dns1123Label().default("botfleet-monitoring"),
    })
    .default({ bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" })
    .superRefine((ns, ctx) => {
      // The program labels, quotas and default-denies these namespaces: never a system namespace,
      // and never one namespace for two roles (its quota and Pod Security level would be fought over).
      if (!isRecord(ns)) return;
      const seen = new Map<unknown, string>();
      for (const [role, name] of Object.entries(ns)) {
        if (typeof name !== "string") continue;
        if (name === "default" || name.startsWith("kube-")) {
          ctx.addIssue({
            code: "custom",
            path: [role],
            input: name,
            message: `must not be a system namespace ("default", "kube-*"), got "${name}"`,
          });
        } else if (seen.has(name)) {
          ctx.addIssue({
            code: "custom",
            path: [role],
            input: name,
            message: `must differ from namespaces.${seen.get(name)}, got "${name}" for both`,
          });
        } else seen.set(name, role);
      }
    }, ALWAYS_RUN),
  quotas: z
    .strictObject({
      bots: quota.default({
        requestsCpu: "8",
        requestsMemory: "16Gi",
        limitsMemory: "32Gi",
        storage: "200Gi",
        pods: 100,
        persistentVolumeClaims: 60,
      }),
      data: quota.default({
        requestsCpu: "4",
        requestsMemory: "8Gi",
        limitsMemory: "16Gi",
        storage: "500Gi",
        pods: 30,
        persistentVolumeClaims: 20,
      }),
      monitoring: quota.default({
        requestsCpu: "4",
        requestsMemory: "8Gi",
        limitsMemory: "16Gi",
        storage: "200Gi",
        pods: 40,
        persistentVolumeClaims: 10,
      }),
    })
    .prefault({}),
  containerDefaults: containerDefaults.default({ cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" }),
});

export type PlatformConfig = z.output<typeof platformSchema>;
export type NamespaceRole = keyof PlatformConfig["namespaces"];
