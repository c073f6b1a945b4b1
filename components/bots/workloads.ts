/**
 * The workload of each kind of bot: a trader is a singleton StatefulSet, a service a Deployment with an
 * HPA, a PDB and a Service, a scheduled bot a CronJob (with a claim its runs share).
 *
 * Decisions (DESIGN.md, research/trading-bots.md):
 * - A trader is a StatefulSet with one replica: "at most one pod per identity", so a live bot never
 *   runs twice. No HPA.
 * - A live trader (restartOnConfigChange false) uses `updateStrategy: OnDelete`: a config, script,
 *   data-layer address or image change is recorded as a new pod template revision (the checksum
 *   annotation) but applied only when an operator deletes the pod at a safe moment.
 * - OnDelete applies the staged template at ANY pod deletion, a drain or an autoscaler scale-down
 *   included. So live traders' pods are selected by the fleet's one live-traders PDB with
 *   `maxUnavailable: 0` (fleet-objects.ts: evictions, hence `kubectl drain` and node maintenance, wait
 *   until an operator moves the pod) and carry the cluster autoscaler's `safe-to-evict: "false"`. A
 *   paper trader has neither: it rolls, and drains move it, as any pod.
 * - Secrets reach pods only as secretKeyRef or mounted files; the builders take Secret names and keys,
 *   never values.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { BotConfig, ScheduledBot, ServiceBot } from "../../config/bots";
import type { PodContext } from "./containers";
import { botLabels, botMeta as meta, botSelector } from "./labels";
import { SHARED, botConfigMapName, botDataClaimName } from "./names";
import { botPodTemplate } from "./pod";

export function traderStatefulSet(
  bot: BotConfig,
  ctx: PodContext,
  checksum: string,
): k8s.types.input.apps.v1.StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta(bot, ctx.namespaces.bots),
    spec: {
      serviceName: SHARED.tradersService,
      // Never more than one: a second pod would place the same orders.
      replicas: bot.stopped ? 0 : 1,
      podManagementPolicy: "OrderedReady",
      revisionHistoryLimit: 5,
      selector: { matchLabels: botSelector(bot) },
      updateStrategy: bot.restartOnConfigChange ? { type: "RollingUpdate" } : { type: "OnDelete" },
      ...(bot.storage === undefined
        ? {}
        : {
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            volumeClaimTemplates: [
              {
                metadata: { name: "state", labels: botSelector(bot) },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  ...(bot.storageClass === undefined ? {} : { storageClassName: bot.storageClass }),
                  resources: { requests: { storage: bot.storage } },
                },
              },
            ],
          }),
      template: botPodTemplate(bot, ctx, checksum),
    },
  };
}

export function serviceDeployment(
  bot: BotConfig,
  ctx: PodContext,
  checksum: string,
): k8s.types.input.apps.v1.Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(bot, ctx.namespaces.bots),
    spec: {
      // No `replicas`: the HPA owns it (a field here fights the HPA on every update).
      revisionHistoryLimit: 5,
      selector: { matchLabels: botSelector(bot) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: botPodTemplate(bot, ctx, checksum),
    },
  };
}

export function serviceHpa(
  bot: ServiceBot,
  namespace: string,
): k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler {
  const a = bot.autoscaling;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(bot, namespace),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: bot.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.cpuUtilization } },
        },
        {
          type: "Resource",
          resource: {
            name: "memory",
            target: { type: "Utilization", averageUtilization: a.memoryUtilization },
          },
        },
      ],
      behavior: {
        // Fast up: double or add 4 pods every 15 s, whichever is more.
        scaleUp: {
          stabilizationWindowSeconds: a.scaleUpStabilizationSeconds,
          selectPolicy: "Max",
          policies: [
            { type: "Percent", value: 100, periodSeconds: 15 },
            { type: "Pods", value: 4, periodSeconds: 15 },
          ],
        },
        // Slow down: one pod a minute after the stabilization window.
        scaleDown: {
          stabilizationWindowSeconds: a.scaleDownStabilizationSeconds,
          selectPolicy: "Min",
          policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}

/** A service's budget: one pod at a time may go. */
export function servicePdb(bot: BotConfig, namespace: string): k8s.types.input.policy.v1.PodDisruptionBudget {
  return botPdb(meta(bot, namespace), botSelector(bot), 1);
}

/**
 * A PodDisruptionBudget over the pods `matchLabels` selects, allowing `maxUnavailable` healthy pods to
 * be evicted at once (0: none; a drain waits).
 */
export function botPdb(
  metadata: k8s.types.input.meta.v1.ObjectMeta,
  matchLabels: Record<string, string>,
  maxUnavailable: number,
): k8s.types.input.policy.v1.PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata,
    spec: {
      maxUnavailable,
      // A crash-looping or not-Ready pod may always be evicted: a broken bot never holds a node drain.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels },
    },
  };
}

export function serviceService(bot: ServiceBot, namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(bot, namespace),
    spec: {
      type: "ClusterIP",
      selector: botSelector(bot),
      ports: bot.custom.ports.map((p) => ({
        name: p.name,
        port: p.containerPort,
        targetPort: p.name,
        protocol: "TCP",
      })),
    },
  };
}

export function scheduledCronJob(
  bot: ScheduledBot,
  ctx: PodContext,
  checksum: string,
): k8s.types.input.batch.v1.CronJob {
  const template = botPodTemplate(bot, ctx, checksum);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta(bot, ctx.namespaces.bots),
    spec: {
      schedule: bot.schedule,
      timeZone: "Etc/UTC",
      suspend: bot.stopped,
      // A run still going when the next is due: skip the new one, never trade twice.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: botLabels(bot) },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: bot.activeDeadlineSeconds,
          template,
        },
      },
    },
  };
}

/** A bot that sets `storage`. */
export const hasStorage = <B extends BotConfig>(bot: B): bot is B & { readonly storage: string } =>
  bot.storage !== undefined;

/** The volume a scheduled bot's runs share; standalone, since a CronJob has no claim templates. */
export function scheduledClaim(
  bot: ScheduledBot & { readonly storage: string },
  namespace: string,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(bot, namespace, botDataClaimName(bot)),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(bot.storageClass === undefined ? {} : { storageClassName: bot.storageClass }),
      resources: { requests: { storage: bot.storage } },
    },
  };
}

export function botConfigMap(
  bot: BotConfig,
  namespace: string,
  data: Record<string, string>,
): k8s.types.input.core.v1.ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(bot, namespace, botConfigMapName(bot)), data };
}
