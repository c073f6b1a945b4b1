/**
 * What the data layer promises its clients (bots, monitoring): the Secrets it puts in the bots
 * namespace, their keys, the ports behind them, and the labels that admit a client pod. Everyone who
 * talks to Redis or Postgres imports these; nobody retypes them.
 */

/** The pods' `app.kubernetes.io/name`: policies elsewhere select the data layer by it. */
export const DATA_APPS = { redis: "redis", postgres: "postgres" } as const;

export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
export const POSTGRES_PORT = 5432;
/** The exporters' ports, named `metrics` on the pods: Prometheus scrapes them. */
export const REDIS_EXPORTER_PORT = 9121;
export const POSTGRES_EXPORTER_PORT = 9187;

/**
 * `redis-client` in the bots namespace: where Redis is (shared by every bot); bots labelled
 * `botfleet.io/redis-client: "true"` may connect. Each such bot also gets its own Secret
 * `redis-client-<bot>` with its own Redis user, which may touch only keys and channels starting
 * with `keyPrefix` (`<bot>:`).
 */
export const REDIS_CLIENT = {
  secret: "redis-client",
  label: "botfleet.io/redis-client",
  /** host is "" with HA: clients use sentinels + masterName (+ the Sentinel user). */
  keys: {
    host: "host",
    port: "port",
    sentinels: "sentinels",
    masterName: "masterName",
    /** Sentinel's discovery-only user ("" without HA). */
    sentinelUsername: "sentinelUsername",
    sentinelPassword: "sentinelPassword",
  },
  /** The Secret holding bot `bot`'s own Redis user. */
  botSecret: (bot: string): string => `redis-client-${bot}`,
  botKeys: { username: "username", password: "password", keyPrefix: "keyPrefix" },
} as const;

/**
 * `postgres-client` in the bots namespace: where Postgres is (host, port, database); pods labelled
 * `botfleet.io/postgres-client: "true"` may connect. Each such bot also gets `postgres-client-<bot>`:
 * its own role `bot_<bot>` and schema, or the read-only `report` role (`postgresAccess: report`).
 * The owner role's password is in none of them.
 */
export const POSTGRES_CLIENT = {
  secret: "postgres-client",
  label: "botfleet.io/postgres-client",
  keys: { host: "host", port: "port", database: "database" },
  /** The Secret holding bot `bot`'s own credentials. */
  botSecret: (bot: string): string => `postgres-client-${bot}`,
  /** schema: the bot's own schema ("" for the report role); uri: postgresql://... with the password. */
  botKeys: { username: "username", password: "password", schema: "schema", uri: "uri" },
} as const;

/** Bot `bot`'s Postgres role and schema: `bot_` and the name with '-' as '_' (bot names are DNS labels). */
export const postgresBotRole = (bot: string): string => `bot_${bot.replace(/-/g, "_")}`;
/** The shared roles roles.sh creates: read-only reports, and postgres_exporter. */
export const POSTGRES_ROLES = { report: "report", monitor: "monitor" } as const;
