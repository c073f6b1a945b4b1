/**
 * The whole fleet, wired: config at one boundary, then thin components that share one provider.
 * `index.ts` runs it under the Pulumi CLI; tests and the offline synth run it under the mock engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, type StackConfig } from "./config";
import { capacityOutputs } from "./lib/capacity";
import { quotaProblems } from "./lib/quota";
import { BotFleet } from "./components/bots";
import { startCapacityRecorder } from "./components/capacity";
import { createCluster, usesCilium } from "./components/cluster";
import { Postgres } from "./components/data/postgres";
import { Redis } from "./components/data/redis";
import { MetricsServer } from "./components/metrics-server";
import { postgresClientSettings } from "./components/data/postgres-client";
import { redisClientSecretData } from "./components/data/redis-client";
import { Monitoring } from "./components/monitoring";
import { Platform } from "./components/platform";
import { placementFor } from "./components/specs/placement";
import { VolumeClaimLedger, type RefuseClaims } from "./components/volume-claims";
import type { ClaimRecords } from "./lib/volume-claim-changes";

export interface ProgramOptions {
  /**
   * The `volumeClaims` output of the stack's last deployment, asked for once the config is valid
   * (index.ts reads it with a StackReference to the stack itself). @default no history
   */
  readonly previousVolumeClaims?: () => pulumi.Input<ClaimRecords | undefined>;
  /** How a refused claim change stops the run. @default throwClaimProblems (an Error) */
  readonly refuseVolumeClaims?: RefuseClaims;
}

export function program(options: ProgramOptions = {}): Record<string, unknown> {
  // Throws one error listing every config problem before any resource is registered.
  const config = loadConfig();
  // A volume claim grows in place, never shrinks or changes class (lib/volume-claim-changes.ts).
  const volumeClaims = new VolumeClaimLedger(options.previousVolumeClaims?.(), options.refuseVolumeClaims);
  // Records every workload as it registers, so the capacity check counts exactly what is deployed.
  const capacity = startCapacityRecorder(config);
  const cluster = createCluster(config);
  const provider = cluster.provider;
  const namespaces = config.platform.namespaces;
  const platform = new Platform("platform", { provider, config: config.platform, protect: config.protect });
  // Namespaces, default-deny and quotas exist before anything runs in them.
  const afterPlatform = { dependsOn: [platform] };
  // DOKS enforces network policies with Cilium, which never matches an ipBlock against a node or the API
  // server: those components add CiliumNetworkPolicies there.
  const cilium = usesCilium(config.cluster.provider);
  // Every bot service has an HPA, which reads metrics.k8s.io: DOKS, LKE and kind serve none by themselves.
  const hasHpa = config.bots.some((b) => b.workload === "service");
  if (hasHpa && config.platform.metricsServer.mode === "install") {
    new MetricsServer("metrics-server", {
      provider,
      config: config.platform.metricsServer,
      apiServerCidrs: cluster.apiServerCidrs,
      cilium,
    });
  }

  const redis = new Redis(
    "redis",
    {
      provider,
      namespaces,
      config: config.redis,
      environment: config.environment,
      credentials: config.credentials,
      bots: config.bots.filter((b) => b.usesRedis).map((b) => b.name),
      protect: config.protect,
      volumeClaims,
      placement: placementFor(config.cluster, "data"),
    },
    afterPlatform,
  );
  const postgres = new Postgres(
    "postgres",
    {
      provider,
      namespaces,
      config: config.postgres,
      bots: config.bots
        .filter((b) => b.usesPostgres)
        .map((b) => ({ name: b.name, access: b.postgresAccess })),
      backupCredentials: config.secrets.backupCredentials,
      environment: config.environment,
      credentials: config.credentials,
      protect: config.protect,
      volumeClaims,
      placement: placementFor(config.cluster, "data"),
    },
    afterPlatform,
  );
  const monitoring = new Monitoring(
    "monitoring",
    {
      provider,
      namespaces,
      config: config.monitoring,
      alerting: config.secrets.alerting,
      grafanaLogin: config.secrets.grafanaLogin,
      environment: config.environment,
      credentials: config.credentials,
      protect: config.protect,
      // A managed control plane answers on a public address the namespace's default deny must let through:
      // the address the cloud reports for the cluster, known on the first `up`.
      apiServerCidrs: cluster.apiServerCidrs,
      cilium,
      // Only an ipBlock can allow it outside Cilium; warn if the cloud reported no IPv4 address.
      warnMissingApiServerCidrs: config.cluster.provider !== "existing" && !cilium,
      placement: placementFor(config.cluster, "monitoring"),
    },
    afterPlatform,
  );
  const bots = new BotFleet(
    "bots",
    {
      provider,
      namespaces,
      bots: config.bots,
      botSecrets: config.secrets.botSecrets,
      credentials: config.credentials,
      environment: config.environment,
      volumeClaims,
      placement: placementFor(config.cluster, "bots"),
      botEgress: config.platform.botEgress,
      mqtt: { image: config.platform.mqttImage },
      // What the bots read from the data layer's client Secrets, passwords aside: a change rolls them.
      dataClients: {
        redis: redisClientSecretData(config.redis, namespaces),
        postgres: postgresClientSettings(config.postgres, namespaces),
      },
    },
    // The data layer creates the redis-client and postgres-client Secrets the bots mount.
    { dependsOn: [platform, redis, postgres] },
  );

  // Fails the preview (which `pulumi up` runs first) when the fleet cannot be scheduled even at max
  // nodes or overflows a namespace quota; warns when it needs more than min nodes.
  const capacityReport = capacity.check();
  const quota = quotaProblems(capacityReport.inventory, config.platform, maxNodes(config));
  if (quota.length > 0) throw new ConfigError(quota);

  return {
    environment: config.environment,
    clusterName: cluster.clusterName,
    clusterId: cluster.clusterId,
    kubernetesVersion: cluster.kubernetesVersion,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    namespaces,
    redis: { host: redis.host, port: redis.port, sentinels: redis.sentinels, masterName: redis.masterName },
    postgres: { host: postgres.host, readOnlyHost: postgres.readOnlyHost, port: postgres.port },
    // Absent when monitoring is off (an undefined output only draws a warning).
    ...(monitoring.grafanaAdminPassword === undefined
      ? {}
      : { grafanaAdminPassword: monitoring.grafanaAdminPassword }),
    ...(monitoring.grafanaUrl === undefined ? {} : { grafanaUrl: monitoring.grafanaUrl }),
    // What the promotion to prod reads from dev: live health, and the exact versions that ran.
    health: bots.health,
    images: Object.fromEntries(config.bots.map((b) => [b.name, b.image])),
    chartVersions: { kps: config.monitoring.chartVersion },
    capacity: capacityOutputs(capacityReport),
    // Read back by the next deployment: what each claim was made with.
    volumeClaims: volumeClaims.records,
  };
}

/** Nodes a DaemonSet pod may land on at most; unknown for an existing cluster. */
function maxNodes(config: StackConfig): number | undefined {
  const c = config.cluster;
  if (c.provider === "existing") return undefined;
  return c.systemPool.count + c.pools.reduce((n, p) => n + p.maxNodes, 0);
}
