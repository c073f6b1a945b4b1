/** YAML the program writes reads back the same to YAML 1.1 readers (kubectl, go-yaml v2, PyYAML) and 1.2. */
import { parse } from "yaml";
import { plainIsString, toYaml } from "../../components/specs/yaml";
import { botConfigData } from "../../components/bots/presets";
import { parseHummingbot, rawFleet } from "../bots/fixtures";

// Strings YAML 1.1 reads as booleans, numbers, dates, null or a merge key; and some 1.2 reads as numbers.
const RETYPED = [
  "on",
  "off",
  "On",
  "OFF",
  "yes",
  "no",
  "Yes",
  "NO",
  "y",
  "n",
  "Y",
  "N",
  "true",
  "False",
  "null",
  "~",
  "",
  "1:20",
  "190:20:30.15",
  "0755",
  "0o17",
  "0x1F",
  "0b101",
  "1_000",
  "1e3",
  "+12",
  "-100123",
  ".inf",
  "-.Inf",
  ".nan",
  "1.0",
  ".5",
  "2026-01-15",
  "2026-01-15T03:00:00Z",
  "<<",
  "=",
];
// Strings no reader retypes: written plain, so the YAML stays readable.
const PLAIN = ["BTC-USDT", "binance_paper_trade", "hello world", "03-00", "v1", "on-call", "1.33.1-do.0"];

test.each(RETYPED)("%j is written quoted and reads back as a string in YAML 1.1 and 1.2", (text) => {
  expect(plainIsString(text)).toBe(false);
  const yaml = toYaml({ [text]: text, list: [text] });
  for (const version of ["1.1", "1.2"] as const) {
    expect(parse(yaml, { version })).toEqual({ [text]: text, list: [text] });
  }
});

test.each(PLAIN)("%j stays a plain scalar", (text) => {
  expect(plainIsString(text)).toBe(true);
  expect(toYaml({ k: text })).toBe(`k: ${text}\n`);
});

test("numbers, booleans, null and multi-line strings keep their types; block text stays a block", () => {
  const value = { n: 5, f: 0.25, t: true, z: null, text: "line one\nline two: on\n" };
  const yaml = toYaml(value);
  expect(yaml).toContain("text: |");
  for (const version of ["1.1", "1.2"] as const) expect(parse(yaml, { version })).toEqual(value);
});

test('a hummingbot script config value such as "on" reaches PyYAML (YAML 1.1) as a string', () => {
  const bot = parseHummingbot(rawFleet[0]);
  const conf = bot.hummingbot.configFiles["scripts/conf_pmm_btc.yml"];
  const withOn = {
    ...bot,
    hummingbot: {
      ...bot.hummingbot,
      configFiles: {
        ...bot.hummingbot.configFiles,
        "scripts/conf_pmm_btc.yml": { ...conf, price_type: "on" },
      },
    },
  };
  const data = botConfigData(withOn, { host: "mqtt", port: 1883 });
  expect(parse(data["scripts__conf_pmm_btc.yml"], { version: "1.1" }).price_type).toBe("on");
});
