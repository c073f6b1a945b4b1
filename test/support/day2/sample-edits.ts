/**
 * One representative edit per row of the README's day-2 table, keyed by the row's id
 * (`<keys> (<applies to>)`). Each edit changes a copy of a repo stack file (prod unless `base` says
 * otherwise: prod has live and paper traders, a service, a scheduled bot, Redis HA, standbys, backups).
 */
import { readStackFile } from "../../../lib/stackfile";
import { REPO } from "../stacks";

export type StackFileConfig = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SampleEdit {
  /** The stack file the edit starts from. @default "prod" */
  readonly base?: "prod" | "dev" | "local";
  /** Changes the base stack file before both runs: the setting the row applies to. */
  readonly baseConfig?: (c: StackFileConfig) => void;
  /** Changes the stack file's config in place (keys as the file spells them: `botfleet:redis`). */
  readonly config?: (c: StackFileConfig) => void;
  /** Changes the loaded config values (full keys to text: how secrets are edited). */
  readonly values?: (v: Record<string, string>) => void;
}

const section = (c: StackFileConfig, key: string): Obj => (c[`botfleet:${key}`] ??= {});
const bot = (c: StackFileConfig, name: string): Obj => {
  const found = (c["botfleet:bots"] as Obj[]).find((b) => b.name === name);
  if (found === undefined) throw new Error(`the base stack has no bot ${name}`);
  return found;
};
/** Edits several bots the same way. */
const bots =
  (names: readonly string[], edit: (b: Obj) => void) =>
  (c: StackFileConfig): void => {
    for (const n of names) edit(bot(c, n));
  };
/** A JSON-text value's object, edited and written back. */
const json =
  (key: string, edit: (o: Obj) => void) =>
  (v: Record<string, string>): void => {
    const o = JSON.parse(v[key] ?? "{}") as Obj;
    edit(o);
    v[key] = JSON.stringify(o);
  };

// prod's bots, by role.
const LIVE_HB = "btc-usdt-mm";
const LIVE_FT = "ft-kraken-trend";
const PAPER_FT = "ft-kraken-paper";
const SERVICE = "signal-api";
const SCHEDULED = "pnl-report";
const TRADERS = [LIVE_HB, LIVE_FT, PAPER_FT];

const GRAFANA_INGRESS = {
  enabled: true,
  host: "grafana.botfleet.example.com",
  email: "ops@botfleet.example.com",
  clusterIssuer: "letsencrypt",
};
const GITHUB_LOGIN = { provider: "github", clientId: "Iv1.0123456789abcdef", organizations: ["botfleet"] };

export const SAMPLE_EDITS: Readonly<Record<string, SampleEdit>> = {
  "environment (all)": { config: (c) => (c["botfleet:environment"] = "staging") },
  "credentialSeed (all)": { values: (v) => (v["botfleet:credentialSeed"] = "another-seed".padEnd(48, "x")) },
  "credentialRotations (all)": { config: (c) => (section(c, "credentialRotations")["postgres-app"] = 1) },

  // The Linode stack's cluster, sized for prod's fleet.
  "cluster.provider (all)": {
    config: (c) => {
      const lke = readStackFile(REPO, "dev-lke")["botfleet:cluster"] as Obj;
      c["botfleet:cluster"] = {
        ...lke,
        ha: true,
        systemPool: { ...lke.systemPool, count: 3 },
        pools: (lke.pools as Obj[]).map((p) => ({ ...p, minNodes: 2, maxNodes: 6 })),
      };
    },
  },
  "cluster.name (clouds)": { config: (c) => (section(c, "cluster").name = "botfleet-prod-2") },
  "cluster.region (clouds)": { config: (c) => (section(c, "cluster").region = "ams3") },
  "cluster.version (digitalocean)": { config: (c) => (section(c, "cluster").version = "1.34") },
  "cluster.ha (digitalocean)": { config: (c) => (section(c, "cluster").ha = false) },
  "cluster.autoUpgrade, cluster.surgeUpgrade, cluster.maintenance, cluster.tags (digitalocean)": {
    config: (c) => (section(c, "cluster").maintenance = { day: "sunday", startTime: "05:00" }),
  },
  "cluster.controlPlaneFirewall (clouds)": {
    config: (c) => section(c, "cluster").controlPlaneFirewall.allowedAddresses.push("192.0.2.0/28"),
  },
  "cluster.vpcUuid (digitalocean)": {
    config: (c) => (section(c, "cluster").vpcUuid = "3c8e9f0a-1b2c-4d5e-8f90-123456789abc"),
  },
  "cluster.systemPool.size (clouds)": {
    config: (c) => (section(c, "cluster").systemPool = { size: "s-4vcpu-8gb", count: 2 }),
  },
  "cluster.systemPool.count (clouds)": {
    config: (c) => (section(c, "cluster").systemPool = { size: "s-2vcpu-4gb", count: 3 }),
  },
  "cluster.pools[].name (clouds)": { config: (c) => (section(c, "cluster").pools[0].name = "traders") },
  "cluster.pools[].size (clouds)": { config: (c) => (section(c, "cluster").pools[0].size = "s-8vcpu-16gb") },
  "cluster.pools[].minNodes, cluster.pools[].maxNodes, cluster.pools[].labels, cluster.pools[].taints (clouds)":
    {
      config: (c) => (section(c, "cluster").pools[0].maxNodes = 8),
    },
  "cluster.pools[].role, cluster.pools[].dedicated (clouds)": {
    config: (c) => (section(c, "cluster").pools[0].role = "general"),
  },
  "cluster.protect (all)": { config: (c) => (section(c, "cluster").protect = false) },
  "cluster.kubeconfig (existing)": {
    base: "local",
    config: (c) => (section(c, "cluster").kubeconfig = { context: "kind-other" }),
  },

  "platform.namespaces (all)": {
    config: (c) => (section(c, "platform").namespaces = { bots: "fleet-bots" }),
  },
  "platform.mqttImage (hummingbot)": {
    // A digest pin of the same tag, as promotion writes it (a stand-in digest: the program never pulls it).
    config: (c) => (section(c, "platform").mqttImage = `eclipse-mosquitto:2.0.20@sha256:${"0".repeat(64)}`),
  },
  "platform.botEgress (all)": { config: (c) => (section(c, "platform").botEgress = "fqdn") },
  "platform.quotas (all)": {
    config: (c) => (section(c, "platform").quotas.bots.pods = 150),
  },
  "platform.containerDefaults (all)": {
    config: (c) =>
      (section(c, "platform").containerDefaults = {
        requests: { cpu: "150m", memory: "128Mi" },
        limits: { memory: "256Mi" },
      }),
  },
  "platform.metricsServer.mode (fleets with a service)": {
    config: (c) => (section(c, "platform").metricsServer = { mode: "existing" }),
  },
  "platform.metricsServer.namespace (fleets with a service)": {
    config: (c) => (section(c, "platform").metricsServer = { namespace: "metrics" }),
  },
  "platform.metricsServer.kubeletInsecureTls, platform.metricsServer.resources (fleets with a service)": {
    config: (c) =>
      (section(c, "platform").metricsServer = {
        resources: { requests: { cpu: "150m", memory: "200Mi" }, limits: { memory: "400Mi" } },
      }),
  },

  "redis.ha (all)": { config: (c) => Object.assign(section(c, "redis"), { ha: false, instances: 1 }) },
  "redis.instances (ha)": { config: (c) => (section(c, "redis").instances = 4) },
  "redis.sentinelQuorum, redis.minReplicasToWrite, redis.downAfterMilliseconds, redis.failoverTimeoutMilliseconds (ha)":
    { config: (c) => (section(c, "redis").downAfterMilliseconds = 15000) },
  "redis.maxmemory, redis.maxmemoryPolicy (all)": {
    config: (c) => (section(c, "redis").maxmemory = "300Mi"),
  },
  "redis.storage (larger)": { config: (c) => (section(c, "redis").storage = "32Gi") },
  "redis.storage (smaller)": { config: (c) => (section(c, "redis").storage = "8Gi") },
  "redis.storageClass (all)": { config: (c) => (section(c, "redis").storageClass = "do-block-storage-xfs") },
  "redis.resources, redis.image, redis.exporterImage (all)": {
    config: (c) =>
      (section(c, "redis").resources = {
        requests: { cpu: "200m", memory: "256Mi" },
        limits: { memory: "512Mi" },
      }),
  },

  "postgres.instances (all)": { config: (c) => (section(c, "postgres").instances = 2) },
  "postgres.storage (larger)": { config: (c) => (section(c, "postgres").storage = "120Gi") },
  "postgres.storage (smaller)": { config: (c) => (section(c, "postgres").storage = "50Gi") },
  "postgres.storageClass (all)": {
    config: (c) => (section(c, "postgres").storageClass = "do-block-storage-xfs"),
  },
  "postgres.resources, postgres.image, postgres.exporterImage, postgres.maxConnections, postgres.synchronousCommit (all)":
    { config: (c) => (section(c, "postgres").maxConnections = 150) },
  "postgres.database, postgres.username (all)": {
    config: (c) => (section(c, "postgres").database = "fleet"),
  },
  "postgres.backup.enabled (prod)": { config: (c) => (section(c, "postgres").backup.enabled = false) },
  "postgres.backup.retentionCount (all)": {
    config: (c) => (section(c, "postgres").backup.retentionCount = 30),
  },
  "postgres.backup (enabled)": { config: (c) => (section(c, "postgres").backup.schedule = "0 4 * * *") },

  "monitoring.enabled (all)": { config: (c) => (section(c, "monitoring").enabled = false) },
  "monitoring.chartVersion (all)": { config: (c) => (section(c, "monitoring").chartVersion = "88.5.2") },
  "monitoring.retention, monitoring.resources (all)": {
    config: (c) => (section(c, "monitoring").retention = "45d"),
  },
  "monitoring.storage, monitoring.storageClass (all)": {
    config: (c) => (section(c, "monitoring").storage = { prometheus: "150Gi" }),
  },
  "monitoring.backupMaxAge, monitoring.runbookBaseUrl (all)": {
    config: (c) => (section(c, "monitoring").backupMaxAge = "48h"),
  },
  "monitoring.ingress (all)": { config: (c) => (section(c, "monitoring").ingress = GRAFANA_INGRESS) },
  "monitoring.login (all)": {
    config: (c) => {
      section(c, "monitoring").ingress = GRAFANA_INGRESS;
      section(c, "monitoring").login = GITHUB_LOGIN;
    },
  },
  "monitoring.apiServerCidrs (all)": {
    config: (c) => (section(c, "monitoring").apiServerCidrs = ["10.250.0.0/24"]),
  },

  "bots[].name (all)": { config: (c) => (bot(c, LIVE_HB).name = "btc-usdt-mm-2") },
  "bots[].preset (trader)": {
    config: bots([LIVE_FT, PAPER_FT], (b) => {
      delete b.freqtrade;
      Object.assign(b, {
        preset: "custom",
        custom: {
          command: ["/bin/sleep"],
          args: ["infinity"],
          probes: {
            liveness: { type: "exec", command: ["true"] },
            readiness: { type: "exec", command: ["test", "-d", "/tmp"] },
          },
        },
      });
    }),
  },
  "bots[].workload (all)": {
    config: (c) => {
      const b = bot(c, PAPER_FT);
      Object.assign(b, { workload: "scheduled", schedule: "0 * * * *" });
      b.freqtrade.args = ["download-data", "--days", "7"];
    },
  },
  "bots[].image (trader)": { config: bots(TRADERS, (b) => (b.image = `${b.image.split(":")[0]}:9999.1`)) },
  "bots[].image (service)": {
    config: bots([SERVICE], (b) => (b.image = "ghcr.io/stefanprodan/podinfo:6.14.2")),
  },
  "bots[].image (scheduled)": { config: bots([SCHEDULED], (b) => (b.image = "postgres:15.19-bookworm")) },
  "bots[].paperTrading (trader: paper to live)": {
    config: bots([PAPER_FT], (b) => (b.paperTrading = false)),
  },
  "bots[].paperTrading (trader: live to paper)": { config: bots([LIVE_FT], (b) => (b.paperTrading = true)) },
  "bots[].exchange (hummingbot, freqtrade)": {
    config: bots([LIVE_FT, PAPER_FT], (b) => (b.exchange = "binance")),
  },
  "bots[].resources, bots[].terminationGracePeriodSeconds (trader)": {
    config: bots(TRADERS, (b) => (b.terminationGracePeriodSeconds = 240)),
  },
  "bots[].resources, bots[].terminationGracePeriodSeconds (service)": {
    config: bots([SERVICE], (b) => (b.terminationGracePeriodSeconds = 45)),
  },
  "bots[].restartOnConfigChange (live trader)": {
    config: bots([LIVE_FT], (b) => (b.restartOnConfigChange = true)),
  },
  "bots[].storage (trader: smaller)": { config: bots([LIVE_FT], (b) => (b.storage = "5Gi")) },
  "bots[].storage (trader: larger)": { config: bots([LIVE_FT], (b) => (b.storage = "20Gi")) },
  "bots[].storageClass (trader)": {
    config: bots([LIVE_FT], (b) => (b.storageClass = "do-block-storage-xfs")),
  },
  "bots[].storage (scheduled)": { config: bots([SCHEDULED], (b) => (b.storage = "2Gi")) },
  "bots[].stopped (trader)": { config: bots([LIVE_FT], (b) => (b.stopped = true)) },
  "bots[].stopped (service)": { config: bots([SERVICE], (b) => (b.stopped = true)) },
  "bots[].stopped, bots[].schedule, bots[].activeDeadlineSeconds (scheduled)": {
    config: bots([SCHEDULED], (b) => (b.schedule = "5 1 * * *")),
  },
  "bots[].autoscaling (service)": { config: bots([SERVICE], (b) => (b.autoscaling.maxReplicas = 16)) },
  "bots[].hummingbot (hummingbot)": {
    config: bots(
      [LIVE_HB],
      (b) => (b.hummingbot.configFiles["scripts/conf_simple_pmm_btc.yml"].bid_spread = 0.003),
    ),
  },
  "bots[].freqtrade (freqtrade trader)": {
    config: bots([LIVE_FT, PAPER_FT], (b) => (b.freqtrade.config.stake_amount = 300)),
  },
  "bots[].freqtrade (freqtrade scheduled)": {
    base: "dev",
    config: bots(["ft-download"], (b) => (b.freqtrade.args = ["download-data", "--days", "60"])),
  },
  "bots[].custom (service)": {
    config: bots([SERVICE], (b) => (b.custom.args = [...b.custom.args, "--random-delay=false"])),
  },
  "bots[].custom (scheduled)": { config: bots([SCHEDULED], (b) => (b.custom.command = ["bash", "-c"])) },
  "bots[].clients (service)": { config: bots([SERVICE], (b) => (b.clients = [LIVE_FT])) },
  "bots[].usesRedis, bots[].usesPostgres (trader)": { config: bots(TRADERS, (b) => (b.usesRedis = true)) },
  "bots[].postgresAccess (scheduled)": { config: bots([SCHEDULED], (b) => (b.postgresAccess = "schema")) },
  "bots[].egressHosts (all)": {
    baseConfig: (c) => (section(c, "platform").botEgress = "fqdn"),
    config: bots([LIVE_FT], (b) => (b.egressHosts = ["api.telegram.org"])),
  },
  "bots[].egressPorts (trader)": { config: bots([LIVE_FT], (b) => (b.egressPorts = [7443])) },

  "costs (all)": { config: (c) => (section(c, "costs").volumeUsdPerGiB = 0.12) },
  "botSecrets (all)": { values: json("botfleet:botSecrets", (o) => (o[LIVE_FT].apiKey = "rotated-key")) },
  "alerting (all)": {
    values: (v) =>
      (v["botfleet:alerting"] = JSON.stringify({ webhook: { url: "https://hooks.example.com/x" } })),
  },
  "grafanaLogin (monitoring.login)": {
    baseConfig: (c) => {
      section(c, "monitoring").ingress = GRAFANA_INGRESS;
      section(c, "monitoring").login = GITHUB_LOGIN;
    },
    values: (v) => (v["botfleet:grafanaLogin"] = JSON.stringify({ clientSecret: "rotated-client-secret" })),
  },
  "backupCredentials (postgres.backup.enabled)": {
    values: json("botfleet:backupCredentials", (o) => (o.accessKeyId = "rotated-access-key")),
  },
};
