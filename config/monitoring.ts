/**
 * `botfleet:monitoring` (kube-prometheus-stack sizing) and the secret `botfleet:alerting` (where alerts go).
 */
import { z } from "zod";
import { byteQuantity, bytes, cpuMillis, dns1123Label, promDuration, show } from "./common";
import { containerResources, requirements } from "./resources";
import { grafanaLoginSchema } from "./grafana-login";

/**
 * kube-prometheus-stack releases checked by hand (on 2026-11-29) against prometheus-community/helm-charts: the
 * release tag exists in the repository's history (chart-releaser tags every published chart version, on
 * main), and every value path in components/monitoring/chart-values.ts is in that tag's values.yaml or in the
 * values.yaml of the sub-chart versions its Chart.yaml names. Add a release here only after the same check.
 */
export const KPS_VERIFIED_RELEASES = [
  {
    version: "88.5.3",
    /** Git tag and commit in prometheus-community/helm-charts. */
    tag: "kube-prometheus-stack-88.5.3",
    commit: "ea930baeebeba39f56d6b44e351f23b2a072a600",
    /** Sub-charts as the tag's Chart.yaml pins them, with where their values.yaml was read. */
    grafana:
      "12.11.1 (grafana-community/helm-charts tag grafana-12.11.1, 864f7794683680e5100a38670e103c4fa6e37e29)",
    kubeStateMetrics:
      "8.4.0 (prometheus-community/helm-charts tag kube-state-metrics-8.4.0, 1982f1c5828920f5d4ea5d04956169e81f8c5129)",
    checked: "2026-11-29",
  },
] as const;

/**
 * The pinned kube-prometheus-stack chart: the newest release in the fetched prometheus-community/helm-charts
 * history (tag kube-prometheus-stack-88.5.3, 2026-08-21; checked 2026-11-29). It must be in KPS_VERIFIED_RELEASES
 * (tested). 81.4.5, pinned before, was never released (81.4.3 is followed by 81.5.0).
 */
export const KPS_CHART_VERSION = "88.5.3";

export type { ContainerResources as ComponentResources } from "./resources";

// Requests and a memory limit per component (no CPU limit: throttling a scraper loses samples).
const DEFAULT_RESOURCES = {
  prometheus: requirements("500m", "2Gi", "4Gi"),
  alertmanager: requirements("50m", "128Mi", "256Mi"),
  grafana: requirements("100m", "256Mi", "512Mi"),
  operator: requirements("100m", "128Mi", "256Mi"),
  kubeStateMetrics: requirements("50m", "128Mi", "256Mi"),
  // The chart's CRD upgrade hook (busybox, then kubectl applying ~4.5 MB of CRD YAML), each container.
  crdsUpgrade: requirements("50m", "128Mi", "512Mi"),
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
  /**
   * Namespace where cert-manager runs; Prometheus scrapes its controller (port `http-metrics`, 9402) so that
   * CertificateExpiringSoon can fire. @default "cert-manager"
   */
  certManagerNamespace: dns1123Label().default("cert-manager"),
});

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Octets 0-255 and a prefix 0-32 (the shape alone lets "999.2.3.4/40" through). */
function isIpv4CidrInRange(cidr: string): boolean {
  const m = IPV4_CIDR.exec(cidr);
  if (!m) return false;
  return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

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
    /** PVC size per component, like `resources`. */
    storage: z
      .strictObject({
        /** Prometheus TSDB. @default "50Gi" */
        prometheus: byteQuantity.default("50Gi"),
        /** Alertmanager (silences, notification log). @default "5Gi" */
        alertmanager: byteQuantity.default("5Gi"),
        /** Grafana. @default "5Gi" */
        grafana: byteQuantity.default("5Gi"),
      })
      .prefault({}),
    /** StorageClass of every monitoring PVC; the cluster default when unset. */
    storageClass: dns1123Label(253).optional(),
    /** Age after which the last successful `postgres-backup` run counts as too old. @default "26h" */
    backupMaxAge: promDuration.default("26h"),
    /** Base of every alert's runbook_url; the alert name is appended as an anchor. */
    runbookBaseUrl: z
      .url({ error: (iss) => `must be an http(s) URL, got ${show(iss.input)}` })
      .default("https://github.com/botfleet/botfleet/blob/main/docs/runbooks.md"),
    resources: z
      .strictObject({
        prometheus: containerResources(DEFAULT_RESOURCES.prometheus),
        alertmanager: containerResources(DEFAULT_RESOURCES.alertmanager),
        grafana: containerResources(DEFAULT_RESOURCES.grafana),
        operator: containerResources(DEFAULT_RESOURCES.operator),
        kubeStateMetrics: containerResources(DEFAULT_RESOURCES.kubeStateMetrics),
        /** The CRD upgrade hook Job's busybox and kubectl containers (each); runs on install and upgrade. */
        crdsUpgrade: containerResources(DEFAULT_RESOURCES.crdsUpgrade),
      })
      .prefault({}),
    ingress: ingress.optional(),
    /**
     * Who signs in to Grafana: `{ provider: github, clientId, organizations, adminTeams, editorTeams }` or
     * `{ provider: oidc, name, clientId, authUrl, tokenUrl, apiUrl, allowedDomains, allowedGroups, groupsClaim,
     * adminGroups, editorGroups }` (config/grafana-login.ts), with the client secret in `botfleet:grafanaLogin`. Needs the
     * ingress: the provider redirects people back to https://<ingress.host>/. Unset: only `admin`.
     */
    login: grafanaLoginSchema.optional(),
    /**
     * Override of the Kubernetes API server's address as CIDRs ("203.0.113.10/32"). Prometheus, the
     * operator, kube-state-metrics and Grafana's sidecar talk to it. By default the address comes from the
     * cluster resource (DOKS `ipv4Address`/`endpoint`, LKE `apiEndpoints`); when set, this list replaces it.
     */
    apiServerCidrs: z
      .array(
        z
          .string()
          .regex(IPV4_CIDR, {
            error: (iss) => `must be an IPv4 CIDR such as "203.0.113.10/32", got ${show(iss.input)}`,
          })
          .refine(isIpv4CidrInRange, {
            error: (iss) =>
              `must be an IPv4 CIDR with octets <= 255 and a prefix <= 32, got ${show(iss.input)}`,
          }),
      )
      .default([]),
  })
  .superRefine((m, ctx) => {
    if (m.login !== undefined && m.ingress?.enabled !== true) {
      ctx.addIssue({
        code: "custom",
        path: ["login"],
        input: m.login.provider,
        message: `needs monitoring.ingress.enabled (the identity provider sends people back to https://<ingress.host>/login/${m.login.provider === "github" ? "github" : "generic_oauth"}), got ingress ${m.ingress === undefined ? "unset" : "disabled"}; set monitoring.ingress or remove monitoring.login`,
      });
    }
    // Prometheus needs head room for the WAL and compaction beyond one day of samples.
    if (bytes(m.storage.prometheus) < bytes("2Gi")) {
      ctx.addIssue({
        code: "custom",
        path: ["storage", "prometheus"],
        input: m.storage.prometheus,
        message: `must be at least 2Gi for the Prometheus TSDB, got ${m.storage.prometheus}`,
      });
    }
    const prometheusCpu = m.resources.prometheus.requests.cpu;
    if (cpuMillis(prometheusCpu) < 100) {
      ctx.addIssue({
        code: "custom",
        path: ["resources", "prometheus", "requests", "cpu"],
        input: prometheusCpu,
        message: `must be at least 100m for Prometheus, got ${prometheusCpu}`,
      });
    }
  });

export type MonitoringConfig = z.output<typeof monitoringSchema>;

/** Ports the `alertmanager-receivers` NetworkPolicy opens towards SMTP relays. */
export const SMTP_PORTS: readonly number[] = [25, 465, 587];

/**
 * Why a literal IP host is unreachable for Alertmanager (its NetworkPolicy allows only public addresses), or
 * undefined for a public address or a host name. Only the category is returned: the host is secret config.
 */
export function nonPublicAddress(host: string): string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127) return "a loopback address";
    if (a === 169 && b === 254) return "a link-local address";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "a private address";
    if (a === 0) return "an unspecified address";
    return undefined;
  }
  const v6 = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (host.startsWith("[")) {
    if (v6 === "::1") return "a loopback address";
    if (/^fe[89ab]/.test(v6)) return "a link-local address";
    if (/^f[cd]/.test(v6)) return "a private address";
    if (v6 === "::") return "an unspecified address";
    return undefined;
  }
  if (host === "localhost" || host.endsWith(".localhost")) return "a loopback address";
  return undefined;
}

/**
 * The problem with a receiver URL, phrased without the URL (it usually embeds a token), or undefined when
 * Alertmanager can reach it: https on port 443 to a public host.
 */
export function receiverUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return "must be an https URL (value hidden)";
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme === "http") return "must be an https URL, got an http URL";
  // Any other scheme is not echoed: in "user-token:..." the "scheme" would be part of the secret.
  if (scheme !== "https") return "must be an https URL, got another scheme (value hidden)";
  if (u.port !== "")
    return `must use port 443 (the only HTTPS port Alertmanager may reach), got port ${u.port}`;
  if (u.hostname === "") return "must be an https URL (value hidden)";
  const address = nonPublicAddress(u.hostname);
  if (address !== undefined)
    return `must point at a public host (Alertmanager may reach only those), got ${address}`;
  return undefined;
}

/** An https URL on port 443 of a public host; messages never contain the URL. */
const receiverUrl = z.string().superRefine((v, ctx) => {
  const problem = receiverUrlProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, input: v });
});

/** "host:port" of an SMTP relay on a standard SMTP port; messages never contain the host. */
const smarthost = z.string().superRefine((v, ctx) => {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  const problem = !m
    ? 'must be "host:port" such as "smtp.example.com:587" (value hidden)'
    : !SMTP_PORTS.includes(Number(m[2]))
      ? `must use port ${SMTP_PORTS.slice(0, -1).join(", ")} or ${SMTP_PORTS[SMTP_PORTS.length - 1]} (the SMTP ports Alertmanager may reach), got port ${m[2]}`
      : nonPublicAddress(m[1]) !== undefined
        ? `must point at a public host (Alertmanager may reach only those), got ${nonPublicAddress(m[1])}`
        : undefined;
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, input: v });
});

const hiddenEmail = z.string().regex(EMAIL, { error: () => "must be an email address (value hidden)" });

/** Secret config: every value here is a credential or points at one. */
export const alertingSchema = z
  .strictObject({
    slack: z
      .strictObject({
        /** Incoming-webhook URL (it is the credential). */
        webhookUrl: receiverUrl,
        /** Channel override, e.g. "#trading-alerts". */
        channel: z
          .string()
          .regex(/^[#@]?[a-z0-9._-]+$/i, {
            error: () => `must be a Slack channel such as "#alerts" (value hidden)`,
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
          error: () => `must be a numeric Telegram chat id such as "-1001234567890" (value hidden)`,
        }),
      })
      .optional(),
    /** Generic webhook receiver (https on 443: the only HTTPS port Alertmanager's NetworkPolicy opens). */
    webhook: z.strictObject({ url: receiverUrl }).optional(),
    /**
     * Dead-man's switch: the always-firing Watchdog alert is sent here every minute (e.g. a healthchecks.io
     * ping URL or a PagerDuty heartbeat URL), which notifies you when the pings stop, i.e. when Prometheus,
     * Alertmanager or the cluster is down. Without it Watchdog goes nowhere.
     */
    heartbeat: z.strictObject({ url: receiverUrl }).optional(),
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
        to: hiddenEmail,
        from: hiddenEmail,
        /** SMTP relay "host:port" on port 25, 465 or 587. */
        smarthost,
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
    "or alerting.telegram.botToken + alerting.telegram.chatId. " +
    "Set alerting.heartbeat.url too (a dead-man's switch such as healthchecks.io) to learn when the whole " +
    "monitoring stack is down."
  );
}

/**
 * The warning for a managed cluster whose API server address is still unknown once the cluster exists: the
 * cloud reported no IPv4 address and `botfleet:monitoring.apiServerCidrs` is empty, so the monitoring
 * NetworkPolicies allow only private ranges and Prometheus, the operator, kube-state-metrics and Grafana's
 * sidecar may not reach a public endpoint.
 */
export function missingApiServerCidrsWarning(apiServerCidrs: readonly string[]): string | undefined {
  if (apiServerCidrs.length > 0) return undefined;
  return (
    "botfleet:monitoring.apiServerCidrs is empty and the cluster reported no IPv4 address for its Kubernetes API " +
    "endpoint: Prometheus, the Prometheus operator, kube-state-metrics and Grafana's dashboard sidecar may not " +
    "reach it (their NetworkPolicies allow only private ranges). Read the address with " +
    "`kubectl get endpoints kubernetes -n default -o jsonpath='{.subsets[*].addresses[*].ip}'` and set it, e.g. " +
    "`pulumi config set --path 'botfleet:monitoring.apiServerCidrs[0]' 203.0.113.10/32`, then run `pulumi up` again."
  );
}

/** Seconds in a Prometheus duration ("26h" -> 93600). */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  return Number(m[1]) * unit[m[2]];
}
