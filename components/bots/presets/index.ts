/** The preset of a bot: each is one file behind {@link BotPreset}, chosen here. */
import type { BotConfig } from "../../../config/bots";
import type { MqttEndpoint } from "../containers";
import { custom } from "./custom";
import { freqtrade } from "./freqtrade";
import { hummingbot } from "./hummingbot";
import type { BotPreset } from "./preset";

export type { BotPreset } from "./preset";
export { hummingbotClientConfig } from "./hummingbot";
export { freqtradeConfig } from "./freqtrade";
export { customProbe } from "./custom";

export function presetOf(bot: BotConfig): BotPreset {
  const preset = bot.preset;
  switch (preset) {
    case "hummingbot":
      return hummingbot;
    case "freqtrade":
      return freqtrade;
    case "custom":
      return custom;
    default: {
      // A new preset fails to compile until it has a case here.
      const unknown: never = preset;
      throw new Error(`unknown preset ${String(unknown)}`);
    }
  }
}

/** The bot's ConfigMap data (non-secret only). */
export const botConfigData = (bot: BotConfig, mqtt: MqttEndpoint): Record<string, string> =>
  presetOf(bot).configData(bot, mqtt);

/** The scripts a bot's pods run: a change to one rolls the bots that opt in to config rolls. */
export const botScriptNames = (bot: BotConfig): string[] => presetOf(bot).scripts(bot);
