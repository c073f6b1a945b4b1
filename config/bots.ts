/**
 * `botfleet:bots` (the fleet) and `botfleet:botSecrets` (exchange keys and other per-bot secrets).
 *
 * Rules a fleet must keep, enforced here so nothing reaches the cluster that breaks them:
 * - traders place orders: a StatefulSet with one replica, never autoscaled;
 * - only `custom` services scale (APIs, dashboards, signal workers); scheduled bots are CronJobs;
 * - paper trading is the default; a live bot needs its exchange keys in `botSecrets`;
 * - `restartOnConfigChange` defaults to true for paper bots and false for live ones: a live trader
 *   holding positions is never restarted silently by a config change; its pod picks the change up
 *   the next time an operator deletes it at a safe moment (StatefulSet `OnDelete`).
 */
import { z } from "zod";
import {
  byteQuantity,
  bytes,
  count,
  cpuQuantity,
  cronSchedule,
  dns1123Label,
  pinnedImage,
  show,
} from "./common";
import { LONG_RUNNING_COMMANDS, freqtradeConfigProblems, withFreqtradeDefaults } from "./freqtrade";
import { strategyFileProblems } from "./hummingbot";

export const PRESETS = ["hummingbot", "freqtrade", "custom"] as const;
export const WORKLOADS = ["trader", "service", "scheduled"] as const;
export type Preset = (typeof PRESETS)[number];
export type Workload = (typeof WORKLOADS)[number];

/** A bot's name is a DNS-1123 label; each workload narrows it further (botNameUses). */
export const BOT_NAME_MAX = 63;

/** Names of the objects a bot gets besides its workload: components/bots/ (workloads.ts, network-policies.ts) builds them. */
export const botObjectNames = (bot: string) => ({
  configMap: `${bot}-config`,
  secret: `${bot}-secrets`,
  /** A scheduled bot's claim, shared by its runs. */
  dataClaim: `${bot}-data`,
  /** The policy for the bot's own egressPorts. */
  egressPolicy: `${bot}-egress`,
  /** The policy admitting a service's clients. */
  clientsPolicy: `${bot}-clients`,
});

type NameRule = "dns1123Label" | "dns1035Label" | "dns1123Subdomain" | "labelValue";

/** One thing a bot's name becomes, and the rule the API server holds it to. */
export interface NameUse {
  /** What the name becomes, for the message. */
  readonly what: string;
  /** The name as it appears there (with the suffix the fleet or a controller adds). */
  readonly value: string;
  readonly rule: NameRule;
  /** A tighter length limit than the rule's own. */
  readonly max?: number;
}

// The API server's rules (k8s.io/apimachinery/pkg/util/validation): DNS-1123 and DNS-1035 labels and
// label values at most 63 characters, DNS-1123 subdomains at most 253.
const NAME_RULES: Record<NameRule, { pattern: RegExp; max: number; text: string }> = {
  dns1123Label: {
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    max: 63,
    text: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
  },
  dns1035Label: {
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    max: 63,
    text: 'a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)',
  },
  dns1123Subdomain: {
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    max: 253,
    text: "a DNS-1123 subdomain",
  },
  labelValue: {
    pattern: /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/,
    max: 63,
    text: "a label value",
  },
};

/**
 * The API server's cap on CronJob names (k8s.io/kubernetes pkg/apis/batch/validation): its Jobs are
 * named `<cronjob>-<scheduled minute>`, and a Job's name is a label value on its pods.
 */
export const CRONJOB_NAME_MAX = 52;
/** The longest hash a StatefulSet controller appends for its `controller-revision-hash` pod label. */
const REVISION_HASH = "0123456789";

/**
 * Every object and label a bot's name becomes, per workload, with the API server's rule for each
 * (components/bots/workloads.ts, network-policies.ts and index.ts build them; test/bots/fleet.test.ts checks this list is whole).
 */
export function botNameUses(name: string, workload: Workload): NameUse[] {
  const objects = botObjectNames(name);
  const uses: NameUse[] = [
    { what: "the labels botfleet.io/bot and app.kubernetes.io/instance", value: name, rule: "labelValue" },
    { what: "its ConfigMap", value: objects.configMap, rule: "dns1123Subdomain" },
    { what: "its Secret", value: objects.secret, rule: "dns1123Subdomain" },
    { what: "its egress NetworkPolicy", value: objects.egressPolicy, rule: "dns1123Subdomain" },
  ];
  if (workload === "trader") {
    uses.push(
      { what: "its StatefulSet", value: name, rule: "dns1123Subdomain" },
      { what: "its pod, whose name is its hostname", value: `${name}-0`, rule: "dns1123Label" },
      {
        what: 'its pods\' controller-revision-hash label (the name, "-" and a hash of up to 10 characters)',
        value: `${name}-${REVISION_HASH}`,
        rule: "labelValue",
      },
    );
  } else if (workload === "service") {
    uses.push(
      { what: "its Service", value: name, rule: "dns1035Label" },
      {
        what: "its Deployment, HorizontalPodAutoscaler and PodDisruptionBudget",
        value: name,
        rule: "dns1123Subdomain",
      },
      { what: "its clients NetworkPolicy", value: objects.clientsPolicy, rule: "dns1123Subdomain" },
    );
  } else {
    uses.push(
      {
        what: 'its CronJob, whose Jobs are named "<name>-<scheduled minute>"',
        value: name,
        rule: "dns1123Subdomain",
        max: CRONJOB_NAME_MAX,
      },
      { what: "its data PersistentVolumeClaim", value: objects.dataClaim, rule: "dns1123Subdomain" },
    );
  }
  return uses;
}

const isLabel = (name: string) =>
  NAME_RULES.dns1123Label.pattern.test(name) && name.length <= NAME_RULES.dns1123Label.max;

/** Why a bot's name does not suit what it becomes, as "<rule>, got <name>; <fix>"; undefined if it does. */
export function botNameProblem(name: string, workload: Workload): string | undefined {
  for (const use of botNameUses(name, workload)) {
    const rule = NAME_RULES[use.rule];
    const max = use.max ?? rule.max;
    const extra = use.value.length - name.length;
    if (!rule.pattern.test(use.value)) {
      const fix =
        use.rule === "dns1035Label" && /^[0-9]/.test(name)
          ? `rename it to start with a letter, e.g. ${show(`bot-${name}`)}`
          : "rename it";
      return `must suit ${use.what}, which must be ${rule.text}, got ${show(name)}; ${fix}`;
    }
    if (use.value.length > max) {
      return `must be at most ${max - extra} characters for a ${workload === "scheduled" ? "scheduled bot" : workload}: it becomes ${use.what}, which must be ${rule.text} of at most ${max} characters, got ${show(name)} (${name.length} characters); shorten it`;
    }
  }
  return undefined;
}

/** Defaults per preset; hummingbot's own guide asks for far more RAM for a desktop install. */
export const PRESET_RESOURCES: Record<Preset, { cpu: string; memory: string; memoryLimit: string }> = {
  hummingbot: { cpu: "500m", memory: "1Gi", memoryLimit: "2Gi" },
  freqtrade: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
  custom: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
};

/** State volume size for traders whose preset keeps state (trades DB, logs). */
export const PRESET_STORAGE: Record<Preset, string | undefined> = {
  hummingbot: "5Gi",
  freqtrade: "5Gi",
  custom: undefined,
};

/** Long enough to cancel open orders on SIGTERM (hummingbot#3561, freqtrade PR #3210). */
export const TRADER_MIN_GRACE_SECONDS = 60;
const DEFAULT_GRACE: Record<Workload, number> = { trader: 120, service: 30, scheduled: 60 };

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

const secretKeyName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
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
function keyedRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V) {
  return z.record(z.string(), value).superRefine((rec, ctx) => {
    for (const k of Object.keys(rec)) {
      const r = key.safeParse(k);
      if (!r.success)
        ctx.addIssue({ code: "custom", path: [k], message: r.error.issues[0].message, input: k });
    }
  });
}

const resourcesSchema = z.strictObject({
  /** CPU request. */
  cpu: cpuQuantity,
  /** Memory request. */
  memory: byteQuantity,
  /** Memory limit. @default memory request x 2 */
  memoryLimit: byteQuantity.optional(),
  /** CPU limit; none by default (throttling a trader delays order cancels). */
  cpuLimit: cpuQuantity.optional(),
  /** Ephemeral storage request and limit for the writable emptyDirs. @default "1Gi" */
  ephemeralStorage: byteQuantity.default("1Gi"),
});

const autoscalingSchema = z.strictObject({
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

const hummingbotSchema = z.strictObject({
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

/** Outbound TCP ports every bot may use to reach the internet (HTTPS and exchange websockets). */
export const DEFAULT_EGRESS_PORTS = [443, 8443, 9443] as const;

const egressPort = portNumber.refine((v) => v !== 53, {
  error: (iss) => `must not be 53 (DNS goes to kube-dns only), got ${show(iss.input)}`,
});

const freqtradeSchema = z.strictObject({
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

const customSchema = z.strictObject({
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

const botInputSchema = z.strictObject({
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
   * Extra outbound TCP ports to the internet for this bot only (its own NetworkPolicy), on top of
   * DEFAULT_EGRESS_PORTS which every bot has. @default []
   */
  egressPorts: z.array(egressPort).default([]),
});

type BotInput = z.output<typeof botInputSchema>;

function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string, input: unknown) {
  ctx.addIssue({ code: "custom", path, message, input });
}

/** Hummingbot keys that name a connector in strategy and script configs. */
const CONNECTOR_KEYS = new Set([
  "exchange",
  "connector",
  "connector_name",
  "maker_market",
  "taker_market",
  "market",
]);

function connectorValues(value: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => connectorValues(v, [...path, String(i)]));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === "string" && CONNECTOR_KEYS.has(k)
      ? [{ path: [...path, k], value: v }]
      : connectorValues(v, [...path, k]),
  );
}

/** Freqtrade config keys that hold secrets: they come from botSecrets or are generated. */
const FREQTRADE_SECRET_PATHS = [
  ["exchange", "key"],
  ["exchange", "secret"],
  ["exchange", "password"],
  ["exchange", "uid"],
  ["api_server", "username"],
  ["api_server", "password"],
  ["api_server", "jwt_secret_key"],
  ["api_server", "ws_token"],
  ["telegram", "token"],
];
/** Freqtrade config keys the fleet owns. */
const FREQTRADE_OWNED_PATHS = [["dry_run"], ["exchange", "name"], ["db_url"], ["bot_name"]];

function has(obj: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || !(p in (cur as object))) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return true;
}

function checkBot(b: BotInput, ctx: z.RefinementCtx) {
  // A name that is not even a DNS-1123 label has its message already.
  const nameProblem = isLabel(b.name) ? botNameProblem(b.name, b.workload) : undefined;
  if (nameProblem !== undefined) issue(ctx, ["name"], nameProblem, b.name);
  if (b.name.startsWith("botfleet-")) {
    issue(
      ctx,
      ["name"],
      `must not start with "botfleet-" (reserved for the fleet's shared objects), got ${show(b.name)}`,
      b.name,
    );
  }
  const presetSection = b[b.preset];
  if (presetSection === undefined && b.preset !== "custom") {
    issue(ctx, [b.preset], `a ${b.preset} bot needs a "${b.preset}" section, got nothing`, undefined);
  }
  for (const other of PRESETS) {
    if (other !== b.preset && b[other] !== undefined) {
      issue(
        ctx,
        [other],
        `only a ${other} bot takes a "${other}" section; this bot's preset is ${b.preset}`,
        b[other],
      );
    }
  }
  if (b.preset !== "custom" && b.exchange === undefined) {
    issue(
      ctx,
      ["exchange"],
      `a ${b.preset} bot must name its exchange (e.g. "binance"), got nothing`,
      undefined,
    );
  }

  if (b.workload === "trader" && b.autoscaling !== undefined) {
    issue(
      ctx,
      ["autoscaling"],
      `a trader places orders and must never be autoscaled (two replicas would trade twice); remove autoscaling, or use workload "service" for a stateless part`,
      b.autoscaling,
    );
  }
  if (b.workload === "scheduled" && b.autoscaling !== undefined) {
    issue(ctx, ["autoscaling"], `only a service is autoscaled; this bot is scheduled`, b.autoscaling);
  }
  if (b.workload === "service" && b.preset !== "custom") {
    issue(
      ctx,
      ["workload"],
      `a ${b.preset} bot places orders and must run as a trader; only custom services scale, got "service"`,
      b.workload,
    );
  }
  if (b.workload === "scheduled" && b.preset === "hummingbot") {
    issue(
      ctx,
      ["workload"],
      `hummingbot runs continuously: use workload "trader", got "scheduled"`,
      b.workload,
    );
  }
  if (b.workload !== "scheduled" && b.schedule !== undefined) {
    issue(
      ctx,
      ["schedule"],
      `only a scheduled bot takes a schedule; this bot is a ${b.workload}, got ${show(b.schedule)}`,
      b.schedule,
    );
  }
  if (b.workload === "scheduled" && b.schedule === undefined) {
    issue(
      ctx,
      ["schedule"],
      `a scheduled bot needs a schedule such as "*/15 * * * *", got nothing`,
      undefined,
    );
  }
  if (b.workload !== "scheduled" && b.activeDeadlineSeconds !== undefined) {
    issue(
      ctx,
      ["activeDeadlineSeconds"],
      `only a scheduled bot takes activeDeadlineSeconds; this bot is a ${b.workload}`,
      b.activeDeadlineSeconds,
    );
  }
  if (b.workload === "service" && (b.storage !== undefined || b.storageClass !== undefined)) {
    issue(
      ctx,
      [b.storage !== undefined ? "storage" : "storageClass"],
      `only a trader or a scheduled bot has a volume; a service must keep state in Redis or Postgres`,
      b.storage ?? b.storageClass,
    );
  }
  if (b.workload === "scheduled" && b.storageClass !== undefined && b.storage === undefined) {
    issue(
      ctx,
      ["storageClass"],
      `a scheduled bot has a volume only with storage (e.g. "5Gi"); set storage or remove storageClass`,
      b.storageClass,
    );
  }
  const seenPorts = new Set<number>();
  b.egressPorts.forEach((port, i) => {
    if (seenPorts.has(port) || (DEFAULT_EGRESS_PORTS as readonly number[]).includes(port)) {
      issue(
        ctx,
        ["egressPorts", i],
        `must be a port not already allowed (${DEFAULT_EGRESS_PORTS.join(", ")} for every bot, or listed before), got ${port}`,
        port,
      );
    }
    seenPorts.add(port);
  });
  if (b.workload === "service" && b.stopped) {
    issue(
      ctx,
      ["stopped"],
      `a service cannot be stopped in place (its HPA keeps >= 2 replicas); remove it from the fleet`,
      b.stopped,
    );
  }
  if (b.workload !== "service" && b.clients.length > 0) {
    issue(ctx, ["clients"], `only a service accepts clients; this bot is a ${b.workload}`, b.clients);
  }
  if (b.autoscaling !== undefined) {
    const { minReplicas, maxReplicas } = b.autoscaling;
    if (minReplicas < 2) {
      issue(
        ctx,
        ["autoscaling", "minReplicas"],
        `must be >= 2 so one pod survives a drain, got ${minReplicas}`,
        minReplicas,
      );
    }
    if (maxReplicas <= minReplicas) {
      issue(
        ctx,
        ["autoscaling", "maxReplicas"],
        `must be > minReplicas (${minReplicas}), got ${maxReplicas}`,
        maxReplicas,
      );
    }
  }

  const grace = b.terminationGracePeriodSeconds;
  if (b.workload === "trader" && grace !== undefined && grace < TRADER_MIN_GRACE_SECONDS) {
    issue(
      ctx,
      ["terminationGracePeriodSeconds"],
      `must be >= ${TRADER_MIN_GRACE_SECONDS} for a trader, so it can cancel open orders on shutdown, got ${grace}`,
      grace,
    );
  }
  if (b.resources?.memoryLimit !== undefined && bytes(b.resources.memoryLimit) < bytes(b.resources.memory)) {
    issue(
      ctx,
      ["resources", "memoryLimit"],
      `must be >= resources.memory (${b.resources.memory}), got ${b.resources.memoryLimit}`,
      b.resources.memoryLimit,
    );
  }

  if (b.hummingbot !== undefined && b.preset === "hummingbot") checkHummingbot(b, b.hummingbot, ctx);
  if (b.freqtrade !== undefined && b.preset === "freqtrade") checkFreqtrade(b, b.freqtrade, ctx);
  if (b.preset === "custom") checkCustom(b, b.custom ?? customSchema.parse({}), ctx);
}

function checkHummingbot(b: BotInput, hb: z.output<typeof hummingbotSchema>, ctx: z.RefinementCtx) {
  if ((hb.strategy === undefined) === (hb.script === undefined)) {
    issue(
      ctx,
      ["hummingbot"],
      `must set exactly one of "strategy" (a file in conf/strategies/) or "script" (a file in conf/scripts/), got ${hb.strategy === undefined ? "neither" : "both"}`,
      hb,
    );
  }
  const wanted =
    hb.strategy !== undefined
      ? ["strategy", `strategies/${hb.strategy}`]
      : hb.script !== undefined
        ? ["script", `scripts/${hb.script}`]
        : undefined;
  if (wanted !== undefined && !(wanted[1] in hb.configFiles)) {
    issue(
      ctx,
      ["hummingbot", wanted[0]],
      `must name a file in hummingbot.configFiles ("${wanted[1]}"), got ${show(wanted[1].replace(/^[a-z]+\//, ""))}; known files: ${Object.keys(hb.configFiles).join(", ") || "none"}`,
      wanted[1],
    );
  }
  const strategyFile = hb.strategy === undefined ? undefined : hb.configFiles[`strategies/${hb.strategy}`];
  if (strategyFile !== undefined) {
    // The V1 strategy as rendered (fleet defaults under the user's values), against its config map.
    for (const [key, message] of strategyFileProblems(strategyFile)) {
      issue(ctx, ["hummingbot", "configFiles", `strategies/${hb.strategy}`, key], message, strategyFile[key]);
    }
  }
  if (hb.script !== undefined) {
    const scriptConfig = hb.configFiles[`scripts/${hb.script}`];
    if (scriptConfig !== undefined && typeof scriptConfig.script_file_name !== "string") {
      issue(
        ctx,
        ["hummingbot", "configFiles", `scripts/${hb.script}`, "script_file_name"],
        `a V2 script config must name its script (e.g. "simple_pmm.py"), got ${show(scriptConfig.script_file_name)}`,
        scriptConfig.script_file_name,
      );
    }
  }
  const client = hb.configFiles["conf_client.yml"];
  const mqtt = client?.mqtt_bridge as Record<string, unknown> | undefined;
  if (mqtt !== undefined && typeof mqtt === "object" && "mqtt_password" in mqtt) {
    issue(
      ctx,
      ["hummingbot", "configFiles", "conf_client.yml", "mqtt_bridge", "mqtt_password"],
      `must not be set: the fleet's MQTT broker password is generated and injected at start`,
      "<redacted>",
    );
  }
  if (b.exchange === undefined) return;
  const paperName = `${b.exchange}_paper_trade`;
  for (const [file, content] of Object.entries(hb.configFiles)) {
    if (file === "conf_client.yml") continue;
    for (const found of connectorValues(content)) {
      const path = ["hummingbot", "configFiles", file, ...found.path];
      if (b.paperTrading && found.value === b.exchange) {
        issue(
          ctx,
          path,
          `a paper bot must use the paper-trade connector "${paperName}" (or set paperTrading: false to go live), got ${show(found.value)}`,
          found.value,
        );
      }
      if (!b.paperTrading && found.value.endsWith("_paper_trade")) {
        issue(
          ctx,
          path,
          `a live bot must use a real connector such as "${b.exchange}", got ${show(found.value)}`,
          found.value,
        );
      }
    }
  }
}

function checkFreqtrade(b: BotInput, ft: z.output<typeof freqtradeSchema>, ctx: z.RefinementCtx) {
  for (const path of FREQTRADE_SECRET_PATHS) {
    if (has(ft.config, path)) {
      issue(
        ctx,
        ["freqtrade", "config", ...path],
        `must not be in stack config: exchange keys come from botSecrets and the API credentials are generated`,
        "<redacted>",
      );
    }
  }
  for (const path of FREQTRADE_OWNED_PATHS) {
    if (has(ft.config, path)) {
      issue(
        ctx,
        ["freqtrade", "config", ...path],
        `is set by the fleet (from paperTrading, exchange and the state volume); remove it`,
        undefined,
      );
    }
  }
  if (b.workload === "scheduled" && (ft.args === undefined || ft.args.length === 0)) {
    issue(
      ctx,
      ["freqtrade", "args"],
      `a scheduled freqtrade bot needs its subcommand, e.g. ["download-data", "--days", "30"], got nothing`,
      ft.args,
    );
  }
  if (b.workload !== "scheduled" && ft.args !== undefined) {
    issue(
      ctx,
      ["freqtrade", "args"],
      `only a scheduled freqtrade bot takes args; a trader always runs "trade"`,
      ft.args,
    );
  }
  const args = b.workload === "scheduled" ? (ft.args ?? []) : ["trade"];
  if (args.length === 0) return;
  if (b.workload === "scheduled" && (LONG_RUNNING_COMMANDS as readonly string[]).includes(args[0])) {
    issue(
      ctx,
      ["freqtrade", "args", 0],
      `a scheduled bot runs a command that ends, such as "download-data" or "backtesting"; "${args[0]}" runs until stopped: make the bot a trader, got ${show(args[0])}`,
      args[0],
    );
    return;
  }
  if (b.workload === "scheduled" && has(ft.config, ["api_server"])) {
    issue(
      ctx,
      ["freqtrade", "config", "api_server"],
      `only a trader serves freqtrade's API; a scheduled bot's "${args[0]}" would refuse an api_server section without credentials, remove it`,
      undefined,
    );
  }
  // The config as rendered (fleet defaults under the user's settings), against freqtrade's own rules.
  const shipped = Object.values(ft.strategyFiles).find((src) =>
    new RegExp(`^class ${ft.strategy}\\(`, "m").test(src),
  );
  const problems = freqtradeConfigProblems(
    withFreqtradeDefaults(ft.config),
    args,
    shipped === undefined ? undefined : { name: ft.strategy, source: shipped },
  );
  for (const p of problems) issue(ctx, ["freqtrade", ...p.path], p.message, undefined);
}

function checkCustom(b: BotInput, c: z.output<typeof customSchema>, ctx: z.RefinementCtx) {
  for (const name of Object.keys(c.env)) {
    if (SECRET_LIKE_ENV.test(name)) {
      issue(
        ctx,
        ["custom", "env", name],
        `looks like a secret; put the value in botSecrets.${b.name} and map it in custom.secretEnv`,
        "<redacted>",
      );
    }
  }
  if (b.workload !== "scheduled") {
    for (const kind of ["liveness", "readiness"] as const) {
      if (c.probes[kind] === undefined) {
        issue(
          ctx,
          ["custom", "probes", kind],
          `a long-running bot needs a ${kind} probe (http, tcp or exec), got nothing`,
          undefined,
        );
      }
    }
  }
  const portNames = new Set(c.ports.map((p) => p.name));
  const portNumbers = new Set(c.ports.map((p) => p.containerPort));
  c.ports.forEach((p, i) => {
    if (c.ports.findIndex((q) => q.name === p.name) !== i) {
      issue(ctx, ["custom", "ports", i, "name"], `must be unique, got ${show(p.name)} twice`, p.name);
    }
  });
  if (b.workload === "service" && c.ports.length === 0) {
    issue(ctx, ["custom", "ports"], `a service needs at least one port to serve, got nothing`, c.ports);
  }
  for (const kind of ["startup", "liveness", "readiness"] as const) {
    const probe = c.probes[kind];
    if (probe === undefined) continue;
    const path = ["custom", "probes", kind];
    if (probe.type === "exec" && probe.command === undefined) {
      issue(ctx, [...path, "command"], `an exec probe needs a command, got nothing`, undefined);
    }
    if (probe.type !== "exec") {
      if (probe.port === undefined)
        issue(ctx, [...path, "port"], `a ${probe.type} probe needs a port, got nothing`, undefined);
      else if (typeof probe.port === "string" ? !portNames.has(probe.port) : !portNumbers.has(probe.port)) {
        issue(
          ctx,
          [...path, "port"],
          `must be a declared port (${[...portNames].join(", ") || "none declared"}), got ${show(probe.port)}`,
          probe.port,
        );
      }
    }
    if (probe.type === "http" && probe.path === undefined) {
      issue(ctx, [...path, "path"], `an http probe needs a path such as "/health", got nothing`, undefined);
    }
  }
  if (
    c.probes.liveness !== undefined &&
    JSON.stringify(c.probes.liveness) === JSON.stringify(c.probes.readiness)
  ) {
    issue(
      ctx,
      ["custom", "probes", "readiness"],
      `must differ from the liveness probe (a failed readiness check should not restart the bot); use another path or threshold`,
      c.probes.readiness,
    );
  }
  const reserved = new Set(["tmp", "state", "bot-scripts", "bot-secrets"]);
  c.volumes.forEach((v, i) => {
    if (reserved.has(v.name)) {
      issue(
        ctx,
        ["custom", "volumes", i, "name"],
        `is reserved by the fleet (${[...reserved].join(", ")}), got ${show(v.name)}`,
        v.name,
      );
    }
  });
  if (b.workload !== "scheduled" && c.restartPolicy !== "OnFailure") {
    issue(
      ctx,
      ["custom", "restartPolicy"],
      `only a scheduled bot takes a restartPolicy; long-running pods always restart`,
      c.restartPolicy,
    );
  }
}

function resolveBot(b: BotInput) {
  const hb = b.hummingbot;
  return {
    ...b,
    exchange: b.exchange ?? "none",
    resources: {
      ...PRESET_RESOURCES[b.preset],
      ephemeralStorage: "1Gi",
      ...b.resources,
      memoryLimit:
        b.resources?.memoryLimit ??
        (b.resources ? `${bytes(b.resources.memory) * 2}` : PRESET_RESOURCES[b.preset].memoryLimit),
    },
    terminationGracePeriodSeconds: b.terminationGracePeriodSeconds ?? DEFAULT_GRACE[b.workload],
    restartOnConfigChange: b.restartOnConfigChange ?? b.paperTrading,
    storage: b.workload === "trader" ? (b.storage ?? PRESET_STORAGE[b.preset]) : b.storage,
    activeDeadlineSeconds: b.workload === "scheduled" ? (b.activeDeadlineSeconds ?? 3600) : undefined,
    hummingbot: hb === undefined ? undefined : { ...hb, instanceId: hb.instanceId ?? b.name },
    custom: b.preset === "custom" ? (b.custom ?? customSchema.parse({})) : undefined,
  };
}

export const botSchema = botInputSchema.superRefine(checkBot).transform(resolveBot);

/** The resolved config of one bot: every default filled in. */
export type BotConfig = z.output<typeof botSchema>;

export const botsSchema = z
  .array(botSchema)
  .superRefine((all, ctx) => {
    // Runs even when some entries failed: look only at entries that parsed into objects.
    const bots = all.map((b) => (b !== null && typeof b === "object" ? b : undefined));
    const seen = new Map<string, number>();
    bots.forEach((b, i) => {
      if (b === undefined || typeof b.name !== "string") return;
      const first = seen.get(b.name);
      if (first !== undefined) {
        issue(
          ctx,
          [i, "name"],
          `must be unique in the fleet, got ${show(b.name)} (also bots[${first}])`,
          b.name,
        );
      } else seen.set(b.name, i);
    });
    const instanceIds = new Map<string, string>();
    bots.forEach((b, i) => {
      if (b?.hummingbot === undefined) return;
      const id = b.hummingbot.instanceId ?? b.name;
      const owner = instanceIds.get(id);
      if (owner !== undefined) {
        issue(
          ctx,
          [i, "hummingbot", "instanceId"],
          `must be unique in the fleet (MQTT topics are per instance), got ${show(id)} (also bot ${owner})`,
          id,
        );
      } else instanceIds.set(id, b.name);
    });
    bots.forEach((b, i) => {
      if (!Array.isArray(b?.clients)) return;
      b.clients.forEach((client, j) => {
        if (!seen.has(client)) {
          issue(ctx, [i, "clients", j], `must name a bot in the fleet, got ${show(client)}`, client);
        } else if (client === b.name) {
          issue(ctx, [i, "clients", j], `a service need not list itself, got ${show(client)}`, client);
        }
      });
    });
  })
  .default([]);

/** `botfleet:botSecrets`: bot name -> { key: value }. Values are validated as plain strings. */
export const botSecretsSchema = keyedRecord(
  dns1123Label(BOT_NAME_MAX),
  keyedRecord(
    secretKeyName,
    z.string().min(1, { error: "must be a non-empty string; an empty secret is a mistake" }),
  ),
).default({});

export type BotSecretsConfig = z.output<typeof botSecretsSchema>;

/** Secret keys (`botSecrets.<bot>.<key>`) a fleet needs, for the loader to report missing ones. */
export function requiredBotSecrets(bots: readonly BotConfig[]): string[] {
  const paths: string[] = [];
  for (const b of bots) {
    const keys = new Set<string>();
    if (!b.paperTrading && b.preset !== "custom") LIVE_SECRET_KEYS[b.preset].forEach((k) => keys.add(k));
    if (b.custom !== undefined) Object.values(b.custom.secretEnv).forEach((k) => keys.add(k));
    for (const k of keys) paths.push(`botSecrets.${b.name}.${k}`);
  }
  return paths;
}

/** Problems between the fleet and its secrets: missing keys, secrets for bots that do not exist. */
export function botSecretsProblems(
  bots: readonly BotConfig[],
  secrets: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): string[] {
  const problems: string[] = [];
  for (const path of requiredBotSecrets(bots)) {
    const [, bot, key] = path.split(".");
    if (secrets[bot]?.[key] === undefined) {
      const b = bots.find((x) => x.name === bot);
      const why =
        b !== undefined && !b.paperTrading && b.preset !== "custom"
          ? `a live ${b.preset} bot needs it`
          : `custom.secretEnv refers to it`;
      problems.push(
        `botfleet:${path}: required (${why}), got nothing; run "pulumi config set --secret --path ${path} <value>"`,
      );
    }
  }
  const names = new Set(bots.map((b) => b.name));
  for (const bot of Object.keys(secrets)) {
    if (!names.has(bot))
      problems.push(`botfleet:botSecrets.${bot}: no bot is named ${show(bot)}; remove it or fix the name`);
  }
  return problems;
}
