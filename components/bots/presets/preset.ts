/** What a preset decides for its bots: their config files, the fleet scripts they run, their pod. */
import type { BotConfig } from "../../../config/bots";
import type { MqttEndpoint, PodContext, PodParts } from "../containers";

/** `B`: the bots of this preset (config/bots.ts), whose own section is always there. */
export interface BotPreset<B extends BotConfig = BotConfig> {
  /** The bot's ConfigMap data (non-secret only). */
  configData(bot: B, mqtt: MqttEndpoint): Record<string, string>;
  /** The scripts its pods run: a change to one rolls the bots that opt in to config rolls. */
  scripts(bot: B): string[];
  pod(bot: B, ctx: PodContext): PodParts;
}
