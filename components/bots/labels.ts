/** The fleet label contract (monitoring selects on it) and the metadata every bot object carries. */
import type * as k8s from "@pulumi/kubernetes";
import type { BotConfig } from "../../config/bots";
import { POSTGRES_CLIENT, REDIS_CLIENT } from "../data/contract";
import { PART_OF, selectorLabels, standardLabels } from "../specs/labels";

/** The fleet label contract: monitoring selects on these. */
export function botLabels(bot: BotConfig): Record<string, string> {
  const extra: Record<string, string> = {
    "botfleet.io/bot": bot.name,
    "botfleet.io/preset": bot.preset,
    "botfleet.io/workload": bot.workload,
    "botfleet.io/mode": bot.paperTrading ? "paper" : "live",
    "botfleet.io/exchange": bot.exchange,
  };
  for (const port of bot.egressPorts) extra[egressPortLabel(port)] = "true";
  if (bot.usesRedis) extra[REDIS_CLIENT.label] = "true";
  if (bot.usesPostgres) extra[POSTGRES_CLIENT.label] = "true";
  return standardLabels({ name: bot.preset, instance: bot.name, component: bot.workload }, extra);
}

/**
 * The label of the bots that list `port` (1-65535) in `egressPorts`: the fleet's one policy for that
 * port selects on it, so no bot needs an egress policy of its own.
 */
export const egressPortLabel = (port: number): string => `botfleet.io/egress-port-${port}`;

/**
 * A trader placing real orders: its pod is never evicted unannounced (a PodDisruptionBudget that allows
 * no voluntary disruption, and the cluster autoscaler's safe-to-evict "false"), so a staged template
 * goes live only when an operator deletes the pod.
 */
export const isLiveTrader = (bot: BotConfig): boolean => bot.workload === "trader" && !bot.paperTrading;

/**
 * The labels of {@link botLabels} that only a live trader's pods carry together: the fleet's one
 * live-traders PodDisruptionBudget selects on them, so no trader needs a budget of its own.
 */
export const LIVE_TRADER_SELECTOR: Readonly<Record<string, string>> = {
  "app.kubernetes.io/part-of": PART_OF,
  "botfleet.io/workload": "trader",
  "botfleet.io/mode": "live",
};

export function botSelector(bot: BotConfig): Record<string, string> {
  return selectorLabels({ name: bot.preset, instance: bot.name });
}

/** Labels of the objects all bots share. */
export const fleetLabels = (component: string) =>
  standardLabels({ name: "bots", instance: "botfleet", component });

export function botMeta(
  bot: BotConfig,
  namespace: string,
  name = bot.name,
): k8s.types.input.meta.v1.ObjectMeta {
  return { name, namespace, labels: botLabels(bot) };
}
