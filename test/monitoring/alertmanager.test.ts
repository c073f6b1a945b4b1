import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
  HEARTBEAT_INTERVAL,
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
  heartbeat: { url: "https://hc-ping.com/0b5f7c7e-fake-4000-8000-000000000000" },
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
    ["heartbeat only", { heartbeat: FAKE.heartbeat }],
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

  test("routes without a heartbeat: critical -> critical, warning -> warning, Watchdog -> null", () => {
    const { heartbeat: _heartbeat, ...noHeartbeat } = FAKE;
    const file = write("routes.yaml", parse(noHeartbeat));
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
    const cfg = buildAlertmanagerConfig(parse(noHeartbeat)) as { receivers: { name: string }[] };
    expect(cfg.receivers.map((r) => r.name)).not.toContain(RECEIVERS.heartbeat);
  });

  test("routes with a heartbeat: Watchdog -> heartbeat (every minute), the rest unchanged", () => {
    const file = write("routes-heartbeat.yaml", parse(FAKE));
    expect(run("amtool", ["check-config", file]).status).toBe(0);
    expect(route(file, "alertname=Watchdog", "severity=none")).toBe(RECEIVERS.heartbeat);
    expect(route(file, "alertname=Watchdog", "severity=critical", "namespace=botfleet-monitoring")).toBe(
      RECEIVERS.heartbeat,
    );
    expect(route(file, "alertname=InfoInhibitor", "severity=none")).toBe(RECEIVERS.null);
    expect(route(file, "alertname=PostgresDown", "severity=critical")).toBe(RECEIVERS.critical);
    expect(route(file, "alertname=BotNotReady", "severity=warning")).toBe(RECEIVERS.warning);
    // amtool's own view of the tree: the Watchdog route repeats every minute, others every 4h/1h.
    const tree = run("amtool", ["config", "routes", "show", `--config.file=${file}`]);
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(/\{alertname="Watchdog"\}\s+receiver: heartbeat/);

    const cfg = buildAlertmanagerConfig(parse(FAKE)) as {
      route: { routes: Record<string, unknown>[] };
      receivers: Record<string, unknown>[];
    };
    expect(cfg.route.routes[0]).toMatchObject({
      receiver: RECEIVERS.heartbeat,
      matchers: ['alertname = "Watchdog"'],
      group_wait: "0s",
      repeat_interval: HEARTBEAT_INTERVAL,
    });
    expect(HEARTBEAT_INTERVAL).toBe("1m");
    expect(cfg.receivers.find((r) => r.name === RECEIVERS.heartbeat)).toEqual({
      name: RECEIVERS.heartbeat,
      webhook_configs: [{ url: FAKE.heartbeat.url, send_resolved: false }],
    });
    // The heartbeat is not a channel: critical and warning alerts never go to it.
    for (const name of [RECEIVERS.critical, RECEIVERS.warning]) {
      const r = cfg.receivers.find((x) => x.name === name) as { webhook_configs: { url: string }[] };
      expect(r.webhook_configs.map((w) => w.url)).toEqual([FAKE.webhook.url]);
    }
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
    expect(text).toContain(FAKE.heartbeat.url);
  });

  test("a stack without receivers gets a clear warning; with one, none", () => {
    expect(configuredReceivers(parse({}))).toEqual([]);
    expect(noReceiverWarning(parse({}))).toMatch(/botfleet:alerting has no receiver/);
    expect(noReceiverWarning(undefined)).toMatch(/notify nobody/);
    expect(noReceiverWarning(parse({}))).toMatch(/alerting\.heartbeat\.url/);
    expect(noReceiverWarning(parse({ telegram: FAKE.telegram }))).toBeUndefined();
    // A heartbeat alone only carries Watchdog: alerts would still reach nobody.
    expect(noReceiverWarning(parse({ heartbeat: FAKE.heartbeat }))).toMatch(/has no receiver/);
    expect(configuredReceivers(parse(FAKE))).toEqual(["slack", "telegram", "webhook", "pagerduty", "email"]);
  });
});
