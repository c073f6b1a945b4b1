import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ALERT_GROUPS } from "../../components/monitoring/alert-rules";
import { alertNames, renderAlertGroups, type RenderedGroup } from "../../components/monitoring/rules";
import { ALERT_CASES, BACKUP_MAX_AGE_SECONDS, BOTS, DATA, MON, type AlertCase } from "./rule-cases";
import { removeDir, run, tempDir } from "./tools";

const RUNBOOK = "https://example.test/runbooks.md";
const render = (tls: boolean) =>
  renderAlertGroups({
    namespaces: { bots: BOTS, data: DATA, monitoring: MON },
    backupMaxAgeSeconds: BACKUP_MAX_AGE_SECONDS,
    runbookBaseUrl: RUNBOOK,
    tls,
  });

/** The same rules without annotations: promtool compares annotations exactly, and these cases test logic. */
function withoutAnnotations(groups: RenderedGroup[]) {
  return {
    groups: groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: r.labels })),
    })),
  };
}

function promtoolTest(c: AlertCase) {
  return {
    name: c.name,
    interval: c.interval ?? "1m",
    input_series: c.series,
    alert_rule_test: [
      {
        eval_time: c.evalTime,
        alertname: c.alertname,
        exp_alerts: c.fires.map((labels) => ({ exp_labels: labels })),
      },
    ],
  };
}

describe("alert rules", () => {
  let dir: string | undefined;
  const groups = render(true);

  beforeAll(() => {
    dir = tempDir("botfleet-rules-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), YAML.stringify({ groups }));
    fs.writeFileSync(path.join(dir, "logic.yaml"), YAML.stringify(withoutAnnotations(groups)));
  });
  afterAll(() => removeDir(dir));

  test("every rule has a severity, summary, description and runbook_url; names are unique", () => {
    const names = alertNames(groups);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const r of groups.flatMap((g) => g.rules)) {
      expect(r.labels.severity).toMatch(/critical|warning/);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(10);
      expect(r.annotations.runbook_url).toBe(`${RUNBOOK}#${r.alert.toLowerCase()}`);
      expect(r.expr).not.toMatch(/\$[A-Z_]{4,}/);
    }
  });

  test("namespaces and the backup age are substituted; the TLS-only rule follows the TLS switch", () => {
    const exprs = groups.flatMap((g) => g.rules.map((r) => r.expr)).join("\n");
    expect(exprs).toContain(`namespace="${BOTS}"`);
    expect(exprs).toContain(`namespace="${DATA}", cronjob="postgres-backup"`);
    expect(exprs).toContain(`> ${BACKUP_MAX_AGE_SECONDS}`);
    expect(alertNames(groups)).toContain("CertificateExpiringSoon");
    expect(alertNames(render(false))).not.toContain("CertificateExpiringSoon");
    expect(alertNames(render(false)).length).toBe(alertNames(groups).length - 1);
  });

  test("promtool check rules accepts the rendered file (expressions and annotation templates)", () => {
    const r = run("promtool", ["check", "rules", path.join(dir!, "rules.yaml")]);
    expect(r.stderr + r.stdout).toContain(`SUCCESS: ${alertNames(groups).length} rules found`);
    expect(r.status).toBe(0);
  });

  test("promtool check rules rejects a broken expression (the check can fail)", () => {
    const broken = { groups: [{ name: "x", rules: [{ alert: "Broken", expr: "sum by (pod (up)" }] }] };
    fs.writeFileSync(path.join(dir!, "broken.yaml"), YAML.stringify(broken));
    const r = run("promtool", ["check", "rules", path.join(dir!, "broken.yaml")]);
    expect(r.status).not.toBe(0);
  });

  test("every alert has a case where it fires and a case where it stays quiet", () => {
    for (const name of alertNames(groups)) {
      const cases = ALERT_CASES.filter((c) => c.alertname === name);
      expect({ name, fires: cases.some((c) => c.fires.length > 0) }).toEqual({ name, fires: true });
      expect({ name, quiet: cases.some((c) => c.fires.length === 0) }).toEqual({ name, quiet: true });
    }
    // No case tests an alert that no longer exists.
    for (const c of ALERT_CASES) expect(alertNames(groups)).toContain(c.alertname);
    expect(ALERT_GROUPS.flatMap((g) => g.rules).length).toBe(alertNames(groups).length);
  });

  test("promtool test rules: each alert fires when it should and stays quiet when it should not", () => {
    // Day-long cases (backup age) are evaluated every 5m, the rest every minute: same rules, faster run.
    for (const interval of ["1m", "5m"]) {
      const cases = ALERT_CASES.filter((c) => (c.interval ?? "1m") === interval);
      const testFile = {
        rule_files: ["logic.yaml"],
        evaluation_interval: interval,
        tests: cases.map(promtoolTest),
      };
      const file = `logic-${interval}.test.yaml`;
      fs.writeFileSync(path.join(dir!, file), YAML.stringify(testFile));
      const r = run("promtool", ["test", "rules", file], dir);
      expect({ file, out: r.stdout + r.stderr }).toEqual({ file, out: expect.stringContaining("SUCCESS") });
      expect(r.status).toBe(0);
    }
  });

  test("promtool test rules fails when a case expects the wrong thing (the harness can fail)", () => {
    const wrong = {
      ...ALERT_CASES.find((c) => c.alertname === "RedisDown" && c.fires.length === 0)!,
      fires: [{ namespace: DATA, pod: "redis-0", severity: "critical" }],
    };
    const testFile = { rule_files: ["logic.yaml"], evaluation_interval: "1m", tests: [promtoolTest(wrong)] };
    fs.writeFileSync(path.join(dir!, "wrong.test.yaml"), YAML.stringify(testFile));
    const r = run("promtool", ["test", "rules", "wrong.test.yaml"], dir);
    expect(r.status).not.toBe(0);
  });

  test("annotations render as operators read them (full rules file, live BotDown)", () => {
    const testFile = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            {
              series: `up{namespace="${BOTS}", bot="btc-mm", mode="live", pod="btc-mm-0", exchange="binance"}`,
              values: "0x10",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "5m",
              alertname: "BotDown",
              exp_alerts: [
                {
                  exp_labels: {
                    namespace: BOTS,
                    bot: "btc-mm",
                    mode: "live",
                    pod: "btc-mm-0",
                    exchange: "binance",
                    severity: "critical",
                  },
                  exp_annotations: {
                    summary: "Bot btc-mm is down",
                    description:
                      "Bot btc-mm (live, binance) on pod btc-mm-0 has been down for 2 minutes: its metrics endpoint fails every scrape, or its exporter cannot reach the bot (freqtrade API, hummingbot heartbeat).",
                    runbook_url: `${RUNBOOK}#botdown`,
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir!, "annotations.test.yaml"), YAML.stringify(testFile));
    const r = run("promtool", ["test", "rules", "annotations.test.yaml"], dir);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
