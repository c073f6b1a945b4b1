import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
  PROMETHEUS_DATASOURCE,
  allDashboards,
  dashboardExpressions,
  type Dashboard,
} from "../../components/monitoring/dashboards";
import { removeDir, run, tempDir } from "./tools";

const dashboards = allDashboards({ namespaces: { bots: "botfleet-bots", data: "botfleet-data" } });

describe("grafana dashboards", () => {
  let dir: string | undefined;
  beforeAll(() => (dir = tempDir("botfleet-dash-")));
  afterAll(() => removeDir(dir));

  test("two dashboards: fleet overview and data layer, with unique uids", () => {
    expect(dashboards.map((d) => d.uid)).toEqual(["botfleet-fleet", "botfleet-data"]);
  });

  test.each(dashboards.map((d) => [d.uid, d] as const))(
    "%s is valid JSON with uid, title, panels and a datasource by uid on every panel and target",
    (_uid, d) => {
      const parsed = JSON.parse(JSON.stringify(d)) as Dashboard;
      expect(parsed.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(parsed.title.length).toBeGreaterThan(0);
      expect(parsed.panels.length).toBeGreaterThanOrEqual(8);
      const ids = parsed.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of parsed.panels) {
        expect(p.title.length).toBeGreaterThan(0);
        expect(p.datasource).toEqual(PROMETHEUS_DATASOURCE);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource).toEqual(PROMETHEUS_DATASOURCE);
        // Panels stay inside Grafana's 24-column grid.
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    },
  );

  test("the fleet overview shows bots up, restarts, CPU and memory per bot, paper vs live", () => {
    const titles = dashboards[0].panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Bots up",
        "Restarts (1h)",
        "CPU per bot pod",
        "Memory per bot pod",
        "Paper vs live",
      ]),
    );
    expect(dashboardExpressions(dashboards[0]).join("\n")).toContain('namespace="botfleet-bots"');
  });

  test("every PromQL expression in every dashboard parses (promtool check rules)", () => {
    const exprs = dashboards.flatMap(dashboardExpressions);
    expect(exprs.length).toBeGreaterThan(20);
    const file = path.join(dir!, "dashboard-exprs.yaml");
    const groups = [
      { name: "dashboards", rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) },
    ];
    fs.writeFileSync(file, YAML.stringify({ groups }));
    const r = run("promtool", ["check", "rules", file]);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.status).toBe(0);
  });

  test("a Grafana-only variable would be caught by the same check", () => {
    const file = path.join(dir!, "bad.yaml");
    const bad = { groups: [{ name: "x", rules: [{ record: "x:y", expr: "rate(up[$__rate_interval])" }] }] };
    fs.writeFileSync(file, YAML.stringify(bad));
    expect(run("promtool", ["check", "rules", file]).status).not.toBe(0);
  });
});
