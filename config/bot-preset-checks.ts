/** The rules each preset adds: hummingbot config files, freqtrade config and strategies, custom images. */
import { z } from "zod";
import { show } from "./common";
import { LONG_RUNNING_COMMANDS, freqtradeConfigProblems, withFreqtradeDefaults } from "./freqtrade";
import { strategyFileProblems } from "./hummingbot";
import { connectorValues, has, issue } from "./bot-checks";
import {
  type BotInput,
  SECRET_LIKE_ENV,
  customSchema,
  freqtradeSchema,
  hummingbotSchema,
} from "./bot-schema";

/** Freqtrade config keys that hold secrets: they come from botSecrets or are generated. */
const FREQTRADE_SECRET_PATHS = [
  ["exchange", "key"],
  ["exchange", "secret"],
  ["exchange", "password"],
  ["exchange", "uid"],
  ["api_server", "username"],
  ["api_server", "password"],
  ["api_server", "jwt_secret_key"],
  ["api_server", "ws_token"],
  ["telegram", "token"],
];
/** Freqtrade config keys the fleet owns. */
const FREQTRADE_OWNED_PATHS = [["dry_run"], ["exchange", "name"], ["db_url"], ["bot_name"]];

export function checkHummingbot(b: BotInput, hb: z.output<typeof hummingbotSchema>, ctx: z.RefinementCtx) {
  if ((hb.strategy === undefined) === (hb.script === undefined)) {
    issue(
      ctx,
      ["hummingbot"],
      `must set exactly one of "strategy" (a file in conf/strategies/) or "script" (a file in conf/scripts/), got ${hb.strategy === undefined ? "neither" : "both"}`,
      hb,
    );
  }
  const wanted =
    hb.strategy !== undefined
      ? ["strategy", `strategies/${hb.strategy}`]
      : hb.script !== undefined
        ? ["script", `scripts/${hb.script}`]
        : undefined;
  if (wanted !== undefined && !(wanted[1] in hb.configFiles)) {
    issue(
      ctx,
      ["hummingbot", wanted[0]],
      `must name a file in hummingbot.configFiles ("${wanted[1]}"), got ${show(wanted[1].replace(/^[a-z]+\//, ""))}; known files: ${Object.keys(hb.configFiles).join(", ") || "none"}`,
      wanted[1],
    );
  }
  const strategyFile = hb.strategy === undefined ? undefined : hb.configFiles[`strategies/${hb.strategy}`];
  if (strategyFile !== undefined) {
    // The V1 strategy as rendered (fleet defaults under the user's values), against its config map.
    for (const [key, message] of strategyFileProblems(strategyFile)) {
      issue(ctx, ["hummingbot", "configFiles", `strategies/${hb.strategy}`, key], message, strategyFile[key]);
    }
  }
  if (hb.script !== undefined) {
    const scriptConfig = hb.configFiles[`scripts/${hb.script}`];
    if (scriptConfig !== undefined && typeof scriptConfig.script_file_name !== "string") {
      issue(
        ctx,
        ["hummingbot", "configFiles", `scripts/${hb.script}`, "script_file_name"],
        `a V2 script config must name its script (e.g. "simple_pmm.py"), got ${show(scriptConfig.script_file_name)}`,
        scriptConfig.script_file_name,
      );
    }
  }
  const client = hb.configFiles["conf_client.yml"];
  const mqtt = client?.mqtt_bridge as Record<string, unknown> | undefined;
  if (mqtt !== undefined && typeof mqtt === "object" && "mqtt_password" in mqtt) {
    issue(
      ctx,
      ["hummingbot", "configFiles", "conf_client.yml", "mqtt_bridge", "mqtt_password"],
      `must not be set: the fleet's MQTT broker password is generated and injected at start`,
      "<redacted>",
    );
  }
  if (b.exchange === undefined) return;
  const paperName = `${b.exchange}_paper_trade`;
  for (const [file, content] of Object.entries(hb.configFiles)) {
    if (file === "conf_client.yml") continue;
    for (const found of connectorValues(content)) {
      const path = ["hummingbot", "configFiles", file, ...found.path];
      if (b.paperTrading && found.value === b.exchange) {
        issue(
          ctx,
          path,
          `a paper bot must use the paper-trade connector "${paperName}" (or set paperTrading: false to go live), got ${show(found.value)}`,
          found.value,
        );
      }
      if (!b.paperTrading && found.value.endsWith("_paper_trade")) {
        issue(
          ctx,
          path,
          `a live bot must use a real connector such as "${b.exchange}", got ${show(found.value)}`,
          found.value,
        );
      }
    }
  }
}

export function checkFreqtrade(b: BotInput, ft: z.output<typeof freqtradeSchema>, ctx: z.RefinementCtx) {
  for (const path of FREQTRADE_SECRET_PATHS) {
    if (has(ft.config, path)) {
      issue(
        ctx,
        ["freqtrade", "config", ...path],
        `must not be in stack config: exchange keys come from botSecrets and the API credentials are generated`,
        "<redacted>",
      );
    }
  }
  for (const path of FREQTRADE_OWNED_PATHS) {
    if (has(ft.config, path)) {
      issue(
        ctx,
        ["freqtrade", "config", ...path],
        `is set by the fleet (from paperTrading, exchange and the state volume); remove it`,
        undefined,
      );
    }
  }
  if (b.workload === "scheduled" && (ft.args === undefined || ft.args.length === 0)) {
    issue(
      ctx,
      ["freqtrade", "args"],
      `a scheduled freqtrade bot needs its subcommand, e.g. ["download-data", "--days", "30"], got nothing`,
      ft.args,
    );
  }
  if (b.workload !== "scheduled" && ft.args !== undefined) {
    issue(
      ctx,
      ["freqtrade", "args"],
      `only a scheduled freqtrade bot takes args; a trader always runs "trade"`,
      ft.args,
    );
  }
  const args = b.workload === "scheduled" ? (ft.args ?? []) : ["trade"];
  if (args.length === 0) return;
  if (b.workload === "scheduled" && (LONG_RUNNING_COMMANDS as readonly string[]).includes(args[0])) {
    issue(
      ctx,
      ["freqtrade", "args", 0],
      `a scheduled bot runs a command that ends, such as "download-data" or "backtesting"; "${args[0]}" runs until stopped: make the bot a trader, got ${show(args[0])}`,
      args[0],
    );
    return;
  }
  if (b.workload === "scheduled" && has(ft.config, ["api_server"])) {
    issue(
      ctx,
      ["freqtrade", "config", "api_server"],
      `only a trader serves freqtrade's API; a scheduled bot's "${args[0]}" would refuse an api_server section without credentials, remove it`,
      undefined,
    );
  }
  // The config as rendered (fleet defaults under the user's settings), against freqtrade's own rules.
  const shipped = Object.values(ft.strategyFiles).find((src) =>
    new RegExp(`^class ${ft.strategy}\\(`, "m").test(src),
  );
  const problems = freqtradeConfigProblems(
    withFreqtradeDefaults(ft.config),
    args,
    shipped === undefined ? undefined : { name: ft.strategy, source: shipped },
  );
  for (const p of problems) issue(ctx, ["freqtrade", ...p.path], p.message, undefined);
}

export function checkCustom(b: BotInput, c: z.output<typeof customSchema>, ctx: z.RefinementCtx) {
  for (const name of Object.keys(c.env)) {
    if (SECRET_LIKE_ENV.test(name)) {
      issue(
        ctx,
        ["custom", "env", name],
        `looks like a secret; put the value in botSecrets.${b.name} and map it in custom.secretEnv`,
        "<redacted>",
      );
    }
  }
  if (b.workload !== "scheduled") {
    for (const kind of ["liveness", "readiness"] as const) {
      if (c.probes[kind] === undefined) {
        issue(
          ctx,
          ["custom", "probes", kind],
          `a long-running bot needs a ${kind} probe (http, tcp or exec), got nothing`,
          undefined,
        );
      }
    }
  }
  const portNames = new Set(c.ports.map((p) => p.name));
  const portNumbers = new Set(c.ports.map((p) => p.containerPort));
  c.ports.forEach((p, i) => {
    if (c.ports.findIndex((q) => q.name === p.name) !== i) {
      issue(ctx, ["custom", "ports", i, "name"], `must be unique, got ${show(p.name)} twice`, p.name);
    }
  });
  if (b.workload === "service" && c.ports.length === 0) {
    issue(ctx, ["custom", "ports"], `a service needs at least one port to serve, got nothing`, c.ports);
  }
  for (const kind of ["startup", "liveness", "readiness"] as const) {
    const probe = c.probes[kind];
    if (probe === undefined) continue;
    const path = ["custom", "probes", kind];
    if (probe.type === "exec" && probe.command === undefined) {
      issue(ctx, [...path, "command"], `an exec probe needs a command, got nothing`, undefined);
    }
    if (probe.type !== "exec") {
      if (probe.port === undefined)
        issue(ctx, [...path, "port"], `a ${probe.type} probe needs a port, got nothing`, undefined);
      else if (typeof probe.port === "string" ? !portNames.has(probe.port) : !portNumbers.has(probe.port)) {
        issue(
          ctx,
          [...path, "port"],
          `must be a declared port (${[...portNames].join(", ") || "none declared"}), got ${show(probe.port)}`,
          probe.port,
        );
      }
    }
    if (probe.type === "http" && probe.path === undefined) {
      issue(ctx, [...path, "path"], `an http probe needs a path such as "/health", got nothing`, undefined);
    }
  }
  if (
    c.probes.liveness !== undefined &&
    JSON.stringify(c.probes.liveness) === JSON.stringify(c.probes.readiness)
  ) {
    issue(
      ctx,
      ["custom", "probes", "readiness"],
      `must differ from the liveness probe (a failed readiness check should not restart the bot); use another path or threshold`,
      c.probes.readiness,
    );
  }
  const reserved = new Set(["tmp", "state", "bot-scripts", "bot-secrets"]);
  c.volumes.forEach((v, i) => {
    if (reserved.has(v.name)) {
      issue(
        ctx,
        ["custom", "volumes", i, "name"],
        `is reserved by the fleet (${[...reserved].join(", ")}), got ${show(v.name)}`,
        v.name,
      );
    }
  });
  if (b.workload !== "scheduled" && c.restartPolicy !== "OnFailure") {
    issue(
      ctx,
      ["custom", "restartPolicy"],
      `only a scheduled bot takes a restartPolicy; long-running pods always restart`,
      c.restartPolicy,
    );
  }
}
