/** The password Secrets: the pods' own, and `redis-client` for bots in their namespace. */
import type { RedisConfig } from "../../config/redis";
import { REDIS_PORT, SENTINEL_MASTER_NAME } from "./redis-conf";
import { REDIS_NAMES, type RedisSpecArgs, meta, sentinelAddresses } from "./redis-names";
import { serviceHost } from "../specs/dns";

import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;
import type { Namespaces } from "../../config/platform";

/** The password the pods read (mounted file, secretKeyRef for probes and the exporter). */
export function redisAuthSecret(args: RedisSpecArgs, password: pulumi.Input<string>): Input.core.v1.Secret {
  return { metadata: meta(args, REDIS_NAMES.authSecret), type: "Opaque", stringData: { password } };
}

/** `redis-client` in the bots namespace: secretKeyRef cannot cross namespaces. */
export function redisClientSecret(args: RedisSpecArgs, password: pulumi.Input<string>): Input.core.v1.Secret {
  return {
    metadata: meta(args, REDIS_NAMES.clientSecret, args.namespaces.bots),
    type: "Opaque",
    stringData: { ...redisClientSecretData(args.config, args.namespaces), password },
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
  return {
    host: redisClientHost(config, namespaces),
    port: String(REDIS_PORT),
    sentinels: sentinelAddresses(config, namespaces.data),
    // Empty without Sentinel, like `sentinels`: a client that sees a master name tries Sentinel.
    masterName: config.ha ? SENTINEL_MASTER_NAME : "",
  };
}
