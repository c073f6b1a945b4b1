/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: full keys, structured
 * values as JSON text, `secure:` values marked secret. Secrets cannot be decrypted here (no CLI, no
 * passphrase), so each one, and each secret the config requires but the file lacks, gets a fake
 * value that tests can trace through every resource.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT, requiredSecrets, type RawConfig } from "../config";

export const FAKE_SECRET_PREFIX = "FAKESECRET";

export interface LoadedStack extends RawConfig {
  readonly stack: string;
  /** Every fake secret value handed to the program, for leak checks. */
  readonly fakeSecrets: readonly string[];
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
  const fake = (label: string) => {
    const value = `${FAKE_SECRET_PREFIX}-${fakeSecrets.length}-${label.replace(/[^A-Za-z0-9]+/g, "-")}`;
    fakeSecrets.push(value);
    return value;
  };

  for (const [rawKey, value] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    let secret = false;
    const replaced = replaceSecure(value, key, (label) => {
      secret = true;
      return fake(label);
    });
    values[key] = typeof replaced === "string" ? replaced : JSON.stringify(replaced);
    if (secret) secretKeys.add(key);
  }

  if (opts.withRequiredSecrets ?? true) {
    for (const req of requiredSecrets({ values, secretKeys })) {
      secretKeys.add(req.key);
      if (req.path.length === 0) {
        values[req.key] = fake(req.key);
        continue;
      }
      const obj = (values[req.key] === undefined ? {} : JSON.parse(values[req.key])) as Record<
        string,
        unknown
      >;
      let node = obj;
      for (const part of req.path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[req.path[req.path.length - 1]] = fake([req.key, ...req.path].join("."));
      values[req.key] = JSON.stringify(obj);
    }
  }
  return { stack, values, secretKeys, env: {}, fakeSecrets };
}

function replaceSecure(value: unknown, label: string, onSecret: (label: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, `${label}[${i}]`, onSecret));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return onSecret(label);
    return Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [k, replaceSecure(v, `${label}.${k}`, onSecret)]),
    );
  }
  return value;
}
