/**
 * Every key a stack file can set, derived from the config's zod schemas: dotted paths with `[]` for a
 * list's items (`bots[].custom.ports[].name`); a record (free-form map) is one key.
 */
import { KNOWN_KEYS } from "../../../config";
import { botSecretsSchema, botsSchema } from "../../../config/bots";
import { clusterSchema } from "../../../config/cluster";
import { costsSchema } from "../../../config/costs";
import { credentialRotationsSchema } from "../../../config/credentials";
import { alertingSchema, monitoringSchema } from "../../../config/monitoring";
import { grafanaLoginSecretsSchema } from "../../../config/grafana-login";
import { platformSchema } from "../../../config/platform";
import { backupCredentialsSchema, postgresSchema } from "../../../config/postgres";
import { redisSchema } from "../../../config/redis";

/** The structured sections, as config/index.ts lists them (checked against KNOWN_KEYS by the caller). */
const SCHEMAS: Record<string, unknown> = {
  cluster: clusterSchema,
  platform: platformSchema,
  redis: redisSchema,
  postgres: postgresSchema,
  monitoring: monitoringSchema,
  bots: botsSchema,
  costs: costsSchema,
  credentialRotations: credentialRotationsSchema,
  botSecrets: botSecretsSchema,
  alerting: alertingSchema,
  backupCredentials: backupCredentialsSchema,
  grafanaLogin: grafanaLoginSecretsSchema,
};
/** Plain (non-structured) keys: config/index.ts OTHER_KEYS. */
const PLAIN_KEYS = ["environment", "credentialSeed"];

// zod 4 keeps a schema's definition in `_zod.def`; wrappers name their inner schema `innerType`.
type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const WRAPPERS = ["optional", "default", "prefault", "nullable", "readonly", "nonoptional", "catch"];

function leaves(schema: unknown, at: string, out: Set<string>): void {
  const def = defOf(schema);
  if (WRAPPERS.includes(def.type)) return leaves(def.innerType, at, out);
  switch (def.type) {
    case "object":
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) leaves(v, `${at}.${k}`, out);
      return;
    case "pipe":
      return leaves(def.in, at, out);
    case "array":
      return leaves(def.element, `${at}[]`, out);
    case "union":
      for (const option of def.options as unknown[]) leaves(option, at, out);
      return;
    case "intersection":
      leaves(def.left, at, out);
      leaves(def.right, at, out);
      return;
    case "lazy":
      return leaves((def.getter as () => unknown)(), at, out);
    default:
      // A scalar, an enum or a record: one key. A list of scalars is named without its `[]`.
      out.add(at.replace(/\[\]$/, ""));
  }
}

/** Every settable key, sorted; throws when config/index.ts gained a section this list lacks. */
export function configKeys(): string[] {
  const sections = [...Object.keys(SCHEMAS), ...PLAIN_KEYS].sort();
  const known = [...KNOWN_KEYS].sort();
  if (JSON.stringify(sections) !== JSON.stringify(known))
    throw new Error(`config sections changed: known ${known.join(", ")}; listed ${sections.join(", ")}`);
  const out = new Set<string>(PLAIN_KEYS);
  for (const [name, schema] of Object.entries(SCHEMAS)) leaves(schema, name, out);
  return [...out].sort();
}

/** Whether a table key (`redis.resources`, `bots[].custom.probes`) names `leaf` or a parent of it. */
export const covers = (rowKey: string, leaf: string): boolean =>
  leaf === rowKey || leaf.startsWith(`${rowKey}.`) || leaf.startsWith(`${rowKey}[]`);
