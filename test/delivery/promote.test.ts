import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { checkHealth, describeChanges, editStackText, main, planPromotion } from "../../scripts/promote";

const digest = (c: string) => c.repeat(64);
const MM = `registry.example.com/bots/hummingbot@sha256:${digest("a")}`;
const FT = `freqtradeorg/freqtrade@sha256:${digest("b")}`;

const devOutputs = () => ({
  health: { ready: true, bots: { "btc-usdt-mm": { ready: true }, "eth-trend": { ready: true } } },
  images: { "btc-usdt-mm": MM, "eth-trend": FT },
  chartVersions: { kps: "75.15.1" },
  kubeconfig: "[secret]",
});

const prodConfig = () => ({
  "botfleet:environment": "prod",
  "botfleet:cluster": { provider: "digitalocean", region: "fra1", ha: true },
  "botfleet:monitoring": { enabled: true, retention: "15d", chartVersion: "75.0.0" },
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
      "an image pinned by tag only",
      (d) => ({ ...d, images: { ...d.images, "btc-usdt-mm": "hummingbot/hummingbot:version-2.5.0" } }),
      [
        'dev image of btc-usdt-mm must be pinned to a digest (repo@sha256:<64 hex>), got "hummingbot/hummingbot:version-2.5.0"',
      ],
    ],
    [
      "a truncated digest",
      (d) => ({
        ...d,
        images: { ...d.images, "eth-trend": `freqtradeorg/freqtrade@sha256:${"b".repeat(12)}` },
      }),
      [
        `dev image of eth-trend must be pinned to a digest (repo@sha256:<64 hex>), got "freqtradeorg/freqtrade@sha256:${"b".repeat(12)}"`,
      ],
    ],
    [
      "a prod bot that never ran on dev",
      (d) => ({ ...d, images: { "btc-usdt-mm": MM } }),
      ["prod bot eth-trend has no image on dev: run it on dev first"],
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

  test("a key the file lacks is added; the file still means the same apart from it", () => {
    const source =
      "# prod\nconfig:\n  botfleet:environment: prod\n  botfleet:cluster: { provider: digitalocean, tags: [a] }\n";
    const change = { path: ["botfleet:monitoring", "chartVersion"], from: undefined, to: "75.15.1" };
    const edited = editStackText(source, [change]);
    expect(edited.startsWith("# prod\n")).toBe(true);
    expect(parse(edited)).toEqual({
      config: {
        "botfleet:environment": "prod",
        "botfleet:cluster": { provider: "digitalocean", tags: ["a"] },
        "botfleet:monitoring": { chartVersion: "75.15.1" },
      },
    });
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
