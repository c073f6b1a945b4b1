/** The example stack snippets shipped in files/bots/examples parse, and name the secrets they need. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { z } from "zod";
import {
  FREQTRADE_STRATEGY_PATH,
  botSecretsProblems,
  botsSchema,
  requiredBotSecrets,
  type BotConfig,
} from "../../config/bots";
import { SCRIPTS_DIR } from "../../components/bots/scripts";

const load = (file: string) =>
  YAML.parse(fs.readFileSync(path.join(SCRIPTS_DIR, "examples", file), "utf8")).config["botfleet:bots"];

test("the dev example is a valid fleet of paper bots needing only the secrets its custom bots name", () => {
  const fleet = z.parse(botsSchema, load("Pulumi.dev.bots.yaml"));
  expect(fleet.every((b) => b.paperTrading)).toBe(true);
  expect(new Set(fleet.map((b) => `${b.preset}/${b.workload}`))).toEqual(
    new Set([
      "hummingbot/trader",
      "freqtrade/trader",
      "freqtrade/scheduled",
      "custom/service",
      "custom/scheduled",
    ]),
  );
  expect(requiredBotSecrets(fleet)).toEqual([]);
});

test("the prod example is valid, and lists exactly the live keys the file's comments tell operators to set", () => {
  const fleet = z.parse(botsSchema, load("Pulumi.prod.bots.yaml"));
  const required = requiredBotSecrets(fleet);
  expect(required).toEqual([
    "botSecrets.btc-usdt-mm.configPassword",
    "botSecrets.btc-usdt-mm.connectorConfig",
    "botSecrets.btc-usdt-mm.passwordVerification",
    "botSecrets.ft-kraken-trend.apiKey",
    "botSecrets.ft-kraken-trend.apiSecret",
  ]);
  const comments = fs.readFileSync(path.join(SCRIPTS_DIR, "examples", "Pulumi.prod.bots.yaml"), "utf8");
  for (const p of required) expect(comments).toContain(`'${p}'`);
  expect(botSecretsProblems(fleet, {}).length).toBe(required.length);
  expect(fleet.filter((b) => !b.paperTrading).map((b) => [b.name, b.restartOnConfigChange])).toEqual([
    ["btc-usdt-mm", false],
    ["ft-kraken-trend", false],
  ]);
});

/**
 * Why a strategy would be missing: the stock freqtrade image has none. A bot must name SampleStrategy in
 * user_data's strategies dir (seeded by the create-userdir init container) or ship the class itself.
 */
function strategyProblems(fleet: BotConfig[]): string[] {
  return fleet
    .filter((b) => b.preset === "freqtrade" && b.workload !== "scheduled")
    .flatMap((b) => {
      const ft = b.freqtrade!;
      const shipped = Object.values(ft.strategyFiles).some((src) =>
        new RegExp(`^class ${ft.strategy}\\(`, "m").test(src),
      );
      if (Object.keys(ft.strategyFiles).length > 0) {
        return shipped ? [] : [`${b.name}: no class ${ft.strategy} in its strategyFiles`];
      }
      const seeded = ft.strategy === "SampleStrategy" && ft.strategyPath === FREQTRADE_STRATEGY_PATH;
      return seeded ? [] : [`${b.name}: ${ft.strategy} is in neither strategyFiles nor the seeded samples`];
    });
}

test.each(["Pulumi.dev.bots.yaml", "Pulumi.prod.bots.yaml"])(
  "every freqtrade trader in %s finds its strategy, and shipped sources compile",
  (file) => {
    const fleet = z.parse(botsSchema, load(file));
    expect(strategyProblems(fleet)).toEqual([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-example-"));
    try {
      for (const b of fleet) {
        for (const [name, src] of Object.entries(b.freqtrade?.strategyFiles ?? {})) {
          fs.writeFileSync(path.join(dir, name), src);
          execFileSync("python3", ["-m", "py_compile", path.join(dir, name)]);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("the strategy check catches a strategy the image does not have", () => {
  const fleet = z.parse(botsSchema, load("Pulumi.prod.bots.yaml"));
  const stripped = fleet.map((b) =>
    b.freqtrade === undefined ? b : { ...b, freqtrade: { ...b.freqtrade, strategyFiles: {} } },
  );
  expect(strategyProblems(stripped)).toEqual([
    "ft-kraken-trend: TrendStrategy is in neither strategyFiles nor the seeded samples",
    "ft-kraken-paper: TrendStrategyV2 is in neither strategyFiles nor the seeded samples",
  ]);
});

test("the dev example's download-data job keeps its candles on a claim", () => {
  const fleet = z.parse(botsSchema, load("Pulumi.dev.bots.yaml"));
  const download = fleet.find((b) => b.freqtrade?.args?.[0] === "download-data")!;
  expect(download).toMatchObject({ workload: "scheduled", storage: "5Gi" });
});
