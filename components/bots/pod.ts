/** The pod template of a bot, for any preset and workload. */
import type * as k8s from "@pulumi/kubernetes";
import type { BotConfig } from "../../config/bots";
import { restrictedPodSecurityContext } from "../specs/security";
import type { PodContext } from "./containers";
import { botLabels, botSelector, isLiveTrader } from "./labels";
import { CHECKSUM_ANNOTATION, SAFE_TO_EVICT_ANNOTATION, SHARED, botDataClaimName } from "./names";
import { botPodParts } from "./presets";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

export function botPodTemplate(
  bot: BotConfig,
  ctx: PodContext,
  checksum: string,
): { metadata: ObjectMeta; spec: PodSpec } {
  const parts = botPodParts(bot, ctx);
  const spec: PodSpec = {
    serviceAccountName: SHARED.serviceAccount,
    automountServiceAccountToken: false,
    // No service env vars: bots find the data layer through the client Secrets.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(parts.uid),
    terminationGracePeriodSeconds: bot.terminationGracePeriodSeconds,
    ...ctx.placement,
    ...(parts.initContainers.length > 0 ? { initContainers: parts.initContainers } : {}),
    containers: parts.containers,
    volumes: parts.volumes,
  };
  if (bot.workload === "service") {
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: botSelector(bot) },
            },
          },
        ],
      },
    };
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: botSelector(bot) },
      },
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: botSelector(bot) },
      },
    ];
  }
  if (bot.workload === "scheduled") {
    spec.restartPolicy = bot.preset === "custom" ? bot.custom.restartPolicy : "Never";
    if (ctx.hasState) {
      // The runs' shared volume; the CronJob's concurrencyPolicy Forbid keeps its ReadWriteOnce claim
      // to one run at a time.
      spec.volumes = [
        ...parts.volumes,
        { name: "state", persistentVolumeClaim: { claimName: botDataClaimName(bot) } },
      ];
    }
  }
  const annotations: Record<string, string> = {};
  // A trader always carries it: under OnDelete a change is a pending revision, never a restart.
  if (bot.restartOnConfigChange || bot.workload === "trader") annotations[CHECKSUM_ANNOTATION] = checksum;
  // The autoscaler never scales a live trader's node down: that eviction would apply a staged template.
  if (isLiveTrader(bot)) annotations[SAFE_TO_EVICT_ANNOTATION] = "false";
  return {
    metadata: {
      labels: botLabels(bot),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
}
