/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: full keys, structured
 * values as JSON text, a key holding any `secure:` leaf marked secret as a whole. Secrets cannot be
 * decrypted here (no CLI, no passphrase), so each `secure:` leaf, and each secret the config requires but
 * the file lacks, gets a fake value of the shape its schema asks for (an https URL, a numeric chat id),
 * recognisably fake and never real, that tests trace through every resource. What the file holds in plain
 * text stays plain, so the loader refuses it as it would under the CLI, and `plainLeaves` tells it which
 * leaves of a secret section were plain (the CLI's whole-key marking hides them).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT, SECRET_SECTION_KEYS, requiredSecrets, type RawConfig } from "../config";
import { isSecureLeaf, plainLeavesOf } from "../config/stack-file";
import { MIN_SEED_LENGTH } from "./credentials";

export const FAKE_SECRET_PREFIX = "FAKESECRET";

export interface LoadedStack extends RawConfig {
  readonly stack: string;
  /** Every fake secret value handed to the program, for leak checks. */
  readonly fakeSecrets: readonly string[];
}

type Shape = (tag: string, n: number) => string;
const httpsUrl: Shape = (tag) => `https://fakesecret.example.com/${tag}`;

/**
 * Fakes for the secrets whose schema asks for a format, by key path (`*` matches one segment). Letters
 * are allowed: `FAKESECRET-<n>-<path>`, hosts under the reserved example.com; digits only: 999-prefixed.
 * Every other secret gets the tag itself.
 */
const SHAPES: readonly (readonly [string, Shape])[] = [
  ["botfleet:alerting.slack.webhookUrl", httpsUrl],
  ["botfleet:alerting.*.url", httpsUrl],
  ["botfleet:alerting.telegram.botToken", (tag) => `999999999:${tag}`],
  ["botfleet:alerting.telegram.chatId", (_tag, n) => `-100999${String(n).padStart(10, "0")}`],
  [
    "botfleet:alerting.pagerduty.routingKey",
    (tag) =>
      tag
        .replace(/[^A-Za-z0-9]/g, "")
        .padEnd(32, "0")
        .slice(0, 32),
  ],
  ["botfleet:alerting.email.to", (tag) => `${tag}@example.com`],
  ["botfleet:alerting.email.from", (tag) => `${tag}@example.com`],
  ["botfleet:alerting.email.smarthost", (_tag, n) => `fakesecret-${n}.example.com:587`],
  ["botfleet:credentialSeed", (tag) => tag.padEnd(MIN_SEED_LENGTH, "0")],
];

const matches = (pattern: string, dotted: string) => {
  const [p, d] = [pattern.split("."), dotted.split(".")];
  return p.length === d.length && p.every((part, i) => part === "*" || part === d[i]);
};

/** The `n`th fake, for the secret at `key` and `path` (`botfleet:alerting`, `["slack", "webhookUrl"]`). */
export function fakeSecretValue(key: string, path: readonly (string | number)[], n: number): string {
  const dotted = [key, ...path].join(".");
  const tag = `${FAKE_SECRET_PREFIX}-${n}-${dotted.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const shape = SHAPES.find(([pattern]) => matches(pattern, dotted))?.[1];
  return shape === undefined ? tag : shape(tag, n);
}

export function stackNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export function readStackFile(dir: string, stack: string): Record<string, unknown> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

/** Config as the program sees it, with fakes for every secret; `withRequiredSecrets: false` leaves gaps. */
export function loadStack(
  stack: string,
  config: Record<string, unknown>,
  opts: { withRequiredSecrets?: boolean } = {},
): LoadedStack {
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const fakeSecrets: string[] = [];
  const fake = (key: string, at: readonly (string | number)[]) => {
    const value = fakeSecretValue(key, at, fakeSecrets.length);
    fakeSecrets.push(value);
    return value;
  };

  const fullKeys: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    fullKeys[key] = value;
    if (SECRET_SECTION_KEYS.includes(key) && isSecureLeaf(value)) {
      // A whole section set as one encrypted JSON text: its structure is hidden too, so it holds only
      // the fakes for what the config requires (added below).
      values[key] = "{}";
      secretKeys.add(key);
      continue;
    }
    let secret = false;
    const replaced = replaceSecure(value, [], (at) => {
      secret = true;
      return fake(key, at);
    });
    values[key] = typeof replaced === "string" ? replaced : JSON.stringify(replaced);
    if (secret) secretKeys.add(key);
  }

  if (opts.withRequiredSecrets ?? true) {
    // Only what the file lacks: a value it holds, plain or secret, stays as it is.
    for (const req of requiredSecrets({ values, secretKeys })) {
      secretKeys.add(req.key);
      if (req.path.length === 0) {
        values[req.key] = fake(req.key, []);
        continue;
      }
      const obj = (values[req.key] === undefined ? {} : JSON.parse(values[req.key])) as Record<
        string,
        unknown
      >;
      let node = obj;
      for (const part of req.path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[req.path[req.path.length - 1]] = fake(req.key, req.path);
      values[req.key] = JSON.stringify(obj);
    }
  }
  const plainLeaves = plainLeavesOf(fullKeys, SECRET_SECTION_KEYS, PROJECT);
  return { stack, values, secretKeys, env: {}, plainLeaves, fakeSecrets };
}

function replaceSecure(
  value: unknown,
  at: readonly (string | number)[],
  onSecret: (at: readonly (string | number)[]) => string,
): unknown {
  if (isSecureLeaf(value)) return onSecret(at);
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, [...at, i], onSecret));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceSecure(v, [...at, k], onSecret)]),
    );
  }
  return value;
}
