/**
 * `botfleet:bots` (the fleet) and `botfleet:botSecrets` (exchange keys and other per-bot secrets).
 *
 * Rules a fleet must keep, enforced here so nothing reaches the cluster that breaks them:
 * - traders place orders: a StatefulSet with one replica, never autoscaled;
 * - only `custom` services scale (APIs, dashboards, signal workers); scheduled bots are CronJobs;
 * - paper trading is the default; a live bot needs its exchange keys in `botSecrets`;
 * - `restartOnConfigChange` defaults to true for paper bots and false for live ones: a live trader
 *   holding positions is never restarted silently by a config change; its pod picks the change up
 *   the next time an operator deletes it at a safe moment (StatefulSet `OnDelete`).
 */
// One entry point for the fleet config: names, field rules and checks live in config/bot-*.ts.
export {
  BOT_NAME_MAX,
  CRONJOB_NAME_MAX,
  PRESETS,
  WORKLOADS,
  botNameProblem,
  botNameUses,
  botObjectNames,
  type NameUse,
  type Preset,
  type Workload,
} from "./bot-names";
export {
  DEFAULT_EGRESS_PORTS,
  FREQTRADE_STRATEGY_PATH,
  LIVE_SECRET_KEYS,
  PRESET_RESOURCES,
  PRESET_STORAGE,
  SECRET_LIKE_ENV,
  TRADER_MIN_GRACE_SECONDS,
} from "./bot-schema";
import { z } from "zod";
import { bytes, dns1123Label, show } from "./common";
import { checkBot, issue } from "./bot-checks";
import { BOT_NAME_MAX, type Preset } from "./bot-names";
import {
  type BotInput,
  DEFAULT_GRACE,
  autoscalingSchema,
  LIVE_SECRET_KEYS,
  PRESET_RESOURCES,
  PRESET_STORAGE,
  botInputSchema,
  customSchema,
  keyedRecord,
  secretKeyName,
} from "./bot-schema";

/** Requests and limits: the preset's, or the bot's with a memory limit of twice its request by default. */
function resolveResources(b: BotInput) {
  const given = b.resources;
  if (given === undefined) {
    const preset = PRESET_RESOURCES[b.preset];
    return { requests: { ...preset.requests, "ephemeral-storage": "1Gi" }, limits: { ...preset.limits } };
  }
  return {
    requests: given.requests,
    limits: {
      memory: given.limits.memory ?? `${bytes(given.requests.memory) * 2}`,
      ...(given.limits.cpu === undefined ? {} : { cpu: given.limits.cpu }),
    },
  };
}

function resolveBot(b: BotInput) {
  const hb = b.hummingbot;
  return {
    ...b,
    exchange: b.exchange ?? "none",
    resources: resolveResources(b),
    terminationGracePeriodSeconds: b.terminationGracePeriodSeconds ?? DEFAULT_GRACE[b.workload],
    restartOnConfigChange: b.restartOnConfigChange ?? b.paperTrading,
    storage: b.workload === "trader" ? (b.storage ?? PRESET_STORAGE[b.preset]) : b.storage,
    activeDeadlineSeconds: b.workload === "scheduled" ? (b.activeDeadlineSeconds ?? 3600) : undefined,
    // A service always gets an HPA: without the section, the section's own defaults (2-5 replicas).
    autoscaling: b.workload === "service" ? (b.autoscaling ?? autoscalingSchema.parse({})) : undefined,
    hummingbot: hb === undefined ? undefined : { ...hb, instanceId: hb.instanceId ?? b.name },
    custom: b.preset === "custom" ? (b.custom ?? customSchema.parse({})) : undefined,
  };
}

type Resolved = ReturnType<typeof resolveBot>;
type PresetFields = "preset" | "hummingbot" | "freqtrade" | "custom";
type WorkloadFields = "workload" | "storage" | "schedule" | "activeDeadlineSeconds" | "autoscaling";
type Section<K extends PresetFields> = NonNullable<Resolved[K]>;

type ProbeInput = NonNullable<Section<"custom">["probes"]["liveness"]>;
/** What checkCustom proves of a probe: an http probe has a path and a port, tcp a port, exec a command. */
export type CustomProbe = ProbeInput &
  (
    | { readonly type: "http"; readonly path: string; readonly port: NonNullable<ProbeInput["port"]> }
    | { readonly type: "tcp"; readonly port: NonNullable<ProbeInput["port"]> }
    | { readonly type: "exec"; readonly command: NonNullable<ProbeInput["command"]> }
  );
type ProbeKind = keyof Section<"custom">["probes"];
type Sections = {
  readonly hummingbot: Section<"hummingbot">;
  readonly freqtrade: Section<"freqtrade">;
  readonly custom: Omit<Section<"custom">, "probes"> & {
    readonly probes: { readonly [K in ProbeKind]?: CustomProbe };
  };
};

/** What checkBot proves of a preset: its own section and no other. */
type PresetPart<P extends Preset> = { readonly preset: P } & { readonly [K in P]: Sections[K] } & {
  readonly [K in Exclude<Preset, P>]?: undefined;
};
type HummingbotPart = PresetPart<"hummingbot">;
type FreqtradePart = PresetPart<"freqtrade">;
type CustomPart = PresetPart<"custom">;
/** What checkBot and resolveBot prove of a workload. */
type TraderPart = {
  readonly workload: "trader";
  /** The state volume; none for a custom trader that sets none. */
  readonly storage?: string;
  readonly schedule?: undefined;
  readonly activeDeadlineSeconds?: undefined;
  readonly autoscaling?: undefined;
};
type ServicePart = {
  readonly workload: "service";
  readonly storage?: undefined;
  readonly schedule?: undefined;
  readonly activeDeadlineSeconds?: undefined;
  readonly autoscaling: NonNullable<Resolved["autoscaling"]>;
};
type ScheduledPart = {
  readonly workload: "scheduled";
  /** The claim the runs share, when set. */
  readonly storage?: string;
  readonly schedule: string;
  readonly activeDeadlineSeconds: number;
  readonly autoscaling?: undefined;
};
type BotCommon = Omit<Resolved, PresetFields | WorkloadFields>;

/**
 * The resolved config of one bot, every default filled in: a union on `preset` and `workload` holding
 * what checkBot proved (hummingbot runs only as a trader, only custom bots are services).
 */
export type BotConfig = BotCommon &
  (
    | (HummingbotPart & TraderPart)
    | (FreqtradePart & (TraderPart | ScheduledPart))
    | (CustomPart & (TraderPart | ServicePart | ScheduledPart))
  );
export type HummingbotBot = Extract<BotConfig, { preset: "hummingbot" }>;
export type FreqtradeBot = Extract<BotConfig, { preset: "freqtrade" }>;
export type CustomBot = Extract<BotConfig, { preset: "custom" }>;
export type TraderBot = Extract<BotConfig, { workload: "trader" }>;
export type ServiceBot = Extract<BotConfig, { workload: "service" }>;
export type ScheduledBot = Extract<BotConfig, { workload: "scheduled" }>;

// The one cast: zod cannot type what checkBot proves, so the output is narrowed here, once.
export const botSchema = botInputSchema.superRefine(checkBot).transform((b) => resolveBot(b) as BotConfig);

export const botsSchema = z
  .array(botSchema)
  .superRefine((all, ctx) => {
    // Runs even when some entries failed: look only at entries that parsed into objects.
    const bots = all.map((b) => (b !== null && typeof b === "object" ? b : undefined));
    const seen = new Map<string, number>();
    bots.forEach((b, i) => {
      if (b === undefined || typeof b.name !== "string") return;
      const first = seen.get(b.name);
      if (first !== undefined) {
        issue(
          ctx,
          [i, "name"],
          `must be unique in the fleet, got ${show(b.name)} (also bots[${first}])`,
          b.name,
        );
      } else seen.set(b.name, i);
    });
    const instanceIds = new Map<string, string>();
    bots.forEach((b, i) => {
      if (b?.hummingbot === undefined) return;
      const id = b.hummingbot.instanceId ?? b.name;
      const owner = instanceIds.get(id);
      if (owner !== undefined) {
        issue(
          ctx,
          [i, "hummingbot", "instanceId"],
          `must be unique in the fleet (MQTT topics are per instance), got ${show(id)} (also bot ${owner})`,
          id,
        );
      } else instanceIds.set(id, b.name);
    });
    bots.forEach((b, i) => {
      if (!Array.isArray(b?.clients)) return;
      b.clients.forEach((client, j) => {
        if (!seen.has(client)) {
          issue(ctx, [i, "clients", j], `must name a bot in the fleet, got ${show(client)}`, client);
        } else if (client === b.name) {
          issue(ctx, [i, "clients", j], `a service need not list itself, got ${show(client)}`, client);
        }
      });
    });
  })
  .default([]);

/** `botfleet:botSecrets`: bot name -> { key: value }. Values are validated as plain strings. */
export const botSecretsSchema = keyedRecord(
  dns1123Label(BOT_NAME_MAX),
  keyedRecord(
    secretKeyName,
    z.string().min(1, { error: "must be a non-empty string; an empty secret is a mistake" }),
  ),
).default({});

export type BotSecretsConfig = z.output<typeof botSecretsSchema>;

/** Secret keys (`botSecrets.<bot>.<key>`) a fleet needs, for the loader to report missing ones. */
export function requiredBotSecrets(bots: readonly BotConfig[]): string[] {
  const paths: string[] = [];
  for (const b of bots) {
    const keys = new Set<string>();
    if (!b.paperTrading && b.preset !== "custom") LIVE_SECRET_KEYS[b.preset].forEach((k) => keys.add(k));
    if (b.custom !== undefined) Object.values(b.custom.secretEnv).forEach((k) => keys.add(k));
    for (const k of keys) paths.push(`botSecrets.${b.name}.${k}`);
  }
  return paths;
}

/** Problems between the fleet and its secrets: missing keys, secrets for bots that do not exist. */
export function botSecretsProblems(
  bots: readonly BotConfig[],
  secrets: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): string[] {
  const problems: string[] = [];
  for (const path of requiredBotSecrets(bots)) {
    const [, bot, key] = path.split(".");
    if (secrets[bot]?.[key] === undefined) {
      const b = bots.find((x) => x.name === bot);
      const why =
        b !== undefined && !b.paperTrading && b.preset !== "custom"
          ? `a live ${b.preset} bot needs it`
          : `custom.secretEnv refers to it`;
      problems.push(
        `botfleet:${path}: required (${why}), got nothing; run "pulumi config set --secret --path ${path} <value>"`,
      );
    }
  }
  const names = new Set(bots.map((b) => b.name));
  for (const bot of Object.keys(secrets)) {
    if (!names.has(bot))
      problems.push(`botfleet:botSecrets.${bot}: no bot is named ${show(bot)}; remove it or fix the name`);
  }
  return problems;
}
