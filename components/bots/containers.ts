/** Parts every preset's pod uses: resources, the metrics sidecar, scratch space, the pod context. */
import type * as k8s from "@pulumi/kubernetes";
import type { BotConfig } from "../../config/bots";
import { restrictedContainerSecurityContext } from "../specs/security";
import { BOT_METRICS_PORT, METRICS_PORT_NAME } from "./names";
import type { Namespaces } from "../../config/platform";
import type { PodPlacement } from "../specs/placement";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Probe = k8s.types.input.core.v1.Probe;

export interface MqttEndpoint {
  readonly host: string;
  readonly port: number;
}

export function resources(bot: BotConfig): k8s.types.input.core.v1.ResourceRequirements {
  const r = bot.resources;
  return {
    requests: { ...r.requests },
    // The ephemeral-storage limit is the request: an emptyDir past it evicts the pod, never the node.
    limits: {
      memory: r.limits.memory,
      "ephemeral-storage": r.requests["ephemeral-storage"],
      ...(r.limits.cpu === undefined ? {} : { cpu: r.limits.cpu }),
    },
  };
}

export const initResources = {
  requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "64Mi" },
  limits: { memory: "64Mi", "ephemeral-storage": "64Mi" },
};

/** A poller or MQTT listener in python: a few MiB of heap, no disk. */
const exporterResources = {
  requests: { cpu: "10m", memory: "48Mi", "ephemeral-storage": "16Mi" },
  limits: { memory: "96Mi", "ephemeral-storage": "16Mi" },
};

/**
 * The metrics sidecar of a hummingbot or freqtrade bot. Readiness: it serves /metrics (a bot that is
 * down is the main container's and the alerts' business, not a reason to hide the metrics saying so).
 * Liveness: /healthz fails only when its own poll or MQTT loop has died.
 */
export function exporterContainer(opts: {
  image: string;
  command: string[];
  env: EnvVar[];
  uid: number;
  volumeMounts: VolumeMount[];
}): Container {
  return {
    name: "exporter",
    image: opts.image,
    command: opts.command,
    env: [
      { name: "METRICS_PORT", value: String(BOT_METRICS_PORT) },
      // Read-only root filesystem: no .pyc files to write.
      { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
      { name: "PYTHONUNBUFFERED", value: "1" },
      ...opts.env,
    ],
    ports: [{ name: METRICS_PORT_NAME, containerPort: BOT_METRICS_PORT, protocol: "TCP" }],
    resources: exporterResources,
    securityContext: restrictedContainerSecurityContext(opts.uid),
    readinessProbe: httpProbe("/metrics", METRICS_PORT_NAME, {
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    }),
    livenessProbe: httpProbe("/healthz", METRICS_PORT_NAME, {
      initialDelaySeconds: 10,
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 3,
    }),
    volumeMounts: opts.volumeMounts,
  };
}

/** Writable scratch space for a read-only root filesystem. */
export const tmpVolume = (sizeLimit = "256Mi"): Volume => ({ name: "tmp", emptyDir: { sizeLimit } });

export function httpProbe(pathName: string, port: string | number, o: Partial<Probe>): Probe {
  return { httpGet: { path: pathName, port }, ...o };
}

export interface PodContext {
  readonly namespaces: Namespaces;
  /** Keys present in the bot's Secret (user keys plus generated ones). */
  readonly secretKeys: readonly string[];
  readonly mqtt: MqttEndpoint;
  /** Has a `state` PVC (from volumeClaimTemplates). */
  readonly hasState: boolean;
  /** Node selector and tolerations onto the bots pool, if the stack has one. */
  readonly placement?: PodPlacement;
}

/** What a preset contributes to a bot's pod. */
export interface PodParts {
  containers: Container[];
  initContainers: Container[];
  volumes: Volume[];
  uid: number;
}
