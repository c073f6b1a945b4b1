import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
  RECEIVERS,
  buildAlertmanagerConfig,
  renderAlertmanagerConfig,
} from "../../components/monitoring/alertmanager";
import {
  alertingSchema,
  configuredReceivers,
  noReceiverWarning,
  type AlertingConfig,
} from "../../config/monitoring";
import { removeDir, run, tempDir } from "./tools";

// Fake credentials, shaped like the real ones so the schema accepts them.
const FAKE = {
  slack: {
    webhookUrl: "https://hooks.slack.com/services/T000/B000/fakefakefake",
    channel: "#trading-alerts",
  },
  telegram: { botToken: "123456:AAfakefakefakefakefakefake", chatId: "-1001234567890" },
  webhook: { url: "https://ops.example.test/alert-hook?token=fake" },
  pagerduty: { routingKey: "0123456789abcdef0123456789abcdef" },
  email: {
    to: "ops@example.test",
    from: "alerts@example.test",
    smarthost: "smtp.example.test:587",
    username: "alerts",
    password: "fake-smtp-password",
  },
};

const parse = (a: unknown): AlertingConfig => alertingSchema.parse(a);

describe("alertmanager config", () => {
  let dir: string | undefined;
  beforeAll(() => (dir = tempDir("botfleet-am-")));
  afterAll(() => removeDir(dir));

  const write = (name: string, alerting: AlertingConfig) => {
    const file = path.join(dir!, name);
    fs.writeFileSync(file, renderAlertmanagerConfig(alerting));
    return file;
  };
  const route = (file: string, ...labels: string[]) => {
    const r = run("amtool", ["config", "routes", "test", `--config.file=${file}`, ...labels]);
    expect({ labels, status: r.status }).toEqual({ labels, status: 0 });
    return r.stdout.trim();
  };

  test.each([
    ["every receiver", FAKE],
    ["slack only", { slack: { webhookUrl: FAKE.slack.webhookUrl } }],
    ["telegram only", { telegram: FAKE.telegram }],
    ["pagerduty only", { pagerduty: FAKE.pagerduty }],
    ["email only", { email: FAKE.email }],
    ["no receiver", {}],
  ])("amtool check-config accepts the config with %s", (label, alerting) => {
    const file = write(`am-${label.replace(/\s/g, "-")}.yaml`, parse(alerting));
    const r = run("amtool", ["check-config", file]);
    expect(r.stdout).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  test("amtool check-config rejects a broken config (the check can fail)", () => {
    const file = path.join(dir!, "broken.yaml");
    fs.writeFileSync(file, YAML.stringify({ route: { receiver: "nobody" }, receivers: [{ name: "null" }] }));
    expect(run("amtool", ["check-config", file]).status).not.toBe(0);
  });

  test("routes: critical -> critical, warning -> warning, Watchdog -> null, unlabelled -> warning", () => {
    const file = write("routes.yaml", parse(FAKE));
    expect(route(file, "alertname=PostgresDown", "severity=critical", "namespace=botfleet-data")).toBe(
      RECEIVERS.critical,
    );
    expect(route(file, "alertname=BotDown", "severity=critical", "mode=live")).toBe(RECEIVERS.critical);
    expect(route(file, "alertname=BotNotReady", "severity=warning")).toBe(RECEIVERS.warning);
    expect(route(file, "alertname=Watchdog", "severity=none")).toBe(RECEIVERS.null);
    // Watchdog wins even if someone labels it critical.
    expect(route(file, "alertname=Watchdog", "severity=critical")).toBe(RECEIVERS.null);
    expect(route(file, "alertname=InfoInhibitor", "severity=none")).toBe(RECEIVERS.null);
    expect(route(file, "alertname=KubeletTooManyPods", "severity=info")).toBe(RECEIVERS.null);
    expect(route(file, "alertname=SomethingUnlabelled")).toBe(RECEIVERS.warning);
  });

  test("critical receiver pages (PagerDuty) and notifies chat; warning receiver does not page", () => {
    const cfg = buildAlertmanagerConfig(parse(FAKE)) as { receivers: Record<string, unknown>[] };
    const byName = Object.fromEntries(cfg.receivers.map((r) => [r.name, r]));
    expect(Object.keys(byName["critical"]).sort()).toEqual(
      [
        "name",
        "slack_configs",
        "telegram_configs",
        "webhook_configs",
        "email_configs",
        "pagerduty_configs",
      ].sort(),
    );
    expect(byName["warning"]).not.toHaveProperty("pagerduty_configs");
    expect(byName["warning"]).toHaveProperty("slack_configs");
    expect(Object.keys(byName["null"])).toEqual(["name"]);
    // PagerDuty as the only channel also takes warnings rather than dropping them.
    const pdOnly = buildAlertmanagerConfig(parse({ pagerduty: FAKE.pagerduty })) as {
      receivers: Record<string, unknown>[];
    };
    expect(pdOnly.receivers.find((r) => r.name === "warning")).toHaveProperty("pagerduty_configs");
  });

  test("the rendered config carries the secrets (it is only ever stored in a Kubernetes Secret)", () => {
    const text = renderAlertmanagerConfig(parse(FAKE));
    expect(text).toContain(FAKE.slack.webhookUrl);
    expect(text).toContain(FAKE.telegram.botToken);
    expect(text).toContain("chat_id: -1001234567890");
    expect(text).toContain(FAKE.pagerduty.routingKey);
    expect(text).toContain(FAKE.email.password);
  });

  test("a stack without receivers gets a clear warning; with one, none", () => {
    expect(configuredReceivers(parse({}))).toEqual([]);
    expect(noReceiverWarning(parse({}))).toMatch(/botfleet:alerting has no receiver/);
    expect(noReceiverWarning(undefined)).toMatch(/notify nobody/);
    expect(noReceiverWarning(parse({ telegram: FAKE.telegram }))).toBeUndefined();
    expect(configuredReceivers(parse(FAKE))).toEqual(["slack", "telegram", "webhook", "pagerduty", "email"]);
  });
});
