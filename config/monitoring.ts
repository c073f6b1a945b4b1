/**
 * `botfleet:monitoring` (kube-prometheus-stack sizing) and the secret `botfleet:alerting` (where alerts go).
 */
import { z } from "zod";
import { byteQuantity, bytes, cpuMillis, cpuQuantity, dns1123Label, promDuration, show } from "./common";

/** kube-prometheus-stack chart version; see components/monitoring/chart-values.ts for how it was checked. */
export const KPS_CHART_VERSION = "81.4.5";

const resources = z
  .strictObject({
    /** CPU request. */
    cpu: cpuQuantity,
    /** Memory request. */
    memory: byteQuantity,
    /** Memory limit (no CPU limit: throttling a scraper loses samples). */
    memoryLimit: byteQuantity,
  })
  .superRefine((r, ctx) => {
    if (bytes(r.memoryLimit) < bytes(r.memory)) {
      ctx.addIssue({
        code: "custom",
        path: ["memoryLimit"],
        input: r.memoryLimit,
        message: `must be >= memory (${r.memory}), got ${r.memoryLimit}`,
      });
    }
  });

export type ComponentResources = z.output<typeof resources>;

const DEFAULT_RESOURCES = {
  prometheus: { cpu: "500m", memory: "2Gi", memoryLimit: "4Gi" },
  alertmanager: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
  grafana: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
  operator: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
  kubeStateMetrics: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
} as const;

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const email = z.string().regex(EMAIL, { error: (iss) => `must be an email address, got ${show(iss.input)}` });

const ingress = z.strictObject({
  /** Expose Grafana through the ingress controller, with a cert-manager certificate. @default false */
  enabled: z.boolean().default(false),
  /** Public host name of Grafana, e.g. "grafana.example.com". */
  host: z.string().regex(HOSTNAME, {
    error: (iss) =>
      `must be a fully qualified host name such as "grafana.example.com", got ${show(iss.input)}`,
  }),
  /** cert-manager ClusterIssuer that signs the certificate, e.g. "letsencrypt-prod". */
  clusterIssuer: dns1123Label(),
  /** ACME contact address registered with the ClusterIssuer (certificate expiry mail goes there). */
  email,
  /** IngressClass name. @default "nginx" */
  className: dns1123Label().default("nginx"),
  /** Namespace of the ingress controller pods, allowed in to Grafana. @default "ingress-nginx" */
  controllerNamespace: dns1123Label().default("ingress-nginx"),
});

export const monitoringSchema = z
  .strictObject({
    /** Install kube-prometheus-stack, rules, monitors and dashboards. @default true */
    enabled: z.boolean().default(true),
    /** Pinned kube-prometheus-stack chart version. */
    chartVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, {
        error: (iss) =>
          `must be an exact chart version such as "${KPS_CHART_VERSION}", got ${show(iss.input)}`,
      })
      .default(KPS_CHART_VERSION),
    /** Prometheus TSDB retention. @default "15d" */
    retention: promDuration.default("15d"),
    /** Prometheus PVC size. @default "50Gi" */
    storage: byteQuantity.default("50Gi"),
    /** StorageClass of every monitoring PVC; the cluster default when unset. */
    storageClass: dns1123Label(253).optional(),
    /** Alertmanager PVC size (silences, notification log). @default "5Gi" */
    alertmanagerStorage: byteQuantity.default("5Gi"),
    /** Grafana PVC size. @default "5Gi" */
    grafanaStorage: byteQuantity.default("5Gi"),
    /** Age after which the last successful `postgres-backup` run counts as too old. @default "26h" */
    backupMaxAge: promDuration.default("26h"),
    /** Base of every alert's runbook_url; the alert name is appended as an anchor. */
    runbookBaseUrl: z
      .url({ error: (iss) => `must be an http(s) URL, got ${show(iss.input)}` })
      .default("https://github.com/botfleet/botfleet/blob/main/docs/runbooks.md"),
    resources: z
      .strictObject({
        prometheus: resources.default(DEFAULT_RESOURCES.prometheus),
        alertmanager: resources.default(DEFAULT_RESOURCES.alertmanager),
        grafana: resources.default(DEFAULT_RESOURCES.grafana),
        operator: resources.default(DEFAULT_RESOURCES.operator),
        kubeStateMetrics: resources.default(DEFAULT_RESOURCES.kubeStateMetrics),
      })
      .prefault({}),
    ingress: ingress.optional(),
    /**
     * Public address of the Kubernetes API server as CIDRs ("203.0.113.10/32"). Prometheus, the operator,
     * kube-state-metrics and Grafana's sidecar talk to it; without it only private ranges are allowed,
     * which misses a public DOKS/LKE endpoint (`kubectl get endpoints kubernetes` shows it).
     */
    apiServerCidrs: z
      .array(
        z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, {
          error: (iss) => `must be an IPv4 CIDR such as "203.0.113.10/32", got ${show(iss.input)}`,
        }),
      )
      .default([]),
  })
  .superRefine((m, ctx) => {
    // Prometheus needs head room for the WAL and compaction beyond one day of samples.
    if (bytes(m.storage) < bytes("2Gi")) {
      ctx.addIssue({
        code: "custom",
        path: ["storage"],
        input: m.storage,
        message: `must be at least 2Gi for the Prometheus TSDB, got ${m.storage}`,
      });
    }
    if (cpuMillis(m.resources.prometheus.cpu) < 100) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", "prometheus", "cpu"],
        input: m.resources.prometheus.cpu,
        message: `must be at least 100m for Prometheus, got ${m.resources.prometheus.cpu}`,
      });
    }
  });

export type MonitoringConfig = z.output<typeof monitoringSchema>;

const url = z.url({
  protocol: /^https?$/,
  error: (iss) => `must be an http(s) URL, got ${show(iss.input)}`,
});

/** Secret config: every value here is a credential or points at one. */
export const alertingSchema = z
  .strictObject({
    slack: z
      .strictObject({
        /** Incoming-webhook URL (it is the credential). */
        webhookUrl: url,
        /** Channel override, e.g. "#trading-alerts". */
        channel: z
          .string()
          .regex(/^[#@]?[a-z0-9._-]+$/i, {
            error: (iss) => `must be a Slack channel such as "#alerts", got ${show(iss.input)}`,
          })
          .optional(),
      })
      .optional(),
    telegram: z
      .strictObject({
        /** Bot token from @BotFather ("123456:ABC..."). */
        botToken: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, {
          error: () => `must be a Telegram bot token "<digits>:<token>" (value hidden)`,
        }),
        /** Chat id; group and channel ids are negative. */
        chatId: z.string().regex(/^-?\d{1,16}$/, {
          error: (iss) =>
            `must be a numeric Telegram chat id such as "-1001234567890", got ${show(iss.input)}`,
        }),
      })
      .optional(),
    webhook: z.strictObject({ url }).optional(),
    pagerduty: z
      .strictObject({
        /** Events API v2 integration (routing) key. */
        routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, {
          error: () => `must be a 32-character PagerDuty Events v2 routing key (value hidden)`,
        }),
      })
      .optional(),
    email: z
      .strictObject({
        to: email,
        from: email,
        /** SMTP relay "host:port". */
        smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, {
          error: (iss) => `must be "host:port" such as "smtp.example.com:587", got ${show(iss.input)}`,
        }),
        username: z.string().min(1, { error: "must not be empty" }),
        password: z.string().min(1, { error: "must not be empty (value hidden)" }),
      })
      .optional(),
  })
  .default({});

export type AlertingConfig = z.output<typeof alertingSchema>;

/** Nothing in either section is required: a stack without receivers still deploys, with a warning. */
export const requiredMonitoringSecrets: readonly string[] = [];

export const RECEIVER_KINDS = ["slack", "telegram", "webhook", "pagerduty", "email"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** The configured receiver kinds; works on the plain and the Secretify'd form (only keys are read). */
export function configuredReceivers(
  alerting: Partial<Record<ReceiverKind, unknown>> | undefined,
): ReceiverKind[] {
  return RECEIVER_KINDS.filter((k) => alerting?.[k] !== undefined);
}

/** The warning a stack with no receiver gets: alerts would be evaluated and then dropped. */
export function noReceiverWarning(
  alerting: Partial<Record<ReceiverKind, unknown>> | undefined,
): string | undefined {
  if (configuredReceivers(alerting).length > 0) return undefined;
  return (
    "botfleet:alerting has no receiver: alerts will fire in Prometheus but notify nobody. " +
    "Set one, e.g. `pulumi config set --secret --path alerting.slack.webhookUrl https://hooks.slack.com/...` " +
    "or alerting.telegram.botToken + alerting.telegram.chatId."
  );
}

/** Seconds in a Prometheus duration ("26h" -> 93600). */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  return Number(m[1]) * unit[m[2]];
}
