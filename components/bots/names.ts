/** The names, ports, uids and Secret keys the fleet's builders and the component agree on. */
import { botObjectNames, type BotConfig } from "../../config/bots";

/** Names of the objects all bots share (bot names may not start with "botfleet-"). */
export const SHARED = {
  serviceAccount: "botfleet-bots",
  tradersService: "botfleet-traders",
  networkPolicy: "botfleet-bots",
  scripts: "botfleet-bot-scripts",
  mqtt: "botfleet-mqtt",
  liveTraders: "botfleet-live-traders",
} as const;

export const MQTT_PORT = 1883;
export const FREQTRADE_API_PORT = 8080;
export const FREQTRADE_API_USERNAME = "freqtrade";
/**
 * The exporter sidecars' port, named `metrics` (the port Prometheus scrapes and the bots policy admits).
 * Clear of freqtrade's API (8080), hummingbot's gateway (15888) and the data-layer exporters.
 */
export const BOT_METRICS_PORT = 9105;
export const METRICS_PORT_NAME = "metrics";
/** The hummingbot image has no USER line: we run it as this uid, with writable volumes for conf/logs/data. */
export const HUMMINGBOT_UID = 1000;
/** freqtrade's image runs as `ftuser`. */
export const FREQTRADE_UID = 1000;
export const CHECKSUM_ANNOTATION = "botfleet.io/config-checksum";
/**
 * On a live trader's pod template: the cluster autoscaler never removes the node the trader runs on
 * (a scale-down would evict it and, under OnDelete, apply its staged template unannounced).
 */
export const SAFE_TO_EVICT_ANNOTATION = "cluster-autoscaler.kubernetes.io/safe-to-evict";

/** Keys in a bot's own Secret. User keys from botSecrets keep their names. */
export const SECRET_KEYS = {
  configPassword: "configPassword",
  connectorConfig: "connectorConfig",
  passwordVerification: "passwordVerification",
  apiKey: "apiKey",
  apiSecret: "apiSecret",
  apiPassword: "apiPassword",
  apiServerPassword: "apiServerPassword",
  jwtSecretKey: "jwtSecretKey",
  /** hummingbot: the bot's own MQTT password (its user is `bot-<bot>`, mqtt-auth.ts). */
  mqttPassword: "mqttPassword",
} as const;

// The config loader checks a bot's name against every object it names (config/bot-names.ts, botNameUses).
export const botConfigMapName = (bot: BotConfig) => botObjectNames(bot.name).configMap;
export const botSecretName = (bot: BotConfig) => botObjectNames(bot.name).secret;
/** The PersistentVolumeClaim of a scheduled bot with storage (its runs share it). */
export const botDataClaimName = (bot: BotConfig) => botObjectNames(bot.name).dataClaim;
/** freqtrade's user data dir in its image: the state volume when the bot has one. */
export const FREQTRADE_USERDIR = "/freqtrade/user_data";

/** ConfigMap keys cannot hold "/": `strategies/pmm.yml` is stored as `strategies__pmm.yml`. */
export const configMapKey = (confPath: string) => confPath.replace(/\//g, "__");
