import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  checkHealth,
  describeChanges,
  editStackText,
  main,
  parseDigests,
  parseSources,
  pendingRestarts,
  planPromotion,
  tagImagesToResolve,
} from "../../scripts/promote";
import { platformImages } from "../../scripts/platform-images";
import { policyViolations } from "../support/policy";
import { readStackFile } from "../../lib/stackfile";
import { REPO, runConfig, runStackFile } from "../support/stacks";

const digest = (c: string) => c.repeat(64);
const MM = `hummingbot/hummingbot@sha256:${digest("a")}`;
const FT = `freqtradeorg/freqtrade@sha256:${digest("b")}`;

const devOutputs = () => ({
  health: { ready: true, bots: { "btc-usdt-mm": { ready: true }, "eth-trend": { ready: true } } },
  images: { "btc-usdt-mm": MM, "eth-trend": FT },
  chartVersions: { kps: "75.15.1" },
  kubeconfig: "[secret]",
});

/** Platform images already pinned by digest, as an earlier promotion leaves them (platform-images.ts). */
const pinned = (image: string, c: string) => `${image}@sha256:${digest(c)}`;
const PINNED_PLATFORM = {
  "botfleet:redis": {
    image: pinned("redis:7.2.16", "c"),
    exporterImage: pinned("oliver006/redis_exporter:v1.62.0", "d"),
  },
  "botfleet:postgres": {
    image: pinned("postgres:15.18-bookworm", "e"),
    exporterImage: pinned("prometheuscommunity/postgres-exporter:v0.17.1", "f"),
    backup: { image: pinned("rclone/rclone:1.68.2", "1") },
  },
  "botfleet:platform": { mqttImage: pinned("eclipse-mosquitto:2.0.20", "2") },
};

/** The same, as stack file lines (JSON flow maps are YAML). */
const PINNED_PLATFORM_LINES = Object.entries(PINNED_PLATFORM).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);

const prodConfig = () => ({
  "botfleet:environment": "prod",
  "botfleet:cluster": { provider: "digitalocean", region: "fra1", ha: true },
  "botfleet:monitoring": { enabled: true, retention: "15d", chartVersion: "75.0.0" },
  ...structuredClone(PINNED_PLATFORM),
  "botfleet:bots": [
    {
      name: "btc-usdt-mm",
      preset: "hummingbot",
      image: "hummingbot/hummingbot:version-2.4.0",
      paperTrading: false,
    },
    { name: "eth-trend", preset: "freqtrade", image: "freqtradeorg/freqtrade:2025.1", workload: "trader" },
  ],
  "botfleet:botSecrets": { secure: "v1:abcdef" },
});

describe("planPromotion", () => {
  test("copies every prod bot's image digest and the chart version from dev", () => {
    const result = planPromotion(devOutputs(), prodConfig());
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const bots = result.config["botfleet:bots"] as { image: string }[];
    expect(bots.map((b) => b.image)).toEqual([MM, FT]);
    expect((result.config["botfleet:monitoring"] as { chartVersion: string }).chartVersion).toBe("75.15.1");
    expect(result.changes.map((c) => c.path.join("."))).toEqual([
      "botfleet:bots.0.image",
      "botfleet:bots.1.image",
      "botfleet:monitoring.chartVersion",
    ]);
  });

  test("touches nothing but the bot images and chart versions", () => {
    const before = prodConfig();
    const result = planPromotion(devOutputs(), before);
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const strip = (c: Record<string, unknown>) => {
      const copy = structuredClone(c) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      copy["botfleet:bots"].forEach((b: Record<string, unknown>) => delete b.image);
      delete copy["botfleet:monitoring"].chartVersion;
      return copy;
    };
    expect(strip(result.config)).toEqual(strip(before));
    // The input is not mutated.
    expect(before).toEqual(prodConfig());
  });

  test("is idempotent: a second run yields the same config and no changes", () => {
    const first = planPromotion(devOutputs(), prodConfig());
    if (!first.ok) throw new Error(first.errors.join("\n"));
    const second = planPromotion(devOutputs(), first.config);
    if (!second.ok) throw new Error(second.errors.join("\n"));
    expect(second.config).toEqual(first.config);
    expect(second.changes).toEqual([]);
    expect(describeChanges(second.changes)).toBe("Prod already runs what dev runs: nothing to promote.\n");
  });

  test.each<[string, (d: ReturnType<typeof devOutputs>) => unknown, string[]]>([
    [
      "dev not ready",
      (d) => ({ ...d, health: { ...d.health, ready: false } }),
      ["dev is not healthy: health.ready is false"],
    ],
    [
      "a dev bot not ready",
      (d) => ({ ...d, health: { ready: true, bots: { ...d.health.bots, "eth-trend": { ready: false } } } }),
      ["dev bot eth-trend is not ready", "prod bot eth-trend is not ready on dev"],
    ],
    [
      "no health output",
      (d) => ({ ...d, health: undefined }),
      [
        "dev outputs have no health object: is the stack deployed?",
        "prod bot btc-usdt-mm is not ready on dev",
        "prod bot eth-trend is not ready on dev",
      ],
    ],
    [
      "a dev trader with a pending restart (its pod runs an older revision than its template)",
      (d) => ({
        ...d,
        health: {
          ...d.health,
          bots: {
            ...d.health.bots,
            "btc-usdt-mm": {
              ready: true,
              pendingRestart: true,
              currentRevision: "btc-usdt-mm-6d4f8",
              updateRevision: "btc-usdt-mm-7c9b2",
            },
          },
        },
      }),
      [
        'dev trader btc-usdt-mm has a pending restart: its pod runs revision "btc-usdt-mm-6d4f8", its template is ' +
          '"btc-usdt-mm-7c9b2"; delete its pod on dev at a quiet moment (README: "Change a live bot"), then promote',
      ],
    ],
    [
      "an image pinned by tag only",
      (d) => ({ ...d, images: { ...d.images, "btc-usdt-mm": "hummingbot/hummingbot:version-2.5.0" } }),
      [
        "dev image of btc-usdt-mm is pinned by tag (hummingbot/hummingbot:version-2.5.0): resolve its digest at " +
          'promotion time (--digests, "<image> sha256:<64 hex>" per line), got nothing',
      ],
    ],
    [
      "a truncated digest",
      (d) => ({
        ...d,
        images: { ...d.images, "eth-trend": `freqtradeorg/freqtrade@sha256:${"b".repeat(12)}` },
      }),
      [
        `dev image of eth-trend must be pinned to a tag or a digest (repo@sha256:<64 hex>), got "freqtradeorg/freqtrade@sha256:${"b".repeat(12)}"`,
      ],
    ],
    [
      "a prod bot that never ran on dev",
      (d) => ({ ...d, images: { "btc-usdt-mm": MM } }),
      [
        "prod bot eth-trend has no image on dev: run it on dev first, or name its dev counterpart in the sources (promotion.yaml)",
      ],
    ],
    [
      "a chart version range",
      (d) => ({ ...d, chartVersions: { kps: "^75" } }),
      ['dev chartVersions.kps must be an exact x.y.z version, got "^75"'],
    ],
  ])("refuses when %s", (_case, edit, errors) => {
    const result = planPromotion(edit(devOutputs()), prodConfig());
    expect(result).toEqual({ ok: false, errors });
  });

  test("checkHealth passes a healthy dev", () => {
    expect(checkHealth(devOutputs())).toEqual([]);
    const applied = { ready: true, pendingRestart: false, currentRevision: "r1", updateRevision: "r2" };
    const outputs = { ...devOutputs(), health: { ready: true, bots: { "btc-usdt-mm": applied } } };
    expect([...checkHealth(outputs), ...pendingRestarts(outputs)]).toEqual([]);
    expect(checkHealth("oops")).toEqual(['dev outputs must be a JSON object, got "oops"']);
  });
});

describe("editStackText", () => {
  test("replaces values in place: flow style, quotes and every other byte are kept", () => {
    const source = [
      "config:",
      "  botfleet:cluster:",
      "    tags: [env-prod]",
      "    pools:",
      "      - { name: bots, size: s-4vcpu-8gb, minNodes: 2, maxNodes: 6, labels: { workload: bots } }",
      '  botfleet:monitoring: { enabled: true, chartVersion: "75.0.0" }',
      "  botfleet:bots:",
      '    - { name: btc-usdt-mm, preset: hummingbot, image: "hummingbot/hummingbot:version-2.4.0" } # mm',
      "    - name: eth-trend",
      "      image: 'freqtradeorg/freqtrade:2025.1'",
      ...PINNED_PLATFORM_LINES,
      "",
    ].join("\n");
    const config = (parse(source) as { config: Record<string, unknown> }).config;
    const result = planPromotion(devOutputs(), config);
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(editStackText(source, result.changes)).toBe(
      source
        .replace('chartVersion: "75.0.0"', 'chartVersion: "75.15.1"')
        .replace('image: "hummingbot/hummingbot:version-2.4.0"', `image: "${MM}"`)
        .replace("image: 'freqtradeorg/freqtrade:2025.1'", `image: '${FT}'`),
    );
  });

  test.each<[string, string, string]>([
    [
      "into a block map, as one line at the map's indentation",
      "# prod\nconfig:\n  botfleet:environment: prod\n  botfleet:monitoring:\n    retention: 30d # keep\n    storage: { prometheus: 100Gi }\n  botfleet:bots: [] # none\n",
      "# prod\nconfig:\n  botfleet:environment: prod\n  botfleet:monitoring:\n    retention: 30d # keep\n    storage: { prometheus: 100Gi }\n    chartVersion: 75.15.1\n  botfleet:bots: [] # none\n",
    ],
    [
      "into a flow map, after its last pair",
      "config:\n  botfleet:monitoring: { retention: 7d, storage: { prometheus: 20Gi } } # small\n",
      "config:\n  botfleet:monitoring: { retention: 7d, storage: { prometheus: 20Gi }, chartVersion: 75.15.1 } # small\n",
    ],
    [
      "with its parent map, when the file has neither",
      "# prod\nconfig:\n  botfleet:environment: prod\n  botfleet:cluster: { provider: digitalocean, tags: [a] }\n",
      "# prod\nconfig:\n  botfleet:environment: prod\n  botfleet:cluster: { provider: digitalocean, tags: [a] }\n  botfleet:monitoring:\n    chartVersion: 75.15.1\n",
    ],
    [
      "after a last value that is a block scalar",
      "config:\n  botfleet:monitoring:\n    note: |\n      two\n      lines\n  botfleet:environment: prod\n",
      "config:\n  botfleet:monitoring:\n    note: |\n      two\n      lines\n    chartVersion: 75.15.1\n  botfleet:environment: prod\n",
    ],
  ])("a key the file lacks is added %s; every other byte stays", (_case, source, expected) => {
    const change = { path: ["botfleet:monitoring", "chartVersion"], from: undefined, to: "75.15.1" };
    const edited = editStackText(source, [change]);
    expect(edited).toBe(expected);
    expect(
      (parse(edited) as { config: Record<string, { chartVersion?: string }> }).config["botfleet:monitoring"],
    ).toMatchObject({ chartVersion: "75.15.1" });
  });

  test("a value that would not read back as the same string is quoted", () => {
    const change = { path: ["botfleet:monitoring", "chartVersion"], from: undefined, to: "1.0" };
    expect(editStackText("config:\n  botfleet:monitoring:\n    retention: 7d\n", [change])).toBe(
      'config:\n  botfleet:monitoring:\n    retention: 7d\n    chartVersion: "1.0"\n',
    );
  });
});

describe("promote CLI on a real stack file", () => {
  const STACK = `# prod: promoted by scripts/promote.ts, never edit images by hand
encryptionsalt: v1:salt:abc
config:
  botfleet:environment: prod
  botfleet:monitoring:
    enabled: true # keep on
    chartVersion: 75.0.0
  botfleet:bots:
    - name: btc-usdt-mm # market maker
      preset: hummingbot
      image: hummingbot/hummingbot:version-2.4.0
    - name: eth-trend
      preset: freqtrade
      image: freqtradeorg/freqtrade:2025.1
  botfleet:botSecrets:
    secure: v1:AAAABBBBCCCC
${PINNED_PLATFORM_LINES.join("\n")}
`;
  let dir: string;
  let stackFile: string;
  let outputsFile: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
    stackFile = path.join(dir, "Pulumi.prod.yaml");
    outputsFile = path.join(dir, "dev.json");
    fs.writeFileSync(stackFile, STACK);
    fs.writeFileSync(outputsFile, JSON.stringify(devOutputs()));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(
      argv,
      (m) => out.push(m),
      (m) => err.push(m),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  test("--write changes exactly the three promoted lines and keeps comments and secure values", () => {
    const { code, out } = run("--dev-outputs", outputsFile, "--stack-file", stackFile, "--write");
    expect(code).toBe(0);
    expect(out).toContain("`botfleet:bots.0.image`");
    const before = STACK.split("\n");
    const after = fs.readFileSync(stackFile, "utf8").split("\n");
    expect(after).toHaveLength(before.length);
    const changed = after.filter((line, i) => line !== before[i]);
    expect(changed).toEqual([`    chartVersion: 75.15.1`, `      image: ${MM}`, `      image: ${FT}`]);
    // Second run: nothing to do, file unchanged.
    const again = run("--dev-outputs", outputsFile, "--stack-file", stackFile, "--write");
    expect(again.out).toContain("nothing to promote");
    expect(fs.readFileSync(stackFile, "utf8").split("\n")).toEqual(after);
  });

  test("refuses an unhealthy dev with exit code 1 and leaves the file alone", () => {
    fs.writeFileSync(outputsFile, JSON.stringify({ ...devOutputs(), health: { ready: false, bots: {} } }));
    const { code, err } = run("--dev-outputs", outputsFile, "--stack-file", stackFile, "--write");
    expect(code).toBe(1);
    expect(err).toContain("dev is not healthy: health.ready is false");
    expect(fs.readFileSync(stackFile, "utf8")).toBe(STACK);
    expect(run("--dev-outputs", outputsFile, "--health-only").code).toBe(1);
  });

  test("--health-only warns about a pending restart but passes; the promotion itself refuses", () => {
    const pending = { ready: true, pendingRestart: true, currentRevision: "mm-1", updateRevision: "mm-2" };
    const outputs = {
      ...devOutputs(),
      health: { ready: true, bots: { ...devOutputs().health.bots, "btc-usdt-mm": pending } },
    };
    fs.writeFileSync(outputsFile, JSON.stringify(outputs));
    const message =
      'dev trader btc-usdt-mm has a pending restart: its pod runs revision "mm-1", its template is "mm-2"; ' +
      'delete its pod on dev at a quiet moment (README: "Change a live bot"), then promote';
    const health = run("--dev-outputs", outputsFile, "--health-only");
    expect(health.code).toBe(0);
    expect(health.err).toContain(`warning: ${message}`);
    const promote = run("--dev-outputs", outputsFile, "--stack-file", stackFile, "--write");
    expect(promote.code).toBe(1);
    expect(promote.err).toContain(message);
    expect(fs.readFileSync(stackFile, "utf8")).toBe(STACK);
  });

  test("runs as a script through ts-node, as the workflows call it", () => {
    const res = spawnSync(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        "scripts/promote.ts",
        "--dev-outputs",
        outputsFile,
        "--health-only",
      ],
      { cwd: path.join(__dirname, "..", ".."), encoding: "utf8" },
    );
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("dev is healthy");
    expect(res.status).toBe(0);
  });
});

describe("sources, tags and digests", () => {
  const TAG = "hummingbot/hummingbot:version-2.16.0";
  const DIGEST = `sha256:${digest("c")}`;
  const tagDev = () => ({
    health: { ready: true, bots: { "btc-usdt-pmm": { ready: true }, "eth-trend": { ready: true } } },
    images: { "btc-usdt-pmm": TAG, "eth-trend": FT },
    chartVersions: { kps: "75.15.1" },
  });
  const sources = { "btc-usdt-mm": "btc-usdt-pmm" };

  test("a prod bot is promoted from the dev bot its source names; a tag becomes tag@digest", () => {
    expect(tagImagesToResolve(tagDev(), prodConfig(), { sources })).toEqual([TAG]);
    const result = planPromotion(tagDev(), prodConfig(), { sources, digests: { [TAG]: DIGEST } });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect((result.config["botfleet:bots"] as { image: string }[]).map((b) => b.image)).toEqual([
      `${TAG}@${DIGEST}`,
      FT,
    ]);
  });

  test.each<[string, Parameters<typeof planPromotion>[2], string[]]>([
    [
      "a tag whose digest was not resolved",
      { sources },
      [
        `dev image of btc-usdt-pmm is pinned by tag (${TAG}): resolve its digest at promotion time ` +
          '(--digests, "<image> sha256:<64 hex>" per line), got nothing',
      ],
    ],
    [
      "a resolved digest that is not one",
      { sources, digests: { [TAG]: "sha256:abc" } },
      [
        `dev image of btc-usdt-pmm is pinned by tag (${TAG}): resolve its digest at promotion time ` +
          '(--digests, "<image> sha256:<64 hex>" per line), got "sha256:abc"',
      ],
    ],
    [
      "a source that runs another image",
      { sources: { "btc-usdt-mm": "eth-trend" } },
      [
        "prod bot btc-usdt-mm runs hummingbot/hummingbot but its dev source eth-trend runs freqtradeorg/freqtrade: " +
          "map it to a dev bot of the same image, or change prod's image by hand first",
      ],
    ],
    [
      "a source that is not on dev",
      { sources: { "btc-usdt-mm": "btc-usdt-xyz" } },
      [
        "prod bot btc-usdt-mm has no image on dev (promoted from dev bot btc-usdt-xyz): run it on dev first, " +
          "or name its dev counterpart in the sources (promotion.yaml)",
      ],
    ],
    [
      "a source for a bot prod does not have",
      { sources: { ...sources, "ghost-bot": "btc-usdt-pmm" }, digests: { [TAG]: DIGEST } },
      ["sources.ghost-bot: there is no prod bot ghost-bot in botfleet:bots; remove it from the sources"],
    ],
  ])("refuses %s", (_case, options, errors) => {
    expect(planPromotion(tagDev(), prodConfig(), options)).toEqual({ ok: false, errors });
  });

  test("sources and digests files are parsed strictly", () => {
    expect(parseSources("sources:\n  a-b: c-d # note\n")).toEqual({ "a-b": "c-d" });
    expect(parseSources("# nothing mapped\n")).toEqual({});
    expect(() => parseSources("sources:\n  a-b: [x]\n")).toThrow(
      'sources.a-b: must map a bot name to a bot name, got ["x"]',
    );
    expect(() => parseSources("- a\n")).toThrow(
      'sources file must hold "sources: { <prod bot>: <dev bot> }", got ["a"]',
    );
    expect(parseDigests(`# resolved\n${TAG} ${DIGEST}\n\n`)).toEqual({ [TAG]: DIGEST });
    expect(() => parseDigests(`${TAG} sha256:abc`)).toThrow(
      `digests line 1: must be "<image> sha256:<64 hex>", got "${TAG} sha256:abc"`,
    );
  });
});

/**
 * The promotion the repository ships: dev's outputs as the program computes them from Pulumi.dev.yaml (images and
 * chart versions), health as a green smoke check leaves it (it is live state the mock engine cannot know), the
 * sources in promotion.yaml, onto the real Pulumi.prod.yaml.
 */
describe("the shipped dev -> prod promotion", () => {
  const REPO = path.join(__dirname, "..", "..");
  const PROD = fs.readFileSync(path.join(REPO, "Pulumi.prod.yaml"), "utf8");
  const SOURCES = fs.readFileSync(path.join(REPO, "promotion.yaml"), "utf8");
  let dev: { images: Record<string, string>; chartVersions: Record<string, string>; health: unknown };
  /** Stand-in digests for the test only (sha256 of the reference): the workflow resolves real ones. */
  const fakeDigest = (image: string) => `sha256:${createHash("sha256").update(image).digest("hex")}`;
  let dir: string;

  beforeAll(async () => {
    const run = await runStackFile("dev");
    const images = run.outputs.images as Record<string, string>;
    dev = {
      images,
      chartVersions: run.outputs.chartVersions as Record<string, string>,
      health: { ready: true, bots: Object.fromEntries(Object.keys(images).map((b) => [b, { ready: true }])) },
    };
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-shipped-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const prodConfig = (text = PROD) => (parse(text) as { config: Record<string, unknown> }).config;
  const files = (prod = PROD, digests?: Record<string, string>) => {
    const f = {
      outputs: path.join(dir, "dev.json"),
      stack: path.join(dir, "Pulumi.prod.yaml"),
      sources: path.join(REPO, "promotion.yaml"),
      digests: path.join(dir, "digests.txt"),
    };
    fs.writeFileSync(f.outputs, JSON.stringify(dev));
    fs.writeFileSync(f.stack, prod);
    const lines = Object.entries(digests ?? {}).map(([i, d]) => `${i} ${d}`);
    fs.writeFileSync(f.digests, lines.join("\n") + "\n");
    return f;
  };
  const cli = (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(
      argv,
      (m) => out.push(m),
      (m) => err.push(m),
    );
    return { code, out, err };
  };

  test("every prod bot has a dev counterpart of the same image; only tag digests are left to resolve", () => {
    const sources = parseSources(SOURCES);
    const result = planPromotion(dev, prodConfig(), { sources });
    const tags = tagImagesToResolve(dev, prodConfig(), { sources });
    expect(tags.length).toBeGreaterThan(0);
    expect(result).toEqual({
      ok: false,
      errors: expect.arrayContaining([expect.stringContaining("resolve its digest at promotion time")]),
    });
    if (result.ok) return;
    expect(result.errors.filter((e) => !e.includes("resolve its digest at promotion time"))).toEqual([]);
    // One per prod bot promoted from a dev tag, one per platform image prod pins by tag (or leaves at its default).
    const botTags = (prodConfig()["botfleet:bots"] as { name: string }[]).filter((b) =>
      tags.includes(dev.images[sources[b.name] ?? b.name]),
    );
    const platform = platformImages(prodConfig(), "botfleet");
    expect(platform.every((p) => typeof p.image === "string" && tags.includes(p.image))).toBe(true);
    expect(result.errors).toHaveLength(botTags.length + platform.length);
  });

  test("with the digests resolved, it passes, and --write changes only the image values on their lines", () => {
    const sources = parseSources(SOURCES);
    const digests = Object.fromEntries(
      tagImagesToResolve(dev, prodConfig(), { sources }).map((i) => [i, fakeDigest(i)]),
    );
    const f = files(PROD, digests);
    const listed = cli(
      "--dev-outputs",
      f.outputs,
      "--stack-file",
      f.stack,
      "--sources",
      f.sources,
      "--list-tag-images",
    );
    expect(listed).toMatchObject({ code: 0, out: Object.keys(digests).sort() });

    const args = [
      "--dev-outputs",
      f.outputs,
      "--stack-file",
      f.stack,
      "--sources",
      f.sources,
      "--digests",
      f.digests,
    ];
    const first = cli(...args, "--write");
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    const before = PROD.split("\n");
    const written = fs.readFileSync(f.stack, "utf8");
    // The platform images prod left at their defaults are added, one line each (and a platform section);
    // the rest of the file keeps its lines.
    const added = (line: string) =>
      /^\s+(image|exporterImage|mqttImage): .*@sha256:[0-9a-f]{64}$/.test(line) ||
      line === "  botfleet:platform:";
    const after = written.split("\n").filter((l) => !(added(l) && !before.includes(l)));
    expect(after).toHaveLength(before.length);
    for (const p of platformImages(prodConfig(written), "botfleet")) {
      const original = platformImages(prodConfig(), "botfleet").find((o) => o.path.join() === p.path.join())!;
      expect(p.image).toBe(`${original.image}@${digests[original.image as string]}`);
    }
    const bots = prodConfig()["botfleet:bots"] as { name: string; image: string }[];
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line, after[i]]]));
    // One changed line per prod bot, each the old line with the image value alone replaced (comment kept).
    expect(changed).toHaveLength(bots.length);
    expect(changed).toEqual(
      bots.map((b) => {
        const from = dev.images[sources[b.name] ?? b.name];
        const line = before.find((l) => l.includes(`image: ${b.image}`))!;
        return [line, line.replace(`image: ${b.image}`, `image: ${from}@${digests[from]}`)];
      }),
    );
    expect(prodConfig(after.join("\n"))["botfleet:monitoring"]).toEqual(prodConfig()["botfleet:monitoring"]);
    // A second run finds nothing to do and leaves the file as it is.
    const second = cli(...args, "--write");
    expect(second).toMatchObject({
      code: 0,
      out: ["Prod already runs what dev runs: nothing to promote.\n"],
    });
    expect(fs.readFileSync(f.stack, "utf8")).toEqual(written);
  });

  test("the promoted prod config still deploys: the program accepts tag@digest images and keeps its checks", async () => {
    const sources = parseSources(SOURCES);
    const digests = Object.fromEntries(
      tagImagesToResolve(dev, prodConfig(), { sources }).map((i) => [i, fakeDigest(i)]),
    );
    const result = planPromotion(dev, prodConfig(), { sources, digests });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const run = await runConfig("prod", result.config);
    expect(policyViolations(run.resources, { environment: "prod", secretValues: run.secretValues })).toEqual(
      [],
    );
    expect(
      Object.values(run.outputs.images as Record<string, string>).every((i) => /:[^/@]+@sha256:/.test(i)),
    ).toBe(true);
  });

  test("before its first promotion, the shipped prod is refused by the policy pack: images by tag", async () => {
    const run = await runStackFile("prod");
    const found = policyViolations(run.resources, { environment: "prod", secretValues: run.secretValues });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.startsWith("prod-images-by-digest "))).toBe(true);
    // Every image the program renders is named, the data layer's and the MQTT broker's included.
    for (const image of [
      "redis:7.2.16",
      "postgres:15.18-bookworm",
      "eclipse-mosquitto:2.0.20",
      "freqtradeorg/freqtrade:2025.11",
    ])
      expect(found.some((f) => f.includes(`got "${image}"`))).toBe(true);
    // Dev may run tags.
    expect(policyViolations(run.resources, { environment: "dev", secretValues: run.secretValues })).toEqual(
      [],
    );
  });

  test("a prod file without monitoring.chartVersion gains that one line; every other line is byte-identical", () => {
    const without = PROD.split("\n").filter((l) => !/^\s+chartVersion:/.test(l));
    expect(without).toHaveLength(PROD.split("\n").length - 1);
    const sources = parseSources(SOURCES);
    const digests = Object.fromEntries(
      tagImagesToResolve(dev, prodConfig(), { sources }).map((i) => [i, fakeDigest(i)]),
    );
    const f = files(without.join("\n"), digests);
    expect(
      cli(
        "--dev-outputs",
        f.outputs,
        "--stack-file",
        f.stack,
        "--sources",
        f.sources,
        "--digests",
        f.digests,
        "--write",
      ).code,
    ).toBe(0);
    // The platform image lines promotion adds (tested above) aside:
    const platformLine = (l: string) =>
      /^\s+(image|exporterImage|mqttImage): .*@sha256:[0-9a-f]{64}$/.test(l) || l === "  botfleet:platform:";
    const after = fs
      .readFileSync(f.stack, "utf8")
      .split("\n")
      .filter((l) => !(platformLine(l) && !without.includes(l)));
    const added = after.findIndex((l) => /^\s+chartVersion:/.test(l));
    expect(after[added]).toBe(`    chartVersion: ${dev.chartVersions.kps}`);
    const rest = [...after.slice(0, added), ...after.slice(added + 1)];
    expect(rest).toHaveLength(without.length);
    const differing = without.filter((line, i) => line !== rest[i]);
    expect(differing.every((l) => /^\s+image: /.test(l))).toBe(true);
    expect(after[added - 1]).toBe(without[added - 1]);
  });
});

/**
 * From the StatefulSet's live status to the promotion: the mock engine reports, for a live trader on dev, the
 * status the Kubernetes provider returns after an update that staged an OnDelete change (the pod still on the
 * old revision); the program's `health` output shows it, and the promotion refuses.
 */
describe("a staged change on a dev trader blocks the promotion", () => {
  const liveConfig = () => {
    const dev = readStackFile(REPO, "dev");
    const bots = dev["botfleet:bots"] as Record<string, unknown>[];
    const trend = bots.find((b) => b.name === "ft-trend")!;
    return { ...dev, "botfleet:bots": [...bots, { ...trend, name: "ft-live", paperTrading: false }] };
  };
  const status = (updatedReplicas: number) => ({
    replicas: 1,
    readyReplicas: 1,
    updatedReplicas,
    currentRevision: "ft-live-6d4f8",
    updateRevision: "ft-live-7c9b2",
  });
  const devHealth = async (updatedReplicas: number) => {
    const run = await runConfig("dev", liveConfig(), true, {
      statuses: { "bots-ft-live-statefulset": status(updatedReplicas) },
    });
    return run.outputs as { health: { pendingRestart: string[]; bots: Record<string, unknown> } };
  };

  test("the pod on the old revision: health shows the pending restart and checkHealth refuses", async () => {
    const outputs = await devHealth(0);
    expect(outputs.health.bots["ft-live"]).toEqual({
      ready: true,
      pendingRestart: true,
      currentRevision: "ft-live-6d4f8",
      updateRevision: "ft-live-7c9b2",
    });
    expect(outputs.health.pendingRestart).toEqual(["ft-live"]);
    // A staged change is not ill health (the dev smoke check only warns), but the promotion refuses.
    expect(checkHealth(outputs).filter((e) => e.includes("pending"))).toEqual([]);
    expect(pendingRestarts(outputs)).toEqual([
      'dev trader ft-live has a pending restart: its pod runs revision "ft-live-6d4f8", its template is ' +
        '"ft-live-7c9b2"; delete its pod on dev at a quiet moment (README: "Change a live bot"), then promote',
    ]);
  });

  test("after the operator deleted the pod (updated, currentRevision left stale by OnDelete): nothing pending", async () => {
    const outputs = await devHealth(1);
    expect(outputs.health.bots["ft-live"]).toMatchObject({ ready: true, pendingRestart: false });
    expect(outputs.health.pendingRestart).toEqual([]);
    expect(pendingRestarts(outputs)).toEqual([]);
  });
});
