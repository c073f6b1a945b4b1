/** What a preset decides for its bots: their config files, the fleet scripts they run, their pod. */
import type { BotConfig } from "../../../config/bots";
import type { MqttEndpoint, PodContext, PodParts } from "../containers";

export interface BotPreset {
  /** The bot's ConfigMap data (non-secret only). */
  configData(bot: BotConfig, mqtt: MqttEndpoint): Record<string, string>;
  /** The scripts its pods run: a change to one rolls the bots that opt in to config rolls. */
  scripts(bot: BotConfig): string[];
  pod(bot: BotConfig, ctx: PodContext): PodParts;
}
