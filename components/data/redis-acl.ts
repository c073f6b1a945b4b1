/**
 * Who may do what on Redis and Sentinel: the ACL users, their rules, and the files that hold them.
 * Redis loads `users.acl` (`aclfile`); Sentinel gets `sentinel-users.conf` appended to its config.
 * Both hold SHA-256 hashes (`#<hex>`) only, never a password. Rule syntax and command categories:
 * Redis 7.2 `src/acl.c` and `ACL CAT` (the `dangerous`, `admin` and `scripting` categories).
 */
import { createHash } from "crypto";

/** The ACL user names; bots are `bot-<bot name>`. */
export const REDIS_USERS = {
  admin: "botfleet-admin",
  replication: "replication",
  sentinel: "sentinel",
  exporter: "exporter",
  /** On Sentinel, not Redis: primary discovery for bots. */
  sentinelClient: "bots",
} as const;

/** The Redis user of bot `bot`. */
export const redisBotUser = (bot: string): string => `bot-${bot}`;
/** The key (and Pub/Sub channel) prefix bot `bot` may use: `<bot>:`. */
export const redisBotKeyPrefix = (bot: string): string => `${bot}:`;

/**
 * Command rules per user. Bots get every data command on their own keys and channels, without
 * `@admin` (CONFIG, ACL, SHUTDOWN, REPLICAOF, DEBUG...), `@dangerous` (FLUSHALL, KEYS, INFO, CLIENT
 * KILL, MIGRATE...) and `@scripting` (EVAL/FUNCTION: a script could reach keys it does not declare).
 */
export const REDIS_ACL_RULES = {
  admin: "~* &* +@all",
  // What a replica sends its primary (Redis ACL docs, "ACL rules for Sentinel and Replicas").
  replication: "resetchannels -@all +psync +replconf +ping",
  // What Sentinel sends a monitored Redis (Redis Sentinel docs, "Redis Access Control List authentication").
  sentinel:
    "allchannels -@all +multi +exec +slaveof +replicaof +ping +info +role +subscribe +publish " +
    "+config|rewrite +client|setname +client|kill +script|kill",
  // oliver006/redis_exporter README "Authenticating with Redis", without EVAL and key reads (no key
  // patterns are configured) and with CLIENT narrowed to what it reads.
  exporter:
    "resetchannels -@all +@connection -client +client|list +client|info +client|setname -command " +
    "+info +config|get +slowlog|get +slowlog|len +latency|latest +latency|histogram +memory|stats " +
    "+cluster|info",
  bot: (bot: string) =>
    `resetchannels ~${redisBotKeyPrefix(bot)}* &${redisBotKeyPrefix(bot)}* +@all -@admin -@dangerous -@scripting`,
  // On Sentinel: find the primary and follow failovers (+switch-master), change nothing.
  sentinelClient:
    "allchannels -@all +auth +hello +ping +client|setname +subscribe +psubscribe +unsubscribe " +
    "+punsubscribe +sentinel|get-master-addr-by-name +sentinel|master +sentinel|replicas " +
    "+sentinel|slaves +sentinel|sentinels",
} as const;

/** A user's accepted passwords: the current one, and during a rotation the previous one too. */
export type AclPasswords = string | readonly string[];

/** `#<sha256 hex>`: how an ACL file names a password without holding it. */
export function passwordHash(password: string): string {
  if (password.length === 0) throw new Error("an ACL password must not be empty");
  return `#${createHash("sha256").update(password, "utf8").digest("hex")}`;
}

/** Passwords of the Redis users (plain text in, hashes out). */
export interface RedisUserPasswords {
  readonly admin: AclPasswords;
  readonly replication: AclPasswords;
  /** Without Sentinel there is no `sentinel` user. */
  readonly sentinel?: AclPasswords;
  readonly exporter: AclPasswords;
  /** bot name -> its password(s); only bots with `usesRedis`. */
  readonly bots: Readonly<Record<string, AclPasswords>>;
}

/** `user <name> on #<hash>... <rules>`; throws when no password is given. */
function userLine(user: string, password: AclPasswords, rules: string): string {
  const hashes = (typeof password === "string" ? [password] : password).map(passwordHash);
  if (hashes.length === 0) throw new Error(`Redis ACL: user ${user} has no password`);
  return `user ${user} on ${hashes.join(" ")} ${rules}`;
}

const BOT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Throws unless `bot` is a DNS label: it becomes a user name, a key pattern and a Secret name. */
export function checkRedisBotName(bot: string): void {
  if (!BOT_NAME.test(bot))
    throw new Error(
      `Redis ACL: bot name ${JSON.stringify(bot)} is not a DNS label (a-z, 0-9, "-"); rename the bot`,
    );
}

/**
 * The `users.acl` Redis loads: `default` off (an unauthenticated client, or one using a bare
 * `AUTH <password>`, can do nothing), then one line per user. Throws for a bot name that is not a
 * DNS label (it becomes a user name and a key pattern).
 */
export function renderRedisAclFile(passwords: RedisUserPasswords): string {
  const line = userLine;
  const lines = [
    "user default off resetkeys resetchannels -@all",
    line(REDIS_USERS.admin, passwords.admin, REDIS_ACL_RULES.admin),
    line(REDIS_USERS.replication, passwords.replication, REDIS_ACL_RULES.replication),
    ...(passwords.sentinel === undefined
      ? []
      : [line(REDIS_USERS.sentinel, passwords.sentinel, REDIS_ACL_RULES.sentinel)]),
    line(REDIS_USERS.exporter, passwords.exporter, REDIS_ACL_RULES.exporter),
  ];
  for (const bot of Object.keys(passwords.bots).sort()) {
    checkRedisBotName(bot);
    lines.push(line(redisBotUser(bot), passwords.bots[bot], REDIS_ACL_RULES.bot(bot)));
  }
  return lines.join("\n") + "\n";
}

/** The `user` lines appended to sentinel.conf: the bots' discovery user (`default` is `requirepass`). */
export function renderSentinelUsers(sentinelClientPassword: AclPasswords): string {
  return `${userLine(REDIS_USERS.sentinelClient, sentinelClientPassword, REDIS_ACL_RULES.sentinelClient)}\n`;
}
