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
import { BOT_NAME_MAX } from "./bot-names";
import {
  type BotInput,
  DEFAULT_GRACE,
  LIVE_SECRET_KEYS,
  PRESET_RESOURCES,
  PRESET_STORAGE,
  botInputSchema,
  customSchema,
  keyedRecord,
  secretKeyName,
} from "./bot-schema";

function resolveBot(b: BotInput) {
  const hb = b.hummingbot;
  return {
    ...b,
    exchange: b.exchange ?? "none",
    resources: {
      ...PRESET_RESOURCES[b.preset],
      ephemeralStorage: "1Gi",
      ...b.resources,
      memoryLimit:
        b.resources?.memoryLimit ??
        (b.resources ? `${bytes(b.resources.memory) * 2}` : PRESET_RESOURCES[b.preset].memoryLimit),
    },
    terminationGracePeriodSeconds: b.terminationGracePeriodSeconds ?? DEFAULT_GRACE[b.workload],
    restartOnConfigChange: b.restartOnConfigChange ?? b.paperTrading,
    storage: b.workload === "trader" ? (b.storage ?? PRESET_STORAGE[b.preset]) : b.storage,
    activeDeadlineSeconds: b.workload === "scheduled" ? (b.activeDeadlineSeconds ?? 3600) : undefined,
    hummingbot: hb === undefined ? undefined : { ...hb, instanceId: hb.instanceId ?? b.name },
    custom: b.preset === "custom" ? (b.custom ?? customSchema.parse({})) : undefined,
  };
}

export const botSchema = botInputSchema.superRefine(checkBot).transform(resolveBot);

/** The resolved config of one bot: every default filled in. */
export type BotConfig = z.output<typeof botSchema>;

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
