/** The example stack snippets shipped in files/bots/examples parse, and name the secrets they need. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { z } from "zod";
import { botSecretsProblems, botsSchema, requiredBotSecrets } from "../../config/bots";
import { SCRIPTS_DIR } from "../../components/bots/specs";

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
      "custom/trader",
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
    "botSecrets.signal-api.signalToken",
  ]);
  const comments = fs.readFileSync(path.join(SCRIPTS_DIR, "examples", "Pulumi.prod.bots.yaml"), "utf8");
  for (const p of required) expect(comments).toContain(`'${p}'`);
  expect(botSecretsProblems(fleet, {}).length).toBe(required.length);
  expect(fleet.filter((b) => !b.paperTrading).map((b) => [b.name, b.restartOnConfigChange])).toEqual([
    ["btc-usdt-mm", false],
    ["ft-kraken-trend", false],
  ]);
});
