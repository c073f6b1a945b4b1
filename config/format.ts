/** Turns zod issues into one line each: `botfleet:<key><path>: <rule>, got <value>`. */
import type { z } from "zod";
import { show } from "./common";

export function keyPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    key,
  );
}

/** Levenshtein distance, for "did you mean" hints on typos. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

type AnySchema = z.core.$ZodType;

/** The keys an object schema allows at `path`, looking through optional/default/array wrappers. */
export function allowedKeys(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let node: AnySchema | undefined = schema;
  const parts = [...path];
  while (node) {
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if ("innerType" in def) node = def.innerType as AnySchema;
    else if (def.type === "pipe") node = def.in as AnySchema;
    else if (def.type === "object") {
      const shape = def.shape as Record<string, AnySchema>;
      if (parts.length === 0) return Object.keys(shape);
      node = shape[String(parts.shift())];
    } else if (def.type === "array") {
      parts.shift();
      node = def.element as AnySchema;
    } else if (def.type === "record") {
      parts.shift();
      node = def.valueType as AnySchema;
    } else return [];
  }
  return [];
}

/** How a secret value is named in an error: its type, never the value (errors reach CI logs). */
export function hidden(value: unknown): string {
  if (value === undefined) return "nothing";
  return `${article(Array.isArray(value) ? "list" : value === null ? "null" : typeof value)} (secret, not shown)`;
}

/** Removes every spelling of a secret value from a message our refinements wrote. */
function redact(message: string, value: unknown): string {
  const spellings = [show(value), ...(typeof value === "string" && value.length >= 3 ? [value] : [])];
  return spellings.reduce((m, v) => m.split(v).join(hidden(value)), message);
}

/** One line per problem; with `secret`, the bad value is described, never printed. */
export function formatIssue(
  key: string,
  schema: AnySchema,
  issue: z.core.$ZodIssue,
  secret = false,
): string[] {
  const input = (issue as { input?: unknown }).input;
  const shown = (v: unknown) => (secret ? hidden(v) : show(v));
  const own = (message: string) => (secret ? redact(message, input) : message);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(schema, issue.path);
      return issue.keys.map((k) => {
        const hint = suggest(k, allowed);
        return `${keyPath(key, [...issue.path, k])}: unknown key${hint ? `; did you mean "${hint}"?` : ""} (allowed: ${allowed.join(", ")})`;
      });
    }
    case "invalid_type":
      return [
        `${keyPath(key, issue.path)}: ${input === undefined ? "is required" : `must be ${article(issue.expected)}`}, got ${shown(input)}`,
      ];
    case "invalid_value":
      return [
        `${keyPath(key, issue.path)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(input)}`,
      ];
    case "too_small":
      return [
        `${keyPath(key, issue.path)}: must be ${bound(issue.origin, ">=", issue.minimum)}, got ${shown(input)}`,
      ];
    case "too_big":
      return [
        `${keyPath(key, issue.path)}: must be ${bound(issue.origin, "<=", issue.maximum)}, got ${shown(input)}`,
      ];
    case "invalid_format":
      // Our regexes carry their own "<rule>, got <value>" message; zod's built-in ones do not.
      return [
        issue.message.startsWith("Invalid")
          ? `${keyPath(key, issue.path)}: must be a valid ${issue.format}, got ${shown(input)}`
          : `${keyPath(key, issue.path)}: ${own(issue.message)}`,
      ];
    case "invalid_key":
      // A record key that failed its schema: the inner issue carries our "<rule>, got <key>" message.
      return issue.issues.map((inner) => `${keyPath(key, issue.path)}: ${own(inner.message)}`);
    default:
      // Our own refinements already read "<rule>, got <value>".
      return [`${keyPath(key, issue.path)}: ${own(issue.message)}`];
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function bound(origin: string, op: string, value: unknown): string {
  const n = String(value);
  if (origin === "string") return `a string of length ${op} ${n}`;
  if (origin === "array" || origin === "set") return `a list of ${op} ${n} items`;
  return `${op} ${n}`;
}
