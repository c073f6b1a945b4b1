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
      storage: "50Gi",
      alertmanagerStorage: "5Gi",
      grafanaStorage: "5Gi",
      backupMaxAge: "26h",
    });
    expect(c.storageClass).toBeUndefined();
    expect(c.ingress).toBeUndefined();
    expect(c.resources.prometheus).toEqual({ cpu: "500m", memory: "2Gi", memoryLimit: "4Gi" });
    expect(Object.keys(c.resources).sort()).toEqual([
      "alertmanager",
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
    });
  });

  test.each([
    [{ retention: "15 days" }, 'retention: must be a duration such as "15d", "12h" or "30m", got "15 days"'],
    [
      { chartVersion: "latest" },
      `chartVersion: must be an exact chart version such as "${KPS_CHART_VERSION}", got "latest"`,
    ],
    [{ storage: "1Gi" }, "storage: must be at least 2Gi for the Prometheus TSDB, got 1Gi"],
    [
      { resources: { grafana: { cpu: "100m", memory: "1Gi", memoryLimit: "512Mi" } } },
      "resources.grafana.memoryLimit: must be >= memory (1Gi), got 512Mi",
    ],
    [
      { resources: { prometheus: { cpu: "50m", memory: "2Gi", memoryLimit: "4Gi" } } },
      "resources.prometheus.cpu: must be at least 100m for Prometheus, got 50m",
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
  ])("%j is rejected: %s", (input, message) => {
    expect(issues(monitoringSchema, input).join("\n")).toContain(message);
  });
});

describe("botfleet:alerting (secret)", () => {
  test("empty is allowed (the component warns)", () => {
    expect(alertingSchema.parse(undefined)).toEqual({});
  });

  test.each([
    [{ slack: { webhookUrl: "hooks.slack.com/x" } }, "slack.webhookUrl: must be an http(s) URL"],
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
      'email.smarthost: must be "host:port" such as "smtp.example.com:587", got "smtp.example.com"',
    ],
    [{ opsgenie: {} }, 'Unrecognized key: "opsgenie"'],
  ])("%j is rejected: %s", (input, message) => {
    expect(issues(alertingSchema, input).join("\n")).toContain(message);
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
