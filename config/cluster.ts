import { z } from "zod";
import { CATALOGS, type CloudProvider } from "./catalog";
import { ALWAYS_RUN, asArray, count, dns1123Label, isRecord, show } from "./common";
import { controlPlaneFirewallSchema } from "./control-plane-firewall";

// Kubernetes label syntax: the cloud API would otherwise reject the pool half-way through an update.
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelKey = z.string().refine(
  (k) => {
    const [prefix, name] = k.includes("/") ? k.split(/\/(.*)/s, 2) : [undefined, k];
    return (
      LABEL_NAME.test(name) && (prefix === undefined || /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(prefix))
    );
  },
  {
    error: (iss) =>
      `must be a Kubernetes label key such as "workload" or "example.com/tier", got ${show(iss.input)}`,
  },
);
const labelValue = z.string().refine((v) => v === "" || LABEL_NAME.test(v), {
  error: (iss) =>
    `must be a Kubernetes label value (<= 63 letters, digits, "-", "_", "."), got ${show(iss.input)}`,
});

/** Workload classes that select a pool of their role; `general` pools take whatever has none. */
export const WORKLOAD_CLASSES = ["bots", "data", "monitoring"] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];
export const POOL_ROLES = [...WORKLOAD_CLASSES, "general"] as const;
export type PoolRole = (typeof POOL_ROLES)[number];
/** Node label (and, on a dedicated pool, taint key) that names the class a pool serves. */
export const ROLE_KEY = "botfleet.io/role";

const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().default(""),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

const workerPool = z
  .strictObject({
    /** Pool name, also the `botfleet.io/pool` node label. */
    name: dns1123Label(40),
    /** Node size slug (`s-4vcpu-8gb` on DigitalOcean, `g6-standard-4` on Linode). */
    size: z.string(),
    minNodes: count(1),
    maxNodes: count(1),
    /**
     * The workload class the pool serves: its nodes carry `botfleet.io/role: <role>` and that class's
     * pods select it. `general` is selected by nothing: it takes whatever has no pool of its own.
     */
    role: z
      .enum(POOL_ROLES, {
        error: (iss) =>
          `must be one of ${POOL_ROLES.join(", ")} (the workload class the pool serves), got ${show(iss.input)}`,
      })
      .default("general"),
    /** Isolation: taints the pool `botfleet.io/role=<role>:NoSchedule`, so only its class runs there. */
    dedicated: z.boolean().default(false),
    labels: z.record(labelKey, labelValue).default({}),
    taints: z.array(taint).default([]),
  })
  .superRefine((pool, ctx) => {
    if (pool.dedicated === true && pool.role === "general")
      ctx.addIssue({
        code: "custom",
        path: ["dedicated"],
        input: pool.dedicated,
        message: `needs a role of ${WORKLOAD_CLASSES.join(", ")}: a general pool serves no class to reserve it for; remove dedicated or set role`,
      });
    for (const key of Object.keys(isRecord(pool.labels) ? pool.labels : {}))
      if (key === ROLE_KEY)
        ctx.addIssue({
          code: "custom",
          path: ["labels", key],
          input: key,
          message: `"${ROLE_KEY}" is set from role; remove the label and set role`,
        });
    for (const [i, t] of asArray(pool.taints).entries())
      if (isRecord(t) && t.key === ROLE_KEY)
        ctx.addIssue({
          code: "custom",
          path: ["taints", i, "key"],
          input: t.key,
          message: `"${ROLE_KEY}" is set by dedicated: true; remove the taint and set dedicated`,
        });
    if (
      typeof pool.minNodes === "number" &&
      typeof pool.maxNodes === "number" &&
      pool.minNodes > pool.maxNodes
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["minNodes"],
        input: pool.minNodes,
        message: `must be <= maxNodes (${pool.maxNodes}), got ${pool.minNodes}`,
      });
    }
  }, ALWAYS_RUN);

const DAYS = ["any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

const clusterFields = z
  .strictObject({
    provider: z.enum(["digitalocean", "linode", "existing"]),
    /** Cluster name; defaults to `botfleet-<stack>`. */
    name: dns1123Label(40).optional(),
    region: z.string().optional(),
    /** Kubernetes minor version such as "1.33"; the latest patch is resolved at deploy time. */
    version: z
      .string()
      .regex(/^1\.\d{2}$/, {
        error: (iss) =>
          `must be a Kubernetes minor version such as "1.33" (no patch, no "v"), got ${show(iss.input)}`,
      })
      .optional(),
    /** Highly-available control plane. Irreversible once on. */
    ha: z.boolean().default(false),
    autoUpgrade: z.boolean().default(true),
    surgeUpgrade: z.boolean().default(true),
    maintenance: z
      .strictObject({
        day: z.enum(DAYS),
        startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
          error: (iss) => `must be a UTC time "HH:MM", got ${show(iss.input)}`,
        }),
      })
      .default({ day: "sunday", startTime: "04:00" }),
    /** DigitalOcean VPC to place the cluster in. */
    vpcUuid: z
      .string()
      .uuid({ error: (iss) => `must be a VPC UUID, got ${show(iss.input)}` })
      .optional(),
    tags: z
      .array(
        z.string().regex(/^[a-z0-9:_-]+$/i, {
          error: (iss) =>
            `must be a tag of letters, digits, ":", "_" or "-" (no spaces), got ${show(iss.input)}`,
        }),
      )
      .default([]),
    /** The small fixed default pool: changing it on DigitalOcean would replace the cluster. */
    systemPool: z.strictObject({ size: z.string(), count: count(1) }).optional(),
    pools: z.array(workerPool).default([]),
    /** Who may reach the API server (config/control-plane-firewall.ts); on by default in prod. */
    controlPlaneFirewall: controlPlaneFirewallSchema.optional(),
    /** Deletion protection on the cluster; defaults to on in prod. */
    protect: z.boolean().optional(),
    /** `existing` only: kubeconfig file and context; both default to the ambient kubeconfig. */
    kubeconfig: z
      .strictObject({ path: z.string().min(1).optional(), context: z.string().min(1).optional() })
      .optional(),
  })
  .superRefine((c, ctx) => {
    // Runs even when fields failed (ALWAYS_RUN), so it reads the raw value defensively.
    if (!isRecord(c)) return;
    const issue = (path: (string | number)[], input: unknown, message: string) =>
      ctx.addIssue({ code: "custom", path, input, message });
    const pools = asArray(c.pools).filter(isRecord);
    const names = new Set<unknown>();
    pools.forEach((p, i) => {
      if (names.has(p.name))
        issue(["pools", i, "name"], p.name, `must be unique among pools, got "${p.name}" twice`);
      names.add(p.name);
      if (p.name === "system")
        issue(["pools", i, "name"], p.name, `"system" is reserved for systemPool; rename the pool`);
    });
    if (c.provider === "existing") {
      for (const key of ["region", "version", "systemPool", "vpcUuid", "controlPlaneFirewall"] as const) {
        if (c[key] !== undefined) issue([key], c[key], `is not used with provider "existing"; remove it`);
      }
      if (pools.length > 0)
        issue(["pools"], pools.length, `node pools cannot be managed with provider "existing"; remove them`);
      return;
    }
    if (c.provider !== "digitalocean" && c.provider !== "linode") return;
    const cloud = CATALOGS[c.provider as CloudProvider];
    if (c.kubeconfig !== undefined)
      issue(["kubeconfig"], c.kubeconfig, `is only for provider "existing"; remove it`);
    if (c.region === undefined)
      issue(
        ["region"],
        undefined,
        `is required for provider "${c.provider}" (one of ${cloud.regions.join(", ")})`,
      );
    else if (!cloud.regions.includes(c.region))
      issue(
        ["region"],
        c.region,
        `must be a ${c.provider} region (${cloud.regions.join(", ")}), got ${show(c.region)}`,
      );
    if (c.version === undefined)
      issue(["version"], undefined, `is required for provider "${c.provider}", e.g. "1.33"`);
    if (c.systemPool === undefined)
      issue(
        ["systemPool"],
        undefined,
        `is required for provider "${c.provider}", e.g. { size: ${Object.keys(cloud.sizes)[2]}, count: 1 }`,
      );
    const checkSize = (path: (string | number)[], size: unknown) => {
      if (typeof size === "string" && !(size in cloud.sizes))
        issue(
          path,
          size,
          `must be a ${c.provider} node size (${Object.keys(cloud.sizes).join(", ")}), got "${size}"`,
        );
    };
    if (isRecord(c.systemPool)) checkSize(["systemPool", "size"], c.systemPool.size);
    asArray(c.pools).forEach((p, i) => isRecord(p) && checkSize(["pools", i, "size"], p.size));
  }, ALWAYS_RUN);

type ClusterFields = z.output<typeof clusterFields>;
type ManagedOnly = "region" | "version" | "systemPool" | "vpcUuid" | "controlPlaneFirewall";
export type WorkerPoolConfig = ClusterFields["pools"][number];
export type SystemPoolConfig = NonNullable<ClusterFields["systemPool"]>;

/** A DigitalOcean or Linode cluster: the schema requires region, version and systemPool, refuses kubeconfig. */
export type ManagedClusterConfig<P extends CloudProvider = CloudProvider> = Omit<
  ClusterFields,
  "provider" | "region" | "version" | "systemPool" | "kubeconfig"
> & {
  readonly provider: P;
  readonly region: string;
  readonly version: string;
  readonly systemPool: SystemPoolConfig;
  readonly kubeconfig?: undefined;
};
export type DigitalOceanClusterConfig = ManagedClusterConfig<"digitalocean">;
export type LinodeClusterConfig = ManagedClusterConfig<"linode">;
/** An existing cluster: the schema refuses region, version, systemPool, vpcUuid, controlPlaneFirewall and pools. */
export type ExistingClusterConfig = Omit<ClusterFields, "provider" | ManagedOnly> & {
  readonly provider: "existing";
} & { readonly [K in ManagedOnly]?: undefined };

/** `botfleet:cluster`, resolved: a union on `provider` holding what the refinement above proved. */
export type ClusterConfig = DigitalOceanClusterConfig | LinodeClusterConfig | ExistingClusterConfig;

// The one cast: zod cannot type what superRefine proves, so the output is narrowed here, once.
export const clusterSchema = clusterFields.transform((c) => c as ClusterConfig);
