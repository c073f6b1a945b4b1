/** How a bot reads the data layer: env from the client Secrets, and the settings its checksum covers. */
import type * as k8s from "@pulumi/kubernetes";
import type { BotConfig } from "../../config/bots";
import { POSTGRES_CLIENT, REDIS_CLIENT } from "../data/contract";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** An env var from a Secret key: secrets reach pods only this way or as mounted files. */
export const fromSecret = (name: string, secretName: string, key: string, optional?: boolean): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secretName, key, ...(optional === undefined ? {} : { optional }) } },
});

/** The non-secret keys of the data layer's client Secrets (`redis-client`, `postgres-client`). */
export interface DataClientSettings {
  /** host, port, sentinels, masterName, sentinelUsername. */
  readonly redis?: Readonly<Record<string, string>>;
  /** host, port, database. */
  readonly postgres?: Readonly<Record<string, string>>;
}

/**
 * The connection settings a bot reads from the client Secrets as env at start (passwords aside: they
 * are secret, and rotating one follows its runbook). When they change (Redis HA switched on, another
 * database), a running bot still talks to the old address: they go into its config checksum.
 */
export function dataClientSettings(bot: BotConfig, clients: DataClientSettings = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (secret: string, settings: Readonly<Record<string, string>> = {}) => {
    for (const [key, value] of Object.entries(settings)) out[`${secret}/${key}`] = value;
  };
  if (bot.usesRedis) add(REDIS_CLIENT.secret, clients.redis);
  if (bot.usesPostgres) add(POSTGRES_CLIENT.secret, clients.postgres);
  return out;
}

/**
 * `redis-client` / `postgres-client` Secrets the data layer puts in the bots namespace; for Redis also
 * the bot's own `redis-client-<bot>` (its ACL user, limited to keys starting with REDIS_KEY_PREFIX), for
 * Postgres `postgres-client-<bot>` (its own role and schema, or the read-only `report` role).
 */
export function dataClientEnv(bot: BotConfig): EnvVar[] {
  const env: EnvVar[] = [];
  if (bot.usesRedis) {
    const { secret, keys, botKeys } = REDIS_CLIENT;
    const own = REDIS_CLIENT.botSecret(bot.name);
    env.push(
      fromSecret("REDIS_HOST", secret, keys.host),
      fromSecret("REDIS_PORT", secret, keys.port),
      fromSecret("REDIS_USERNAME", own, botKeys.username),
      fromSecret("REDIS_PASSWORD", own, botKeys.password),
      fromSecret("REDIS_KEY_PREFIX", own, botKeys.keyPrefix),
      fromSecret("REDIS_SENTINELS", secret, keys.sentinels),
      fromSecret("REDIS_MASTER_NAME", secret, keys.masterName),
      fromSecret("REDIS_SENTINEL_USERNAME", secret, keys.sentinelUsername),
      fromSecret("REDIS_SENTINEL_PASSWORD", secret, keys.sentinelPassword),
    );
  }
  if (bot.usesPostgres) {
    const { secret, keys, botKeys } = POSTGRES_CLIENT;
    const own = POSTGRES_CLIENT.botSecret(bot.name);
    env.push(
      fromSecret("POSTGRES_HOST", secret, keys.host),
      fromSecret("POSTGRES_PORT", secret, keys.port),
      fromSecret("POSTGRES_DB", secret, keys.database),
      fromSecret("POSTGRES_USER", own, botKeys.username),
      fromSecret("POSTGRES_PASSWORD", own, botKeys.password),
      fromSecret("POSTGRES_SCHEMA", own, botKeys.schema),
      fromSecret("DATABASE_URL", own, botKeys.uri),
    );
  }
  return env;
}
