/**
 * Promote what ran on dev to prod: copy dev's bot images (as digests) and chart versions (from
 * `pulumi stack output --json --stack dev`) into Pulumi.prod.yaml, pin prod's platform images (data layer,
 * backups, MQTT: platform-images.ts) by digest, refusing when dev is unhealthy or has a
 * trader whose pod still runs an older revision than its template (a pending restart).
 *
 *   ts-node scripts/promote.ts --dev-outputs dev.json --stack-file Pulumi.prod.yaml --sources promotion.yaml \
 *     --list-tag-images                       # the dev images pinned by tag whose digest must be resolved
 *   ts-node scripts/promote.ts --dev-outputs dev.json --stack-file Pulumi.prod.yaml --sources promotion.yaml \
 *     --digests digests.txt [--write]         # plan (and write) the promotion
 *   ts-node scripts/promote.ts --dev-outputs dev.json --health-only
 *
 * Dev pins images by tag; prod gets `<dev image>@sha256:<digest>`, the digest resolved at promotion time from
 * the registry (`digests.txt`: one "<image> sha256:<64 hex>" per line, written by the promote workflow). A
 * prod bot whose dev counterpart has another name is mapped in `promotion.yaml` (`sources: { <prod>: <dev> }`).
 *
 * The core (`planPromotion`, `checkHealth`, `pendingRestarts`, `tagImagesToResolve`) is pure; the CLI only reads and writes files.
 * The stack file is edited as text (see `editStackText`): only the promoted values change, every other byte
 * (comments, flow style, quoting, `secure:` values) stays as it was.
 */
import * as fs from "fs";
import { isMap, isNode, isScalar, parseDocument, Scalar, type Document, type YAMLMap } from "yaml";
import { platformImages } from "./platform-images";

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
  /** Prod bot -> the dev bot it is promoted from; a prod bot not listed comes from the dev bot of its name. */
  readonly sources?: Readonly<Record<string, string>>;
  /** Digests resolved at promotion time for dev images pinned by tag: image -> "sha256:<64 hex>". */
  readonly digests?: Readonly<Record<string, string>>;
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

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DIGEST_IMAGE = /^[a-z0-9]+([._/:-][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;
/** `[registry[:port]/]path[:tag]`, lowercase path, a tag of the registry's alphabet; no digest. */
const TAG_IMAGE =
  /^[a-z0-9]+([._:-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const BOT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An image reference without its tag and digest ("hummingbot/hummingbot" for "hummingbot/hummingbot:v@sha256:..."). */
export function imageRepository(image: string): string {
  const name = image.split("@")[0];
  const slash = name.lastIndexOf("/");
  const colon = name.indexOf(":", slash + 1);
  return colon === -1 ? name : name.slice(0, colon);
}

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
 * Dev traders whose pod runs an older revision than their template (a staged OnDelete change): what dev
 * runs is not what would be promoted, so the promotion refuses. Not a health failure: after a dev deploy
 * it is the expected state of a live trader until an operator deletes its pod (`--health-only` warns).
 */
export function pendingRestarts(devOutputs: unknown): string[] {
  const health = isObj(devOutputs) && isObj(devOutputs.health) ? devOutputs.health : {};
  const bots = isObj(health.bots) ? health.bots : {};
  return Object.entries(bots)
    .filter(([, state]) => isObj(state) && state.pendingRestart === true)
    .map(
      ([bot, state]) =>
        `dev trader ${bot} has a pending restart: its pod runs revision ${show((state as Obj).currentRevision)}, ` +
        `its template is ${show((state as Obj).updateRevision)}; delete its pod on dev at a quiet moment ` +
        `(README: "Change a live bot"), then promote`,
    );
}

interface BotSource {
  readonly index: number;
  readonly prod: string;
  readonly dev: string;
  readonly prodImage: unknown;
  readonly devImage: unknown;
}

/** Each prod bot with the dev bot it comes from, plus the problems of the mapping itself. */
function botSources(devOutputs: unknown, prodConfig: Readonly<Obj>, options: PromotionOptions) {
  const botsKey = `${options.project ?? PROJECT}:bots`;
  const dev = isObj(devOutputs) ? devOutputs : {};
  const images = isObj(dev.images) ? dev.images : {};
  const sources = options.sources ?? {};
  const errors: string[] = [];
  const bots = prodConfig[botsKey];
  if (bots !== undefined && !Array.isArray(bots)) errors.push(`${botsKey} must be a list, got ${show(bots)}`);
  const list: BotSource[] = [];
  const names = new Set<string>();
  for (const [index, bot] of (Array.isArray(bots) ? bots : []).entries()) {
    const name = isObj(bot) ? bot.name : undefined;
    if (typeof name !== "string") {
      errors.push(`${botsKey}[${index}].name must be a string, got ${show(name)}`);
      continue;
    }
    names.add(name);
    const from = sources[name] ?? name;
    list.push({ index, prod: name, dev: from, prodImage: (bot as Obj).image, devImage: images[from] });
  }
  for (const prod of Object.keys(sources))
    if (!names.has(prod))
      errors.push(`sources.${prod}: there is no prod bot ${prod} in ${botsKey}; remove it from the sources`);
  return { botsKey, list, errors };
}

/** Dev images (pinned by tag) that prod bots would get, whose digest must be resolved first; sorted, unique. */
export function tagImagesToResolve(
  devOutputs: unknown,
  prodConfig: Readonly<Obj>,
  options: PromotionOptions = {},
): string[] {
  const { list } = botSources(devOutputs, prodConfig, options);
  const platform = platformImages(prodConfig, options.project ?? PROJECT).map((p) => p.image);
  const tags = [...list.map((b) => b.devImage), ...platform].filter(
    (i): i is string => typeof i === "string" && TAG_IMAGE.test(i) && !DIGEST_IMAGE.test(i),
  );
  return [...new Set(tags)].sort();
}

/**
 * New prod config with every prod bot's image (as a digest) and every chart version taken from dev, or the
 * list of reasons not to promote. Nothing else in the config is touched; running it twice changes nothing more.
 */
export function planPromotion(
  devOutputs: unknown,
  prodConfig: Readonly<Obj>,
  options: PromotionOptions = {},
): PromotionResult {
  const project = options.project ?? PROJECT;
  const chartPaths = options.chartPaths ?? DEFAULT_CHART_PATHS;
  const digests = options.digests ?? {};
  const errors = [...checkHealth(devOutputs), ...pendingRestarts(devOutputs)];
  const dev = isObj(devOutputs) ? devOutputs : {};
  const charts = isObj(dev.chartVersions) ? dev.chartVersions : {};
  const botHealth = isObj(dev.health) && isObj(dev.health.bots) ? dev.health.bots : {};

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

  const { botsKey, list, errors: sourceErrors } = botSources(devOutputs, prodConfig, options);
  errors.push(...sourceErrors);
  for (const b of list) {
    const via = b.dev === b.prod ? "" : ` (promoted from dev bot ${b.dev})`;
    const state = botHealth[b.dev];
    if (b.devImage === undefined) {
      errors.push(
        `prod bot ${b.prod} has no image on dev${via}: run it on dev first, or name its dev counterpart in the sources (promotion.yaml)`,
      );
      continue;
    }
    if (!isObj(state) || state.ready !== true) {
      errors.push(`prod bot ${b.prod} is not ready on dev${via}`);
      continue;
    }
    let image: string | undefined;
    if (typeof b.devImage === "string" && DIGEST_IMAGE.test(b.devImage)) image = b.devImage;
    else if (typeof b.devImage === "string" && TAG_IMAGE.test(b.devImage)) {
      const digest = digests[b.devImage];
      if (digest !== undefined && DIGEST.test(digest)) image = `${b.devImage}@${digest}`;
      else
        errors.push(
          `dev image of ${b.dev} is pinned by tag (${b.devImage}): resolve its digest at promotion time ` +
            `(--digests, "<image> sha256:<64 hex>" per line), got ${show(digest)}`,
        );
    } else
      errors.push(
        `dev image of ${b.dev} must be pinned to a tag or a digest (repo@sha256:<64 hex>), got ${show(b.devImage)}`,
      );
    if (image === undefined) continue;
    if (typeof b.prodImage === "string" && imageRepository(b.prodImage) !== imageRepository(image)) {
      errors.push(
        `prod bot ${b.prod} runs ${imageRepository(b.prodImage)} but its dev source ${b.dev} runs ` +
          `${imageRepository(image)}: map it to a dev bot of the same image, or change prod's image by hand first`,
      );
      continue;
    }
    set([botsKey, b.index, "image"], image);
  }

  // The data layer's, the backups' and the MQTT broker's images: prod's own tags, pinned by digest.
  for (const p of platformImages(prodConfig, project)) {
    if (typeof p.image === "string" && DIGEST_IMAGE.test(p.image)) continue;
    const digest = typeof p.image === "string" ? digests[p.image] : undefined;
    if (typeof p.image === "string" && TAG_IMAGE.test(p.image) && digest !== undefined && DIGEST.test(digest))
      set([...p.path], `${p.image}@${digest}`);
    else
      errors.push(
        `prod ${p.path.join(".")} is ${show(p.image)}: resolve its digest at promotion time ` +
          `(--digests, "<image> sha256:<64 hex>" per line), got ${show(digest)}`,
      );
  }

  for (const [chart, path] of Object.entries(chartPaths)) {
    const version = charts[chart];
    if (typeof version !== "string" || !SEMVER.test(version))
      errors.push(`dev chartVersions.${chart} must be an exact x.y.z version, got ${show(version)}`);
    else set([`${project}:${path[0]}`, ...path.slice(1)], version);
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, config, changes };
}

/** `promotion.yaml`: `sources: { <prod bot>: <dev bot> }`; throws with every problem. */
export function parseSources(text: string): Record<string, string> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`sources file is not YAML: ${doc.errors[0].message}`);
  const root: unknown = doc.toJS();
  const sources = isObj(root) ? root.sources : undefined;
  if (root === null || (isObj(root) && sources === undefined)) return {};
  if (!isObj(root) || !isObj(sources))
    throw new Error(`sources file must hold "sources: { <prod bot>: <dev bot> }", got ${show(root)}`);
  const problems = Object.entries(sources)
    .filter(([prod, dev]) => !BOT_NAME.test(prod) || typeof dev !== "string" || !BOT_NAME.test(dev))
    .map(([prod, dev]) => `sources.${prod}: must map a bot name to a bot name, got ${show(dev)}`);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return sources as Record<string, string>;
}

/** `digests.txt`: "<image> sha256:<64 hex>" per line; blank lines and `#` comments are skipped. */
export function parseDigests(text: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(\S+)\s+(sha256:[0-9a-f]{64})$/.exec(line);
    if (!m) throw new Error(`digests line ${i + 1}: must be "<image> sha256:<64 hex>", got ${show(line)}`);
    digests[m[1]] = m[2];
  }
  return digests;
}

/** A scalar's new source text, in the quoting style the old one had. */
function renderScalar(node: Scalar | undefined, value: string): string {
  if (node?.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (node?.type === Scalar.QUOTE_DOUBLE || parseDocument(value).toJS() !== value)
    return JSON.stringify(value);
  return value;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Text that adds the missing `keys` (the last one set to `value`) to `map`, which holds none of them. */
function insertion(source: string, map: YAMLMap, keys: readonly (string | number)[], value: string): Edit {
  if (keys.some((k) => typeof k !== "string"))
    throw new Error(`cannot add ${keys.join(".")}: only map keys can be created`);
  const scalar = renderScalar(undefined, value);
  const key = (k: string | number) => renderScalar(undefined, String(k));
  if (map.flow) {
    const nested = keys.slice(1).reduceRight<string>((inner, k) => `{ ${key(k)}: ${inner} }`, scalar);
    const text = `${key(keys[0])}: ${nested}`;
    const last = map.items[map.items.length - 1];
    const lastEnd = isNode(last?.value) ? last.value.range?.[1] : undefined;
    if (lastEnd !== undefined) return { start: lastEnd, end: lastEnd, text: `, ${text}` };
    const open = source.indexOf("{", map.range?.[0] ?? 0);
    return { start: open + 1, end: open + 1, text };
  }
  const first = map.items[0];
  const firstKey = first?.key as Scalar | undefined;
  if (
    firstKey?.range === undefined ||
    firstKey.range === null ||
    map.range === undefined ||
    map.range === null
  )
    throw new Error(`cannot add ${keys.join(".")}: its parent map has no position in the file`);
  const indent = firstKey.range[0] - (source.lastIndexOf("\n", firstKey.range[0] - 1) + 1);
  const lines = keys.map((k, i) => {
    const pad = " ".repeat(indent + 2 * i);
    return i === keys.length - 1 ? `${pad}${key(k)}: ${scalar}` : `${pad}${key(k)}:`;
  });
  const lineEnd = source.indexOf("\n", Math.max(map.range[1] - 1, 0));
  if (lineEnd === -1) return { start: source.length, end: source.length, text: `\n${lines.join("\n")}\n` };
  return { start: lineEnd + 1, end: lineEnd + 1, text: `${lines.join("\n")}\n` };
}

/** The edit that sets `path` (from the document root) to `value`. */
function editFor(source: string, doc: Document, path: readonly (string | number)[], value: string): Edit {
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range !== undefined && node.range !== null)
    return { start: node.range[0], end: node.range[1], text: renderScalar(node, value) };
  if (node !== undefined) throw new Error(`cannot set ${path.join(".")}: it holds a ${typeof node} node`);
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const parent = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isMap(parent)) return insertion(source, parent, path.slice(depth), value);
    if (parent !== undefined && parent !== null)
      throw new Error(`cannot add ${path.join(".")}: ${path.slice(0, depth).join(".")} is not a map`);
  }
  throw new Error(`cannot add ${path.join(".")}: the file is not a YAML map`);
}

/**
 * The stack file's text with the changes applied, as text edits: an existing value is replaced in place, a
 * missing key (say monitoring.chartVersion) is added as one new line in its parent map (or into a flow map).
 * Every other byte (comments, flow style, quoting, `secure:` values) stays as it was.
 */
export function editStackText(source: string, changes: readonly Change[]): string {
  // One change at a time, each on the text the previous one left: a key added once is found by the next.
  return changes.reduce((text, c) => {
    const e = editFor(text, parseDocument(text), ["config", ...c.path], c.to);
    return text.slice(0, e.start) + e.text + text.slice(e.end);
  }, source);
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
    err(
      "usage: promote.ts --dev-outputs <json> (--health-only | --stack-file <Pulumi.prod.yaml> " +
        "[--sources <promotion.yaml>] (--list-tag-images | [--digests <file>] [--write]))",
    );
    return 2;
  }
  const devOutputs: unknown = JSON.parse(fs.readFileSync(outputsFile, "utf8"));
  if (args.has("health-only")) {
    const problems = checkHealth(devOutputs);
    problems.forEach((p) => err(p));
    pendingRestarts(devOutputs).forEach((p) => err(`warning: ${p}`));
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
  let options: PromotionOptions;
  try {
    const sourcesFile = args.get("sources");
    const digestsFile = args.get("digests");
    options = {
      sources: sourcesFile === undefined ? {} : parseSources(fs.readFileSync(sourcesFile, "utf8")),
      digests: digestsFile === undefined ? {} : parseDigests(fs.readFileSync(digestsFile, "utf8")),
    };
  } catch (e) {
    err(`refusing to promote: ${(e as Error).message}`);
    return 1;
  }
  if (args.has("list-tag-images")) {
    tagImagesToResolve(devOutputs, config, options).forEach((i) => log(i));
    return 0;
  }
  const result = planPromotion(devOutputs, config, options);
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
