/** The custom preset: the user's image, command, ports and probes, under the fleet's hardening. */
import type * as k8s from "@pulumi/kubernetes";
import type { CustomBot, CustomProbe } from "../../../config/bots";
import { restrictedContainerSecurityContext } from "../../specs/security";
import { dataClientEnv, fromSecret } from "../data-clients";
import { resources, tmpVolume, type PodContext, type PodParts } from "../containers";
import { botConfigMapName, botSecretName } from "../names";
import type { BotPreset } from "./preset";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type Probe = k8s.types.input.core.v1.Probe;

export function customProbe(p: CustomProbe): Probe {
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
  if (p.type === "http") return { httpGet: { path: p.path, port: p.port }, ...timing };
  if (p.type === "tcp") return { tcpSocket: { port: p.port }, ...timing };
  return { exec: { command: p.command }, ...timing };
}

function customPod(bot: CustomBot, ctx: PodContext): PodParts {
  const c = bot.custom;
  const secret = botSecretName(bot);
  const main: Container = {
    name: "bot",
    image: bot.image,
    ...(c.command === undefined ? {} : { command: c.command }),
    ...(c.args === undefined ? {} : { args: c.args }),
    env: [
      // From the bot's ConfigMap, in the order given: a change is covered by the config checksum.
      ...Object.keys(c.env).map((name) => ({
        name,
        valueFrom: { configMapKeyRef: { name: botConfigMapName(bot), key: name } },
      })),
      ...Object.entries(c.secretEnv).map(([name, key]) => fromSecret(name, secret, key)),
      ...dataClientEnv(bot),
    ],
    ports: c.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: "TCP" })),
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(c.runAsUser),
    ...(c.probes.startup === undefined ? {} : { startupProbe: customProbe(c.probes.startup) }),
    ...(c.probes.liveness === undefined ? {} : { livenessProbe: customProbe(c.probes.liveness) }),
    ...(c.probes.readiness === undefined ? {} : { readinessProbe: customProbe(c.probes.readiness) }),
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      ...(ctx.hasState ? [{ name: "state", mountPath: c.stateMountPath }] : []),
      ...c.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
    ],
  };
  const volumes: Volume[] = [
    tmpVolume(),
    ...c.volumes.map((v) => ({
      name: v.name,
      emptyDir: v.sizeLimit === undefined ? {} : { sizeLimit: v.sizeLimit },
    })),
  ];
  return { containers: [main], initContainers: [], volumes, uid: c.runAsUser };
}

export const custom: BotPreset<CustomBot> = {
  // A custom bot's config is its env (in its ConfigMap) and Secret keys: no files, no fleet scripts.
  configData: (bot) => ({ ...bot.custom.env }),
  scripts: () => [],
  pod: customPod,
};
