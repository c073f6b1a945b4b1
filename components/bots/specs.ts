/**
 * Pure builders for bot workloads. No Pulumi resources here: the BotFleet component wires them.
 *
 * Decisions (DESIGN.md, research/trading-bots.md):
 * - A trader is a StatefulSet with one replica: "at most one pod per identity", so a live bot never
 *   runs twice. No HPA, and no PDB: a PDB on a singleton either blocks node drains (minAvailable 1)
 *   or allows everything (maxUnavailable 1), so we rely on the long grace period instead, which lets
 *   the bot cancel its orders when a drain evicts it.
 * - A live trader (restartOnConfigChange false) uses `updateStrategy: OnDelete`: a config, script,
 *   data-layer address or image change is recorded as a new pod template revision (the checksum
 *   annotation) but applied only when an operator deletes the pod at a safe moment.
 * - Secrets reach pods only as secretKeyRef or mounted files; the builders take Secret names and keys,
 *   never values.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as k8s from "@pulumi/kubernetes";
import { DEFAULT_EGRESS_PORTS, botObjectNames, type BotConfig } from "../../config/bots";
import { deepMerge } from "../../config/common";
import { withFreqtradeDefaults } from "../../config/freqtrade";
import { withStrategyDefaults } from "../../config/hummingbot";

export { deepMerge };
import { selectorLabels, standardLabels } from "../specs/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import { PRIVATE_AND_METADATA_CIDRS } from "../specs/network";
import { toYaml } from "../specs/yaml";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Probe = k8s.types.input.core.v1.Probe;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

export interface Namespaces {
  readonly bots: string;
  readonly data: string;
  readonly monitoring: string;
}

/** Names of the objects all bots share (bot names may not start with "botfleet-"). */
export const SHARED = {
  serviceAccount: "botfleet-bots",
  tradersService: "botfleet-traders",
  networkPolicy: "botfleet-bots",
  scripts: "botfleet-bot-scripts",
  mqtt: "botfleet-mqtt",
} as const;

export const MQTT_PORT = 1883;
export const MQTT_USERNAME = "hummingbot";
export const FREQTRADE_API_PORT = 8080;
export const FREQTRADE_API_USERNAME = "freqtrade";
/**
 * The exporter sidecars' port, named `metrics` (the port Prometheus scrapes and the bots policy admits).
 * Clear of freqtrade's API (8080), hummingbot's gateway (15888) and the data-layer exporters.
 */
export const BOT_METRICS_PORT = 9105;
export const METRICS_PORT_NAME = "metrics";
/** The hummingbot image has no USER line: we run it as this uid, with writable volumes for conf/logs/data. */
export const HUMMINGBOT_UID = 1000;
/** freqtrade's image runs as `ftuser`. */
export const FREQTRADE_UID = 1000;
export const CHECKSUM_ANNOTATION = "botfleet.io/config-checksum";

/** Keys in a bot's own Secret. User keys from botSecrets keep their names. */
export const SECRET_KEYS = {
  configPassword: "configPassword",
  connectorConfig: "connectorConfig",
  passwordVerification: "passwordVerification",
  apiKey: "apiKey",
  apiSecret: "apiSecret",
  apiPassword: "apiPassword",
  apiServerPassword: "apiServerPassword",
  jwtSecretKey: "jwtSecretKey",
} as const;

/** Scripts from files/bots/ shipped in the shared scripts ConfigMap. */
export const SCRIPTS_DIR = path.join(__dirname, "..", "..", "files", "bots");
export function scriptFiles(): Record<string, string> {
  return {
    "hummingbot-init.sh": fs.readFileSync(path.join(SCRIPTS_DIR, "hummingbot-init.sh"), "utf8"),
    "mosquitto-init.sh": fs.readFileSync(path.join(SCRIPTS_DIR, "mosquitto-init.sh"), "utf8"),
    "hummingbot-heartbeat.py": fs.readFileSync(path.join(SCRIPTS_DIR, "hummingbot-heartbeat.py"), "utf8"),
    "hummingbot-verification-file.py": fs.readFileSync(
      path.join(SCRIPTS_DIR, "hummingbot-verification-file.py"),
      "utf8",
    ),
    "exporter-hummingbot.py": fs.readFileSync(path.join(SCRIPTS_DIR, "exporter-hummingbot.py"), "utf8"),
    "exporter-freqtrade.py": fs.readFileSync(path.join(SCRIPTS_DIR, "exporter-freqtrade.py"), "utf8"),
  };
}

/** The scripts a bot's pods run: a change to one rolls the bots that opt in to config rolls. */
export function botScriptNames(bot: BotConfig): string[] {
  if (bot.preset === "hummingbot")
    return [
      "hummingbot-init.sh",
      "hummingbot-verification-file.py",
      "hummingbot-heartbeat.py",
      "exporter-hummingbot.py",
    ];
  if (bot.preset === "freqtrade" && bot.workload !== "scheduled") return ["exporter-freqtrade.py"];
  return [];
}

// The config loader checks a bot's name against every object it names (config/bots.ts, botNameUses).
export const botConfigMapName = (bot: BotConfig) => botObjectNames(bot.name).configMap;
export const botSecretName = (bot: BotConfig) => botObjectNames(bot.name).secret;
/** The PersistentVolumeClaim of a scheduled bot with storage (its runs share it). */
export const botDataClaimName = (bot: BotConfig) => botObjectNames(bot.name).dataClaim;
/** freqtrade's user data dir in its image: the state volume when the bot has one. */
export const FREQTRADE_USERDIR = "/freqtrade/user_data";

// ---------------------------------------------------------------- labels

/** The fleet label contract: monitoring selects on these. */
export function botLabels(bot: BotConfig): Record<string, string> {
  const extra: Record<string, string> = {
    "botfleet.io/bot": bot.name,
    "botfleet.io/preset": bot.preset,
    "botfleet.io/workload": bot.workload,
    "botfleet.io/mode": bot.paperTrading ? "paper" : "live",
    "botfleet.io/exchange": bot.exchange,
  };
  if (bot.usesRedis) extra["botfleet.io/redis-client"] = "true";
  if (bot.usesPostgres) extra["botfleet.io/postgres-client"] = "true";
  return standardLabels({ name: bot.preset, instance: bot.name, component: bot.workload }, extra);
}

export function botSelector(bot: BotConfig): Record<string, string> {
  return selectorLabels({ name: bot.preset, instance: bot.name });
}

// ---------------------------------------------------------------- config files

/** ConfigMap keys cannot hold "/": `strategies/pmm.yml` is stored as `strategies__pmm.yml`. */
export const configMapKey = (confPath: string) => confPath.replace(/\//g, "__");

export interface MqttEndpoint {
  readonly host: string;
  readonly port: number;
}

/** hummingbot's conf_client.yml: the user's, with the fleet's instance id and MQTT bridge on top. */
export function hummingbotClientConfig(bot: BotConfig, mqtt: MqttEndpoint): Record<string, unknown> {
  const hb = bot.hummingbot!;
  return deepMerge(hb.configFiles["conf_client.yml"] ?? {}, {
    instance_id: hb.instanceId,
    mqtt_bridge: {
      mqtt_host: mqtt.host,
      mqtt_port: mqtt.port,
      mqtt_username: MQTT_USERNAME,
      // Replaced at start by hummingbot-init.sh from the broker Secret.
      mqtt_password: "",
      mqtt_ssl: false,
      mqtt_namespace: "hbot",
      mqtt_autostart: true,
    },
  });
}

/**
 * freqtrade's config.json: the fleet's defaults (config/freqtrade.ts), the user's settings over them,
 * and the settings the fleet owns on top. Only a trader runs `trade`, which serves the API: the
 * `api_server` section goes to traders only, whose credentials arrive as FREQTRADE__API_SERVER__* env
 * (freqtrade's schema requires them wherever the section appears).
 */
export function freqtradeConfig(bot: BotConfig): Record<string, unknown> {
  const ft = bot.freqtrade!;
  return deepMerge(withFreqtradeDefaults(ft.config), {
    bot_name: bot.name,
    dry_run: bot.paperTrading,
    // Stopping a bot must not leave orders on the book (freqtrade PR #3210).
    cancel_open_orders_on_exit: true,
    initial_state: "running",
    // Separate files, so going live never continues dry-run trades.
    db_url: `sqlite:////freqtrade/user_data/${bot.paperTrading ? "tradesv3.dryrun.sqlite" : "tradesv3.sqlite"}`,
    exchange: { name: bot.exchange },
    ...(bot.workload === "scheduled"
      ? {}
      : {
          api_server: {
            enabled: true,
            listen_ip_address: "0.0.0.0",
            listen_port: FREQTRADE_API_PORT,
            verbosity: "error",
          },
        }),
  });
}

/**
 * The bot's ConfigMap data (non-secret only). Hummingbot reads script configs with PyYAML's safe_load
 * (YAML 1.1, hummingbot/client/runner.py at v2.16.0), so strings such as "on" are written quoted.
 */
export function botConfigData(bot: BotConfig, mqtt: MqttEndpoint): Record<string, string> {
  if (bot.preset === "hummingbot") {
    const hb = bot.hummingbot!;
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
  if (bot.preset === "freqtrade") {
    // Strategy files are named `<Name>.py`: they never collide with config.json.
    return {
      "config.json": JSON.stringify(freqtradeConfig(bot), null, 2) + "\n",
      ...Object.fromEntries(
        Object.entries(bot.freqtrade!.strategyFiles).sort(([a], [b]) => a.localeCompare(b)),
      ),
    };
  }
  return {};
}

/**
 * A stable digest of what the pod reads at start: its config files, its scripts and the data layer's
 * connection settings. A change rolls pods that opt in and marks a live trader's pending revision.
 */
export function configChecksum(
  data: Record<string, string>,
  scripts: Record<string, string> = {},
  dataClients: Record<string, string> = {},
): string {
  const h = crypto.createHash("sha256");
  for (const src of [data, scripts, dataClients]) {
    for (const k of Object.keys(src).sort()) h.update(`${k}\0${src[k]}\0`);
  }
  return h.digest("hex");
}

// ---------------------------------------------------------------- env

const fromSecret = (name: string, secretName: string, key: string, optional?: boolean): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secretName, key, ...(optional === undefined ? {} : { optional }) } },
});

/** The non-secret keys of the data layer's client Secrets (`redis-client`, `postgres-client`). */
export interface DataClientSettings {
  /** host, port, sentinels, masterName. */
  readonly redis?: Readonly<Record<string, string>>;
  /** host, port, database, username. */
  readonly postgres?: Readonly<Record<string, string>>;
}

/**
 * The connection settings a bot reads from the client Secrets as env at start (passwords aside: they
 * are secret, and rotating one follows its runbook). When they change (Redis HA switched on, another
 * database), a running bot still talks to the old address: they go into its config checksum.
 */
export function dataClientSettings(bot: BotConfig, clients: DataClientSettings = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (secret: string, settings: Readonly<Record<string, string>> = {}) => {
    for (const [key, value] of Object.entries(settings)) out[`${secret}/${key}`] = value;
  };
  if (bot.usesRedis) add("redis-client", clients.redis);
  if (bot.usesPostgres) add("postgres-client", clients.postgres);
  return out;
}

/** `redis-client` / `postgres-client` Secrets the data layer puts in the bots namespace. */
export function dataClientEnv(bot: BotConfig): EnvVar[] {
  const env: EnvVar[] = [];
  if (bot.usesRedis) {
    env.push(
      fromSecret("REDIS_HOST", "redis-client", "host"),
      fromSecret("REDIS_PORT", "redis-client", "port"),
      fromSecret("REDIS_PASSWORD", "redis-client", "password"),
      fromSecret("REDIS_SENTINELS", "redis-client", "sentinels"),
      fromSecret("REDIS_MASTER_NAME", "redis-client", "masterName"),
    );
  }
  if (bot.usesPostgres) {
    env.push(
      fromSecret("POSTGRES_HOST", "postgres-client", "host"),
      fromSecret("POSTGRES_PORT", "postgres-client", "port"),
      fromSecret("POSTGRES_DB", "postgres-client", "database"),
      fromSecret("POSTGRES_USER", "postgres-client", "username"),
      fromSecret("POSTGRES_PASSWORD", "postgres-client", "password"),
      fromSecret("DATABASE_URL", "postgres-client", "uri"),
    );
  }
  return env;
}

// ---------------------------------------------------------------- containers

function resources(bot: BotConfig): k8s.types.input.core.v1.ResourceRequirements {
  const r = bot.resources;
  return {
    requests: { cpu: r.cpu, memory: r.memory, "ephemeral-storage": r.ephemeralStorage },
    limits: {
      memory: r.memoryLimit,
      "ephemeral-storage": r.ephemeralStorage,
      ...(r.cpuLimit === undefined ? {} : { cpu: r.cpuLimit }),
    },
  };
}

const initResources = {
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
function exporterContainer(opts: {
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
const tmpVolume = (sizeLimit = "256Mi"): Volume => ({ name: "tmp", emptyDir: { sizeLimit } });

export interface PodContext {
  readonly namespaces: Namespaces;
  /** Keys present in the bot's Secret (user keys plus generated ones). */
  readonly secretKeys: readonly string[];
  readonly mqtt: MqttEndpoint;
  /** Has a `state` PVC (from volumeClaimTemplates). */
  readonly hasState: boolean;
}

interface PodParts {
  containers: Container[];
  initContainers: Container[];
  volumes: Volume[];
  uid: number;
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

function hummingbotPod(bot: BotConfig, ctx: PodContext): PodParts {
  const hb = bot.hummingbot!;
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
      { name: "MQTT_USERNAME", value: MQTT_USERNAME },
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
      { name: "MQTT_USERNAME", value: MQTT_USERNAME },
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
    { name: "mqtt", secret: { secretName: SHARED.mqtt, items: [{ key: "password", path: "password" }] } },
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

function httpProbe(pathName: string, port: string | number, o: Partial<Probe>): Probe {
  return { httpGet: { path: pathName, port }, ...o };
}

function freqtradePod(bot: BotConfig, ctx: PodContext): PodParts {
  const ft = bot.freqtrade!;
  const secret = botSecretName(bot);
  const has = (k: string) => ctx.secretKeys.includes(k);
  const configPath = "/freqtrade/config/config.json";
  const args =
    bot.workload === "scheduled"
      ? [...(ft.args ?? []), "--config", configPath, "--userdir", FREQTRADE_USERDIR]
      : [
          "trade",
          "--config",
          configPath,
          "--strategy",
          ft.strategy,
          "--strategy-path",
          ft.strategyPath,
          "--userdir",
          FREQTRADE_USERDIR,
        ];
  const env: EnvVar[] = [
    // Keys from botSecrets only; paper bots run without them.
    ...(has(SECRET_KEYS.apiKey) ? [fromSecret("FREQTRADE__EXCHANGE__KEY", secret, SECRET_KEYS.apiKey)] : []),
    ...(has(SECRET_KEYS.apiSecret)
      ? [fromSecret("FREQTRADE__EXCHANGE__SECRET", secret, SECRET_KEYS.apiSecret)]
      : []),
    ...(has(SECRET_KEYS.apiPassword)
      ? [fromSecret("FREQTRADE__EXCHANGE__PASSWORD", secret, SECRET_KEYS.apiPassword)]
      : []),
    ...dataClientEnv(bot),
  ];
  const trader = bot.workload !== "scheduled";
  const strategyFiles = Object.keys(ft.strategyFiles).sort();
  const userDataMount: VolumeMount = {
    name: ctx.hasState ? "state" : "user-data",
    mountPath: FREQTRADE_USERDIR,
  };
  if (trader) {
    env.push(
      { name: "FREQTRADE__API_SERVER__USERNAME", value: FREQTRADE_API_USERNAME },
      fromSecret("FREQTRADE__API_SERVER__PASSWORD", secret, SECRET_KEYS.apiServerPassword),
      fromSecret("FREQTRADE__API_SERVER__JWT_SECRET_KEY", secret, SECRET_KEYS.jwtSecretKey),
    );
  }
  const main: Container = {
    name: "freqtrade",
    image: bot.image,
    // The image's exec-form ENTRYPOINT ["freqtrade"] stays: SIGTERM reaches the bot.
    args,
    env,
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(FREQTRADE_UID),
    ...(trader
      ? {
          ports: [{ name: "http", containerPort: FREQTRADE_API_PORT, protocol: "TCP" }],
          // /api/v1/ping needs no auth. Startup allows for exchange market loading; liveness is slow to
          // give up (a restart interrupts trading), readiness quick to report.
          startupProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 5,
            failureThreshold: 60,
            timeoutSeconds: 3,
          }),
          livenessProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 30,
            failureThreshold: 4,
            timeoutSeconds: 5,
          }),
          readinessProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 10,
            failureThreshold: 2,
            timeoutSeconds: 3,
          }),
        }
      : {}),
    volumeMounts: [
      { name: "config", mountPath: "/freqtrade/config", readOnly: true },
      userDataMount,
      { name: "tmp", mountPath: "/tmp" },
      // Over the user_data dir when strategyPath is inside it: the shipped files replace the samples.
      ...(strategyFiles.length > 0
        ? [{ name: "strategies", mountPath: ft.strategyPath, readOnly: true }]
        : []),
    ],
  };
  const volumes: Volume[] = [
    {
      name: "config",
      configMap: { name: botConfigMapName(bot), items: [{ key: "config.json", path: "config.json" }] },
    },
    tmpVolume(),
    ...(ctx.hasState ? [] : [{ name: "user-data", emptyDir: { sizeLimit: "2Gi" } }]),
    ...(strategyFiles.length > 0
      ? [
          {
            name: "strategies",
            configMap: {
              name: botConfigMapName(bot),
              items: strategyFiles.map((f) => ({ key: f, path: f })),
            },
          },
        ]
      : []),
  ];
  // The stock image has no strategies: `create-userdir` makes user_data's subdirs and copies
  // sample_strategy.py (class SampleStrategy) into strategies/. Without --reset it never overwrites an
  // existing file, so it is safe on every start.
  const userdir: Container = {
    name: "create-userdir",
    image: bot.image,
    args: ["create-userdir", "--userdir", FREQTRADE_USERDIR],
    env: [{ name: "PYTHONDONTWRITEBYTECODE", value: "1" }],
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(FREQTRADE_UID),
    volumeMounts: [userDataMount, { name: "tmp", mountPath: "/tmp" }],
  };
  if (!trader) return { containers: [main], initContainers: [userdir], volumes, uid: FREQTRADE_UID };
  // The API stays closed to the cluster: the sidecar polls it over the pod's loopback.
  const exporter = exporterContainer({
    image: bot.image,
    // The image's ENTRYPOINT is freqtrade itself; its python3 runs the stdlib-only poller.
    command: ["python3", "/bot-scripts/exporter-freqtrade.py"],
    env: [
      { name: "API_URL", value: `http://127.0.0.1:${FREQTRADE_API_PORT}` },
      { name: "API_USERNAME", value: FREQTRADE_API_USERNAME },
      { name: "API_AUTH_DIR", value: "/api-auth" },
    ],
    uid: FREQTRADE_UID,
    volumeMounts: [
      { name: "api-auth", mountPath: "/api-auth", readOnly: true },
      { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
    ],
  });
  volumes.push(
    {
      name: "api-auth",
      secret: { secretName: secret, items: [{ key: SECRET_KEYS.apiServerPassword, path: "password" }] },
    },
    { name: "bot-scripts", configMap: { name: SHARED.scripts, defaultMode: 0o555 } },
  );
  return { containers: [main, exporter], initContainers: [userdir], volumes, uid: FREQTRADE_UID };
}

type CustomProbe = NonNullable<NonNullable<BotConfig["custom"]>["probes"]["liveness"]>;

export function customProbe(p: CustomProbe): Probe {
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
  if (p.type === "http") return { httpGet: { path: p.path!, port: p.port! }, ...timing };
  if (p.type === "tcp") return { tcpSocket: { port: p.port! }, ...timing };
  return { exec: { command: p.command! }, ...timing };
}

function customPod(bot: BotConfig, ctx: PodContext): PodParts {
  const c = bot.custom!;
  const secret = botSecretName(bot);
  const main: Container = {
    name: "bot",
    image: bot.image,
    ...(c.command === undefined ? {} : { command: c.command }),
    ...(c.args === undefined ? {} : { args: c.args }),
    env: [
      ...Object.entries(c.env).map(([name, value]) => ({ name, value })),
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

/** The pod template of a bot, for any workload. */
export function botPodTemplate(
  bot: BotConfig,
  ctx: PodContext,
  checksum: string,
): { metadata: ObjectMeta; spec: PodSpec } {
  const parts =
    bot.preset === "hummingbot"
      ? hummingbotPod(bot, ctx)
      : bot.preset === "freqtrade"
        ? freqtradePod(bot, ctx)
        : customPod(bot, ctx);
  const spec: PodSpec = {
    serviceAccountName: SHARED.serviceAccount,
    automountServiceAccountToken: false,
    // No service env vars: bots find the data layer through the client Secrets.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(parts.uid),
    terminationGracePeriodSeconds: bot.terminationGracePeriodSeconds,
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
    spec.restartPolicy = bot.preset === "custom" ? bot.custom!.restartPolicy : "Never";
    if (ctx.hasState) {
      // The runs' shared volume; the CronJob's concurrencyPolicy Forbid keeps its ReadWriteOnce claim
      // to one run at a time.
      spec.volumes = [
        ...parts.volumes,
        { name: "state", persistentVolumeClaim: { claimName: botDataClaimName(bot) } },
      ];
    }
  }
  return {
    metadata: {
      labels: botLabels(bot),
      // A trader always carries it: under OnDelete a change is a pending revision, never a restart.
      ...(bot.restartOnConfigChange || bot.workload === "trader"
        ? { annotations: { [CHECKSUM_ANNOTATION]: checksum } }
        : {}),
    },
    spec,
  };
}

// ---------------------------------------------------------------- workloads

function meta(bot: BotConfig, namespace: string, name = bot.name): ObjectMeta {
  return { name, namespace, labels: botLabels(bot) };
}

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
  bot: BotConfig,
  namespace: string,
): k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler {
  const a = bot.autoscaling!;
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

export function servicePdb(bot: BotConfig, namespace: string): k8s.types.input.policy.v1.PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(bot, namespace),
    spec: {
      maxUnavailable: 1,
      // A crash-looping pod must not block a node drain.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: botSelector(bot) },
    },
  };
}

export function serviceService(bot: BotConfig, namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(bot, namespace),
    spec: {
      type: "ClusterIP",
      selector: botSelector(bot),
      ports: bot.custom!.ports.map((p) => ({
        name: p.name,
        port: p.containerPort,
        targetPort: p.name,
        protocol: "TCP",
      })),
    },
  };
}

export function scheduledCronJob(
  bot: BotConfig,
  ctx: PodContext,
  checksum: string,
): k8s.types.input.batch.v1.CronJob {
  const template = botPodTemplate(bot, ctx, checksum);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta(bot, ctx.namespaces.bots),
    spec: {
      schedule: bot.schedule!,
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

/** The volume a scheduled bot's runs share; standalone, since a CronJob has no claim templates. */
export function scheduledClaim(
  bot: BotConfig,
  namespace: string,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(bot, namespace, botDataClaimName(bot)),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(bot.storageClass === undefined ? {} : { storageClassName: bot.storageClass }),
      resources: { requests: { storage: bot.storage! } },
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

// ---------------------------------------------------------------- shared objects

const fleetLabels = (component: string) => standardLabels({ name: "bots", instance: "botfleet", component });

export function botsServiceAccount(namespace: string): k8s.types.input.core.v1.ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: SHARED.serviceAccount, namespace, labels: fleetLabels("service-account") },
    // Bots never call the Kubernetes API.
    automountServiceAccountToken: false,
  };
}

/** The governing Service every trader StatefulSet names: stable DNS per pod, no load balancing. */
export function tradersHeadlessService(namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SHARED.tradersService, namespace, labels: fleetLabels("traders") },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "app.kubernetes.io/part-of": "botfleet", "botfleet.io/workload": "trader" },
    },
  };
}

export function scriptsConfigMap(
  namespace: string,
  scripts: Record<string, string>,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SHARED.scripts, namespace, labels: fleetLabels("scripts") },
    data: scripts,
  };
}

/** Private, link-local and metadata ranges: bots reach the internet, not the cluster or the cloud API. */
export const PRIVATE_RANGES = PRIVATE_AND_METADATA_CIDRS;

/** One policy for every bot pod: what a trading bot may reach, and who may scrape it. */
export function botsNetworkPolicy(
  namespaces: Namespaces,
  opts: { mqtt: boolean; services: boolean },
): k8s.types.input.networking.v1.NetworkPolicy {
  const inNs = (ns: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
  });
  const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
    {
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
      // HTTPS, and the exchanges' websocket ports (Binance 9443, OKX 8443).
      ports: DEFAULT_EGRESS_PORTS.map((port) => ({ protocol: "TCP", port })),
    },
    {
      to: [{ ...inNs(namespaces.data), podSelector: { matchLabels: { "app.kubernetes.io/name": "redis" } } }],
      ports: [
        { protocol: "TCP", port: 6379 },
        { protocol: "TCP", port: 26379 },
      ],
    },
    {
      to: [
        { ...inNs(namespaces.data), podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } },
      ],
      ports: [{ protocol: "TCP", port: 5432 }],
    },
  ];
  if (opts.services) {
    // Calls to bot services; each service's own policy admits only its declared clients.
    egress.push({ to: [{ podSelector: { matchLabels: { "botfleet.io/workload": "service" } } }] });
  }
  if (opts.mqtt) {
    egress.push({
      to: [{ podSelector: { matchLabels: mqttSelector() } }],
      ports: [{ protocol: "TCP", port: MQTT_PORT }],
    });
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: SHARED.networkPolicy,
      namespace: namespaces.bots,
      labels: fleetLabels("network-policy"),
    },
    spec: {
      podSelector: { matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            {
              ...inNs(namespaces.monitoring),
              podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            },
          ],
          ports: [{ protocol: "TCP", port: "metrics" }],
        },
      ],
      egress,
    },
  };
}

/**
 * A bot's extra internet ports (`egressPorts`), for its pods only: policies add up, so the shared
 * policy's allows still hold and no other bot gains these ports.
 */
export function botEgressPolicy(
  bot: BotConfig,
  namespace: string,
): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(bot, namespace, botObjectNames(bot.name).egressPolicy),
    spec: {
      podSelector: { matchLabels: { "botfleet.io/bot": bot.name } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
          ports: bot.egressPorts.map((port) => ({ protocol: "TCP", port })),
        },
      ],
    },
  };
}

/** A service admits its declared client bots on its ports. */
export function serviceClientsPolicy(
  bot: BotConfig,
  namespace: string,
): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(bot, namespace, botObjectNames(bot.name).clientsPolicy),
    spec: {
      podSelector: { matchLabels: botSelector(bot) },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchExpressions: [{ key: "botfleet.io/bot", operator: "In", values: [...bot.clients] }],
              },
            },
          ],
          ports: bot.custom!.ports.map((p) => ({ protocol: "TCP", port: p.name })),
        },
      ],
    },
  };
}

// ---------------------------------------------------------------- MQTT broker (hummingbot headless)

/** eclipse-mosquitto runs as uid 1883 (`mosquitto`). */
export const MOSQUITTO_UID = 1883;
export const DEFAULT_MQTT_IMAGE = "eclipse-mosquitto:2.0.20"; // eclipse/mosquitto tag v2.0.20; official-images d65fca2f13; checked 2026-11-29

export const mqttSelector = () => selectorLabels({ name: "mosquitto", instance: SHARED.mqtt });
const mqttLabels = () => standardLabels({ name: "mosquitto", instance: SHARED.mqtt, component: "broker" });

export function mosquittoConf(): string {
  return [
    "# Hummingbot headless bots are controlled and report heartbeats over MQTT.",
    `listener ${MQTT_PORT} 0.0.0.0`,
    "allow_anonymous false",
    "password_file /mosquitto/auth/passwd",
    "persistence true",
    "persistence_location /mosquitto/data/",
    "log_dest stdout",
    "",
  ].join("\n");
}

export function mqttConfigMap(namespace: string): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    data: { "mosquitto.conf": mosquittoConf() },
  };
}

export function mqttService(namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      // Headless: it governs the broker StatefulSet and resolves to its single pod.
      clusterIP: "None",
      selector: mqttSelector(),
      ports: [{ name: "mqtt", port: MQTT_PORT, targetPort: "mqtt", protocol: "TCP" }],
    },
  };
}

export function mqttStatefulSet(
  namespace: string,
  opts: { image: string; storage: string; storageClass?: string; checksum: string },
): k8s.types.input.apps.v1.StatefulSet {
  const sc = restrictedContainerSecurityContext(MOSQUITTO_UID);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      serviceName: SHARED.mqtt,
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      selector: { matchLabels: mqttSelector() },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: mqttSelector() },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(opts.storageClass === undefined ? {} : { storageClassName: opts.storageClass }),
            resources: { requests: { storage: opts.storage } },
          },
        },
      ],
      template: {
        metadata: { labels: mqttLabels(), annotations: { [CHECKSUM_ANNOTATION]: opts.checksum } },
        spec: {
          serviceAccountName: SHARED.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(MOSQUITTO_UID),
          terminationGracePeriodSeconds: 30,
          initContainers: [
            {
              name: "passwd",
              image: opts.image,
              command: ["/bin/sh", "/bot-scripts/mosquitto-init.sh"],
              env: [
                { name: "PLAIN_USERS_FILE", value: "/mqtt-secret/passwd" },
                { name: "AUTH_DIR", value: "/mosquitto/auth" },
              ],
              resources: initResources,
              securityContext: sc,
              volumeMounts: [
                { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
                { name: "mqtt-secret", mountPath: "/mqtt-secret", readOnly: true },
                { name: "auth", mountPath: "/mosquitto/auth" },
              ],
            },
          ],
          containers: [
            {
              name: "mosquitto",
              image: opts.image,
              command: ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"],
              ports: [{ name: "mqtt", containerPort: MQTT_PORT, protocol: "TCP" }],
              resources: {
                requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" },
                limits: { memory: "128Mi", "ephemeral-storage": "64Mi" },
              },
              securityContext: sc,
              readinessProbe: { tcpSocket: { port: "mqtt" }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: {
                tcpSocket: { port: "mqtt" },
                initialDelaySeconds: 10,
                periodSeconds: 20,
                failureThreshold: 6,
              },
              volumeMounts: [
                { name: "config", mountPath: "/mosquitto/config", readOnly: true },
                { name: "auth", mountPath: "/mosquitto/auth", readOnly: true },
                { name: "data", mountPath: "/mosquitto/data" },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: SHARED.mqtt } },
            { name: "bot-scripts", configMap: { name: SHARED.scripts, defaultMode: 0o555 } },
            {
              name: "mqtt-secret",
              secret: { secretName: SHARED.mqtt, items: [{ key: "passwd", path: "passwd" }] },
            },
            { name: "auth", emptyDir: { sizeLimit: "1Mi" } },
            tmpVolume("16Mi"),
          ],
        },
      },
    },
  };
}

/** Only hummingbot pods reach the broker; it reaches nothing (DNS aside, from the platform). */
export function mqttNetworkPolicy(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      podSelector: { matchLabels: mqttSelector() },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { "botfleet.io/preset": "hummingbot" } } }],
          ports: [{ protocol: "TCP", port: MQTT_PORT }],
        },
      ],
      egress: [],
    },
  };
}
