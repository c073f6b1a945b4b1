/**
 * Every bot's rendered config passes its bot's own validation for the command it runs, for every bot in
 * every stack file, example and fixture: freqtrade's config.json as freqtrade 2025.10 would see it (file,
 * then FREQTRADE__* env, strategy attributes and the validator's defaults) checked by ajv against
 * test/support/freqtrade-schema.ts; hummingbot's V1 strategy files against their config maps.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import * as YAML from "yaml";
import { z } from "zod";
import { botsSchema, type BotConfig } from "../../config/bots";
import { parseStackConfig } from "../../config";
import { FREQTRADE_DEFAULTS } from "../../config/freqtrade";
import { type PodContext } from "../../components/bots/containers";
import { botPodTemplate } from "../../components/bots/pod";
import { botConfigData } from "../../components/bots/presets";
import { SCRIPTS_DIR } from "../../components/bots/scripts";
import { loadStack, readStackFile } from "../../lib/stackfile";
import type { Obj } from "../support/k8s";
import {
  FILLED_BEFORE_CHECK,
  SAMPLE_STRATEGY_GIVES,
  freqtradeSchema,
  modeOf,
} from "../support/freqtrade-schema";
import { REPO, STACKS } from "../support/stacks";
import { NAMESPACES, parseFleet } from "./fixtures";

const MQTT = { host: "botfleet-mqtt.botfleet-bots.svc", port: 1883 };

/** Every bot we ship a config for: stack files, the example snippets, the test fixtures. */
function allBots(): { source: string; bot: BotConfig }[] {
  const out: { source: string; bot: BotConfig }[] = [];
  for (const stack of STACKS) {
    const config = parseStackConfig(loadStack(stack, readStackFile(REPO, stack)), stack);
    for (const bot of config.bots) out.push({ source: `Pulumi.${stack}.yaml`, bot });
  }
  for (const file of fs.readdirSync(path.join(SCRIPTS_DIR, "examples"))) {
    const raw = YAML.parse(fs.readFileSync(path.join(SCRIPTS_DIR, "examples", file), "utf8"));
    for (const bot of z.parse(botsSchema, raw.config["botfleet:bots"])) out.push({ source: file, bot });
  }
  for (const bot of parseFleet()) out.push({ source: "fixtures", bot });
  return out;
}
const BOTS = allBots();

/** Keys a bot's Secret holds (botSecrets for live bots, plus the generated ones), as BotFleet builds it. */
function secretKeysOf(bot: BotConfig): string[] {
  const keys: string[] = [];
  if (!bot.paperTrading && bot.preset === "freqtrade") keys.push("apiKey", "apiSecret");
  if (bot.preset === "freqtrade" && bot.workload !== "scheduled")
    keys.push("apiServerPassword", "jwtSecretKey");
  if (bot.preset === "hummingbot") keys.push("configPassword");
  return keys;
}
const ctxOf = (bot: BotConfig): PodContext => ({
  namespaces: NAMESPACES,
  secretKeys: secretKeysOf(bot),
  mqtt: MQTT,
  hasState: bot.storage !== undefined,
});

/** Class attributes with literal values, read by Python's own parser (what the strategy resolver copies). */
function strategyAttributes(source: string, className: string): Record<string, unknown> {
  const script = [
    "import ast, json, sys",
    "tree = ast.parse(sys.stdin.read())",
    "out = {}",
    "for node in tree.body:",
    "    if isinstance(node, ast.ClassDef) and node.name == sys.argv[1]:",
    "        for st in node.body:",
    "            target = st.targets[0] if isinstance(st, ast.Assign) else getattr(st, 'target', None)",
    "            if isinstance(target, ast.Name) and getattr(st, 'value', None) is not None:",
    "                try: out[target.id] = ast.literal_eval(st.value)",
    "                except ValueError: pass",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(execFileSync("python3", ["-c", script, className], { input: source, encoding: "utf8" }));
}

function setPath(obj: Obj, keys: string[], value: unknown) {
  let node = obj;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys[keys.length - 1]] = value;
}

/** config.json as freqtrade validates it, and the command it runs. */
function asFreqtradeSees(bot: BotConfig): { command: string; config: Obj } {
  const config = JSON.parse(botConfigData(bot, MQTT)["config.json"]);
  const main = (botPodTemplate(bot, ctxOf(bot), "checksum").spec.containers as Obj[])[0];
  // configuration.py: FREQTRADE__SECTION__KEY environment variables override the file.
  for (const e of main.env ?? []) {
    if (!e.name.startsWith("FREQTRADE__")) continue;
    const value = e.value ?? `from-secret-${e.valueFrom.secretKeyRef.key}-`.padEnd(48, "x");
    setPath(config, e.name.slice("FREQTRADE__".length).toLowerCase().split("__"), value);
  }
  const command = main.args[0];
  if (command === "trade") {
    // strategy_resolver.py: what the config lacks, the strategy gives; max_open_trades defaults to -1.
    const ft = bot.freqtrade!;
    const shipped = Object.values(ft.strategyFiles).find((s) =>
      new RegExp(`^class ${ft.strategy}\\(`, "m").test(s),
    );
    const given: Record<string, unknown> =
      shipped !== undefined
        ? strategyAttributes(shipped, ft.strategy)
        : ft.strategy === "SampleStrategy"
          ? SAMPLE_STRATEGY_GIVES
          : {};
    for (const key of ["timeframe", "stoploss", "minimal_roi", "stake_currency", "stake_amount"]) {
      if (config[key] === undefined && given[key] !== undefined) config[key] = given[key];
    }
    config.max_open_trades ??= given.max_open_trades ?? -1;
  }
  for (const [key, value] of Object.entries(FILLED_BEFORE_CHECK)) config[key] ??= value;
  return { command, config };
}

const ajv = new Ajv({ allErrors: true });
function freqtradeErrors(command: string, config: Obj): string[] {
  const validate = ajv.compile(freqtradeSchema(modeOf(command)));
  return validate(config) ? [] : validate.errors!.map((e) => `${e.dataPath || "(root)"} ${e.message}`);
}

const freqtradeBots = BOTS.filter((b) => b.bot.preset === "freqtrade");

test("every stack file's freqtrade bots, traders and scheduled ones, are under test", () => {
  const kinds = new Set(freqtradeBots.map((b) => `${b.source}: ${b.bot.workload}`));
  for (const stack of STACKS)
    expect([...kinds].some((k) => k.startsWith(`Pulumi.${stack}.yaml: trader`))).toBe(true);
  expect([...kinds]).toContain("Pulumi.dev.yaml: scheduled");
});

test.each(freqtradeBots.map((b) => [b.source, b.bot.name, b.bot] as const))(
  "%s %s: config.json passes freqtrade's schema for its command",
  (_source, _name, bot) => {
    const { command, config } = asFreqtradeSees(bot);
    expect(freqtradeErrors(command, config)).toEqual([]);
    // API credentials only where the command serves the API.
    expect("api_server" in config).toBe(command === "trade");
  },
);

test("the schema bites: without the fleet's defaults, or with an api_server lacking credentials, it refuses", () => {
  const trader = freqtradeBots.find((b) => b.source === "Pulumi.local.yaml")!.bot;
  const { config } = asFreqtradeSees(trader);
  for (const key of Object.keys(FREQTRADE_DEFAULTS)) {
    const without = { ...config, [key]: key === "pairlists" ? [] : undefined };
    expect(freqtradeErrors("trade", JSON.parse(JSON.stringify(without)))).not.toEqual([]);
  }
  const scheduled = freqtradeBots.find((b) => b.bot.workload === "scheduled")!.bot;
  const job = asFreqtradeSees(scheduled);
  expect(
    freqtradeErrors(job.command, { ...job.config, api_server: { enabled: true, listen_port: 8080 } }),
  ).toEqual(expect.arrayContaining([".api_server should have required property 'username'"]));
});

/**
 * What hummingbot 2.16's V1 config maps leave without a default (a ConfigVar with neither `default` nor
 * `required_if`, hummingbot/strategy/<name>/<name>_config_map.py at v2.16.0), for the strategies our
 * stacks and fixtures run: the rendered file must give each a value.
 */
const V1_NO_DEFAULT: Record<string, string[]> = {
  pure_market_making: [
    "exchange",
    "market",
    "bid_spread",
    "ask_spread",
    "order_refresh_time",
    "order_amount",
  ],
};

const v1Bots = BOTS.filter((b) => b.bot.hummingbot?.strategy !== undefined);

test("the stacks' V1 hummingbot bots are under test, and each runs a strategy the table knows", () => {
  expect(v1Bots.map((b) => `${b.source}: ${b.bot.name}`)).toEqual(
    expect.arrayContaining(["Pulumi.dev.yaml: eth-usdt-pmm"]),
  );
  for (const { bot } of v1Bots) {
    const file = bot.hummingbot!.configFiles[`strategies/${bot.hummingbot!.strategy}`];
    expect(Object.keys(V1_NO_DEFAULT)).toContain(file.strategy);
  }
});

test.each(v1Bots.map((b) => [b.source, b.bot.name, b.bot] as const))(
  "%s %s: the V1 strategy file gives every value hummingbot has no default for",
  (_source, _name, bot) => {
    const hb = bot.hummingbot!;
    const data = botConfigData(bot, MQTT)[`strategies__${hb.strategy}`];
    // hummingbot loads legacy strategy files with ruamel (YAML 1.2).
    const file = YAML.parse(data) as Obj;
    const missing = V1_NO_DEFAULT[file.strategy].filter(
      (k) => file[k] === undefined || file[k] === null || file[k] === "",
    );
    expect(missing).toEqual([]);
  },
);
