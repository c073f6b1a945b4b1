/**
 * The bot fleet: per bot only what it needs (a trader of any preset is exactly a StatefulSet, a
 * ConfigMap and a Secret, and its volume claim when it has `storage`), plus objects every bot shares, selected by label: one ServiceAccount, one
 * governing headless Service for traders, one NetworkPolicy, one scripts ConfigMap, one
 * PodDisruptionBudget for the live traders, one egress policy per extra port in `egressPorts` (for the
 * bots that list it only), and the MQTT broker hummingbot's headless mode reports to (only when the
 * fleet has hummingbot bots).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BotConfig, HummingbotBot } from "../../config/bots";
import {
  botCredentialKeys,
  botCredentialName,
  mqttBotCredentialName,
  type Credentials,
} from "../../lib/credentials";
import { fleetHealth, serviceHealth, traderHealth, type BotHealth, type FleetHealth } from "./health";
import { configChecksum } from "./checksum";
import { dataClientSettings, type DataClientSettings } from "./data-clients";
import {
  botsServiceAccount,
  liveTradersPdb,
  scriptsConfigMap,
  tradersHeadlessService,
} from "./fleet-objects";
import { botLabels, fleetLabels, isLiveTrader } from "./labels";
import {
  DEFAULT_MQTT_IMAGE,
  mosquittoConf,
  mqttConfigMap,
  mqttNetworkPolicy,
  mqttService,
  mqttStatefulSet,
} from "./mqtt";
import { mosquittoAcl, mosquittoPasswordLine, mqttBotUsername } from "./mqtt-auth";
import { MQTT_PORT, SECRET_KEYS, SHARED, botSecretName } from "./names";
import {
  botsInternetPolicy,
  botsNetworkPolicy,
  egressPortPolicy,
  serviceClientsPolicy,
} from "./network-policies";
import { fqdnEgressPlan, fqdnFallbackWarning } from "./egress-fqdn";
import { CILIUM_API_VERSION, CILIUM_KIND } from "../specs/cilium";
import { botConfigData, botScriptNames } from "./presets";
import { scriptFiles } from "./scripts";
import {
  botConfigMap,
  hasStorage,
  scheduledClaim,
  scheduledCronJob,
  serviceDeployment,
  serviceHpa,
  servicePdb,
  serviceService,
  traderStatefulSet,
} from "./workloads";
import type { Environment } from "../../config/environment";
import { VolumeClaimLedger, checkedClaim, statefulSetWithClaims } from "../volume-claims";
import type { Namespaces } from "../../config/platform";
import type { PodPlacement } from "../specs/placement";

/** The keys that size a bot's volume: by index in messages (what `config set --path` takes), by name on the claim. */
const claimArgs = (index: number, bot: BotConfig, ledger: VolumeClaimLedger) => ({
  keys: { storage: `bots[${index}].storage`, storageClass: `bots[${index}].storageClass` },
  sizedBy: `bots[${bot.name}].storage`,
  ledger,
});

export interface BotFleetArgs {
  readonly provider: k8s.Provider;
  readonly namespaces: Namespaces;
  readonly bots: readonly BotConfig[];
  /** `botfleet:botSecrets`: bot name -> key -> secret value. @default {} */
  readonly botSecrets?: Readonly<Record<string, Readonly<Record<string, pulumi.Output<string>>>>>;
  /**
   * The stack's credentials: a hummingbot bot's MQTT password is `mqtt-bot/<bot>`; a bot's generated keys
   * (hummingbot `configPassword`, freqtrade `apiServerPassword` and `jwtSecretKey`) that `botSecrets`
   * does not give are `bot/<bot>/<key>`.
   */
  readonly credentials: Credentials;
  readonly environment: Environment;
  /**
   * The non-secret keys of the data layer's `redis-client` and `postgres-client` Secrets: a change
   * rolls the paper bots that use them and is a pending revision for live traders. @default {}
   */
  readonly dataClients?: DataClientSettings;
  /** The hummingbot MQTT broker. @default { image: "eclipse-mosquitto:2.0.20", storage: "1Gi" } */
  readonly mqtt?: { readonly image?: string; readonly storage?: string; readonly storageClass?: string };
  /** Checks the bots' claims against the last deployment. @default a ledger with no history */
  readonly volumeClaims?: VolumeClaimLedger;
  /** Node selector and tolerations onto the stack's pool of this class (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
  /**
   * `platform.botEgress`: "fqdn" lets bots out by host name through CiliumNetworkPolicies (the config
   * loader allows it on Cilium clusters only). @default "ports"
   */
  readonly botEgress?: "ports" | "fqdn";
}

export class BotFleet extends pulumi.ComponentResource {
  /** Names of the bots by workload. */
  public readonly traders: string[];
  public readonly services: string[];
  public readonly scheduled: string[];
  /** In-cluster address of the MQTT broker, when the fleet has hummingbot bots. */
  public readonly mqttHost: string | undefined;
  /** Every bot's readiness as `pulumi up` left it (live status, not config). */
  public readonly health: pulumi.Output<FleetHealth>;

  constructor(name: string, args: BotFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:bots:BotFleet", name, {}, opts);
    const ns = args.namespaces;
    const child = { parent: this, provider: args.provider };
    const scripts = scriptFiles();
    const hasHummingbot = args.bots.some((b) => b.preset === "hummingbot");
    const hasServices = args.bots.some((b) => b.workload === "service");
    const mqttEndpoint = { host: `${SHARED.mqtt}.${ns.bots}.svc`, port: MQTT_PORT };

    // What a bot pod needs to exist before its controller creates it: the ServiceAccount above all (the
    // API server refuses a pod whose ServiceAccount is missing; the real-engine suite saw that race),
    // and the ConfigMaps, Secrets and claims it mounts.
    const shared: pulumi.Resource[] = [];
    // By name where Cilium can (fqdn): those bots lose the address-based internet rules, only once the
    // policies that let them out by name exist (dependsOn), so no update leaves a bot without its exchange.
    const byName = args.botEgress === "fqdn" ? fqdnEgressPlan(args.bots) : undefined;
    const fqdnPolicies = (byName?.policies ?? []).map(
      (p) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${p.name}`,
          {
            apiVersion: CILIUM_API_VERSION,
            kind: CILIUM_KIND,
            metadata: { name: p.name, namespace: ns.bots, labels: fleetLabels("network-policy") },
            spec: p.spec,
          },
          child,
        ),
    );
    const afterFqdn = { ...child, dependsOn: fqdnPolicies };
    if (byName !== undefined && byName.uncovered.length > 0) {
      pulumi.log.warn(fqdnFallbackWarning(byName.uncovered), this);
    }
    if (args.bots.length > 0) {
      shared.push(
        new k8s.core.v1.ServiceAccount(`${name}-service-account`, botsServiceAccount(ns.bots), child),
        new k8s.core.v1.ConfigMap(`${name}-scripts`, scriptsConfigMap(ns.bots, scripts), child),
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-network-policy`,
        botsNetworkPolicy(ns, {
          mqtt: hasHummingbot,
          services: hasServices,
          internetByName: byName !== undefined,
        }),
        afterFqdn,
      );
      if (byName !== undefined && byName.uncovered.length > 0) {
        new k8s.networking.v1.NetworkPolicy(
          `${name}-internet`,
          botsInternetPolicy(ns.bots, byName.covered),
          afterFqdn,
        );
      }
    }
    if (args.bots.some((b) => b.workload === "trader")) {
      new k8s.core.v1.Service(`${name}-traders`, tradersHeadlessService(ns.bots), child);
    }
    // One policy per extra egress port in use, selecting the bots that list it by label.
    for (const port of [...new Set(args.bots.flatMap((b) => b.egressPorts))].sort((a, b) => a - b)) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-egress-${port}`,
        egressPortPolicy(port, ns.bots, byName?.covered),
        afterFqdn,
      );
    }
    if (args.bots.some(isLiveTrader)) {
      // No eviction moves a live trader: a drain would apply its staged template unannounced.
      new k8s.policy.v1.PodDisruptionBudget(`${name}-live-traders`, liveTradersPdb(ns.bots), child);
    }

    if (hasHummingbot) {
      const hummingbots = args.bots.filter((b): b is HummingbotBot => b.preset === "hummingbot");
      const acl = mosquittoAcl(
        hummingbots.map((b) => ({ name: b.name, instanceId: b.hummingbot.instanceId })),
      );
      // Hashes only: the broker never holds a bot's plain password.
      const passwd = pulumi
        .all(hummingbots.map((b) => args.credentials.get(mqttBotCredentialName(b.name))))
        .apply((passwords) =>
          hummingbots
            .map((b, i) => mosquittoPasswordLine(mqttBotUsername(b.name), passwords[i]) + "\n")
            .join(""),
        );
      const mqttSecret = new k8s.core.v1.Secret(
        `${name}-mqtt-secret`,
        {
          metadata: {
            name: SHARED.mqtt,
            namespace: ns.bots,
            labels: { "app.kubernetes.io/part-of": "botfleet" },
          },
          type: "Opaque",
          stringData: { passwd: pulumi.secret(passwd) },
        },
        child,
      );
      shared.push(mqttSecret);
      const mqttConfig = new k8s.core.v1.ConfigMap(`${name}-mqtt-config`, mqttConfigMap(ns.bots, acl), child);
      new k8s.core.v1.Service(`${name}-mqtt-service`, mqttService(ns.bots), child);
      // mosquitto reads its password file at start: a new bot or a rotated password restarts the broker
      // (the users and their rotations stand for the hashes, which must not reach an annotation).
      const users = hummingbots
        .map(
          (b) =>
            `${mqttBotUsername(b.name)}@${args.credentials.rotations[mqttBotCredentialName(b.name)] ?? 0}`,
        )
        .sort()
        .join("\n");
      new k8s.apps.v1.StatefulSet(
        `${name}-mqtt`,
        mqttStatefulSet(ns.bots, {
          image: args.mqtt?.image ?? DEFAULT_MQTT_IMAGE,
          storage: args.mqtt?.storage ?? "1Gi",
          storageClass: args.mqtt?.storageClass,
          placement: args.placement,
          checksum: configChecksum(
            { "mosquitto.conf": mosquittoConf(), acl, users },
            { "mosquitto-init.sh": scripts["mosquitto-init.sh"] },
          ),
        }),
        { ...child, dependsOn: [mqttSecret, mqttConfig, ...shared] },
      );
      new k8s.networking.v1.NetworkPolicy(`${name}-mqtt-network-policy`, mqttNetworkPolicy(ns.bots), child);
    }

    const health: Record<string, pulumi.Output<BotHealth>> = {};
    const ledger = args.volumeClaims ?? new VolumeClaimLedger();
    for (const [index, bot] of args.bots.entries()) {
      const prefix = `${name}-${bot.name}`;
      const userSecrets = args.botSecrets?.[bot.name] ?? {};
      const secretData: Record<string, pulumi.Input<string>> = { ...userSecrets };
      // hummingbot's configPassword, freqtrade's API password and JWT key, unless botSecrets gives them.
      for (const key of botCredentialKeys(bot)) {
        secretData[key] ??= args.credentials.get(botCredentialName(bot.name, key));
      }
      // A hummingbot bot's own MQTT password (its user may touch only its own topics).
      if (bot.preset === "hummingbot") {
        secretData[SECRET_KEYS.mqttPassword] = args.credentials.get(mqttBotCredentialName(bot.name));
      }
      const secretKeys = Object.keys(secretData).sort();
      const mounts: pulumi.Resource[] = [...shared];
      // A trader always has both, whatever its preset: its objects are the same three (and its claim).
      const trader = bot.workload === "trader";
      if (secretKeys.length > 0 || trader) {
        const secret = new k8s.core.v1.Secret(
          `${prefix}-secret`,
          {
            metadata: { name: botSecretName(bot), namespace: ns.bots, labels: botLabels(bot) },
            type: "Opaque",
            stringData: secretData,
          },
          child,
        );
        mounts.push(secret);
      }

      const data = botConfigData(bot, mqttEndpoint);
      if (Object.keys(data).length > 0 || trader) {
        mounts.push(new k8s.core.v1.ConfigMap(`${prefix}-config`, botConfigMap(bot, ns.bots, data), child));
      }
      const checksum = configChecksum(
        data,
        Object.fromEntries(botScriptNames(bot).map((script) => [script, scripts[script]])),
        dataClientSettings(bot, args.dataClients),
      );
      const ctx = {
        namespaces: ns,
        secretKeys,
        mqtt: mqttEndpoint,
        hasState: bot.storage !== undefined,
        placement: args.placement ?? {},
      };
      const workload = { ...child, dependsOn: mounts };

      if (bot.workload === "trader") {
        const sts = statefulSetWithClaims(
          `${prefix}-statefulset`,
          traderStatefulSet(bot, ctx, checksum),
          // A stopped trader keeps the claim it had.
          { ...claimArgs(index, bot, ledger), ordinals: 1 },
          // When the object must be replaced (a namespace change), the old pod is gone before the new
          // one starts: a live trader never runs twice.
          { ...workload, deleteBeforeReplace: true },
        );
        health[bot.name] = sts.status.apply((status) => traderHealth(bot.stopped, status));
      } else if (bot.workload === "service") {
        const deployment = new k8s.apps.v1.Deployment(
          `${prefix}-deployment`,
          serviceDeployment(bot, ctx, checksum),
          workload,
        );
        health[bot.name] = deployment.status.apply((status) => serviceHealth(status));
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${prefix}-hpa`, serviceHpa(bot, ns.bots), child);
        new k8s.policy.v1.PodDisruptionBudget(`${prefix}-pdb`, servicePdb(bot, ns.bots), child);
        new k8s.core.v1.Service(`${prefix}-service`, serviceService(bot, ns.bots), child);
        if (bot.clients.length > 0) {
          new k8s.networking.v1.NetworkPolicy(`${prefix}-clients`, serviceClientsPolicy(bot, ns.bots), child);
        }
      } else {
        if (hasStorage(bot)) {
          // Kept when the bot or stack is deleted: downloaded data outlives its CronJob.
          mounts.push(
            checkedClaim(
              `${prefix}-data`,
              scheduledClaim(bot, ns.bots),
              claimArgs(index, bot, ledger),
              child,
            ),
          );
        }
        new k8s.batch.v1.CronJob(`${prefix}-cronjob`, scheduledCronJob(bot, ctx, checksum), workload);
        // A scheduled bot has no pod between runs; failed runs are the monitoring stack's to report.
        health[bot.name] = pulumi.output<BotHealth>({ ready: true });
      }
    }

    this.traders = args.bots.filter((b) => b.workload === "trader").map((b) => b.name);
    this.services = args.bots.filter((b) => b.workload === "service").map((b) => b.name);
    this.scheduled = args.bots.filter((b) => b.workload === "scheduled").map((b) => b.name);
    this.mqttHost = hasHummingbot ? mqttEndpoint.host : undefined;
    this.health = pulumi.all(health).apply(fleetHealth);
    this.registerOutputs({
      health: this.health,
      traders: this.traders,
      services: this.services,
      scheduled: this.scheduled,
      mqttHost: this.mqttHost,
      environment: args.environment,
    });
  }
}
