/**
 * The Redis half of the data layer: standalone Redis, or Redis + Sentinel (automatic failover) with
 * `ha`. Wires the pure builders of `redis-*.ts`; see `redis-server.ts` for the topology and why.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { RedisConfig } from "../../config/redis";
import { type Credentials, redisBotCredentialName } from "../../lib/credentials";
import { REDIS_PORT, SENTINEL_MASTER_NAME, SENTINEL_PORT } from "./redis-conf";
import { redisAuthSecret, redisBotSecret, redisClientSecret, redisClientHost } from "./redis-client";
import { checkRedisBotName, renderRedisAclFile, renderSentinelUsers } from "./redis-acl";
import { checksum } from "../specs/checksum";
import { redisConfigMap, redisConfigMapData } from "./redis-configmap";
import { redisPodCount, sentinelAddresses, type RedisSpecArgs } from "./redis-names";
import { serviceHost } from "../specs/dns";
import { redisNetworkPolicy } from "./redis-network-policy";
import { redisStatefulSet } from "./redis-server";
import { VolumeClaimLedger, statefulSetWithClaims } from "../volume-claims";
import {
  redisClientService,
  redisHeadlessService,
  redisPodDisruptionBudget,
  redisSentinelService,
  redisServiceAccount,
} from "./redis-services";
import type { Environment } from "../../config/environment";
import type { PodPlacement } from "../specs/placement";
import type { Namespaces } from "../../config/platform";

export interface RedisArgs {
  /** The provider of the target cluster; every Kubernetes resource uses it. */
  readonly provider: k8s.Provider;
  /** Redis lives in `data`; `redis-client` is created in `bots`; `monitoring` may scrape. */
  readonly namespaces: Namespaces;
  /** The validated `botfleet:redis` section. */
  readonly config: RedisConfig;
  /** Node selector and tolerations onto the stack's data pool (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
  readonly environment: Environment;
  /** The stack's credentials: `redis-admin`, `redis-replication`, ..., `redis-bot/<bot>` (lib/credentials.ts). */
  readonly credentials: Credentials;
  /** Bots with `usesRedis`: each gets its own user `bot-<name>` and Secret `redis-client-<name>`. */
  readonly bots: readonly string[];
  /** Protect the StatefulSet and keep it on delete (prod). @default false */
  readonly protect?: boolean;
  /** Checks the data claims against the last deployment. @default a ledger with no history */
  readonly volumeClaims?: VolumeClaimLedger;
}

export class Redis extends pulumi.ComponentResource {
  /**
   * Client Service DNS name (6379) standalone; "" with HA, where clients must use `sentinels` +
   * `masterName` (the `redis` Service spans replicas too). Same value as the `host` key of `redis-client`.
   */
  public readonly host: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** Sentinel Service DNS name (26379); undefined without HA. */
  public readonly sentinelHost: pulumi.Output<string | undefined>;
  /** "host:port,..." of every Sentinel pod; "" without HA. */
  public readonly sentinels: pulumi.Output<string>;
  /** Sentinel master name; "" without HA. */
  public readonly masterName: pulumi.Output<string>;
  public readonly headlessServiceName: pulumi.Output<string>;
  /** Secret in the data namespace: users.acl, sentinel-users.conf and the pods' passwords. */
  public readonly authSecretName: pulumi.Output<string>;
  /** Secret in the bots namespace: host, port, sentinels, masterName, sentinelUsername, sentinelPassword. */
  public readonly clientSecretName: pulumi.Output<string>;
  public readonly statefulSetName: pulumi.Output<string>;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:data:Redis", name, {}, opts);
    const { provider, namespaces, config } = args;
    const protect = args.protect ?? false;
    const child = { parent: this, provider };
    const spec: RedisSpecArgs = {
      instance: name,
      namespaces,
      config,
      environment: args.environment,
      placement: args.placement,
    };

    // Alphanumeric, so the entrypoint writes them into the configs without quoting issues. Each
    // changes only with the seed or its `credentialRotations` entry; running servers keep what they
    // loaded until `ACL LOAD` or a restart: rotate by the runbook (docs/operations.md).
    args.bots.forEach(checkRedisBotName);
    const get = (credential: Parameters<Credentials["get"]>[0]) => args.credentials.get(credential);
    // What users.acl accepts: the current password and, during a rotation, the previous one, so
    // clients that still hold it keep working until they restart (docs/operations.md).
    const accepted = (credential: Parameters<Credentials["get"]>[0]) =>
      pulumi
        .all([get(credential), args.credentials.previous(credential)])
        .apply(([current, previous]) => (previous === undefined ? [current] : [current, previous]));
    const botPasswords = Object.fromEntries(args.bots.map((bot) => [bot, get(redisBotCredentialName(bot))]));
    const botAccepted = Object.fromEntries(
      args.bots.map((bot) => [bot, accepted(redisBotCredentialName(bot))]),
    );
    const aclFile = pulumi
      .all([
        accepted("redis-admin"),
        accepted("redis-replication"),
        config.ha ? accepted("redis-sentinel") : undefined,
        accepted("redis-exporter"),
        botAccepted,
      ])
      .apply(([admin, replication, sentinel, exporter, bots]) =>
        renderRedisAclFile({ admin, replication, sentinel, exporter, bots }),
      );
    const authData = {
      aclFile,
      admin: get("redis-admin"),
      replication: get("redis-replication"),
      exporter: get("redis-exporter"),
      // Sentinel's credentials exist only with Sentinel (lib/credentials.ts REDIS_SENTINEL_CREDENTIALS).
      ...(config.ha
        ? {
            sentinel: get("redis-sentinel"),
            sentinelAuth: get("redis-sentinel-auth"),
            sentinelUsers: accepted("redis-sentinel-client").apply(renderSentinelUsers),
          }
        : {}),
    };

    const authSecret = new k8s.core.v1.Secret(`${name}-auth`, redisAuthSecret(spec, authData), child);
    const clientSecret = new k8s.core.v1.Secret(
      `${name}-client`,
      redisClientSecret(spec, config.ha ? get("redis-sentinel-client") : ""),
      child,
    );
    for (const [bot, password] of Object.entries(botPasswords))
      new k8s.core.v1.Secret(`${name}-client-${bot}`, redisBotSecret(spec, bot, password), child);
    const configData = redisConfigMapData(config);
    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, redisConfigMap(spec, configData), child);

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-serviceaccount`,
      redisServiceAccount(spec),
      child,
    );
    const headless = new k8s.core.v1.Service(`${name}-headless`, redisHeadlessService(spec), child);
    const service = new k8s.core.v1.Service(`${name}-service`, redisClientService(spec), child);
    const sentinelService = config.ha
      ? new k8s.core.v1.Service(`${name}-sentinel`, redisSentinelService(spec), child)
      : undefined;
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, redisPodDisruptionBudget(spec), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-networkpolicy`, redisNetworkPolicy(spec), child);

    const statefulSet = statefulSetWithClaims(
      `${name}-statefulset`,
      redisStatefulSet(spec, checksum(configData)),
      {
        ordinals: redisPodCount(config),
        keys: { storage: "redis.storage", storageClass: "redis.storageClass" },
        ledger: args.volumeClaims ?? new VolumeClaimLedger(),
        protect,
      },
      {
        ...child,
        dependsOn: [authSecret, configMap, serviceAccount, headless],
        // Losing the StatefulSet by mistake must not take the data with it; the PVCs are Retain anyway.
        protect,
        retainOnDelete: protect,
      },
    );

    this.host = service.metadata.apply(() => redisClientHost(config, namespaces));
    this.port = pulumi.output(REDIS_PORT);
    this.sentinelHost = sentinelService
      ? sentinelService.metadata.apply((m) => serviceHost(m.name, namespaces.data))
      : pulumi.output(undefined);
    this.sentinels = pulumi.output(sentinelAddresses(config, namespaces.data));
    this.masterName = pulumi.output(config.ha ? SENTINEL_MASTER_NAME : "");
    this.headlessServiceName = headless.metadata.name;
    this.authSecretName = authSecret.metadata.name;
    this.clientSecretName = clientSecret.metadata.name;
    this.statefulSetName = statefulSet.metadata.name;

    this.registerOutputs({
      host: this.host,
      port: this.port,
      sentinelHost: this.sentinelHost,
      sentinelPort: config.ha ? SENTINEL_PORT : undefined,
      sentinels: this.sentinels,
      masterName: this.masterName,
      headlessServiceName: this.headlessServiceName,
      authSecretName: this.authSecretName,
      clientSecretName: this.clientSecretName,
      statefulSetName: this.statefulSetName,
    });
  }
}
