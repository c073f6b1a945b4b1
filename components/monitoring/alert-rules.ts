/**
 * THE alert rules of the fleet, written once as data. `rules.ts` substitutes the placeholders
 * ($BOTS_NS, $DATA_NS, $MONITORING_NS, $BACKUP_MAX_AGE_SECONDS) and adds runbook_url; the PrometheusRule
 * and the promtool tests both render from here.
 *
 * Label sources: `bot`, `mode`, `preset`, `workload`, `exchange`, `app`, `component` come from the PodMonitors'
 * relabelings (monitors.ts); `kube_*` series from kube-state-metrics; `node_timex_*` from node-exporter;
 * `kubelet_volume_stats_*` from the kubelet; `redis_*` from redis_exporter; `pg_*` from postgres_exporter.
 */

export type Severity = "critical" | "warning";

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  /** A fixed severity, or a Go template that yields one (e.g. by trading mode). */
  readonly severity: Severity | string;
  readonly summary: string;
  readonly description: string;
  /** Only rendered when the stack terminates TLS (cert-manager present). */
  readonly onlyWithTls?: boolean;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** Live bots page; paper bots only warn. `mode` is relabelled from `botfleet.io/mode`. */
const BY_MODE = '{{ if eq $labels.mode "live" }}critical{{ else }}warning{{ end }}';

export const ALERT_GROUPS: readonly AlertGroup[] = [
  {
    name: "botfleet.bots",
    rules: [
      {
        alert: "BotDown",
        // `up` says the metrics endpoint answers; `botfleet_bot_up` is the exporter's word on the bot itself
        // (freqtrade's API, hummingbot's MQTT heartbeat): either at 0 means the bot is not trading.
        expr: 'up{namespace="$BOTS_NS", bot!=""} == 0 or botfleet_bot_up{namespace="$BOTS_NS", bot!=""} == 0',
        for: "2m",
        severity: BY_MODE,
        summary: "Bot {{ $labels.bot }} is down",
        description:
          "Bot {{ $labels.bot }} ({{ $labels.mode }}, {{ $labels.exchange }}) on pod {{ $labels.pod }} has been down for 2 minutes: its metrics endpoint fails every scrape, or its exporter cannot reach the bot (freqtrade API, hummingbot heartbeat).",
      },
      {
        alert: "BotMetricsMissing",
        // Scheduled bots are scraped only while a run lasts: their targets come and go by design.
        expr: 'max by (namespace, bot, mode) (max_over_time(up{namespace="$BOTS_NS", bot!="", workload!="scheduled"}[1h])) unless max by (namespace, bot, mode) (up{namespace="$BOTS_NS", bot!="", workload!="scheduled"})',
        for: "10m",
        severity: BY_MODE,
        summary: "Bot {{ $labels.bot }} is no longer scraped",
        description:
          "Bot {{ $labels.bot }} was scraped in the last hour but has no scrape target now: its pod is gone, unschedulable, or lost its metrics port.",
      },
      {
        alert: "BotHeartbeatStale",
        // Only the bot's own loop counts: freqtrade_last_poll_timestamp_seconds stays fresh while the API
        // answers, even when the trading loop has stalled or the bot is stopped.
        expr: 'time() - max by (namespace, bot, mode) (botfleet_bot_heartbeat_timestamp_seconds{namespace="$BOTS_NS"}) > 300',
        for: "2m",
        severity: BY_MODE,
        summary: "Bot {{ $labels.bot }} has not completed a loop for 5 minutes",
        description:
          "The heartbeat of bot {{ $labels.bot }} is {{ $value | humanizeDuration }} old: the process answers scrapes but its trading loop has stalled.",
      },
      {
        alert: "BotNotReady",
        // Shared objects (botfleet-*: the MQTT broker) have their own alerts; finished CronJob pods are never ready.
        expr: 'max by (namespace, pod) (kube_pod_status_ready{namespace="$BOTS_NS", condition="false", pod!~"botfleet-.*"}) == 1 unless on (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{namespace="$BOTS_NS", phase=~"Succeeded|Failed"}) == 1)',
        for: "10m",
        severity: "warning",
        summary: "Bot pod {{ $labels.pod }} is not ready",
        description:
          "Pod {{ $labels.namespace }}/{{ $labels.pod }} has failed its readiness probe for 10 minutes.",
      },
      {
        alert: "BotCrashLooping",
        expr: 'max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{namespace="$BOTS_NS", reason="CrashLoopBackOff"}[5m])) >= 1',
        for: "5m",
        severity: "critical",
        summary: "Bot container {{ $labels.pod }}/{{ $labels.container }} is crash looping",
        description:
          "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 5 minutes.",
      },
      {
        alert: "BotRestartingOften",
        expr: 'increase(kube_pod_container_status_restarts_total{namespace="$BOTS_NS"}[1h]) > 3',
        severity: "warning",
        summary: "Bot container {{ $labels.pod }}/{{ $labels.container }} restarts often",
        description:
          'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | printf "%.0f" }} times in the last hour.',
      },
      {
        alert: "TraderNotSingleton",
        // Traders are the only StatefulSets in the bots namespace; a paused trader (replicas 0) is quiet.
        // Bot names may not start with "botfleet-": that prefix is the shared MQTT broker's.
        expr: 'kube_statefulset_replicas{namespace="$BOTS_NS", statefulset!~"botfleet-.*"} > 0 and on (namespace, statefulset) (kube_statefulset_status_replicas_ready{namespace="$BOTS_NS"} != 1)',
        for: "5m",
        severity: "critical",
        summary: "Trader {{ $labels.statefulset }} is not running exactly one ready pod",
        description:
          "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} should run exactly one ready trader pod and has not for 5 minutes: the bot is not trading (or, worse, runs twice).",
      },
      {
        alert: "BotServiceHpaMaxedOut",
        expr: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="$BOTS_NS"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace="$BOTS_NS"}',
        for: "15m",
        severity: "warning",
        summary: "HPA {{ $labels.horizontalpodautoscaler }} is at its maximum",
        description:
          "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at maxReplicas for 15 minutes; the service may be saturated.",
      },
    ],
  },
  {
    name: "botfleet.redis",
    rules: [
      {
        alert: "RedisDown",
        expr: 'redis_up{namespace="$DATA_NS"} == 0',
        for: "2m",
        severity: "critical",
        summary: "Redis {{ $labels.pod }} is down",
        description: "redis_exporter on {{ $labels.pod }} cannot reach its Redis server for 2 minutes.",
      },
      {
        alert: "DataExporterDown",
        expr: 'up{namespace="$DATA_NS", app=~"redis|postgres"} == 0',
        for: "5m",
        severity: "warning",
        summary: "{{ $labels.app }} exporter on {{ $labels.pod }} is not scraped",
        description:
          "Prometheus has failed to scrape the {{ $labels.app }} exporter on {{ $labels.pod }} for 5 minutes; the data layer is unobserved.",
      },
      {
        alert: "RedisNoPrimary",
        expr: 'count by (namespace) (redis_instance_info{namespace="$DATA_NS"}) unless count by (namespace) (redis_instance_info{namespace="$DATA_NS", role="master"})',
        for: "1m",
        severity: "critical",
        summary: "Redis has no primary",
        description: "Redis instances in {{ $labels.namespace }} are up but none is a master: writes fail.",
      },
      {
        alert: "RedisMultiplePrimaries",
        expr: 'count by (namespace) (redis_instance_info{namespace="$DATA_NS", role="master"}) > 1',
        for: "1m",
        severity: "critical",
        summary: "Redis has {{ $value }} primaries (split brain)",
        description: "More than one Redis instance in {{ $labels.namespace }} claims the master role.",
      },
      {
        alert: "RedisReplicationBroken",
        expr: 'redis_master_link_up{namespace="$DATA_NS"} == 0',
        for: "2m",
        severity: "critical",
        summary: "Redis replica {{ $labels.pod }} lost its primary",
        description: "The replication link of {{ $labels.pod }} to its master has been down for 2 minutes.",
      },
    ],
  },
  {
    name: "botfleet.postgres",
    rules: [
      {
        alert: "PostgresDown",
        expr: 'pg_up{namespace="$DATA_NS"} == 0',
        for: "2m",
        severity: "critical",
        summary: "Postgres {{ $labels.pod }} is down",
        description: "postgres_exporter on {{ $labels.pod }} cannot connect to Postgres for 2 minutes.",
      },
      {
        alert: "PostgresReplicaLagging",
        expr: 'pg_replication_lag_seconds{namespace="$DATA_NS"} > 120',
        for: "5m",
        severity: "warning",
        summary: "Postgres replica {{ $labels.pod }} lags {{ $value | humanizeDuration }}",
        description:
          "Replica {{ $labels.pod }} has replayed nothing newer than {{ $value | humanizeDuration }} for 5 minutes; reads from postgres-ro are stale.",
      },
      {
        alert: "PostgresConnectionsNearMax",
        expr: 'sum by (namespace, pod) (pg_stat_activity_count{namespace="$DATA_NS"}) / on (namespace, pod) max by (namespace, pod) (pg_settings_max_connections{namespace="$DATA_NS"}) > 0.8',
        for: "5m",
        severity: "warning",
        summary: "Postgres {{ $labels.pod }} uses {{ $value | humanizePercentage }} of max_connections",
        description: "New bot connections will be refused once max_connections is reached.",
      },
      {
        alert: "PostgresBackupTooOld",
        expr: 'time() - kube_cronjob_status_last_successful_time{namespace="$DATA_NS", cronjob="postgres-backup"} > $BACKUP_MAX_AGE_SECONDS',
        severity: "critical",
        summary: "Last successful Postgres backup is {{ $value | humanizeDuration }} old",
        description:
          "CronJob {{ $labels.namespace }}/postgres-backup has not succeeded for longer than the allowed backup age: a restore would lose that much data.",
      },
      {
        alert: "PostgresBackupNeverSucceeded",
        expr: '(time() - kube_cronjob_created{namespace="$DATA_NS", cronjob="postgres-backup"} > $BACKUP_MAX_AGE_SECONDS) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{namespace="$DATA_NS", cronjob="postgres-backup"}',
        severity: "critical",
        summary: "Postgres backup has never succeeded",
        description:
          "CronJob {{ $labels.namespace }}/postgres-backup exists for longer than the allowed backup age without one successful run.",
      },
      {
        alert: "PostgresBackupFailing",
        expr: 'max by (namespace, job_name) (kube_job_status_failed{namespace="$DATA_NS", job_name=~"postgres-backup-.*"}) > 0',
        severity: "warning",
        summary: "Postgres backup job {{ $labels.job_name }} failed",
        description:
          "Backup run {{ $labels.job_name }} failed; check its logs before the backup becomes too old.",
      },
    ],
  },
  {
    name: "botfleet.platform",
    rules: [
      {
        alert: "PersistentVolumeFillingUp",
        expr: 'kubelet_volume_stats_available_bytes{namespace=~"$BOTS_NS|$DATA_NS|$MONITORING_NS"} / kubelet_volume_stats_capacity_bytes{namespace=~"$BOTS_NS|$DATA_NS|$MONITORING_NS"} < 0.15',
        for: "5m",
        severity: "warning",
        summary: "PVC {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} free",
        description:
          "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 15% free space.",
      },
      {
        alert: "PersistentVolumeAlmostFull",
        expr: 'kubelet_volume_stats_available_bytes{namespace=~"$BOTS_NS|$DATA_NS|$MONITORING_NS"} / kubelet_volume_stats_capacity_bytes{namespace=~"$BOTS_NS|$DATA_NS|$MONITORING_NS"} < 0.05',
        for: "2m",
        severity: "critical",
        summary: "PVC {{ $labels.persistentvolumeclaim }} is almost full",
        description:
          "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 5% free space; Postgres and Redis stop accepting writes when it is full.",
      },
      {
        alert: "NodeClockSkew",
        // Exchanges reject signed requests outside their receive window (Binance: 5 s by default, less when tuned).
        expr: "abs(node_timex_offset_seconds) > 0.25",
        for: "5m",
        severity: "warning",
        summary: "Clock of node {{ $labels.instance }} is off by {{ $value | humanizeDuration }}",
        description: "Exchanges reject signed requests whose timestamp is outside their receive window.",
      },
      {
        alert: "NodeClockNotSynchronising",
        expr: "min_over_time(node_timex_sync_status[5m]) == 0",
        for: "10m",
        severity: "warning",
        summary: "Clock of node {{ $labels.instance }} is not synchronising",
        description:
          "NTP has not synchronised the clock of {{ $labels.instance }} for 10 minutes; drift will follow.",
      },
      {
        alert: "CertificateExpiringSoon",
        expr: "certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 86400",
        for: "1h",
        severity: "warning",
        summary:
          "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}",
        description: "cert-manager has not renewed the certificate; check the issuer and the ACME challenge.",
        onlyWithTls: true,
      },
    ],
  },
];
