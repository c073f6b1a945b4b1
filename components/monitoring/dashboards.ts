/**
 * Grafana dashboards as code. Each is shipped in a ConfigMap labelled for the Grafana sidecar
 * (`grafana_dashboard: "1"`, the kube-prometheus-stack default). Expressions use no Grafana variables, so
 * every one of them is plain PromQL that promtool can parse (tested).
 */
import type { Namespaces } from "../../config/platform";

/** Datasource the kube-prometheus-stack sidecar provisions (`grafana.sidecar.datasources.uid`). */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  datasource: typeof PROMETHEUS_DATASOURCE;
}

export interface Panel {
  id: number;
  type: "stat" | "timeseries" | "table" | "piechart";
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: typeof PROMETHEUS_DATASOURCE;
  targets: Target[];
  fieldConfig: { defaults: { unit?: string }; overrides: unknown[] };
  options?: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: "utc";
  editable: boolean;
  schemaVersion: number;
  version: number;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: unknown[] };
  annotations: { list: unknown[] };
  panels: Panel[];
}

interface PanelSpec {
  type: Panel["type"];
  title: string;
  description?: string;
  unit?: string;
  w: number;
  h: number;
  queries: { expr: string; legend?: string; instant?: boolean }[];
}

/** Lays panels out left to right, wrapping at Grafana's 24 columns. */
function layout(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((s, i) => {
    if (x + s.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const panel: Panel = {
      id: i + 1,
      type: s.type,
      title: s.title,
      ...(s.description !== undefined ? { description: s.description } : {}),
      gridPos: { x, y, w: s.w, h: s.h },
      datasource: PROMETHEUS_DATASOURCE,
      targets: s.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        expr: q.expr,
        ...(q.legend !== undefined ? { legendFormat: q.legend } : {}),
        ...(q.instant ? { instant: true } : {}),
        datasource: PROMETHEUS_DATASOURCE,
      })),
      fieldConfig: { defaults: s.unit !== undefined ? { unit: s.unit } : {}, overrides: [] },
    };
    x += s.w;
    rowHeight = Math.max(rowHeight, s.h);
    return panel;
  });
}

function dashboard(uid: string, title: string, description: string, specs: PanelSpec[]): Dashboard {
  return {
    uid,
    title,
    description,
    tags: ["botfleet"],
    timezone: "utc",
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: { list: [] },
    annotations: { list: [] },
    panels: layout(specs),
  };
}

export interface DashboardArgs {
  readonly namespaces: Pick<Namespaces, "bots" | "data">;
}

export function fleetOverviewDashboard(args: DashboardArgs): Dashboard {
  const ns = `namespace="${args.namespaces.bots}"`;
  const bots = `up{${ns}, bot!=""}`;
  const containers = `${ns}, container!="", container!="POD"`;
  return dashboard(
    "botfleet-fleet",
    "Botfleet / Fleet overview",
    "Which bots run, in which mode, and what they cost.",
    [
      {
        type: "stat",
        title: "Bots up",
        w: 4,
        h: 4,
        queries: [{ expr: `count(${bots} == 1) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Bots down",
        w: 4,
        h: 4,
        queries: [{ expr: `count(${bots} == 0) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Live bots",
        description: "Bots trading real money (botfleet.io/mode=live).",
        w: 4,
        h: 4,
        queries: [{ expr: `count(${bots.replace("}", ', mode="live"}')}) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Paper bots",
        w: 4,
        h: 4,
        queries: [{ expr: `count(${bots.replace("}", ', mode="paper"}')}) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Firing bot alerts",
        w: 8,
        h: 4,
        queries: [{ expr: `count(ALERTS{alertstate="firing", ${ns}}) or vector(0)`, instant: true }],
      },
      {
        type: "piechart",
        title: "Paper vs live",
        w: 6,
        h: 8,
        queries: [{ expr: `count by (mode) (${bots})`, legend: "{{mode}}", instant: true }],
      },
      {
        type: "table",
        title: "Bots",
        description: "1 = scraped successfully.",
        w: 18,
        h: 8,
        queries: [{ expr: `max by (bot, mode, preset, workload, exchange) (${bots})`, instant: true }],
      },
      {
        type: "timeseries",
        title: "Bot up/down",
        w: 24,
        h: 6,
        queries: [{ expr: `max by (bot) (${bots})`, legend: "{{bot}}" }],
      },
      {
        type: "timeseries",
        title: "Restarts (1h)",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`,
            legend: "{{pod}}",
          },
        ],
      },
      {
        type: "timeseries",
        title: "Pods not ready",
        w: 12,
        h: 8,
        queries: [
          { expr: `sum by (pod) (kube_pod_status_ready{${ns}, condition="false"})`, legend: "{{pod}}" },
        ],
      },
      {
        type: "timeseries",
        title: "CPU per bot pod",
        unit: "cores",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${containers}}[5m]))`,
            legend: "{{pod}}",
          },
        ],
      },
      {
        type: "timeseries",
        title: "Memory per bot pod",
        unit: "bytes",
        w: 12,
        h: 8,
        queries: [
          { expr: `sum by (pod) (container_memory_working_set_bytes{${containers}})`, legend: "{{pod}}" },
        ],
      },
      {
        type: "timeseries",
        title: "Memory vs limit",
        unit: "percentunit",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (pod) (container_memory_working_set_bytes{${containers}}) / sum by (pod) (kube_pod_container_resource_limits{${ns}, resource="memory"})`,
            legend: "{{pod}}",
          },
        ],
      },
      {
        type: "timeseries",
        title: "Heartbeat age",
        unit: "s",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `time() - max by (bot) (botfleet_bot_heartbeat_timestamp_seconds{${ns}})`,
            legend: "{{bot}}",
          },
        ],
      },
    ],
  );
}

export function dataLayerDashboard(args: DashboardArgs): Dashboard {
  const ns = `namespace="${args.namespaces.data}"`;
  return dashboard(
    "botfleet-data",
    "Botfleet / Data layer",
    "Redis and Postgres health, replication and backups.",
    [
      {
        type: "stat",
        title: "Redis up",
        w: 4,
        h: 4,
        queries: [{ expr: `sum(redis_up{${ns}}) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Redis primaries",
        description: "Must be exactly 1.",
        w: 4,
        h: 4,
        queries: [{ expr: `count(redis_instance_info{${ns}, role="master"}) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Postgres up",
        w: 4,
        h: 4,
        queries: [{ expr: `sum(pg_up{${ns}}) or vector(0)`, instant: true }],
      },
      {
        type: "stat",
        title: "Last successful backup",
        unit: "s",
        w: 6,
        h: 4,
        queries: [
          {
            expr: `time() - max(kube_cronjob_status_last_successful_time{${ns}, cronjob="postgres-backup"})`,
            instant: true,
          },
        ],
      },
      {
        type: "stat",
        title: "Failed backup jobs",
        w: 6,
        h: 4,
        queries: [
          {
            expr: `sum(kube_job_status_failed{${ns}, job_name=~"postgres-backup-.*"}) or vector(0)`,
            instant: true,
          },
        ],
      },
      {
        type: "timeseries",
        title: "Redis replication link",
        description: "1 = replica connected to its master.",
        w: 12,
        h: 8,
        queries: [{ expr: `redis_master_link_up{${ns}}`, legend: "{{pod}}" }],
      },
      {
        type: "timeseries",
        title: "Redis memory",
        unit: "bytes",
        w: 12,
        h: 8,
        queries: [{ expr: `redis_memory_used_bytes{${ns}}`, legend: "{{pod}}" }],
      },
      {
        type: "timeseries",
        title: "Redis clients and ops",
        w: 12,
        h: 8,
        queries: [
          { expr: `redis_connected_clients{${ns}}`, legend: "clients {{pod}}" },
          { expr: `rate(redis_commands_processed_total{${ns}}[5m])`, legend: "ops/s {{pod}}" },
        ],
      },
      {
        type: "timeseries",
        title: "Postgres replica lag",
        unit: "s",
        w: 12,
        h: 8,
        queries: [{ expr: `pg_replication_lag_seconds{${ns}}`, legend: "{{pod}}" }],
      },
      {
        type: "timeseries",
        title: "Postgres connections used",
        unit: "percentunit",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `sum by (pod) (pg_stat_activity_count{${ns}}) / on (pod) max by (pod) (pg_settings_max_connections{${ns}})`,
            legend: "{{pod}}",
          },
        ],
      },
      {
        type: "timeseries",
        title: "Volume usage",
        unit: "percentunit",
        w: 12,
        h: 8,
        queries: [
          {
            expr: `1 - kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}`,
            legend: "{{persistentvolumeclaim}}",
          },
        ],
      },
    ],
  );
}

export function allDashboards(args: DashboardArgs): Dashboard[] {
  return [fleetOverviewDashboard(args), dataLayerDashboard(args)];
}

/** Every PromQL expression of a dashboard. */
export function dashboardExpressions(d: Dashboard): string[] {
  return d.panels.flatMap((p) => p.targets.map((t) => t.expr));
}
