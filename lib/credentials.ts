/**
 * Every password the program generates, derived from one secret seed (`botfleet:credentialSeed`), so
 * the program needs no provider plugin for them and they are known (and secret) at preview.
 *
 * `deriveText(seed, name, rotation, length)`:
 * - `seed`: the stack's seed, any string of at least {@link MIN_SEED_LENGTH} characters; its UTF-8 bytes
 *   are the HMAC key (a base64 seed is not decoded);
 * - `name`: which credential (see {@link credentialLength}): one of {@link SHARED_CREDENTIALS}
 *   ("redis-admin", "postgres-app", ...), "redis-bot/<bot>" for a bot's own Redis user,
 *   "postgres-bot/<bot>" for a bot's own Postgres role, "mqtt-bot/<bot>" for a hummingbot bot's own
 *   MQTT user, or "bot/<bot>/<key>" for a bot's generated key;
 * - `rotation`: a whole number >= 0 (`botfleet:credentialRotations.<name>`, default 0); raising it gives
 *   that credential, and only that one, a new value;
 * - `length`: characters wanted, 1 to {@link MAX_LENGTH}.
 *
 * The result is `length` characters of [A-Za-z0-9] (no quoting or escaping anywhere it is written:
 * redis.conf, a libpq passfile, a URI, mosquitto's password file). Block i (i = 0, 1, ...) is
 * HMAC-SHA256(key = seed, message = "botfleet/v1/<name>/<rotation>" + "/" + i), 32 bytes each; bytes
 * >= 248 are skipped and the others map to ALPHABET[byte % 62], so every character is uniform over the 62
 * (no modulo bias). A shorter result is a prefix of a longer one for the same name and rotation. The
 * seed cannot be recovered from results (HMAC is a PRF); anyone holding the seed can recompute every
 * credential, so the seed is exactly as secret as all of them together.
 */
import { createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Shortest accepted seed: `openssl rand -base64 32` gives 44 characters. */
export const MIN_SEED_LENGTH = 32;
export const MAX_LENGTH = 1024;
/** What a stack without a seed is told to run (no value is ever printed). */
export const SEED_COMMAND = `pulumi config set --secret botfleet:credentialSeed "$(openssl rand -base64 32)"`;

/** Credentials of the data layer and the shared services: name -> length in characters. */
export const SHARED_CREDENTIALS = {
  /** Redis `botfleet-admin` (probes, preStop hand-over, operators); never given to a bot. */
  "redis-admin": 32,
  /** Redis `replication`: what replicas authenticate with to their primary (`masteruser`). */
  "redis-replication": 32,
  /** Redis `sentinel`: what Sentinel authenticates with to the Redis it monitors (`auth-user`). */
  "redis-sentinel": 32,
  /** Sentinel's own `default` user (`requirepass`): the other Sentinels, the pods' scripts, operators. */
  "redis-sentinel-auth": 32,
  /** Sentinel's `bots` user: primary discovery only, shared by every `usesRedis` bot. */
  "redis-sentinel-client": 32,
  /** Redis `exporter`: redis_exporter's read-only metrics user. */
  "redis-exporter": 32,
  /** Postgres owner role: owns the database; backups and operators, never a bot. */
  "postgres-app": 32,
  "postgres-replication": 32,
  /** Postgres `report`: read-only, for bots with `postgresAccess: report`. */
  "postgres-report": 32,
  /** Postgres `monitor`: pg_monitor, for postgres_exporter. */
  "postgres-monitor": 32,
  "grafana-admin": 32,
} as const;
export type SharedCredential = keyof typeof SHARED_CREDENTIALS;
export type CredentialName =
  | SharedCredential
  | `redis-bot/${string}`
  | `postgres-bot/${string}`
  | `mqtt-bot/${string}`
  | `bot/${string}/${string}`;

/** Length of a bot's own Redis password (`redis-bot/<bot>`). */
export const REDIS_BOT_CREDENTIAL_LENGTH = 32;
/** Length of a bot's own Postgres password (`postgres-bot/<bot>`). */
export const POSTGRES_BOT_CREDENTIAL_LENGTH = 32;
/** Length of a hummingbot bot's own MQTT password (`mqtt-bot/<bot>`). */
export const MQTT_BOT_CREDENTIAL_LENGTH = 32;
/** Names every stack derives for Postgres. */
export const POSTGRES_CREDENTIALS: readonly SharedCredential[] = [
  "postgres-app",
  "postgres-replication",
  "postgres-report",
  "postgres-monitor",
];
/** Names every stack derives for Redis. */
export const REDIS_CREDENTIALS: readonly SharedCredential[] = [
  "redis-admin",
  "redis-replication",
  "redis-exporter",
];
/** Names a stack derives for Redis only with Sentinel (`redis.ha`). */
export const REDIS_SENTINEL_CREDENTIALS: readonly SharedCredential[] = [
  "redis-sentinel",
  "redis-sentinel-auth",
  "redis-sentinel-client",
];

/** Keys of a bot's Secret the program generates when `botSecrets` does not give them: key -> length. */
export const BOT_CREDENTIALS = {
  /** hummingbot: encrypts its connector keys (`--config-password`). */
  configPassword: 32,
  /** freqtrade: its REST API's password. */
  apiServerPassword: 32,
  /** freqtrade: signs its REST API's tokens. */
  jwtSecretKey: 48,
} as const;
export type BotCredentialKey = keyof typeof BOT_CREDENTIALS;

/** The keys generated for a bot, before `botSecrets` overrides any of them. */
export function botCredentialKeys(bot: {
  readonly preset: string;
  readonly workload: string;
}): BotCredentialKey[] {
  if (bot.preset === "hummingbot") return ["configPassword"];
  // A scheduled freqtrade run serves no API.
  if (bot.preset === "freqtrade" && bot.workload !== "scheduled")
    return ["apiServerPassword", "jwtSecretKey"];
  return [];
}

export const botCredentialName = (bot: string, key: string): CredentialName => `bot/${bot}/${key}`;
/** The credential of a bot's own Redis user (`bot-<bot>`). */
export const redisBotCredentialName = (bot: string): CredentialName => `redis-bot/${bot}`;
/** The credential of a bot's own Postgres role (`bot_<bot>`). */
export const postgresBotCredentialName = (bot: string): CredentialName => `postgres-bot/${bot}`;
/** The credential of a hummingbot bot's own MQTT user on the fleet's broker (`bot-<bot>`). */
export const mqttBotCredentialName = (bot: string): CredentialName => `mqtt-bot/${bot}`;

/** The length of a credential, from its name; throws for a name this program never derives. */
export function credentialLength(name: string): number {
  if (name in SHARED_CREDENTIALS) return SHARED_CREDENTIALS[name as SharedCredential];
  if (/^redis-bot\/[^/]+$/.test(name)) return REDIS_BOT_CREDENTIAL_LENGTH;
  if (/^postgres-bot\/[^/]+$/.test(name)) return POSTGRES_BOT_CREDENTIAL_LENGTH;
  if (/^mqtt-bot\/[^/]+$/.test(name)) return MQTT_BOT_CREDENTIAL_LENGTH;
  const m = /^bot\/[^/]+\/([^/]+)$/.exec(name);
  if (m && m[1] in BOT_CREDENTIALS) return BOT_CREDENTIALS[m[1] as BotCredentialKey];
  throw new Error(`no credential is named ${JSON.stringify(name)}`);
}

/** What a stack derives, given what it runs; the names `botfleet:credentialRotations` may use. */
export function credentialNames(stack: {
  readonly bots: readonly {
    readonly name: string;
    readonly preset: string;
    readonly workload: string;
    readonly usesRedis?: boolean;
    readonly usesPostgres?: boolean;
    /** "schema" (default): the bot's own role; "report": the shared `report` role. */
    readonly postgresAccess?: string;
  }[];
  /** `botSecrets`: a key given there is not derived. */
  readonly botSecrets?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly monitoringEnabled: boolean;
  /** `redis.ha`: Sentinel's credentials exist only then. @default false */
  readonly redisHa?: boolean;
}): CredentialName[] {
  const names: CredentialName[] = [
    ...REDIS_CREDENTIALS,
    ...(stack.redisHa ? REDIS_SENTINEL_CREDENTIALS : []),
    ...POSTGRES_CREDENTIALS,
  ];
  if (stack.monitoringEnabled) names.push("grafana-admin");
  for (const bot of stack.bots) {
    if (bot.usesRedis) names.push(redisBotCredentialName(bot.name));
    if (bot.usesPostgres && bot.postgresAccess !== "report") names.push(postgresBotCredentialName(bot.name));
    if (bot.preset === "hummingbot") names.push(mqttBotCredentialName(bot.name));
    for (const key of botCredentialKeys(bot)) {
      if (stack.botSecrets?.[bot.name]?.[key] === undefined) names.push(botCredentialName(bot.name, key));
    }
  }
  return names;
}

/** The credential as plain text; see the module comment. */
export function deriveText(seed: string, name: string, rotation: number, length: number): string {
  if (seed.length === 0) throw new Error("deriveText: the seed is empty");
  if (!Number.isInteger(rotation) || rotation < 0)
    throw new Error(`deriveText: rotation must be a whole number >= 0, got ${rotation}`);
  if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH)
    throw new Error(`deriveText: length must be a whole number from 1 to ${MAX_LENGTH}, got ${length}`);
  const label = `botfleet/v1/${name}/${rotation}`;
  let out = "";
  for (let block = 0; out.length < length; block++) {
    const bytes = createHmac("sha256", seed).update(`${label}/${block}`).digest();
    for (const b of bytes) {
      if (b >= 248) continue;
      out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** The credential as a secret Output: it reaches the engine only as a secret. */
export function derive(
  seed: pulumi.Input<string>,
  name: string,
  rotation: number,
  length: number,
): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(seed).apply((s) => deriveText(s, name, rotation, length)));
}

/** A stack's credentials: its seed and rotations, handed to every component that needs a password. */
export class Credentials {
  /**
   * @param seed the secret seed (validated by the config loader)
   * @param rotations name -> rotation counter; a name absent here is at rotation 0
   */
  constructor(
    private readonly seed: pulumi.Input<string>,
    readonly rotations: Readonly<Record<string, number>> = {},
  ) {}

  /** The credential `name` at its rotation and length, as a secret Output. */
  get(name: CredentialName): pulumi.Output<string> {
    return derive(this.seed, name, this.rotations[name] ?? 0, credentialLength(name));
  }

  /**
   * The credential `name` one rotation back, undefined at rotation 0: a server that accepts it as well
   * during a rotation keeps its clients connected until each restarts with the new value. Raising the
   * rotation by 2 skips it (a value never issued), which revokes the old one at once.
   */
  previous(name: CredentialName): pulumi.Output<string> | undefined {
    const rotation = this.rotations[name] ?? 0;
    return rotation === 0 ? undefined : derive(this.seed, name, rotation - 1, credentialLength(name));
  }
}
