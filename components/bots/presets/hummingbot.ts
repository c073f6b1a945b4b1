/** The hummingbot preset: headless mode, config copied to a writable dir, MQTT heartbeat probes. */
import type * as k8s from "@pulumi/kubernetes";
import type { HummingbotBot } from "../../../config/bots";
import { deepMerge } from "../../../config/common";
import { withStrategyDefaults } from "../../../config/hummingbot";
import { restrictedContainerSecurityContext } from "../../specs/security";
import { toYaml } from "../../specs/yaml";
import { dataClientEnv, fromSecret } from "../data-clients";
import {
  exporterContainer,
  initResources,
  resources,
  tmpVolume,
  type MqttEndpoint,
  type PodContext,
  type PodParts,
} from "../containers";
import { HUMMINGBOT_UID, SECRET_KEYS, SHARED, botConfigMapName, botSecretName, configMapKey } from "../names";
import type { BotPreset } from "./preset";
import { MQTT_NAMESPACE, mqttBotUsername } from "../mqtt-auth";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Probe = k8s.types.input.core.v1.Probe;

/** hummingbot's conf_client.yml: the user's, with the fleet's instance id and MQTT bridge on top. */
export function hummingbotClientConfig(bot: HummingbotBot, mqtt: MqttEndpoint): Record<string, unknown> {
  const hb = bot.hummingbot;
  return deepMerge(hb.configFiles["conf_client.yml"] ?? {}, {
    instance_id: hb.instanceId,
    mqtt_bridge: {
      mqtt_host: mqtt.host,
      mqtt_port: mqtt.port,
      mqtt_username: mqttBotUsername(bot.name),
      // Replaced at start by hummingbot-init.sh from the bot's own Secret.
      mqtt_password: "",
      mqtt_ssl: false,
      mqtt_namespace: MQTT_NAMESPACE,
      mqtt_autostart: true,
    },
  });
}

/**
 * The ConfigMap data (non-secret only). Hummingbot reads script configs with PyYAML's safe_load
 * (YAML 1.1, hummingbot/client/runner.py at v2.16.0), so strings such as "on" are written quoted.
 */
function hummingbotConfigData(bot: HummingbotBot, mqtt: MqttEndpoint): Record<string, string> {
  const hb = bot.hummingbot;
  const files: Record<string, Record<string, unknown>> = {
    ...hb.configFiles,
    "conf_client.yml": hummingbotClientConfig(bot, mqtt),
  };
  // The V1 strategy file: the fleet's defaults under the user's values (config/hummingbot.ts).
  const strategyPath = `strategies/${hb.strategy}`;
  if (hb.strategy !== undefined && files[strategyPath] !== undefined) {
    files[strategyPath] = withStrategyDefaults(files[strategyPath]);
  }
  return Object.fromEntries(
    Object.entries(files)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([p, content]) => [configMapKey(p), toYaml(content)]),
  );
}

function heartbeatProbe(python: string, mode: "readiness" | "liveness", timing: Partial<Probe>): Probe {
  const timeout = Number(timing.timeoutSeconds) - 5;
  return {
    exec: {
      command: [python, "/bot-scripts/hummingbot-heartbeat.py", "--mode", mode, "--timeout", String(timeout)],
    },
    ...timing,
  };
}

function hummingbotPod(bot: HummingbotBot, ctx: PodContext): PodParts {
  const hb = bot.hummingbot;
  const secret = botSecretName(bot);
  const has = (k: string) => ctx.secretKeys.includes(k);
  const home = "/home/hummingbot";
  const stateMounts: VolumeMount[] = ctx.hasState
    ? [
        { name: "state", mountPath: `${home}/logs`, subPath: "logs" },
        { name: "state", mountPath: `${home}/data`, subPath: "data" },
      ]
    : [
        { name: "logs", mountPath: `${home}/logs` },
        { name: "data", mountPath: `${home}/data` },
      ];
  const secretItems = [
    // The init container makes conf/.password_verification from it when the Secret has none.
    { key: SECRET_KEYS.configPassword, path: "config_password" },
    ...(has(SECRET_KEYS.connectorConfig)
      ? [{ key: SECRET_KEYS.connectorConfig, path: `connectors/${bot.exchange}.yml` }]
      : []),
    ...(has(SECRET_KEYS.passwordVerification)
      ? [{ key: SECRET_KEYS.passwordVerification, path: "password_verification" }]
      : []),
  ];
  const init: Container = {
    name: "conf",
    image: bot.image,
    command: ["/bin/sh", "/bot-scripts/hummingbot-init.sh"],
    env: [
      { name: "READONLY_CONF", value: "/readonly-conf" },
      { name: "CONF_DIR", value: "/conf" },
      { name: "BOT_KEYS_DIR", value: "/bot-secrets" },
      { name: "MQTT_AUTH_DIR", value: "/mqtt" },
      { name: "PYTHON", value: hb.python },
      // Read-only root filesystem: no .pyc files to write.
      { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
      ...(ctx.hasState ? [{ name: "STATE_DIR", value: "/state" }] : []),
    ],
    resources: initResources,
    securityContext: restrictedContainerSecurityContext(HUMMINGBOT_UID),
    volumeMounts: [
      { name: "readonly-conf", mountPath: "/readonly-conf", readOnly: true },
      { name: "conf", mountPath: "/conf" },
      { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
      { name: "mqtt", mountPath: "/mqtt", readOnly: true },
      { name: "bot-secrets", mountPath: "/bot-secrets", readOnly: true },
      ...(ctx.hasState ? [{ name: "state", mountPath: "/state" }] : []),
    ],
  };
  const main: Container = {
    name: "hummingbot",
    image: bot.image,
    workingDir: home,
    // Exec form: SIGTERM reaches python, which stops the strategy and cancels orders. The image's own
    // CMD is shell form (`conda activate ... &&`), where the signal would stop at the shell.
    command: [hb.python, "bin/hummingbot_quickstart.py", "--headless"],
    env: [
      fromSecret("CONFIG_PASSWORD", secret, SECRET_KEYS.configPassword),
      { name: "HEADLESS_MODE", value: "true" },
      hb.strategy !== undefined
        ? { name: "CONFIG_FILE_NAME", value: hb.strategy }
        : { name: "SCRIPT_CONFIG", value: hb.script ?? "" },
      // The image's home is root-owned; caches and ~/.hummingbot-gateway go to the tmp volume.
      { name: "HOME", value: "/tmp" },
      // For the heartbeat probe.
      { name: "MQTT_HOST", value: ctx.mqtt.host },
      { name: "MQTT_PORT", value: String(ctx.mqtt.port) },
      { name: "MQTT_USERNAME", value: mqttBotUsername(bot.name) },
      { name: "MQTT_AUTH_DIR", value: "/mqtt" },
      { name: "INSTANCE_ID", value: hb.instanceId },
      ...dataClientEnv(bot),
    ],
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(HUMMINGBOT_UID),
    // No HTTP endpoint and no port: the probes wait for the bot's own MQTT heartbeat. Liveness passes
    // when the broker is down (a broker outage must not restart every trader) and is slow to give up.
    startupProbe: heartbeatProbe(hb.python, "readiness", {
      periodSeconds: 30,
      timeoutSeconds: 25,
      failureThreshold: 20,
    }),
    livenessProbe: heartbeatProbe(hb.python, "liveness", {
      periodSeconds: 120,
      timeoutSeconds: 50,
      failureThreshold: 3,
    }),
    readinessProbe: heartbeatProbe(hb.python, "readiness", {
      periodSeconds: 60,
      timeoutSeconds: 25,
      failureThreshold: 1,
    }),
    volumeMounts: [
      { name: "conf", mountPath: `${home}/conf` },
      ...stateMounts,
      { name: "certs", mountPath: `${home}/certs` },
      { name: "tmp", mountPath: "/tmp" },
      { name: "mqtt", mountPath: "/mqtt", readOnly: true },
      { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
    ],
  };
  const exporter = exporterContainer({
    image: bot.image,
    command: [hb.python, "/bot-scripts/exporter-hummingbot.py"],
    env: [
      { name: "MQTT_HOST", value: ctx.mqtt.host },
      { name: "MQTT_PORT", value: String(ctx.mqtt.port) },
      { name: "MQTT_USERNAME", value: mqttBotUsername(bot.name) },
      { name: "MQTT_AUTH_DIR", value: "/mqtt" },
      { name: "INSTANCE_ID", value: hb.instanceId },
    ],
    uid: HUMMINGBOT_UID,
    volumeMounts: [
      { name: "mqtt", mountPath: "/mqtt", readOnly: true },
      { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
    ],
  });
  const volumes: Volume[] = [
    {
      name: "readonly-conf",
      configMap: {
        name: botConfigMapName(bot),
        items: ["conf_client.yml", ...Object.keys(hb.configFiles).filter((p) => p !== "conf_client.yml")]
          .sort()
          .map((p) => ({ key: configMapKey(p), path: p })),
      },
    },
    { name: "conf", emptyDir: { sizeLimit: "64Mi" } },
    { name: "certs", emptyDir: { sizeLimit: "16Mi" } },
    { name: "bot-scripts", configMap: { name: SHARED.scripts, defaultMode: 0o555 } },
    // The bot's own MQTT password, not the broker's Secret.
    {
      name: "mqtt",
      secret: { secretName: secret, items: [{ key: SECRET_KEYS.mqttPassword, path: "password" }] },
    },
    tmpVolume(),
    ...(ctx.hasState
      ? []
      : [
          { name: "logs", emptyDir: { sizeLimit: "512Mi" } },
          { name: "data", emptyDir: { sizeLimit: "512Mi" } },
        ]),
    { name: "bot-secrets", secret: { secretName: secret, items: secretItems } },
  ];
  return { containers: [main, exporter], initContainers: [init], volumes, uid: HUMMINGBOT_UID };
}

export const hummingbot: BotPreset<HummingbotBot> = {
  configData: hummingbotConfigData,
  scripts: () => [
    "hummingbot-init.sh",
    "hummingbot-verification-file.py",
    "hummingbot-heartbeat.py",
    "exporter-hummingbot.py",
  ],
  pod: hummingbotPod,
};
