/**
 * What only the stack file can tell: which leaves of a secret section are plain text. The Pulumi CLI
 * marks a whole structured key secret when any of its leaves is `secure:`, so a program sees a section
 * with one encrypted leaf and one plain leaf as all secret; the file shows the plain one.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** A path inside a structured key: object keys and list indices. */
export type LeafPath = readonly (string | number)[];
/** Full key (`botfleet:alerting`) -> paths of the leaves the stack file holds in plain text. */
export type PlainLeaves = Readonly<Record<string, readonly LeafPath[]>>;

/** A stack-file value the CLI encrypted: `{ secure: "v1:..." }`. */
export function isSecureLeaf(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && typeof (value as { secure?: unknown }).secure === "string";
}

/** Paths of the leaves of a stack-file value that are not `secure:` (empty objects and lists have none). */
export function plainLeafPaths(value: unknown, at: LeafPath = []): LeafPath[] {
  if (isSecureLeaf(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainLeafPaths(v, [...at, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => plainLeafPaths(v, [...at, k]));
  }
  return [at];
}

/**
 * For each of `keys` the stack file's `config:` map holds, the paths of its plain leaves. Keys in the file
 * may omit the project namespace (`alerting` for `botfleet:alerting`), as the CLI allows.
 */
export function plainLeavesOf(
  config: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  project: string,
): PlainLeaves {
  const out: Record<string, LeafPath[]> = {};
  for (const [rawKey, value] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (!keys.includes(key)) continue;
    const paths = plainLeafPaths(value);
    if (paths.length > 0) out[key] = paths;
  }
  return out;
}

/**
 * The plain leaves of `Pulumi.<stack>.yaml` in `dir`; nothing when there is no such file (config kept in
 * the Pulumi service or an ESC environment) or it cannot be read.
 */
export function readPlainLeaves(
  dir: string,
  stack: string,
  keys: readonly string[],
  project: string,
): PlainLeaves {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8"));
  } catch {
    return {};
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) return {};
  return plainLeavesOf(config as Record<string, unknown>, keys, project);
}
