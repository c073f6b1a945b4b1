/** The shape of one `botfleet:bots` entry: per-preset sections, defaults and field rules. */
import { z } from "zod";
import { isEgressHost } from "./exchange-hosts";
import { byteQuantity, count, cpuQuantity, cronSchedule, dns1123Label, pinnedImage, show } from "./common";
import { BOT_NAME_MAX, PRESETS, type Preset, WORKLOADS, type Workload } from "./bot-names";
import { type ContainerResources, requirements } from "./resources";

export const PRESET_RESOURCES: Record<Preset, ContainerResources> = {
  hummingbot: requirements("500m", "1Gi", "2Gi"),
  freqtrade: requirements("250m", "512Mi", "1Gi"),
  custom: requirements("100m", "128Mi", "256Mi"),
};

/** State volume size for traders whose preset keeps state (trades DB, logs). */
export const PRESET_STORAGE: Record<Preset, string | undefined> = {
  hummingbot: "5Gi",
  freqtrade: "5Gi",
  custom: undefined,
};

/** Long enough to cancel open orders on SIGTERM (hummingbot#3561, freqtrade PR #3210). */
export const TRADER_MIN_GRACE_SECONDS = 60;
export const DEFAULT_GRACE: Record<Workload, number> = { trader: 120, service: 30, scheduled: 60 };

/** Keys each live preset needs in `botSecrets.<bot>`. */
export const LIVE_SECRET_KEYS: Record<Exclude<Preset, "custom">, readonly string[]> = {
  // Hummingbot keeps connector keys encrypted with CONFIG_PASSWORD: the encrypted connector file and
  // the password verification file come from an existing hummingbot `connect`, never in clear.
  hummingbot: ["configPassword", "connectorConfig", "passwordVerification"],
  freqtrade: ["apiKey", "apiSecret"],
};

const exchangeName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, {
  error: (iss) =>
    `must be an exchange or connector name in lowercase letters, digits and "_" (e.g. "binance", "gate_io"), got ${show(iss.input)}`,
});

export const secretKeyName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
  error: (iss) => `must be a secret key name (letters, digits, "_"; e.g. "apiKey"), got ${show(iss.input)}`,
});

/** Env names that look like secrets: they must come from secretEnv (docs/hardening.md #30). */
export const SECRET_LIKE_ENV =
  /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|PASSPHRASE|_AUTH$)/i;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (iss) => `must be an environment variable name (letters, digits, "_"), got ${show(iss.input)}`,
});

const portNumber = z.number().refine((v) => Number.isInteger(v) && v >= 1 && v <= 65535, {
  error: (iss) => `must be a port between 1 and 65535, got ${show(iss.input)}`,
});

const portName = z.string().regex(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/, {
  error: (iss) =>
    `must be a port name (lowercase, at most 15 characters, e.g. "http", "metrics"), got ${show(iss.input)}`,
});

const percent = z.number().refine((v) => Number.isInteger(v) && v >= 1 && v <= 100, {
  error: (iss) => `must be a whole percentage between 1 and 100, got ${show(iss.input)}`,
});

/**
 * A record whose keys follow a rule. zod reports a bad record key only as "Invalid key in record";
 * this reports the rule and the key, at the key's path.
 */
export function keyedRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V) {
  return z.record(z.string(), value).superRefine((rec, ctx) => {
    for (const k of Object.keys(rec)) {
      const r = key.safeParse(k);
      if (!r.success)
        ctx.addIssue({ code: "custom", path: [k], message: r.error.issues[0].message, input: k });
    }
  });
}

/** Kubernetes ResourceRequirements, as every `resources` key of the stack config. */
const resourcesSchema = z.strictObject({
  requests: z.strictObject({
    cpu: cpuQuantity,
    memory: byteQuantity,
    /** For the writable emptyDirs; also the limit. @default "1Gi" */
    "ephemeral-storage": byteQuantity.default("1Gi"),
  }),
  limits: z
    .strictObject({
      /** @default requests.memory x 2 */
      memory: byteQuantity.optional(),
      /** None by default (throttling a trader delays order cancels). */
      cpu: cpuQuantity.optional(),
    })
    .prefault({}),
});

export const autoscalingSchema = z.strictObject({
  minReplicas: count(0).default(2),
  maxReplicas: count(0).default(5),
  /** Average CPU utilisation (% of request) the HPA aims for. */
  cpuUtilization: percent.default(70),
  /** Average memory utilisation (% of request) the HPA aims for. */
  memoryUtilization: percent.default(80),
  /** Seconds the HPA looks back before scaling up; 0 reacts at once. */
  scaleUpStabilizationSeconds: count(0).default(0),
  /** Seconds the HPA looks back before scaling down: slow, so load spikes do not flap. */
  scaleDownStabilizationSeconds: count(0).default(300),
});

/** A YAML file as stack config: any mapping, rendered to YAML. */
const yamlObject = z.record(z.string(), z.unknown());

/** Paths inside hummingbot's `conf/`: `conf_client.yml`, `strategies/x.yml`, `scripts/x.yml`, `controllers/x.yml`. */
const HUMMINGBOT_CONF_PATH = /^((strategies|scripts|controllers)\/)?[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml$/;

export const hummingbotSchema = z.strictObject({
  /** V1 strategy: a file in `conf/strategies/` (CONFIG_FILE_NAME). */
  strategy: z.string().optional(),
  /** V2 script config: a file in `conf/scripts/` naming its `script_file_name` (SCRIPT_CONFIG). */
  script: z.string().optional(),
  /** Files under `conf/`, as YAML objects, keyed by path (`strategies/pmm.yml`). */
  configFiles: keyedRecord(
    z.string().regex(HUMMINGBOT_CONF_PATH, {
      error: (iss) =>
        `must be a .yml path under conf/ such as "conf_client.yml", "strategies/pmm.yml" or "scripts/conf_pmm.yml" (connector keys belong in botSecrets), got ${show(iss.input)}`,
    }),
    yamlObject,
  ).default({}),
  /** MQTT `instance_id`; unique in the fleet. @default the bot name */
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /** Absolute path of the image's python. @default "/opt/conda/envs/hummingbot/bin/python3" */
  python: z.string().startsWith("/").default("/opt/conda/envs/hummingbot/bin/python3"),
});

/** freqtrade's user_data strategies dir, where `create-userdir` puts sample_strategy.py. */
export const FREQTRADE_STRATEGY_PATH = "/freqtrade/user_data/strategies";

// A python module file name that is also a valid ConfigMap key.
const strategyFileName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}\.py$/, {
  error: (iss) => `must be a python file name such as "MyStrategy.py", got ${show(iss.input)}`,
});

const egressHost = z.string().refine(isEgressHost, {
  error: (iss) =>
    `must be a DNS name ("api.telegram.org") or a one-label wildcard ("*.example.com") in lowercase, got ${show(iss.input)}`,
});

/** Outbound TCP ports every bot may use to reach the internet (HTTPS and exchange websockets). */
export const DEFAULT_EGRESS_PORTS = [443, 8443, 9443] as const;

const egressPort = portNumber.refine((v) => v !== 53, {
  error: (iss) => `must not be 53 (DNS goes to kube-dns only), got ${show(iss.input)}`,
});

export const freqtradeSchema = z.strictObject({
  /** Strategy class name (`--strategy`). */
  strategy: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: (iss) => `must be a Python class name, got ${show(iss.input)}`,
  }),
  /**
   * Where freqtrade looks for the strategy (`--strategy-path`). The default is user_data's strategies
   * dir, which an init container seeds with freqtrade's SampleStrategy (`create-userdir`).
   * @default "/freqtrade/user_data/strategies"
   */
  strategyPath: z.string().startsWith("/").default(FREQTRADE_STRATEGY_PATH),
  /**
   * Strategy sources shipped with the stack, `{ "MyStrategy.py": "<python>" }`: rendered into the bot's
   * ConfigMap and mounted read-only at strategyPath (replacing what is there). @default {}
   */
  strategyFiles: keyedRecord(strategyFileName, z.string().min(1)).default({}),
  /** config.json content; dry_run, exchange.name, api_server and secrets are set by the fleet. */
  config: yamlObject.default({}),
  /** Scheduled bots only: the freqtrade subcommand and its arguments (`["download-data", "--days", "30"]`). */
  args: z.array(z.string()).optional(),
});

const probeSchema = z.strictObject({
  type: z.enum(["http", "tcp", "exec"]),
  /** HTTP path. */
  path: z.string().startsWith("/").optional(),
  /** A declared port name or number (http, tcp). */
  port: z.union([portName, portNumber]).optional(),
  /** exec form command (exec). */
  command: z.array(z.string()).min(1).optional(),
  initialDelaySeconds: count(0).default(0),
  periodSeconds: count(1).default(10),
  timeoutSeconds: count(1).default(3),
  failureThreshold: count(1).default(3),
});

export const customSchema = z.strictObject({
  /** Exec-form entrypoint; the image's when absent. */
  command: z.array(z.string()).min(1).optional(),
  args: z.array(z.string()).optional(),
  /** Plain, non-secret env values. */
  env: keyedRecord(envName, z.string()).default({}),
  /** Env name -> key in `botSecrets.<bot>`; delivered by secretKeyRef. */
  secretEnv: keyedRecord(envName, secretKeyName).default({}),
  ports: z.array(z.strictObject({ name: portName, containerPort: portNumber })).default([]),
  probes: z
    .strictObject({
      startup: probeSchema.optional(),
      liveness: probeSchema.optional(),
      readiness: probeSchema.optional(),
    })
    .default({}),
  /** Extra writable scratch directories (emptyDir). */
  volumes: z
    .array(
      z.strictObject({
        name: dns1123Label(),
        mountPath: z.string().startsWith("/"),
        sizeLimit: byteQuantity.optional(),
      }),
    )
    .default([]),
  /** Where a trader's state volume is mounted. */
  stateMountPath: z.string().startsWith("/").default("/data"),
  /** The image's non-root uid. */
  runAsUser: count(1).default(1000),
  /** Scheduled bots: restart the failed container in place, or leave retries to the Job. */
  restartPolicy: z.enum(["OnFailure", "Never"]).default("OnFailure"),
});

export const botInputSchema = z.strictObject({
  /** DNS-1123 label, unique in the fleet. */
  name: dns1123Label(BOT_NAME_MAX),
  preset: z.enum(PRESETS),
  /** Pinned to a version tag or a digest. */
  image: pinnedImage,
  /** trader (singleton, places orders) | service (stateless, scales) | scheduled (CronJob). @default "trader" */
  workload: z.enum(WORKLOADS).default("trader"),
  /** Paper trading unless explicitly false. @default true */
  paperTrading: z.boolean().default(true),
  /** Exchange (freqtrade `exchange.name`, hummingbot connector). Required for hummingbot and freqtrade. */
  exchange: exchangeName.optional(),
  /** @default per preset (PRESET_RESOURCES) */
  resources: resourcesSchema.optional(),
  /** @default 120 for traders, 30 for services, 60 for scheduled bots */
  terminationGracePeriodSeconds: count(1).optional(),
  /** Roll the pod when its config changes. @default true for paper bots, false for live bots */
  restartOnConfigChange: z.boolean().optional(),
  /**
   * Traders: state volume size. Scheduled bots: a PersistentVolumeClaim the runs share (kept on delete).
   * @default "5Gi" for hummingbot and freqtrade traders, none for custom traders and scheduled bots
   */
  storage: byteQuantity.optional(),
  /** Storage class of the state volume; the cluster default when absent. */
  storageClass: z.string().min(1).optional(),
  /** Traders: scale to 0 (SIGTERM, orders cancelled, state kept). Scheduled: suspend the CronJob. @default false */
  stopped: z.boolean().default(false),
  /** Scheduled bots only. */
  schedule: cronSchedule.optional(),
  /** Scheduled bots: seconds a run may take before it is killed. @default 3600 */
  activeDeadlineSeconds: count(1).optional(),
  /** Services only. */
  autoscaling: autoscalingSchema.optional(),
  hummingbot: hummingbotSchema.optional(),
  freqtrade: freqtradeSchema.optional(),
  custom: customSchema.optional(),
  /** Services only: bots allowed to call this service. */
  clients: z.array(dns1123Label(BOT_NAME_MAX)).default([]),
  usesRedis: z.boolean().default(false),
  usesPostgres: z.boolean().default(false),
  /**
   * With usesPostgres: "schema" gives the bot its own role `bot_<name>` and schema; "report" gives it
   * the shared read-only `report` role (reads every bot's schema, writes nothing). @default "schema"
   */
  postgresAccess: z.enum(["schema", "report"]).default("schema"),
  /**
   * Extra outbound TCP ports to the internet for this bot only (its own NetworkPolicy), on top of
   * DEFAULT_EGRESS_PORTS which every bot has. @default []
   */
  egressPorts: z.array(egressPort).default([]),
  /**
   * With `platform.botEgress: fqdn`: internet hosts this bot may reach besides its exchange's, as DNS names
   * ("api.telegram.org") or one-label wildcards ("*.example.com"). @default []
   */
  egressHosts: z.array(egressHost).default([]),
});

export type BotInput = z.output<typeof botInputSchema>;
