/** The preset of a bot: each is one file behind {@link BotPreset}, chosen here. */
import type { BotConfig } from "../../../config/bots";
import type { MqttEndpoint, PodContext, PodParts } from "../containers";
import { custom } from "./custom";
import { freqtrade } from "./freqtrade";
import { hummingbot } from "./hummingbot";
import type { BotPreset } from "./preset";

export type { BotPreset } from "./preset";
export { hummingbotClientConfig } from "./hummingbot";
export { freqtradeConfig } from "./freqtrade";
export { customProbe } from "./custom";

/** Calls `use` with the bot's preset and the bot, narrowed to that preset's bots. */
function withPreset<R>(bot: BotConfig, use: <B extends BotConfig>(preset: BotPreset<B>, bot: B) => R): R {
  const preset = bot.preset;
  switch (bot.preset) {
    case "hummingbot":
      return use(hummingbot, bot);
    case "freqtrade":
      return use(freqtrade, bot);
    case "custom":
      return use(custom, bot);
    default: {
      // A new preset fails to compile until it has a case here.
      const unknown: never = bot;
      void unknown;
      throw new Error(`unknown preset ${String(preset)}`);
    }
  }
}

/** The containers, init containers and volumes of the bot's pod, as its preset builds them. */
export const botPodParts = (bot: BotConfig, ctx: PodContext): PodParts =>
  withPreset(bot, (preset, b) => preset.pod(b, ctx));

/** The bot's ConfigMap data (non-secret only). */
export const botConfigData = (bot: BotConfig, mqtt: MqttEndpoint): Record<string, string> =>
  withPreset(bot, (preset, b) => preset.configData(b, mqtt));

/** The scripts a bot's pods run: a change to one rolls the bots that opt in to config rolls. */
export const botScriptNames = (bot: BotConfig): string[] => withPreset(bot, (preset, b) => preset.scripts(b));
