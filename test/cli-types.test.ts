/**
 * Values set with `pulumi config set --path` arrive in the CLI's types (config/cli.ts): every text field
 * takes a number or boolean the CLI stored in place of the text the user typed.
 */
import { z } from "zod";
import { ConfigError, parseStackConfig, type RawConfig } from "../config";
import { acceptCliTypes, cliStored } from "../config/cli";
import { botsSchema } from "../config/bots";
import { readStackFile, loadStack } from "../lib/stackfile";
import { REPO, STACKS } from "./support/stacks";

/** What the CLI would store had every text leaf been set one by one with `--path`. */
function asCliStores(value: unknown): unknown {
  if (typeof value === "string") return cliStored(value);
  if (Array.isArray(value)) return value.map(asCliStores);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCliStores(v)]));
  }
  return value;
}

const NON_SECRET = ["cluster", "platform", "redis", "postgres", "monitoring", "bots", "costs"] as const;

/** The parsed config, or the loader's problems. */
function parse(raw: RawConfig, stack: string): Record<string, unknown> | readonly string[] {
  try {
    return parseStackConfig(raw, stack) as unknown as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

test.each<[string, string | number | boolean]>([
  ["12", 12],
  ["-100123", -100123],
  ["+5", 5],
  ["0", 0],
  ["0123", "0123"],
  ["-0", 0],
  ["1.5", "1.5"],
  ["12Gi", "12Gi"],
  ["true", true],
  ["false", false],
  ["True", "True"],
  ["99999999999999999999", "99999999999999999999"],
])("the CLI stores %j as %j", (text, stored) => {
  expect(cliStored(text)).toEqual(stored);
});

const retyped = new Set<string>();

describe.each(STACKS)("stack %s", (stack) => {
  test("parses the same when every value was set with `pulumi config set --path`", () => {
    const file = readStackFile(REPO, stack);
    const cli = Object.fromEntries(
      Object.entries(file).map(([k, v]) => [
        k,
        NON_SECRET.some((s) => k === `botfleet:${s}`) ? asCliStores(v) : v,
      ]),
    );
    if (JSON.stringify(cli) !== JSON.stringify(file)) retyped.add(stack);
    const typed = parse(loadStack(stack, file), stack);
    const fromCli = parse(loadStack(stack, cli), stack);
    expect(Array.isArray(typed)).toBe(false);
    for (const section of NON_SECRET) {
      expect({ section, value: (fromCli as Record<string, unknown>)[section] }).toEqual({
        section,
        value: (typed as Record<string, unknown>)[section],
      });
    }
  });
});

test("the stacks above hold values the CLI retypes (quota CPUs, freqtrade args), so the check bites", () => {
  expect([...retyped].sort()).toEqual(expect.arrayContaining(["dev", "local"]));
});

describe("fields the issue named", () => {
  const base = readStackFile(REPO, "local");
  const set = (path: (string | number)[], value: unknown) => {
    const config = JSON.parse(JSON.stringify(base));
    let node = config;
    for (const p of path.slice(0, -1)) node = node[p];
    node[path[path.length - 1]] = value;
    return parse(loadStack("local", config), "local");
  };

  test("a quota of 12 CPUs, a bot's 1 CPU, a custom arg 8000 and an env value true are accepted", () => {
    const quota = set(["botfleet:platform", "quotas", "bots", "requestsCpu"], 12);
    expect(Array.isArray(quota)).toBe(false);
    expect(
      (quota as { platform: { quotas: { bots: { requestsCpu: string } } } }).platform.quotas.bots,
    ).toMatchObject({
      requestsCpu: "12",
    });
    const cpu = set(["botfleet:bots", 0, "resources"], { requests: { cpu: 1, memory: "1Gi" } });
    type Parsed = { bots: { resources: { requests: { cpu: string } } }[] };
    expect((cpu as Parsed).bots[0].resources.requests.cpu).toBe("1");
  });

  test("custom args, env values and freqtrade args take numbers and booleans as their text", () => {
    const fleet = acceptCliTypes(botsSchema, [
      {
        name: "svc",
        preset: "custom",
        image: "example/svc:1.0.0",
        workload: "service",
        autoscaling: {},
        custom: {
          args: ["serve", "--port", 8000],
          env: { VERBOSE: true, WORKERS: 4 },
          ports: [{ name: "http", containerPort: 8000 }],
          probes: {
            liveness: { type: "tcp", port: 8000 },
            readiness: { type: "http", path: "/ready", port: "http" },
          },
        },
      },
    ]);
    const [svc] = z.parse(botsSchema, fleet);
    expect(svc.custom!.args).toEqual(["serve", "--port", "8000"]);
    expect(svc.custom!.env).toEqual({ VERBOSE: "true", WORKERS: "4" });
    // A number where a number is allowed stays a number (a probe port may be a name or a number).
    expect(svc.custom!.probes.liveness!.port).toBe(8000);
    expect(svc.custom!.ports[0].containerPort).toBe(8000);
  });

  test("a number where a number is wanted is untouched, and a wrong type is still refused", () => {
    const bad = set(["botfleet:bots", 0, "paperTrading"], 1);
    expect(bad).toEqual([`botfleet:bots[0].paperTrading: must be a boolean, got 1`]);
  });
});
