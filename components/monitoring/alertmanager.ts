/**
 * The Alertmanager configuration, built from the resolved (plain) `botfleet:alerting` values. It lands only
 * in a Kubernetes Secret (`alertmanager.alertmanagerSpec.configSecret`), never in Helm values.
 */
import { toYaml } from "../specs/yaml";
import type { AlertingConfig } from "../../config/monitoring";

/** Receiver names the routing tree uses (tested with `amtool config routes test`). */
export const RECEIVERS = {
  critical: "critical",
  warning: "warning",
  null: "null",
  heartbeat: "heartbeat",
} as const;

/** How often the Watchdog reaches the dead-man's switch; its check period must be longer than this. */
export const HEARTBEAT_INTERVAL = "1m";

/** Key of the config inside the Secret: the operator reads `alertmanager.yaml`. */
export const ALERTMANAGER_CONFIG_KEY = "alertmanager.yaml";

const TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}';
const TEXT =
  "{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";

type Receiver = Record<string, unknown> & { name: string };

function channels(a: AlertingConfig, paging: boolean): Omit<Receiver, "name"> {
  const r: Record<string, unknown[]> = {};
  if (a.slack) {
    r.slack_configs = [
      {
        api_url: a.slack.webhookUrl,
        ...(a.slack.channel !== undefined ? { channel: a.slack.channel } : {}),
        send_resolved: true,
        title: TITLE,
        text: TEXT,
      },
    ];
  }
  if (a.telegram) {
    r.telegram_configs = [
      {
        bot_token: a.telegram.botToken,
        chat_id: Number(a.telegram.chatId),
        send_resolved: true,
        parse_mode: "",
        message: `${TITLE}\n${TEXT}`,
      },
    ];
  }
  if (a.webhook) r.webhook_configs = [{ url: a.webhook.url, send_resolved: true }];
  if (a.email) {
    r.email_configs = [
      {
        to: a.email.to,
        from: a.email.from,
        smarthost: a.email.smarthost,
        auth_username: a.email.username,
        auth_password: a.email.password,
        require_tls: true,
        send_resolved: true,
      },
    ];
  }
  // PagerDuty pages a human: only critical alerts, unless it is the only channel there is.
  const onlyPagerDuty = Object.keys(r).length === 0;
  if (a.pagerduty && (paging || onlyPagerDuty)) {
    r.pagerduty_configs = [{ routing_key: a.pagerduty.routingKey, send_resolved: true }];
  }
  return r;
}

/** The Alertmanager config object. Pure; the caller passes already-resolved secret strings. */
export function buildAlertmanagerConfig(alerting: AlertingConfig): Record<string, unknown> {
  const heartbeat = alerting.heartbeat;
  // The always-firing Watchdog proves the whole pipeline works: with a dead-man's switch it pings it every
  // minute (silence there means Prometheus, Alertmanager or the cluster is down); without one it notifies nobody.
  const watchdog = heartbeat
    ? {
        receiver: RECEIVERS.heartbeat,
        matchers: ['alertname = "Watchdog"'],
        group_by: ["alertname"],
        group_wait: "0s",
        group_interval: HEARTBEAT_INTERVAL,
        repeat_interval: HEARTBEAT_INTERVAL,
      }
    : { receiver: RECEIVERS.null, matchers: ['alertname = "Watchdog"'] };
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: RECEIVERS.warning,
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        watchdog,
        { receiver: RECEIVERS.null, matchers: ['alertname = "InfoInhibitor"'] },
        { receiver: RECEIVERS.critical, matchers: ['severity = "critical"'], repeat_interval: "1h" },
        { receiver: RECEIVERS.warning, matchers: ['severity = "warning"'] },
        { receiver: RECEIVERS.null, matchers: ['severity =~ "info|none"'] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity =~ "warning|info"'],
        equal: ["namespace", "alertname"],
      },
      {
        source_matchers: ['alertname = "InfoInhibitor"'],
        target_matchers: ['severity = "info"'],
        equal: ["namespace"],
      },
    ],
    receivers: [
      { name: RECEIVERS.null },
      { name: RECEIVERS.critical, ...channels(alerting, true) },
      { name: RECEIVERS.warning, ...channels(alerting, false) },
      ...(heartbeat
        ? [{ name: RECEIVERS.heartbeat, webhook_configs: [{ url: heartbeat.url, send_resolved: false }] }]
        : []),
    ],
  };
}

export function renderAlertmanagerConfig(alerting: AlertingConfig): string {
  // Alertmanager reads its config with go-yaml v2 (YAML 1.1): strings such as "on" stay quoted.
  return toYaml(buildAlertmanagerConfig(alerting));
}
