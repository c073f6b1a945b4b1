/**
 * The one place that reads stack config. Every `botfleet:*` key is validated here, every problem is
 * collected, and one error lists them all before any resource is created. What comes out is typed,
 * resolved (defaults filled in) and frozen; secret values come out only as secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Credentials, SEED_COMMAND, credentialNames } from "../lib/credentials";
import { botSecretsSchema, botsSchema, requiredBotSecrets } from "./bots";
import { acceptCliTypes } from "./cli";
import { clusterSchema } from "./cluster";
import { controlPlaneFirewallProblems } from "./control-plane-firewall";
import { costsSchema } from "./costs";
import { SEED_KEY, credentialRotationsSchema, rotationProblems, seedProblems } from "./credentials";
import { type Secretify } from "./common";
import { formatIssue, hidden, keyPath, suggest } from "./format";
import { alertingSchema, monitoringSchema } from "./monitoring";
import { platformSchema } from "./platform";
import { backupCredentialsSchema, postgresSchema, requiredPostgresSecrets } from "./postgres";
import { grafanaLoginSecretsSchema } from "./grafana-login";
import { redisSchema } from "./redis";
import { renamedKeys } from "./renames";
import { readPlainLeaves, type PlainLeaves } from "./stack-file";
import { ENVIRONMENTS, type Environment } from "./environment";

export const PROJECT = "botfleet";
export { ENVIRONMENTS, type Environment } from "./environment";

/** Structured, non-secret keys: `botfleet:<name>`. `undefined` input means "absent from the stack file". */
const SECTIONS = {
  cluster: clusterSchema,
  platform: platformSchema.prefault({}),
  redis: redisSchema.prefault({}),
  postgres: postgresSchema.prefault({}),
  monitoring: monitoringSchema.prefault({}),
  bots: botsSchema,
  costs: costsSchema,
  credentialRotations: credentialRotationsSchema,
} as const;

/** Structured secret keys: validated like the others, then every string leaf becomes a secret. */
const SECRET_SECTIONS = {
  botSecrets: botSecretsSchema,
  alerting: alertingSchema.optional(),
  backupCredentials: backupCredentialsSchema.optional(),
  grafanaLogin: grafanaLoginSecretsSchema.optional(),
} as const;

type Sections = { readonly [K in keyof typeof SECTIONS]: z.output<(typeof SECTIONS)[K]> };
type SecretSections = {
  readonly [K in keyof typeof SECRET_SECTIONS]?: Secretify<z.output<(typeof SECRET_SECTIONS)[K]>>;
};

export interface StackConfig extends Sections {
  readonly project: string;
  readonly stack: string;
  readonly environment: Environment;
  /** Deletion protection on the cluster and the data layer (`cluster.protect`, default: on in prod). */
  readonly protect: boolean;
  /** The DigitalOcean account token is not here: only the DigitalOcean provider reads it (README: "Cluster credentials"). */
  readonly secrets: SecretSections;
  /** Every generated password, derived from `credentialSeed` at its `credentialRotations` counter. */
  readonly credentials: Credentials;
}

export interface RawConfig {
  /** Full keys (`botfleet:cluster`) to raw values: JSON text for structured keys. */
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
  /** Environment variables consulted as documented fallbacks (DIGITALOCEAN_TOKEN). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Plain-text leaves of secret sections, as the stack file holds them (config/stack-file.ts): the CLI
   * marks a section secret as a whole when any leaf is `secure:`, which hides a plain one. @default {}
   */
  readonly plainLeaves?: PlainLeaves;
}

/** A secret the stack needs but does not have: what to set and why. */
export interface SecretRequirement {
  /** Full key, `digitalocean:token` or `botfleet:botSecrets`. */
  readonly key: string;
  /** Path inside a structured secret key (`["btc-usdt-mm", "apiKey"]`), empty for a plain key. */
  readonly path: readonly string[];
  readonly reason: string;
  /** The command that sets it, when not `pulumi config set --secret [--path] <key> <value>`. */
  readonly fix?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `botfleet: the stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

const OTHER_KEYS = new Set(["environment", "credentialSeed"]);
export const KNOWN_KEYS = [...Object.keys(SECTIONS), ...Object.keys(SECRET_SECTIONS), ...OTHER_KEYS];
/** Full keys of the structured sections that hold only secrets. */
export const SECRET_SECTION_KEYS = Object.keys(SECRET_SECTIONS).map((k) => `${PROJECT}:${k}`);

/** Validates raw stack config; throws one ConfigError listing every problem. */
export function parseStackConfig(raw: RawConfig, stack: string): StackConfig {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};

  for (const fullKey of Object.keys(raw.values)) {
    const [ns, key] = splitKey(fullKey);
    if (ns !== PROJECT || KNOWN_KEYS.includes(key)) continue;
    const hint = suggest(key, KNOWN_KEYS);
    problems.push(
      `${fullKey}: unknown key${hint ? `; did you mean "${PROJECT}:${hint}"?` : ""} (allowed: ${KNOWN_KEYS.join(", ")})`,
    );
  }

  const environment = raw.values[`${PROJECT}:environment`];
  if (!ENVIRONMENTS.includes(environment as Environment)) {
    problems.push(
      `${PROJECT}:environment: must be one of ${ENVIRONMENTS.join(", ")}, got ${JSON.stringify(environment ?? null)}; run "pulumi config set environment dev"`,
    );
  }

  const sections: [string, z.core.$ZodType, boolean][] = [
    ...Object.entries(SECTIONS).map(([k, s]) => [k, s, false] as [string, z.core.$ZodType, boolean]),
    ...Object.entries(SECRET_SECTIONS).map(([k, s]) => [k, s, true] as [string, z.core.$ZodType, boolean]),
  ];
  for (const [key, schema, secret] of sections) {
    const fullKey = `${PROJECT}:${key}`;
    const text = declaredValue(raw, fullKey);
    if (secret && text !== undefined && !raw.secretKeys.has(fullKey)) {
      problems.push(
        `${fullKey}: must be set as a secret, got a plain-text value; remove it from the stack file and run "pulumi config set --secret --path ${key}.<name> <value>"`,
      );
      continue;
    }
    const plain = secret && text !== undefined ? (raw.plainLeaves?.[fullKey] ?? []) : [];
    if (plain.length > 0) {
      for (const leaf of plain) {
        const dotted = [key, ...leaf].join(".");
        problems.push(
          `${keyPath(fullKey, leaf)}: must be set as a secret like the rest of ${fullKey}, got a plain-text value in the stack file (not shown); remove it from the stack file and run "pulumi config set --secret --path ${dotted} <value>"`,
        );
      }
      continue;
    }
    let value: unknown;
    try {
      value = text === undefined ? undefined : JSON.parse(text);
      // `pulumi config set --secret --path` stores all-digit values (a Telegram chat id) as numbers.
      if (secret) value = stringLeaves(value);
      else {
        // Old names are refused with their new name and value (config/renames.ts).
        const renamed = renamedKeys(PROJECT, stack, key, value);
        problems.push(...renamed.problems);
        // `--path` stores numbers and booleans: text fields take them as text (config/cli.ts).
        value = acceptCliTypes(schema, renamed.value);
      }
    } catch {
      problems.push(
        `${fullKey}: must be a YAML object or list, got ${secret ? hidden(text) : JSON.stringify(text)}`,
      );
      continue;
    }
    const result = z.safeParse(schema, value, { reportInput: true });
    if (result.success) parsed[key] = result.data;
    else
      problems.push(...result.error.issues.flatMap((issue) => formatIssue(fullKey, schema, issue, secret)));
  }

  // Cross-section rules run on whatever parsed, so one run reports every problem.
  const partial = parsed as Partial<Sections>;
  if (ENVIRONMENTS.includes(environment as Environment))
    problems.push(...environmentRules(environment as Environment, partial));
  for (const missing of requiredSecretsOf(partial, raw)) problems.push(describeMissing(missing));
  if (raw.values["digitalocean:token"] !== undefined && !raw.secretKeys.has("digitalocean:token")) {
    problems.push(
      `digitalocean:token: must be set as a secret, got a plain-text value (not shown); it is exposed wherever the stack file went: revoke it in the DigitalOcean console, remove it from the stack file and run "pulumi config set --secret digitalocean:token <new token>" (or export DIGITALOCEAN_TOKEN)`,
    );
  }
  const seed = raw.values[SEED_KEY];
  // A missing seed is reported with the other missing secrets above.
  if (seed !== undefined && seed !== "") problems.push(...seedProblems(seed, raw.secretKeys.has(SEED_KEY)));
  problems.push(...orphanBotSecrets(partial, parsed.botSecrets));
  if (
    partial.credentialRotations !== undefined &&
    partial.bots !== undefined &&
    partial.monitoring !== undefined
  ) {
    problems.push(...rotationProblems(partial.credentialRotations, derivedNames(partial, parsed.botSecrets)));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const sectionsOut = parsed as unknown as Sections;
  const secrets: Record<string, unknown> = {};
  for (const key of Object.keys(SECRET_SECTIONS)) {
    if (parsed[key] !== undefined) secrets[key] = secretify(parsed[key]);
  }
  return deepFreeze({
    project: PROJECT,
    stack,
    environment: environment as Environment,
    protect: sectionsOut.cluster.protect ?? environment === "prod",
    ...sectionsOut,
    secrets: secrets as StackConfig["secrets"],
    // parseStackConfig has refused a missing seed above.
    credentials: new Credentials(pulumi.secret(seed ?? ""), sectionsOut.credentialRotations),
  });
}

/**
 * The secrets a stack's config needs and does not set (in plain text or as a secret), given its
 * non-secret keys. The harness uses it to supply fakes for exactly those; parseStackConfig reports them.
 */
export function requiredSecrets(raw: RawConfig): SecretRequirement[] {
  const parsed: Record<string, unknown> = {};
  // A section that does not parse needs nothing here: the loader reports it, and what the others need.
  for (const [key, schema] of Object.entries(SECTIONS)) {
    const text = declaredValue(raw, `${PROJECT}:${key}`);
    let value: unknown;
    try {
      value = text === undefined ? undefined : acceptCliTypes(schema, JSON.parse(text));
    } catch {
      continue;
    }
    const result = z.safeParse(schema as z.core.$ZodType, value);
    if (result.success) parsed[key] = result.data;
  }
  return requiredSecretsOf(parsed as Partial<Sections>, { ...raw, env: {} });
}

function requiredSecretsOf(config: Partial<Sections>, raw: RawConfig): SecretRequirement[] {
  const needed: SecretRequirement[] = [
    {
      key: SEED_KEY,
      path: [],
      reason: "every generated password (Redis, Postgres, Grafana, MQTT, bot API keys) is derived from it",
      fix: SEED_COMMAND,
    },
  ];
  if (config.cluster?.provider === "digitalocean") {
    needed.push({
      key: "digitalocean:token",
      path: [],
      reason: `needed for cluster.provider "digitalocean": the DigitalOcean provider uses it; no resource, kubeconfig or output holds it`,
    });
  }
  const bots = config.bots ?? [];
  for (const path of requiredBotSecrets(bots)) {
    const [, bot, key] = path.split(".");
    const b = bots.find((x) => x.name === bot)!;
    const reason =
      !b.paperTrading && b.preset !== "custom"
        ? `a live ${b.preset} bot needs it`
        : `custom.secretEnv refers to it`;
    needed.push({ key: `${PROJECT}:botSecrets`, path: [bot, key], reason });
  }
  for (const key of config.postgres === undefined ? [] : requiredPostgresSecrets(config.postgres)) {
    for (const field of ["accessKeyId", "secretAccessKey"]) {
      needed.push({
        key: `${PROJECT}:${key}`,
        path: [field],
        reason: "postgres.backup.enabled uploads backups to S3-compatible storage",
      });
    }
  }
  const login = config.monitoring?.enabled === false ? undefined : config.monitoring?.login;
  if (login !== undefined) {
    needed.push({
      key: `${PROJECT}:grafanaLogin`,
      path: ["clientSecret"],
      reason: `monitoring.login signs people in to Grafana through ${login.provider === "github" ? "a GitHub OAuth app" : `"${login.name}"`}: its client secret`,
    });
  }
  return needed.filter((req) => !isPresent(req, raw));
}

/** Rules that tie a section to the environment. */
function environmentRules(environment: Environment, config: Partial<Sections>): string[] {
  const problems: string[] = [];
  if (config.cluster !== undefined)
    problems.push(
      ...controlPlaneFirewallProblems(
        config.cluster.provider,
        config.cluster.controlPlaneFirewall,
        environment,
      ),
    );
  if (
    config.platform?.botEgress === "fqdn" &&
    config.cluster !== undefined &&
    config.cluster.provider !== "digitalocean"
  ) {
    problems.push(
      `${PROJECT}:platform.botEgress: "fqdn" needs Cilium's DNS-aware policies, which of the clusters botfleet creates only DigitalOcean's (DOKS) run, got cluster.provider "${config.cluster.provider}"; use "ports" (the default)`,
    );
  }
  if (environment === "prod" && config.postgres !== undefined && !config.postgres.backup.enabled) {
    problems.push(
      `${PROJECT}:postgres.backup.enabled: must be true in prod (an off-cluster backup is the only way back from a lost volume), got false; set postgres.backup { enabled: true, bucket, endpoint, encryption.recipient } and the backupCredentials secret`,
    );
  }
  return problems;
}

/** The credentials the stack derives, given what it runs. */
function derivedNames(config: Partial<Sections>, botSecrets: unknown): string[] {
  return credentialNames({
    bots: config.bots ?? [],
    botSecrets: (botSecrets ?? {}) as Readonly<Record<string, Readonly<Record<string, unknown>>>>,
    monitoringEnabled: config.monitoring?.enabled ?? true,
    redisHa: config.redis?.ha ?? false,
  });
}

/** Secrets kept for a bot the fleet does not have: most likely a typo in the bot's name. */
function orphanBotSecrets(config: Partial<Sections>, botSecrets: unknown): string[] {
  if (botSecrets === null || typeof botSecrets !== "object" || config.bots === undefined) return [];
  const names = new Set(config.bots.map((b) => b.name));
  return Object.keys(botSecrets)
    .filter((bot) => !names.has(bot))
    .map(
      (bot) => `${PROJECT}:botSecrets.${bot}: no bot is named "${bot}"; remove the secret or fix the name`,
    );
}

function isPresent(req: SecretRequirement, raw: RawConfig): boolean {
  if (req.key === "digitalocean:token" && raw.env?.DIGITALOCEAN_TOKEN) return true;
  const text = raw.values[req.key];
  if (text === undefined) return false;
  if (req.path.length === 0) return text.length > 0;
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch {
    return false;
  }
  for (const part of req.path) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === "string" && node.length > 0;
}

function describeMissing(req: SecretRequirement): string {
  const [ns, key] = splitKey(req.key);
  const path = [key, ...req.path].join(".");
  const shown = ns === PROJECT ? `${PROJECT}:${path}` : req.key;
  const setKey = ns === PROJECT ? path : req.key;
  const flag = req.path.length > 0 ? "--secret --path" : "--secret";
  const env = req.key === "digitalocean:token" ? " (or export DIGITALOCEAN_TOKEN)" : "";
  if (req.fix !== undefined)
    return `${shown}: required secret is missing (${req.reason}); set one: ${req.fix}`;
  return `${shown}: required secret is missing (${req.reason}); run "pulumi config set ${flag} ${setKey} <value>"${env}`;
}

/**
 * A key's raw value, with Pulumi.yaml's empty-object default read as absent: the CLI requires every
 * declared key that has no default, so optional keys are declared with `default: {}`, which it merges
 * into the config as plain text (a secret section's default would otherwise count as a plain secret).
 */
function declaredValue(raw: RawConfig, fullKey: string): string | undefined {
  const text = raw.values[fullKey];
  return text !== undefined && text.trim() === "{}" ? undefined : text;
}

function splitKey(fullKey: string): [string, string] {
  const i = fullKey.indexOf(":");
  return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** Numbers and booleans become strings: a secret is text, however the CLI typed it. */
function stringLeaves(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(stringLeaves);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringLeaves(v)]));
  }
  return value;
}

/** Every string leaf becomes a secret Output. */
export function secretify<T>(value: T): Secretify<T> {
  if (typeof value === "string") return pulumi.secret(value) as Secretify<T>;
  if (Array.isArray(value)) return value.map(secretify) as Secretify<T>;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretify(v)])) as Secretify<T>;
  }
  return value as Secretify<T>;
}

function deepFreeze<T>(value: T): T {
  if (
    value === null ||
    typeof value !== "object" ||
    pulumi.Output.isInstance(value) ||
    Object.isFrozen(value)
  ) {
    return value;
  }
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

/** Where loadConfig reads the stack file's plain leaves: `Pulumi.<stack>.yaml` in the project folder. */
const fromStackFile = (stack: string): PlainLeaves =>
  readPlainLeaves(process.cwd(), stack, SECRET_SECTION_KEYS, PROJECT);
let plainLeavesSource = fromStackFile;

/**
 * Replaces where loadConfig learns the stack file's plain leaves, for the mock harness (whose stack is
 * in memory); `undefined` restores the file.
 */
export function setPlainLeavesSource(source: ((stack: string) => PlainLeaves) | undefined): void {
  plainLeavesSource = source ?? fromStackFile;
}

/** Reads the running stack's config through the Pulumi runtime (and its stack file, for plain leaves). */
export function loadConfig(): StackConfig {
  const values = pulumi.runtime.allConfig();
  // isConfigSecret is exported at run time but marked @internal in the SDK's typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
  const secretKeys = new Set(Object.keys(values).filter((k) => runtime.isConfigSecret(k)));
  const stack = pulumi.getStack();
  return parseStackConfig(
    { values, secretKeys, env: process.env, plainLeaves: plainLeavesSource(stack) },
    stack,
  );
}
