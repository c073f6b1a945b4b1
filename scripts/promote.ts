/**
 * Promote what ran on dev to prod: copy dev's bot image digests and chart versions (from
 * `pulumi stack output --json --stack dev`) into Pulumi.prod.yaml, refusing when dev is unhealthy.
 *
 *   ts-node scripts/promote.ts --dev-outputs dev.json --stack-file Pulumi.prod.yaml [--write]
 *   ts-node scripts/promote.ts --dev-outputs dev.json --health-only
 *
 * The core (`planPromotion`, `checkHealth`) is pure; the CLI only reads and writes files. The stack file
 * is edited in place (see `editStackText`), so comments and `secure:` values stay byte-for-byte.
 */
import * as fs from "fs";
import { isScalar, parseDocument, Scalar } from "yaml";

export const PROJECT = "botfleet";

/** Where each chart version lives in the stack config, as a path under `botfleet:`. */
export const DEFAULT_CHART_PATHS: Readonly<Record<string, readonly string[]>> = {
  kps: ["monitoring", "chartVersion"],
};

export interface PromotionOptions {
  /** Config namespace of the project. @default "botfleet" */
  readonly project?: string;
  /** Chart name (a key of dev's `chartVersions`) -> path under `<project>:`. @default {@link DEFAULT_CHART_PATHS} */
  readonly chartPaths?: Readonly<Record<string, readonly string[]>>;
}

export interface Change {
  /** Path from the top of the `config:` map, e.g. ["botfleet:bots", 0, "image"]. */
  readonly path: readonly (string | number)[];
  readonly from: unknown;
  readonly to: string;
}

export type PromotionResult =
  | { readonly ok: true; readonly config: Record<string, unknown>; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly errors: readonly string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

const DIGEST_IMAGE = /^[a-z0-9]+([._/:-][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Problems that make dev unfit to promote from; empty when dev is healthy. */
export function checkHealth(devOutputs: unknown): string[] {
  if (!isObj(devOutputs)) return [`dev outputs must be a JSON object, got ${show(devOutputs)}`];
  const health = devOutputs.health;
  if (!isObj(health)) return ["dev outputs have no health object: is the stack deployed?"];
  const errors: string[] = [];
  if (health.ready !== true) errors.push(`dev is not healthy: health.ready is ${show(health.ready)}`);
  const bots = isObj(health.bots) ? health.bots : {};
  for (const [bot, state] of Object.entries(bots))
    if (!isObj(state) || state.ready !== true) errors.push(`dev bot ${bot} is not ready`);
  return errors;
}

/**
 * New prod config with every prod bot's image and every chart version taken from dev, or the list of
 * reasons not to promote. Nothing else in the config is touched; running it twice changes nothing more.
 */
export function planPromotion(
  devOutputs: unknown,
  prodConfig: Readonly<Obj>,
  options: PromotionOptions = {},
): PromotionResult {
  const project = options.project ?? PROJECT;
  const chartPaths = options.chartPaths ?? DEFAULT_CHART_PATHS;
  const errors = checkHealth(devOutputs);
  const dev = isObj(devOutputs) ? devOutputs : {};
  const images = isObj(dev.images) ? dev.images : {};
  const charts = isObj(dev.chartVersions) ? dev.chartVersions : {};
  const botHealth = isObj(dev.health) && isObj(dev.health.bots) ? dev.health.bots : {};

  for (const [bot, image] of Object.entries(images))
    if (typeof image !== "string" || !DIGEST_IMAGE.test(image))
      errors.push(
        `dev image of ${bot} must be pinned to a digest (repo@sha256:<64 hex>), got ${show(image)}`,
      );

  const config = structuredClone(prodConfig) as Obj;
  const changes: Change[] = [];
  const set = (path: (string | number)[], to: string) => {
    let node: Obj | unknown[] = config;
    for (const key of path.slice(0, -1)) {
      const next: unknown = (node as Obj)[key as string];
      if (typeof next !== "object" || next === null) {
        const created = {};
        (node as Obj)[key as string] = created;
        node = created;
      } else node = next as Obj;
    }
    const last = path[path.length - 1] as string;
    const from = (node as Obj)[last];
    if (from !== to) {
      (node as Obj)[last] = to;
      changes.push({ path, from, to });
    }
  };

  const botsKey = `${project}:bots`;
  const bots = config[botsKey];
  if (bots !== undefined && !Array.isArray(bots)) errors.push(`${botsKey} must be a list, got ${show(bots)}`);
  const botList: unknown[] = Array.isArray(bots) ? bots : [];
  for (const [i, bot] of botList.entries()) {
    const name = isObj(bot) ? bot.name : undefined;
    if (typeof name !== "string") {
      errors.push(`${botsKey}[${i}].name must be a string, got ${show(name)}`);
      continue;
    }
    const image = images[name];
    const state = botHealth[name];
    if (image === undefined) errors.push(`prod bot ${name} has no image on dev: run it on dev first`);
    else if (!isObj(state) || state.ready !== true) errors.push(`prod bot ${name} is not ready on dev`);
    else if (typeof image === "string" && DIGEST_IMAGE.test(image)) set([botsKey, i, "image"], image);
  }

  for (const [chart, path] of Object.entries(chartPaths)) {
    const version = charts[chart];
    if (typeof version !== "string" || !SEMVER.test(version))
      errors.push(`dev chartVersions.${chart} must be an exact x.y.z version, got ${show(version)}`);
    else set([`${project}:${path[0]}`, ...path.slice(1)], version);
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, config, changes };
}

/** A scalar's new source text, in the quoting style the old one had. */
function renderScalar(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (node.type === Scalar.QUOTE_DOUBLE || parseDocument(value).toJS() !== value)
    return JSON.stringify(value);
  return value;
}

/**
 * The stack file's text with the changes applied. Values that exist are replaced in place, so every
 * other byte (comments, flow style, `secure:` values) stays as it was; a key that does not exist yet
 * (say monitoring.chartVersion) is added through the YAML model, which re-renders the file.
 */
export function editStackText(source: string, changes: readonly Change[]): string {
  const doc = parseDocument(source);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const change of changes) {
    const node = doc.getIn(["config", ...change.path], true);
    if (!isScalar(node) || node.range === undefined || node.range === null) {
      for (const c of changes) doc.setIn(["config", ...c.path], c.to);
      return doc.toString({ lineWidth: 0 });
    }
    edits.push({ start: node.range[0], end: node.range[1], text: renderScalar(node, change.to) });
  }
  let text = source;
  for (const e of edits.sort((a, b) => b.start - a.start))
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

/** A Markdown table of the changes, for `$GITHUB_STEP_SUMMARY`. */
export function describeChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return "Prod already runs what dev runs: nothing to promote.\n";
  const rows = changes.map((c) => `| \`${c.path.join(".")}\` | \`${show(c.from)}\` | \`${c.to}\` |`);
  return ["| key | prod had | promoted from dev |", "|---|---|---|", ...rows, ""].join("\n");
}

// ---------------------------------------------------------------- CLI

function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith("--")) throw new Error(`unexpected argument ${key}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) args.set(key.slice(2), "true");
    else {
      args.set(key.slice(2), value);
      i++;
    }
  }
  return args;
}

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], log = console.log, err = console.error): number {
  const args = parseArgs(argv);
  const outputsFile = args.get("dev-outputs");
  if (outputsFile === undefined) {
    err("usage: promote.ts --dev-outputs <json> (--health-only | --stack-file <Pulumi.prod.yaml> [--write])");
    return 2;
  }
  const devOutputs: unknown = JSON.parse(fs.readFileSync(outputsFile, "utf8"));
  if (args.has("health-only")) {
    const problems = checkHealth(devOutputs);
    problems.forEach((p) => err(p));
    if (problems.length === 0) log("dev is healthy");
    return problems.length === 0 ? 0 : 1;
  }
  const stackFile = args.get("stack-file");
  if (stackFile === undefined) {
    err("--stack-file is required unless --health-only");
    return 2;
  }
  const source = fs.readFileSync(stackFile, "utf8");
  const config = (parseDocument(source).toJS() as { config?: Obj } | null)?.config ?? {};
  const result = planPromotion(devOutputs, config);
  if (!result.ok) {
    err("refusing to promote:");
    result.errors.forEach((e) => err(`  - ${e}`));
    return 1;
  }
  if (args.get("write") === "true") fs.writeFileSync(stackFile, editStackText(source, result.changes));
  log(describeChanges(result.changes));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
