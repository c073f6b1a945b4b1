/**
 * Credential rules for .github/workflows, the ones actionlint does not know: where a secret may appear,
 * which environment holds it, who may never get one, and what must run before it is handed out.
 * README "CI credentials" explains each secret; `lint-workflows.ts` runs these rules over every file.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface CredentialFinding {
  readonly check: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Stack name -> `botfleet:cluster.provider` (digitalocean | linode | existing). */
export type StackProviders = ReadonlyMap<string, string>;

/** Reads `Pulumi.<stack>.yaml` in `root`: each stack's cluster provider. */
export function readStackProviders(root: string): StackProviders {
  const out = new Map<string, string>();
  for (const file of fs.readdirSync(root)) {
    const m = /^Pulumi\.(.+)\.yaml$/.exec(file);
    if (m === null) continue;
    const doc = parse(fs.readFileSync(path.join(root, file), "utf8")) as unknown;
    const config = isObj(doc) && isObj(doc.config) ? doc.config : {};
    const cluster = config["botfleet:cluster"];
    if (isObj(cluster) && typeof cluster.provider === "string") out.set(m[1], cluster.provider);
  }
  return out;
}

/** Environment that holds a secret, from its name's suffix; GITHUB_TOKEN belongs to no environment. */
export function environmentsOf(secret: string): readonly string[] {
  if (secret.endsWith("_PROD")) return ["prod"];
  if (secret.endsWith("_DEV")) return ["dev", "dev-preview"];
  return [];
}

/** Cloud token prefix -> the provider whose stacks it may reach. */
const CLOUD_TOKENS: readonly (readonly [string, string])[] = [
  ["DIGITALOCEAN_TOKEN", "digitalocean"],
  ["LINODE_TOKEN", "linode"],
];

/** Dependency-update bots: their PRs run code nobody has reviewed yet. */
export const UPDATE_BOTS = ["dependabot[bot]", "renovate[bot]"] as const;

/** The `if:` clauses a pull_request job needs before it may reference a secret. */
export const UPDATE_BOT_GUARDS = UPDATE_BOTS.flatMap((bot) => [
  `github.event.pull_request.user.login != '${bot}'`,
  `github.actor != '${bot}'`,
]);

/** The step every job holding deploy credentials runs first (`scripts/check-deploy-ref.sh`). */
export const REF_CHECK = { id: "ref-check", run: "bash scripts/check-deploy-ref.sh" } as const;

const secretsIn = (value: unknown): string[] =>
  [...JSON.stringify(value ?? null).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);

/** Every path in `value` (as `a.b[2].c`) whose string mentions `secrets.`. */
function secretPaths(value: unknown, at: string, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (/secrets\./.test(value)) out.push(at);
  } else if (Array.isArray(value)) value.forEach((v, i) => secretPaths(v, `${at}[${i}]`, out));
  else if (isObj(value))
    for (const [k, v] of Object.entries(value)) secretPaths(v, at === "" ? k : `${at}.${k}`, out);
  return out;
}

const environmentName = (job: Obj): string | undefined =>
  typeof job.environment === "string"
    ? job.environment
    : isObj(job.environment) && typeof job.environment.name === "string"
      ? job.environment.name
      : undefined;

/** Stacks a step runs Pulumi against, `${{ matrix.stack }}` expanded; undefined when one is unknown. */
function stacksOfStep(step: Obj, job: Obj): string[] | undefined {
  const named: string[] = [];
  if (String(step.uses ?? "").startsWith("pulumi/actions@") && isObj(step.with))
    named.push(String(step.with["stack-name"] ?? ""));
  if (typeof step.run === "string")
    for (const m of step.run.matchAll(/--stack[= ]+("?)([^\s"]+)\1/g)) named.push(m[2]);
  const matrix = isObj(job.strategy) && isObj(job.strategy.matrix) ? job.strategy.matrix : {};
  const out: string[] = [];
  for (const name of named) {
    const expr = /^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(name);
    if (expr === null) {
      if (name === "" || name.includes("${{")) return undefined;
      out.push(name);
      continue;
    }
    const values = matrix[expr[1]];
    if (!Array.isArray(values)) return undefined;
    out.push(...values.map(String));
  }
  return out;
}

/** The workflow's triggers, whatever form `on:` takes (YAML 1.1 may read the key as `true`). */
export function triggersOf(workflow: Obj): string[] {
  const on = workflow.on ?? workflow[true as unknown as string];
  return isObj(on) ? Object.keys(on) : Array.isArray(on) ? on.map(String) : [String(on)];
}

/**
 * The credential rules over one parsed workflow (`text` is its source, for the pin comments).
 * Returns one finding per broken rule: { check, message }; never throws on a malformed job.
 */
export function credentialRules(workflow: Obj, text: string, stacks: StackProviders): CredentialFinding[] {
  const out: CredentialFinding[] = [];
  const add = (check: string, message: string) => out.push({ check, message });
  const triggers = triggersOf(workflow);
  const onPullRequest = triggers.some((t) => t.startsWith("pull_request"));

  // Secrets only in a step's env or with: never workflow env, job env, a job's `secrets:`, or elsewhere.
  for (const at of secretPaths(workflow, ""))
    if (!/^jobs\.[^.]+\.steps\[\d+\]\.(env|with)\.[^.[]+$/.test(at))
      add("secret-scope", `${at} references a secret: pass secrets only in a step's env: or with:`);

  if (triggers.includes("workflow_call") && secretsIn(workflow.jobs).length > 0)
    add("pull-request", "a reusable workflow runs for pull requests: it must reference no secret");

  const jobs = isObj(workflow.jobs) ? workflow.jobs : {};
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObj(job)) continue;
    if (job.secrets === "inherit")
      add(
        "secret-scope",
        `job ${id} passes \`secrets: inherit\` (every secret): pass none, or name each one`,
      );
    const env = environmentName(job);
    const secrets = secretsIn(job);
    const deploySecrets = secrets.filter((s) => s !== "GITHUB_TOKEN");
    for (const s of new Set(secrets)) {
      const allowed = environmentsOf(s);
      if (allowed.length > 0 && (env === undefined || !allowed.includes(env)))
        add(
          "secret-environment",
          `job ${id} references ${s} but runs in environment ${env ?? "(none)"}: declare environment: ${allowed.join(" or ")}`,
        );
    }
    if (onPullRequest && (env === "prod" || secrets.some((s) => environmentsOf(s).includes("prod"))))
      add("pull-request", `job ${id} runs for pull requests with prod credentials: preview dev only`);
    if (onPullRequest && deploySecrets.length > 0) {
      const guard = typeof job.if === "string" ? job.if : "";
      const missing = UPDATE_BOT_GUARDS.filter((g) => !guard.includes(g));
      if (missing.length > 0 || guard.includes("||"))
        add(
          "dependabot",
          `job ${id} gives secrets to pull requests: its if: must AND (no ||) ${missing.join(", ") || "every update-bot guard"}`,
        );
    }

    const steps = Array.isArray(job.steps) ? job.steps.filter(isObj) : [];
    const firstSecret = steps.findIndex((s) => secretsIn(s).some((n) => n !== "GITHUB_TOKEN"));
    const refCheck = steps.findIndex((s) => s.id === REF_CHECK.id && s.run === REF_CHECK.run);
    if (deploySecrets.length > 0 && !onPullRequest && (refCheck < 0 || refCheck > firstSecret))
      add(
        "ref-check",
        `job ${id} holds deploy credentials: run { id: ${REF_CHECK.id}, run: ${REF_CHECK.run} } before any step that gets one`,
      );

    steps.forEach((step, i) => {
      const where = `job ${id} step ${typeof step.name === "string" ? `"${step.name}"` : i}`;
      const given = secretsIn(step).filter((n) => n !== "GITHUB_TOKEN");
      const run = typeof step.run === "string" ? step.run : "";
      if (given.length > 0 && /\bnpm (ci|install|i)\b/.test(run) && !/--ignore-scripts\b/.test(run))
        add("install-scripts", `${where} installs packages with ${given.join(", ")}: add --ignore-scripts`);
      for (const name of given)
        for (const [prefix, provider] of CLOUD_TOKENS) {
          if (!name.startsWith(prefix)) continue;
          const reached = stacksOfStep(step, job);
          const ok =
            reached !== undefined && reached.length > 0 && reached.every((s) => stacks.get(s) === provider);
          if (!ok)
            add(
              "cloud-token",
              `${where} gets ${name} but runs Pulumi on ${reached?.join(", ") || "no known stack"}: only steps that run ${provider} stacks get it`,
            );
        }
    });
  }

  for (const line of text.split("\n")) {
    const m = /^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/.exec(line);
    if (m === null || m[1].startsWith("./") || m[1].startsWith("docker://")) continue;
    if (!/#\s*v\d+(\.\d+)*\s*$/.test(m[2]))
      add("pinning", `${m[1]} needs its release tag in a comment after the SHA (# vX.Y.Z)`);
  }
  return out;
}
