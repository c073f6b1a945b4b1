import { z } from "zod";
import { ALWAYS_RUN, byteQuantity, count, cpuQuantity, dns1123Label, isRecord, pinnedImage } from "./common";
import { containerResources, requirements } from "./resources";

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

/** `platform.metricsServer.mode`: who serves the `metrics.k8s.io` API the bot services' HPAs read. */
export const METRICS_SERVER_MODES = ["install", "existing"] as const;

/**
 * The metrics source of the HPAs. DOKS, LKE and kind ship no metrics-server, so by default the program
 * installs one whenever a bot service has an HPA; a cluster that already serves `metrics.k8s.io`
 * (k3s/k3d, GKE, AKS, an operator-managed one) says `mode: existing` (installing a second one fails:
 * the APIService `v1beta1.metrics.k8s.io` can have one owner).
 */
const metricsServer = z
  .strictObject({
    /** `install` (when a bot service has an HPA) or `existing` (the cluster has one). @default "install" */
    mode: z.enum(METRICS_SERVER_MODES).default("install"),
    /** Namespace of the installed metrics-server (Pod Security restricted, default deny). */
    namespace: dns1123Label().default("botfleet-metrics-server"),
    /**
     * Skip verifying the kubelets' serving certificates (`--kubelet-insecure-tls`). kind's kubelets serve
     * self-signed certificates, so a kind stack needs it; DOKS's do not (DigitalOcean's own metrics-server
     * 1-click dropped the flag in 2022). Off by default everywhere. @default false
     */
    kubeletInsecureTls: z.boolean().default(false),
    /** Requests and memory limit; the chart's own requests (100m / 200Mi) suit clusters up to 100 nodes. */
    resources: containerResources(requirements("100m", "200Mi", "400Mi")),
  })
  .prefault({});

export type MetricsServerConfig = z.output<typeof metricsServer>;

/** The hummingbot MQTT broker's image: eclipse/mosquitto tag v2.0.20; official-images d65fca2f13; checked 2026-11-29. */
export const DEFAULT_MQTT_IMAGE = "eclipse-mosquitto:2.0.20";

export const platformSchema = z
  .strictObject({
    namespaces: z
      .strictObject({
        bots: dns1123Label().default("botfleet-bots"),
        data: dns1123Label().default("botfleet-data"),
        monitoring: dns1123Label().default("botfleet-monitoring"),
        /**
         * kube-prometheus-stack's node-exporter DaemonSet alone: it needs hostNetwork, hostPID and hostPath,
         * so this namespace is Pod Security `privileged` and the monitoring namespace can be `restricted`.
         */
        nodeExporter: dns1123Label().default("botfleet-node-exporter"),
      })
      .default({
        bots: "botfleet-bots",
        data: "botfleet-data",
        monitoring: "botfleet-monitoring",
        nodeExporter: "botfleet-node-exporter",
      })
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
        // One node-exporter pod per node (the chart's requests are empty: the LimitRange's defaults apply).
        nodeExporter: quota.default({
          requestsCpu: "6",
          requestsMemory: "10Gi",
          limitsMemory: "16Gi",
          storage: "1Gi",
          pods: 50,
          persistentVolumeClaims: 0,
        }),
      })
      .prefault({}),
    /** The LimitRange's requests and memory limit for a container that declares none. */
    containerDefaults: containerResources(requirements("100m", "128Mi", "256Mi")),
    metricsServer,
    /**
     * What bots may reach on the internet. "ports": any public address on 443, 8443, 9443 and their
     * `egressPorts`. "fqdn": only their exchange's hosts (config/exchange-hosts.ts) and `egressHosts`, by
     * name, through Cilium's DNS-aware policies; needs Cilium with its L7 (DNS) proxy, so only
     * `cluster.provider: digitalocean`. @default "ports"
     */
    botEgress: z.enum(["ports", "fqdn"]).default("ports"),
    /** The MQTT broker hummingbot bots report to (mosquitto). Prod pins it by digest, like every image. */
    mqttImage: pinnedImage.default(DEFAULT_MQTT_IMAGE),
  })
  .superRefine((p, ctx) => {
    // The metrics-server namespace is labelled and default-denied like the fleet's: never a system
    // namespace, never one of the fleet's (their policies and quotas would be fought over).
    if (!isRecord(p) || !isRecord(p.metricsServer) || typeof p.metricsServer.namespace !== "string") return;
    const name = p.metricsServer.namespace;
    const path = ["metricsServer", "namespace"];
    if (name === "default" || name.startsWith("kube-")) {
      ctx.addIssue({
        code: "custom",
        path,
        input: name,
        message: `must not be a system namespace ("default", "kube-*"), got "${name}"`,
      });
      return;
    }
    const roles = isRecord(p.namespaces) ? Object.entries(p.namespaces) : [];
    const clash = roles.find(([, ns]) => ns === name);
    if (clash)
      ctx.addIssue({
        code: "custom",
        path,
        input: name,
        message: `must differ from namespaces.${clash[0]}, got "${name}" for both`,
      });
  }, ALWAYS_RUN);

export type PlatformConfig = z.output<typeof platformSchema>;
export type NamespaceRole = keyof PlatformConfig["namespaces"];
/**
 * The fleet's namespaces by role. Declared once; everything else imports it. `nodeExporter` concerns only the
 * monitoring component (which requires it: `MonitoringNamespaces`); elsewhere it may be left out.
 */
export type Namespaces = Readonly<
  Omit<PlatformConfig["namespaces"], "nodeExporter"> &
    Partial<Pick<PlatformConfig["namespaces"], "nodeExporter">>
>;
/** The namespaces the monitoring component installs into: the fleet's and node-exporter's. */
export type MonitoringNamespaces = Readonly<PlatformConfig["namespaces"]>;
