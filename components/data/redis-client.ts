/**
 * The credential Secrets: `redis-auth` for the pods, `redis-client` (where Redis is) and one
 * `redis-client-<bot>` per bot (its own user) in the bots namespace.
 */
import type { RedisConfig } from "../../config/redis";
import { REDIS_PORT, SENTINEL_MASTER_NAME } from "./redis-conf";
import { REDIS_NAMES, type RedisSpecArgs, meta, sentinelAddresses } from "./redis-names";
import { REDIS_CLIENT } from "./contract";
import { REDIS_USERS, redisBotKeyPrefix, redisBotUser } from "./redis-acl";
import { serviceHost } from "../specs/dns";

import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;
import type { Namespaces } from "../../config/platform";

/**
 * Keys of `redis-auth` (data namespace) and who reads each: the redis container mounts `users.acl`,
 * `replication-password` and `sentinel-auth-password`; the sentinel container `sentinel-password`,
 * `sentinel-auth-password` and `sentinel-users.conf`; `admin-password` and `exporter-password` reach
 * the probes, the preStop hook and the exporter as env.
 */
export const REDIS_AUTH_KEYS = {
  aclFile: "users.acl",
  sentinelUsers: "sentinel-users.conf",
  admin: "admin-password",
  replication: "replication-password",
  sentinel: "sentinel-password",
  sentinelAuth: "sentinel-auth-password",
  exporter: "exporter-password",
} as const;

/** The values of `redis-auth`; the Sentinel ones only with HA. */
export type RedisAuthData = {
  readonly [K in "aclFile" | "admin" | "replication" | "exporter"]: pulumi.Input<string>;
} & { readonly [K in "sentinelUsers" | "sentinel" | "sentinelAuth"]?: pulumi.Input<string> };

/** `redis-auth`: hashed user lists and the passwords the pods send. */
export function redisAuthSecret(args: RedisSpecArgs, data: RedisAuthData): Input.core.v1.Secret {
  const stringData: Record<string, pulumi.Input<string>> = {};
  for (const [field, key] of Object.entries(REDIS_AUTH_KEYS)) {
    const value = data[field as keyof RedisAuthData];
    if (value !== undefined) stringData[key] = value;
  }
  return { metadata: meta(args, REDIS_NAMES.authSecret), type: "Opaque", stringData };
}

/** `redis-client` in the bots namespace (secretKeyRef cannot cross namespaces): where Redis is. */
export function redisClientSecret(
  args: RedisSpecArgs,
  sentinelClientPassword: pulumi.Input<string>,
): Input.core.v1.Secret {
  return {
    metadata: meta(args, REDIS_NAMES.clientSecret, args.namespaces.bots),
    type: "Opaque",
    stringData: {
      ...redisClientSecretData(args.config, args.namespaces),
      // Empty without Sentinel, like `sentinels`; present so bots' secretKeyRefs always resolve.
      [REDIS_CLIENT.keys.sentinelPassword]: args.config.ha ? sentinelClientPassword : "",
    },
  };
}

/** `redis-client-<bot>`: the bot's own Redis user, password and key prefix. */
export function redisBotSecret(
  args: RedisSpecArgs,
  bot: string,
  password: pulumi.Input<string>,
): Input.core.v1.Secret {
  const { botKeys } = REDIS_CLIENT;
  return {
    metadata: meta(args, REDIS_CLIENT.botSecret(bot), args.namespaces.bots),
    type: "Opaque",
    stringData: {
      [botKeys.username]: redisBotUser(bot),
      [botKeys.password]: password,
      [botKeys.keyPrefix]: redisBotKeyPrefix(bot),
    },
  };
}

/**
 * `host` of `redis-client`: the `redis` Service standalone; "" with HA, where that Service spans replicas
 * too (~2/3 of writes would get READONLY) and the contract is `sentinels` + `masterName`. Empty rather
 * than absent, so bots' non-optional secretKeyRef still resolves and a client that tries it fails loudly.
 */
export function redisClientHost(config: RedisConfig, namespaces: Namespaces): string {
  return config.ha ? "" : serviceHost(REDIS_NAMES.service, namespaces.data);
}

/** Non-secret keys of the `redis-client` Secret. */
export function redisClientSecretData(config: RedisConfig, namespaces: Namespaces): Record<string, string> {
  const { keys } = REDIS_CLIENT;
  return {
    [keys.host]: redisClientHost(config, namespaces),
    [keys.port]: String(REDIS_PORT),
    [keys.sentinels]: sentinelAddresses(config, namespaces.data),
    // Empty without Sentinel, like `sentinels`: a client that sees a master name tries Sentinel.
    [keys.masterName]: config.ha ? SENTINEL_MASTER_NAME : "",
    [keys.sentinelUsername]: config.ha ? REDIS_USERS.sentinelClient : "",
  };
}
