/**
 * promtool unit-test cases for every alert in components/monitoring/alert-rules.ts: for each alert at
 * least one case where it fires (with its exact labels, severity included) and one where it stays quiet.
 * Namespaces are the defaults; the backup age is 26h (93600 s).
 */

export interface Series {
  series: string;
  values: string;
}

export interface AlertCase {
  /** What the case shows, for failure messages. */
  name: string;
  alertname: string;
  /** promtool duration, e.g. "5m". */
  evalTime: string;
  /** Sample interval; <= 5m so that `for:` clauses can elapse. @default "1m" */
  interval?: string;
  series: Series[];
  /** Expected alerts' labels (alertname is implied); empty means "must not fire". */
  fires: Record<string, string>[];
}

export const BOTS = "botfleet-bots";
export const DATA = "botfleet-data";
export const MON = "botfleet-monitoring";
export const BACKUP_MAX_AGE_SECONDS = 93600;

const bot = (name: string, mode: "live" | "paper") =>
  `namespace="${BOTS}", bot="${name}", mode="${mode}", pod="${name}-0", exchange="binance"`;
const botLabels = (name: string, mode: "live" | "paper") => ({
  namespace: BOTS,
  bot: name,
  mode,
  pod: `${name}-0`,
  exchange: "binance",
});

export const ALERT_CASES: AlertCase[] = [
  // --- bots
  {
    name: "live bot failing scrapes pages",
    alertname: "BotDown",
    evalTime: "5m",
    series: [{ series: `up{${bot("btc-mm", "live")}}`, values: "0x10" }],
    fires: [{ ...botLabels("btc-mm", "live"), severity: "critical" }],
  },
  {
    name: "paper bot failing scrapes only warns",
    alertname: "BotDown",
    evalTime: "5m",
    series: [{ series: `up{${bot("eth-mm", "paper")}}`, values: "0x10" }],
    fires: [{ ...botLabels("eth-mm", "paper"), severity: "warning" }],
  },
  {
    name: "exporter answers but reports the bot down (API unreachable, no heartbeat)",
    alertname: "BotDown",
    evalTime: "5m",
    series: [
      { series: `up{${bot("ft-1", "live")}}`, values: "1x10" },
      { series: `botfleet_bot_up{${bot("ft-1", "live")}}`, values: "0x10" },
    ],
    fires: [{ ...botLabels("ft-1", "live"), severity: "critical" }],
  },
  {
    name: "healthy bot, and a down bot still inside its 2m grace",
    alertname: "BotDown",
    evalTime: "1m",
    series: [
      { series: `up{${bot("btc-mm", "live")}}`, values: "1x10" },
      { series: `up{${bot("eth-mm", "live")}}`, values: "0x10" },
    ],
    fires: [],
  },
  {
    name: "bot target vanished 25 minutes ago",
    alertname: "BotMetricsMissing",
    evalTime: "50m",
    series: [{ series: `up{${bot("eth-arb", "paper")}}`, values: "1x20 _x40" }],
    fires: [{ namespace: BOTS, bot: "eth-arb", mode: "paper", severity: "warning" }],
  },
  {
    name: "a scheduled bot's target ends with its run",
    alertname: "BotMetricsMissing",
    evalTime: "50m",
    series: [{ series: `up{${bot("daily-report", "paper")}, workload="scheduled"}`, values: "1x20 _x40" }],
    fires: [],
  },
  {
    name: "bot target present the whole hour",
    alertname: "BotMetricsMissing",
    evalTime: "50m",
    series: [{ series: `up{${bot("eth-arb", "paper")}}`, values: "1x60" }],
    fires: [],
  },
  {
    name: "heartbeat frozen at 5m",
    alertname: "BotHeartbeatStale",
    evalTime: "15m",
    series: [
      {
        series: `botfleet_bot_heartbeat_timestamp_seconds{${bot("sol-grid", "live")}}`,
        values: "0+60x5 300x20",
      },
    ],
    fires: [{ namespace: BOTS, bot: "sol-grid", mode: "live", severity: "critical" }],
  },
  {
    name: "API polls fresh but the trading loop frozen: the poll time does not hide it",
    alertname: "BotHeartbeatStale",
    evalTime: "15m",
    series: [
      {
        series: `botfleet_bot_heartbeat_timestamp_seconds{${bot("ft-1", "paper")}}`,
        values: "0+60x5 300x20",
      },
      { series: `freqtrade_last_poll_timestamp_seconds{${bot("ft-1", "paper")}}`, values: "0+60x20" },
    ],
    fires: [{ namespace: BOTS, bot: "ft-1", mode: "paper", severity: "warning" }],
  },
  {
    name: "fresh heartbeats",
    alertname: "BotHeartbeatStale",
    evalTime: "15m",
    series: [
      { series: `botfleet_bot_heartbeat_timestamp_seconds{${bot("sol-grid", "live")}}`, values: "0+60x20" },
      { series: `botfleet_bot_heartbeat_timestamp_seconds{${bot("ft-1", "paper")}}`, values: "0+60x20" },
    ],
    fires: [],
  },
  {
    name: "pod unready for 15m",
    alertname: "BotNotReady",
    evalTime: "15m",
    series: [
      {
        series: `kube_pod_status_ready{namespace="${BOTS}", pod="btc-mm-0", condition="false"}`,
        values: "1x20",
      },
    ],
    fires: [{ namespace: BOTS, pod: "btc-mm-0", severity: "warning" }],
  },
  {
    name: "pod ready",
    alertname: "BotNotReady",
    evalTime: "15m",
    series: [
      {
        series: `kube_pod_status_ready{namespace="${BOTS}", pod="btc-mm-0", condition="false"}`,
        values: "0x20",
      },
      {
        series: `kube_pod_status_ready{namespace="${BOTS}", pod="btc-mm-0", condition="true"}`,
        values: "1x20",
      },
    ],
    fires: [],
  },
  {
    name: "finished CronJob pods and the shared MQTT broker are not bot pods",
    alertname: "BotNotReady",
    evalTime: "15m",
    series: [
      {
        series: `kube_pod_status_ready{namespace="${BOTS}", pod="report-28800-abcde", condition="false"}`,
        values: "1x20",
      },
      {
        series: `kube_pod_status_phase{namespace="${BOTS}", pod="report-28800-abcde", phase="Succeeded"}`,
        values: "1x20",
      },
      {
        series: `kube_pod_status_ready{namespace="${BOTS}", pod="botfleet-mqtt-0", condition="false"}`,
        values: "1x20",
      },
    ],
    fires: [],
  },
  {
    name: "container in CrashLoopBackOff",
    alertname: "BotCrashLooping",
    evalTime: "10m",
    series: [
      {
        series: `kube_pod_container_status_waiting_reason{namespace="${BOTS}", pod="btc-mm-0", container="bot", reason="CrashLoopBackOff"}`,
        values: "1x15",
      },
    ],
    fires: [{ namespace: BOTS, pod: "btc-mm-0", container: "bot", severity: "critical" }],
  },
  {
    name: "container waiting for another reason, or not at all",
    alertname: "BotCrashLooping",
    evalTime: "10m",
    series: [
      {
        series: `kube_pod_container_status_waiting_reason{namespace="${BOTS}", pod="btc-mm-0", container="bot", reason="CrashLoopBackOff"}`,
        values: "0x15",
      },
      {
        series: `kube_pod_container_status_waiting_reason{namespace="${BOTS}", pod="btc-mm-0", container="bot", reason="ContainerCreating"}`,
        values: "1x15",
      },
    ],
    fires: [],
  },
  {
    name: "a restart every minute",
    alertname: "BotRestartingOften",
    evalTime: "65m",
    series: [
      {
        series: `kube_pod_container_status_restarts_total{namespace="${BOTS}", pod="btc-mm-0", container="bot"}`,
        values: "0+1x70",
      },
    ],
    fires: [{ namespace: BOTS, pod: "btc-mm-0", container: "bot", severity: "warning" }],
  },
  {
    name: "old restarts, none in the last hour",
    alertname: "BotRestartingOften",
    evalTime: "65m",
    series: [
      {
        series: `kube_pod_container_status_restarts_total{namespace="${BOTS}", pod="btc-mm-0", container="bot"}`,
        values: "5x70",
      },
    ],
    fires: [],
  },
  {
    name: "trader wants 1 pod, has 0 ready",
    alertname: "TraderNotSingleton",
    evalTime: "10m",
    series: [
      { series: `kube_statefulset_replicas{namespace="${BOTS}", statefulset="btc-mm"}`, values: "1x15" },
      {
        series: `kube_statefulset_status_replicas_ready{namespace="${BOTS}", statefulset="btc-mm"}`,
        values: "0x15",
      },
    ],
    fires: [{ namespace: BOTS, statefulset: "btc-mm", severity: "critical" }],
  },
  {
    name: "the shared MQTT broker StatefulSet is not a trader",
    alertname: "TraderNotSingleton",
    evalTime: "10m",
    series: [
      {
        series: `kube_statefulset_replicas{namespace="${BOTS}", statefulset="botfleet-mqtt"}`,
        values: "1x15",
      },
      {
        series: `kube_statefulset_status_replicas_ready{namespace="${BOTS}", statefulset="botfleet-mqtt"}`,
        values: "0x15",
      },
    ],
    fires: [],
  },
  {
    name: "trader with two ready pods",
    alertname: "TraderNotSingleton",
    evalTime: "10m",
    series: [
      { series: `kube_statefulset_replicas{namespace="${BOTS}", statefulset="btc-mm"}`, values: "2x15" },
      {
        series: `kube_statefulset_status_replicas_ready{namespace="${BOTS}", statefulset="btc-mm"}`,
        values: "2x15",
      },
    ],
    fires: [{ namespace: BOTS, statefulset: "btc-mm", severity: "critical" }],
  },
  {
    name: "trader running its one pod, and a paused trader",
    alertname: "TraderNotSingleton",
    evalTime: "10m",
    series: [
      { series: `kube_statefulset_replicas{namespace="${BOTS}", statefulset="btc-mm"}`, values: "1x15" },
      {
        series: `kube_statefulset_status_replicas_ready{namespace="${BOTS}", statefulset="btc-mm"}`,
        values: "1x15",
      },
      { series: `kube_statefulset_replicas{namespace="${BOTS}", statefulset="paused"}`, values: "0x15" },
      {
        series: `kube_statefulset_status_replicas_ready{namespace="${BOTS}", statefulset="paused"}`,
        values: "0x15",
      },
    ],
    fires: [],
  },
  {
    name: "HPA at max for 20m",
    alertname: "BotServiceHpaMaxedOut",
    evalTime: "20m",
    series: [
      {
        series: `kube_horizontalpodautoscaler_status_current_replicas{namespace="${BOTS}", horizontalpodautoscaler="signals"}`,
        values: "5x25",
      },
      {
        series: `kube_horizontalpodautoscaler_spec_max_replicas{namespace="${BOTS}", horizontalpodautoscaler="signals"}`,
        values: "5x25",
      },
    ],
    fires: [{ namespace: BOTS, horizontalpodautoscaler: "signals", severity: "warning" }],
  },
  {
    name: "HPA below max",
    alertname: "BotServiceHpaMaxedOut",
    evalTime: "20m",
    series: [
      {
        series: `kube_horizontalpodautoscaler_status_current_replicas{namespace="${BOTS}", horizontalpodautoscaler="signals"}`,
        values: "3x25",
      },
      {
        series: `kube_horizontalpodautoscaler_spec_max_replicas{namespace="${BOTS}", horizontalpodautoscaler="signals"}`,
        values: "5x25",
      },
    ],
    fires: [],
  },
  // --- redis
  {
    name: "exporter cannot reach redis",
    alertname: "RedisDown",
    evalTime: "4m",
    series: [{ series: `redis_up{namespace="${DATA}", pod="redis-0"}`, values: "0x5" }],
    fires: [{ namespace: DATA, pod: "redis-0", severity: "critical" }],
  },
  {
    name: "redis up",
    alertname: "RedisDown",
    evalTime: "4m",
    series: [{ series: `redis_up{namespace="${DATA}", pod="redis-0"}`, values: "1x5" }],
    fires: [],
  },
  {
    name: "postgres exporter not scraped",
    alertname: "DataExporterDown",
    evalTime: "8m",
    series: [{ series: `up{namespace="${DATA}", app="postgres", pod="postgres-0"}`, values: "0x10" }],
    fires: [{ namespace: DATA, app: "postgres", pod: "postgres-0", severity: "warning" }],
  },
  {
    name: "exporters scraped; an unrelated target down",
    alertname: "DataExporterDown",
    evalTime: "8m",
    series: [
      { series: `up{namespace="${DATA}", app="redis", pod="redis-0"}`, values: "1x10" },
      { series: `up{namespace="${DATA}", app="other", pod="x-0"}`, values: "0x10" },
    ],
    fires: [],
  },
  {
    name: "all redis instances are replicas",
    alertname: "RedisNoPrimary",
    evalTime: "3m",
    series: [
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-0", role="slave"}`, values: "1x5" },
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-1", role="slave"}`, values: "1x5" },
    ],
    fires: [{ namespace: DATA, severity: "critical" }],
  },
  {
    name: "one primary, one replica",
    alertname: "RedisNoPrimary",
    evalTime: "3m",
    series: [
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-0", role="master"}`, values: "1x5" },
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-1", role="slave"}`, values: "1x5" },
    ],
    fires: [],
  },
  {
    name: "two primaries",
    alertname: "RedisMultiplePrimaries",
    evalTime: "3m",
    series: [
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-0", role="master"}`, values: "1x5" },
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-1", role="master"}`, values: "1x5" },
    ],
    fires: [{ namespace: DATA, severity: "critical" }],
  },
  {
    name: "a single primary",
    alertname: "RedisMultiplePrimaries",
    evalTime: "3m",
    series: [
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-0", role="master"}`, values: "1x5" },
      { series: `redis_instance_info{namespace="${DATA}", pod="redis-1", role="slave"}`, values: "1x5" },
    ],
    fires: [],
  },
  {
    name: "replica link down",
    alertname: "RedisReplicationBroken",
    evalTime: "4m",
    series: [{ series: `redis_master_link_up{namespace="${DATA}", pod="redis-1"}`, values: "0x5" }],
    fires: [{ namespace: DATA, pod: "redis-1", severity: "critical" }],
  },
  {
    name: "replica link up",
    alertname: "RedisReplicationBroken",
    evalTime: "4m",
    series: [{ series: `redis_master_link_up{namespace="${DATA}", pod="redis-1"}`, values: "1x5" }],
    fires: [],
  },
  // --- postgres
  {
    name: "exporter cannot connect",
    alertname: "PostgresDown",
    evalTime: "4m",
    series: [{ series: `pg_up{namespace="${DATA}", pod="postgres-0"}`, values: "0x5" }],
    fires: [{ namespace: DATA, pod: "postgres-0", severity: "critical" }],
  },
  {
    name: "postgres up",
    alertname: "PostgresDown",
    evalTime: "4m",
    series: [{ series: `pg_up{namespace="${DATA}", pod="postgres-0"}`, values: "1x5" }],
    fires: [],
  },
  {
    name: "replica 5 minutes behind",
    alertname: "PostgresReplicaLagging",
    evalTime: "8m",
    series: [
      { series: `pg_replication_lag_seconds{namespace="${DATA}", pod="postgres-1"}`, values: "300x10" },
    ],
    fires: [{ namespace: DATA, pod: "postgres-1", severity: "warning" }],
  },
  {
    name: "replica 10 seconds behind",
    alertname: "PostgresReplicaLagging",
    evalTime: "8m",
    series: [
      { series: `pg_replication_lag_seconds{namespace="${DATA}", pod="postgres-1"}`, values: "10x10" },
    ],
    fires: [],
  },
  {
    name: "90 of 100 connections used",
    alertname: "PostgresConnectionsNearMax",
    evalTime: "8m",
    series: [
      {
        series: `pg_stat_activity_count{namespace="${DATA}", pod="postgres-0", state="active"}`,
        values: "50x10",
      },
      {
        series: `pg_stat_activity_count{namespace="${DATA}", pod="postgres-0", state="idle"}`,
        values: "40x10",
      },
      { series: `pg_settings_max_connections{namespace="${DATA}", pod="postgres-0"}`, values: "100x10" },
    ],
    fires: [{ namespace: DATA, pod: "postgres-0", severity: "warning" }],
  },
  {
    name: "50 of 100 connections used",
    alertname: "PostgresConnectionsNearMax",
    evalTime: "8m",
    series: [
      {
        series: `pg_stat_activity_count{namespace="${DATA}", pod="postgres-0", state="active"}`,
        values: "30x10",
      },
      {
        series: `pg_stat_activity_count{namespace="${DATA}", pod="postgres-0", state="idle"}`,
        values: "20x10",
      },
      { series: `pg_settings_max_connections{namespace="${DATA}", pod="postgres-0"}`, values: "100x10" },
    ],
    fires: [],
  },
  {
    name: "last successful backup at t=0, now 27h",
    alertname: "PostgresBackupTooOld",
    evalTime: "27h",
    interval: "5m",
    series: [
      {
        series: `kube_cronjob_status_last_successful_time{namespace="${DATA}", cronjob="postgres-backup"}`,
        values: "0x330",
      },
    ],
    fires: [{ namespace: DATA, cronjob: "postgres-backup", severity: "critical" }],
  },
  {
    name: "backup succeeding every 5 minutes; another cronjob stale",
    alertname: "PostgresBackupTooOld",
    evalTime: "27h",
    interval: "5m",
    series: [
      {
        series: `kube_cronjob_status_last_successful_time{namespace="${DATA}", cronjob="postgres-backup"}`,
        values: "0+300x330",
      },
      {
        series: `kube_cronjob_status_last_successful_time{namespace="${DATA}", cronjob="other"}`,
        values: "0x330",
      },
    ],
    fires: [],
  },
  {
    name: "cronjob 27h old, never succeeded",
    alertname: "PostgresBackupNeverSucceeded",
    evalTime: "27h",
    interval: "5m",
    series: [
      { series: `kube_cronjob_created{namespace="${DATA}", cronjob="postgres-backup"}`, values: "0x330" },
    ],
    fires: [{ namespace: DATA, cronjob: "postgres-backup", severity: "critical" }],
  },
  {
    name: "cronjob 27h old with a success; a new cronjob without one yet",
    alertname: "PostgresBackupNeverSucceeded",
    evalTime: "27h",
    interval: "5m",
    series: [
      { series: `kube_cronjob_created{namespace="${DATA}", cronjob="postgres-backup"}`, values: "0x330" },
      {
        series: `kube_cronjob_status_last_successful_time{namespace="${DATA}", cronjob="postgres-backup"}`,
        values: "3600x330",
      },
    ],
    fires: [],
  },
  {
    name: "backup job failed",
    alertname: "PostgresBackupFailing",
    evalTime: "2m",
    series: [
      {
        series: `kube_job_status_failed{namespace="${DATA}", job_name="postgres-backup-29000000", reason="BackoffLimitExceeded"}`,
        values: "1x5",
      },
    ],
    fires: [{ namespace: DATA, job_name: "postgres-backup-29000000", severity: "warning" }],
  },
  {
    name: "backup job fine, another job failed",
    alertname: "PostgresBackupFailing",
    evalTime: "2m",
    series: [
      {
        series: `kube_job_status_failed{namespace="${DATA}", job_name="postgres-backup-29000000"}`,
        values: "0x5",
      },
      { series: `kube_job_status_failed{namespace="${DATA}", job_name="migrate-1"}`, values: "1x5" },
    ],
    fires: [],
  },
  // --- platform
  {
    name: "postgres volume 10% free",
    alertname: "PersistentVolumeFillingUp",
    evalTime: "8m",
    series: [
      {
        series: `kubelet_volume_stats_available_bytes{namespace="${DATA}", persistentvolumeclaim="data-postgres-0"}`,
        values: "10x10",
      },
      {
        series: `kubelet_volume_stats_capacity_bytes{namespace="${DATA}", persistentvolumeclaim="data-postgres-0"}`,
        values: "100x10",
      },
    ],
    fires: [{ namespace: DATA, persistentvolumeclaim: "data-postgres-0", severity: "warning" }],
  },
  {
    name: "volume half free; a foreign namespace's volume nearly full",
    alertname: "PersistentVolumeFillingUp",
    evalTime: "8m",
    series: [
      {
        series: `kubelet_volume_stats_available_bytes{namespace="${DATA}", persistentvolumeclaim="data-postgres-0"}`,
        values: "50x10",
      },
      {
        series: `kubelet_volume_stats_capacity_bytes{namespace="${DATA}", persistentvolumeclaim="data-postgres-0"}`,
        values: "100x10",
      },
      {
        series: `kubelet_volume_stats_available_bytes{namespace="kube-system", persistentvolumeclaim="x"}`,
        values: "1x10",
      },
      {
        series: `kubelet_volume_stats_capacity_bytes{namespace="kube-system", persistentvolumeclaim="x"}`,
        values: "100x10",
      },
    ],
    fires: [],
  },
  {
    name: "prometheus volume 3% free",
    alertname: "PersistentVolumeAlmostFull",
    evalTime: "5m",
    series: [
      {
        series: `kubelet_volume_stats_available_bytes{namespace="${MON}", persistentvolumeclaim="prom-db"}`,
        values: "3x10",
      },
      {
        series: `kubelet_volume_stats_capacity_bytes{namespace="${MON}", persistentvolumeclaim="prom-db"}`,
        values: "100x10",
      },
    ],
    fires: [{ namespace: MON, persistentvolumeclaim: "prom-db", severity: "critical" }],
  },
  {
    name: "volume 10% free is not yet critical",
    alertname: "PersistentVolumeAlmostFull",
    evalTime: "5m",
    series: [
      {
        series: `kubelet_volume_stats_available_bytes{namespace="${MON}", persistentvolumeclaim="prom-db"}`,
        values: "10x10",
      },
      {
        series: `kubelet_volume_stats_capacity_bytes{namespace="${MON}", persistentvolumeclaim="prom-db"}`,
        values: "100x10",
      },
    ],
    fires: [],
  },
  {
    name: "node clock 500ms behind",
    alertname: "NodeClockSkew",
    evalTime: "8m",
    series: [{ series: `node_timex_offset_seconds{instance="10.0.0.1:9100"}`, values: "-0.5x10" }],
    fires: [{ instance: "10.0.0.1:9100", severity: "warning" }],
  },
  {
    name: "node clock within 10ms",
    alertname: "NodeClockSkew",
    evalTime: "8m",
    series: [{ series: `node_timex_offset_seconds{instance="10.0.0.1:9100"}`, values: "0.01x10" }],
    fires: [],
  },
  {
    name: "NTP not synchronised for 20m",
    alertname: "NodeClockNotSynchronising",
    evalTime: "18m",
    series: [{ series: `node_timex_sync_status{instance="10.0.0.1:9100"}`, values: "0x20" }],
    fires: [{ instance: "10.0.0.1:9100", severity: "warning" }],
  },
  {
    name: "NTP synchronised",
    alertname: "NodeClockNotSynchronising",
    evalTime: "18m",
    series: [{ series: `node_timex_sync_status{instance="10.0.0.1:9100"}`, values: "1x20" }],
    fires: [],
  },
  {
    name: "certificate expires in 7 days",
    alertname: "CertificateExpiringSoon",
    evalTime: "70m",
    series: [
      {
        series: `certmanager_certificate_expiration_timestamp_seconds{namespace="${MON}", name="grafana-tls"}`,
        values: "604800x90",
      },
    ],
    fires: [{ namespace: MON, name: "grafana-tls", severity: "warning" }],
  },
  {
    name: "certificate expires in 60 days",
    alertname: "CertificateExpiringSoon",
    evalTime: "70m",
    series: [
      {
        series: `certmanager_certificate_expiration_timestamp_seconds{namespace="${MON}", name="grafana-tls"}`,
        values: "5184000x90",
      },
    ],
    fires: [],
  },
];
