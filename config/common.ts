/**
 * Shared zod building blocks for the stack config schema. Every refinement message is phrased as
 * "<rule>, got <value>" (and a fix where one is not obvious): `format.ts` prefixes the key path.
 */
import { z } from "zod";

export const show = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value));

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label: Kubernetes object names, namespaces, bot names. */
export const dns1123Label = (maxLength = 63) =>
  z.string().refine((v) => DNS1123_LABEL.test(v) && v.length <= maxLength, {
    error: (iss) =>
      `must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${maxLength} characters), got ${show(iss.input)}`,
  });

const CPU = /^(\d+(\.\d+)?|\d+m)$/;
const BYTES = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** Parses a CPU quantity ("500m", "2", "0.5") to millicores. */
export function cpuMillis(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** Parses a memory or storage quantity ("512Mi", "8Gi", "1G") to bytes. */
export function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
  if (!m) throw new Error(`not a byte quantity: ${q}`);
  return Number(m[1]) * BYTE_UNITS[m[2]];
}

/** A CPU quantity such as "250m" or "2". */
export const cpuQuantity = z.string().refine((v) => CPU.test(v) && cpuMillis(v) > 0, {
  error: (iss) => `must be a positive CPU quantity such as "250m" or "2", got ${show(iss.input)}`,
});

/** A memory or storage quantity such as "512Mi" or "8Gi". */
export const byteQuantity = z.string().refine((v) => BYTES.test(v) && bytes(v) > 0, {
  error: (iss) =>
    `must be a positive quantity such as "512Mi" or "8Gi" (binary suffixes Ki, Mi, Gi, Ti), got ${show(iss.input)}`,
});

/** An image reference pinned to a version tag or a digest; never `latest` or untagged. */
export const pinnedImage = z.string().refine(isPinnedImage, {
  error: (iss) =>
    `must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got ${show(iss.input)}`,
});

export function isPinnedImage(image: string): boolean {
  if (/\s/.test(image) || image.length === 0) return false;
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== "latest";
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/** A five-field cron schedule ("0 3 * * *") or a macro such as "@daily". */
export const cronSchedule = z
  .string()
  .refine((v) => /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(v) || isCron(v), {
    error: (iss) =>
      `must be a five-field cron schedule such as "0 3 * * *" or "@daily", got ${show(iss.input)}`,
  });

function isCron(v: string): boolean {
  const fields = v.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

/** A Prometheus-style duration: "15d", "12h", "30m". */
export const promDuration = z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/, {
  error: (iss) => `must be a duration such as "15d", "12h" or "30m", got ${show(iss.input)}`,
});

/** A non-negative integer with an explicit message. */
export const count = (min = 0) =>
  z.number().refine((v) => Number.isInteger(v) && v >= min, {
    error: (iss) => `must be a whole number >= ${min}, got ${show(iss.input)}`,
  });

/**
 * The resolved form of a secret config key: every string leaf becomes a secret Output, so that a
 * secret can reach a resource only as a Pulumi secret (config.ts does the wrapping).
 */
export type Secretify<T> = T extends string
  ? import("@pulumi/pulumi").Output<string>
  : T extends readonly (infer U)[]
    ? Secretify<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Secretify<T[K]> }
      : T;

/**
 * Options for a cross-field `.superRefine` that must run even when some fields already failed, so one
 * run reports every problem. Such a refinement sees the raw value: it must check types itself.
 */
export const ALWAYS_RUN = { when: () => true } as const;

/** Narrowing helpers for refinements under {@link ALWAYS_RUN}. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Deep merge where `override` wins; arrays are replaced, not concatenated. */
export function deepMerge(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    out[k] = isRecord(v) && isRecord(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}
