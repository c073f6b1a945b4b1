import { z } from "zod";
import {
  KPS_CHART_VERSION,
  alertingSchema,
  durationSeconds,
  monitoringSchema,
} from "../../config/monitoring";

/** Issues as the lead's formatter would see them: dotted path + message. */
function issues(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("botfleet:monitoring", () => {
  test("defaults", () => {
    const c = monitoringSchema.parse({});
    expect(c).toMatchObject({
      enabled: true,
      chartVersion: KPS_CHART_VERSION,
      retention: "15d",
      storage: { prometheus: "50Gi", alertmanager: "5Gi", grafana: "5Gi" },
      backupMaxAge: "26h",
    });
    expect(c.storageClass).toBeUndefined();
    expect(c.ingress).toBeUndefined();
    expect(c.resources.prometheus).toEqual({
      requests: { cpu: "500m", memory: "2Gi" },
      limits: { memory: "4Gi" },
    });
    expect(Object.keys(c.resources).sort()).toEqual([
      "alertmanager",
      "crdsUpgrade",
      "grafana",
      "kubeStateMetrics",
      "operator",
      "prometheus",
    ]);
  });

  test("ingress defaults to off, with nginx and ingress-nginx", () => {
    const c = monitoringSchema.parse({
      ingress: { host: "grafana.example.com", clusterIssuer: "letsencrypt-prod", email: "ops@example.com" },
    });
    expect(c.ingress).toEqual({
      enabled: false,
      host: "grafana.example.com",
      clusterIssuer: "letsencrypt-prod",
      email: "ops@example.com",
      className: "nginx",
      controllerNamespace: "ingress-nginx",
      certManagerNamespace: "cert-manager",
    });
  });

  test("apiServerCidrs accepts real IPv4 CIDRs", () => {
    const c = monitoringSchema.parse({
      apiServerCidrs: ["203.0.113.10/32", "0.0.0.0/0", "255.255.255.255/32"],
    });
    expect(c.apiServerCidrs).toEqual(["203.0.113.10/32", "0.0.0.0/0", "255.255.255.255/32"]);
  });

  test.each([
    [{ retention: "15 days" }, 'retention: must be a duration such as "15d", "12h" or "30m", got "15 days"'],
    [
      { chartVersion: "latest" },
      `chartVersion: must be an exact chart version such as "${KPS_CHART_VERSION}", got "latest"`,
    ],
    [
      { storage: { prometheus: "1Gi" } },
      "storage.prometheus: must be at least 2Gi for the Prometheus TSDB, got 1Gi",
    ],
    [
      { resources: { grafana: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "512Mi" } } } },
      "resources.grafana.limits.memory: must be >= requests.memory (1Gi), got 512Mi",
    ],
    [
      { resources: { prometheus: { requests: { cpu: "50m", memory: "2Gi" }, limits: { memory: "4Gi" } } } },
      "resources.prometheus.requests.cpu: must be at least 100m for Prometheus, got 50m",
    ],
    [{ storageClass: "Fast_SSD" }, "storageClass: must be a DNS-1123 label"],
    [{ retentoin: "15d" }, 'Unrecognized key: "retentoin"'],
    [
      { ingress: { enabled: true, host: "grafana", clusterIssuer: "le", email: "ops@example.com" } },
      'ingress.host: must be a fully qualified host name such as "grafana.example.com", got "grafana"',
    ],
    [
      { ingress: { enabled: true, host: "g.example.com", clusterIssuer: "le", email: "nope" } },
      'ingress.email: must be an email address, got "nope"',
    ],
    [
      { apiServerCidrs: ["999.2.3.4/40"] },
      'apiServerCidrs.0: must be an IPv4 CIDR with octets <= 255 and a prefix <= 32, got "999.2.3.4/40"',
    ],
    [
      { apiServerCidrs: ["203.0.113.10/33"] },
      'apiServerCidrs.0: must be an IPv4 CIDR with octets <= 255 and a prefix <= 32, got "203.0.113.10/33"',
    ],
    [
      { apiServerCidrs: ["10.0.0.256/8"] },
      'apiServerCidrs.0: must be an IPv4 CIDR with octets <= 255 and a prefix <= 32, got "10.0.0.256/8"',
    ],
    [
      { apiServerCidrs: ["203.0.113.10"] },
      'apiServerCidrs.0: must be an IPv4 CIDR such as "203.0.113.10/32", got "203.0.113.10"',
    ],
  ])("%j is rejected: %s", (input, message) => {
    expect(issues(monitoringSchema, input).join("\n")).toContain(message);
  });
});

describe("botfleet:alerting (secret)", () => {
  test("empty is allowed (the component warns)", () => {
    expect(alertingSchema.parse(undefined)).toEqual({});
  });

  test("https receivers on port 443 of a public host, and SMTP on 25/465/587, are accepted", () => {
    const ok = {
      slack: { webhookUrl: "https://hooks.slack.com/services/T0/B0/x" },
      webhook: { url: "https://ops.example.test:443/hook?token=t" },
      heartbeat: { url: "https://hc-ping.com/0b5f7c7e-0000-4000-8000-000000000000" },
      email: {
        to: "a@b.cc",
        from: "d@e.ff",
        smarthost: "smtp.example.test:465",
        username: "u",
        password: "p",
      },
    };
    expect(issues(alertingSchema, ok)).toEqual([]);
    for (const port of ["25", "465", "587"]) {
      const email = { ...ok.email, smarthost: `smtp.example.test:${port}` };
      expect(issues(alertingSchema, { email })).toEqual([]);
    }
    expect(issues(alertingSchema, { webhook: { url: "https://203.0.113.7/hook" } })).toEqual([]);
  });

  const mail = { to: "a@b.cc", from: "d@e.ff", username: "u", password: "p" };
  test.each([
    [{ slack: { webhookUrl: "hooks.slack.com/x" } }, "slack.webhookUrl: must be an https URL (value hidden)"],
    [
      { slack: { webhookUrl: "http://hooks.slack.com/x" } },
      "slack.webhookUrl: must be an https URL, got an http URL",
    ],
    [
      { webhook: { url: "http://ops.example.test/hook" } },
      "webhook.url: must be an https URL, got an http URL",
    ],
    [
      { webhook: { url: "ftp://ops.example.test/hook" } },
      "webhook.url: must be an https URL, got another scheme (value hidden)",
    ],
    [
      { webhook: { url: "https://ops.example.test:8443/hook" } },
      "webhook.url: must use port 443 (the only HTTPS port Alertmanager may reach), got port 8443",
    ],
    [
      { webhook: { url: "https://10.1.2.3/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a private address",
    ],
    [
      { webhook: { url: "https://172.20.0.1/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a private address",
    ],
    [
      { webhook: { url: "https://192.168.1.1/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a private address",
    ],
    [
      { webhook: { url: "https://127.0.0.1/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a loopback address",
    ],
    [
      { webhook: { url: "https://localhost/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a loopback address",
    ],
    [
      { webhook: { url: "https://169.254.169.254/latest" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a link-local address",
    ],
    [
      { webhook: { url: "https://[::1]/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a loopback address",
    ],
    [
      { webhook: { url: "https://[fe80::1]/hook" } },
      "webhook.url: must point at a public host (Alertmanager may reach only those), got a link-local address",
    ],
    [{ heartbeat: { url: "not a url" } }, "heartbeat.url: must be an https URL (value hidden)"],
    [
      { heartbeat: { url: "http://hc-ping.com/uuid" } },
      "heartbeat.url: must be an https URL, got an http URL",
    ],
    [
      { heartbeat: { url: "https://hc-ping.com:444/uuid" } },
      "heartbeat.url: must use port 443 (the only HTTPS port Alertmanager may reach), got port 444",
    ],
    [{ heartbeat: {} }, "heartbeat.url:"],
    [
      { email: { ...mail, smarthost: "smtp.example.test:2525" } },
      "email.smarthost: must use port 25, 465 or 587 (the SMTP ports Alertmanager may reach), got port 2525",
    ],
    [
      { email: { ...mail, smarthost: "192.168.0.5:587" } },
      "email.smarthost: must point at a public host (Alertmanager may reach only those), got a private address",
    ],
    [
      { telegram: { botToken: "123:short", chatId: "1" } },
      'telegram.botToken: must be a Telegram bot token "<digits>:<token>" (value hidden)',
    ],
    [
      { telegram: { botToken: "123456:AAfakefakefakefakefakefake", chatId: "@chan" } },
      "telegram.chatId: must be a numeric Telegram chat id",
    ],
    [
      { pagerduty: { routingKey: "short" } },
      "pagerduty.routingKey: must be a 32-character PagerDuty Events v2 routing key (value hidden)",
    ],
    [
      { email: { to: "a@b.c", from: "d@e.f", smarthost: "smtp.example.com", username: "u", password: "p" } },
      'email.smarthost: must be "host:port" such as "smtp.example.com:587" (value hidden)',
    ],
    [{ opsgenie: {} }, 'Unrecognized key: "opsgenie"'],
  ])("%j is rejected: %s", (input, message) => {
    expect(issues(alertingSchema, input).join("\n")).toContain(message);
  });

  test.each([
    { webhook: { url: "http://ops.corp.test/hook?token=s3cr3tWebhookToken" } },
    { webhook: { url: "https://ops.corp.test:8443/s3cr3tWebhookToken" } },
    { webhook: { url: "https://10.9.8.7/s3cr3tWebhookToken" } },
    { webhook: { url: "s3cr3tWebhookToken" } },
    { webhook: { url: "s3cr3t-token:abc" } },
    { heartbeat: { url: "http://hc.corp.test/s3cr3tHeartbeatUuid" } },
    { slack: { webhookUrl: "hooks.slack.com/s3cr3tSlackPath" } },
    { slack: { webhookUrl: "https://hooks.slack.com/T0/B0/x", channel: "bad channel s3cr3t" } },
    { telegram: { botToken: "123456:AAfakefakefakefakefakefake", chatId: "s3cr3tChat" } },
    {
      email: {
        to: "not-an-address-s3cr3t",
        from: "d@e.ff",
        smarthost: "mail.corp-s3cr3t.test:2525",
        username: "u",
        password: "p",
      },
    },
    {
      email: {
        to: "a@b.cc",
        from: "d@e.ff",
        smarthost: "mail.corp-s3cr3t.test",
        username: "u",
        password: "p",
      },
    },
  ])("no rejected alerting value appears in its message: %j", (input) => {
    const text = issues(alertingSchema, input).join("\n");
    expect(text).not.toBe("");
    expect(text).not.toMatch(/s3cr3t/);
  });

  test("secret values never appear in messages", () => {
    const token = "999:tooShortButSecret";
    expect(issues(alertingSchema, { telegram: { botToken: token, chatId: "1" } }).join("\n")).not.toContain(
      token,
    );
    const key = "abc";
    expect(issues(alertingSchema, { pagerduty: { routingKey: key } }).join("\n")).not.toContain(`"${key}"`);
  });

  test("durationSeconds", () => {
    expect(durationSeconds("26h")).toBe(93600);
    expect(durationSeconds("2d")).toBe(172800);
    expect(() => durationSeconds("soon")).toThrow("not a duration");
  });
});
