import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { lintWorkflows } from "../../scripts/lint-workflows";
import { readStackProviders } from "../../scripts/workflow-credentials";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (file: string): Obj => parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Obj;
const steps = (job: Obj): Obj[] => job.steps ?? [];
/** The one step of `job` that `match` picks; throws when there is none, so the test names it. */
function stepWhere(job: Obj, match: (s: Obj) => boolean, what: string): Obj {
  const found = steps(job).find(match);
  if (found === undefined) throw new Error(`no step ${what}`);
  return found;
}
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
          "dependabot",
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
  test("pr: offline checks for everyone; a dev preview (never prod) for same-repo PRs that are not dependency updates", () => {
    const pr = load("pr.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(pr.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
    const preview = pr.jobs.preview;
    expect(preview.if.split(/\s*&&\s*/)).toEqual([
      "github.event.pull_request.head.repo.full_name == github.repository",
      "github.event.pull_request.user.login != 'dependabot[bot]'",
      "github.actor != 'dependabot[bot]'",
      "github.event.pull_request.user.login != 'renovate[bot]'",
      "github.actor != 'renovate[bot]'",
    ]);
    expect(preview.environment).toBe("dev-preview");
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(preview.strategy.matrix.stack).toEqual(["dev"]);
    const [step] = pulumiSteps(preview);
    expect(step.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      diff: true,
      policyPacks: "policy",
    });
    expect(step.env).toEqual({
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN_DEV }}",
      PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE_DEV }}",
      DIGITALOCEAN_TOKEN: "${{ secrets.DIGITALOCEAN_TOKEN_DEV }}",
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
    expect(job.environment).toBe("dev");
    expect(job.env).toBeUndefined();
    // The smoke check reads the secret kubeconfig output: dev's state credentials, no cloud token.
    const smoke = stepWhere(job, (s) => s.name === "Smoke check (pods ready, bots up)", "smoke check");
    expect(Object.keys(smoke.env).sort()).toEqual([
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
    expect(smoke.run).toContain("pulumi stack output kubeconfig --show-secrets --stack dev");
  });

  test("promote: dev's outputs read in dev, then plan and up on prod, each in environment prod after the ref check", () => {
    const wf = load("promote.yml");
    expect(Object.keys(wf.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(wf.on.push).toEqual({ tags: ["v*"] });
    expect(wf.concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
    const envs = Object.fromEntries(Object.entries(wf.jobs).map(([id, j]) => [id, (j as Obj).environment]));
    expect(envs).toEqual({ "dev-outputs": "dev", plan: "prod", deploy: "prod", record: undefined });
    for (const id of ["dev-outputs", "plan", "deploy"]) {
      const [checkout, refCheck] = steps(wf.jobs[id]);
      expect(checkout.with).toEqual({ "persist-credentials": false, "fetch-depth": 0 });
      expect(refCheck).toMatchObject({ id: "ref-check", run: "bash scripts/check-deploy-ref.sh" });
    }
    // scripts/promote.ts gets dev's outputs as a file, from the dev job's output; its step needs no secret.
    const read = stepWhere(wf.jobs["dev-outputs"], (s) => s.id === "read", "id: read");
    expect(read.run).toContain("pulumi stack output --json --stack dev | base64 -w0");
    expect(wf.jobs["dev-outputs"].outputs["dev-outputs"]).toBe("${{ steps.read.outputs.dev-outputs }}");
    expect(wf.jobs.plan.needs).toBe("dev-outputs");
    const promote = stepWhere(wf.jobs.plan, (s) => s.id === "promote", "id: promote");
    expect(promote.env).toEqual({ DEV_OUTPUTS: "${{ needs.dev-outputs.outputs.dev-outputs }}" });
    expect(promote.run).toContain('echo "$DEV_OUTPUTS" | base64 -d > "$outputs"');
    expect(promote.run).toContain('scripts/promote.ts --dev-outputs "$outputs"');
    const deploy = wf.jobs.deploy;
    expect(pulumiSteps(deploy).map((s) => s.with.command)).toEqual(["preview", "up"]);
    expect(wf.jobs.record.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    expect(JSON.stringify(wf.jobs.record)).not.toMatch(/secrets\./);
  });

  test("drift: nightly refreshed preview judged by scripts/drift-check.ts, dev in dev and prod in prod", () => {
    const wf = load("drift.yml");
    expect(wf.on.schedule).toHaveLength(1);
    for (const stack of ["dev", "prod"]) {
      const job = wf.jobs[`drift-${stack}`];
      expect(job.environment).toBe(stack);
      expect(job.concurrency.group).toBe(`pulumi-${stack}`);
      const [install] = pulumiSteps(job);
      // The CLI only, at the SDK's version: the preview runs in the next step.
      expect(install.with).toEqual({ "pulumi-version": "3.248.0" });
      const run = job.steps.find((s: { run?: string }) => s.run?.includes("drift-check.ts"));
      expect(run.run).toContain(`pulumi preview --refresh --json --stack ${stack} > preview.json`);
      expect(run.run).toContain("npx ts-node --transpile-only scripts/drift-check.ts preview.json");
      expect(run.run).toMatch(/^set -euo pipefail/);
      expect(run.env.PULUMI_ACCESS_TOKEN).toBe(`\${{ secrets.PULUMI_ACCESS_TOKEN_${stack.toUpperCase()} }}`);
    }
    expect(wf.jobs.report.needs).toEqual(["drift-dev", "drift-prod"]);
  });
});

describe("CI credentials", () => {
  const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
  const texts = files.map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8"));
  const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

  test("the lint's stack map is the shipped stack files' providers", () => {
    expect(Object.fromEntries(readStackProviders(path.resolve(__dirname, "../..")))).toEqual({
      dev: "digitalocean",
      "dev-lke": "linode",
      local: "existing",
      prod: "digitalocean",
    });
  });

  test("the pins are kept, each with its release tag", () => {
    const pins = new Set(
      texts.flatMap((t) => [...t.matchAll(/uses: ([^\s.][^\s]*) # (\S+)/g)].map((m) => `${m[1]} ${m[2]}`)),
    );
    expect([...pins].sort()).toEqual([
      "actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae v5.0.5",
      "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 v4.2.2",
      "actions/setup-go@b7ad1dad31e06c5925ef5d2fc7ad053ef454303e v7.0.0",
      "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 v4.4.0",
      "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d v7.0.0",
    ]);
  });

  test("no workflow hands out a Linode token (no workflow runs the Linode stack)", () => {
    for (const t of texts) expect(t).not.toMatch(/LINODE_TOKEN/);
  });

  test('every secret a workflow reads is documented in README "CI credentials", and nothing else is', () => {
    const used = new Set(texts.flatMap((t) => [...t.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1])));
    const section = readme.slice(readme.indexOf("### CI credentials"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("|")));
    const documented = new Set([...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...used].sort());
  });
});
