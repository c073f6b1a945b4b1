/**
 * Values in the types the Pulumi CLI stores them. `pulumi config set --path <key> <value>` turns `true` and
 * `false` into booleans and a base-10 integer not starting with "0" into a number (pulumi/pulumi,
 * sdk/go/common/resource/config/map.go, adjustObjectValue), so `--path platform.quotas.bots.requestsCpu 12`
 * stores 12 and `--path 'bots[0].custom.args[2]' 8000` stores 8000. A schema field that holds text (a
 * quantity, a name, an argument) takes such a value as its text; every other field sees it unchanged.
 */
import { z } from "zod";

type AnySchema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The CLI's rule for a `--path` value given as text: what the program then reads. */
export function cliStored(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text.length > 1 && text.startsWith("0")) return text;
  // Go's strconv.Atoi: an optional sign and decimal digits, within int64.
  if (/^[+-]?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n; // no -0
  }
  return text;
}

/** The schema under wrappers that do not change what a value must look like. */
function unwrap(schema: AnySchema): AnySchema {
  let node = schema;
  for (;;) {
    const def = node._zod.def as unknown as Def;
    if ("innerType" in def && def.type !== "pipe") node = def.innerType as AnySchema;
    else if (def.type === "pipe") node = def.in as AnySchema;
    else if (def.type === "lazy") node = (def.getter as () => AnySchema)();
    else return node;
  }
}

/** True when the schema holds text: a string, or an enum or literal of strings. */
function holdsText(def: Def): boolean {
  if (def.type === "string") return true;
  if (def.type === "enum") return Object.values(def.entries as object).every((v) => typeof v === "string");
  if (def.type === "literal") return (def.values as unknown[]).every((v) => typeof v === "string");
  return false;
}

/** `value` with every number or boolean that stands where `schema` expects text turned into its text. */
export function acceptCliTypes(schema: AnySchema, value: unknown): unknown {
  const node = unwrap(schema);
  const def = node._zod.def as unknown as Def;
  if (typeof value === "number" || typeof value === "boolean") {
    if (holdsText(def)) return String(value);
    if (def.type === "union") {
      const options = (def.options as AnySchema[]).map(unwrap);
      const asIs = options.some((o) => (o._zod.def as unknown as Def).type === typeof value);
      const text = options.some((o) => holdsText(o._zod.def as unknown as Def));
      return !asIs && text ? String(value) : value;
    }
    return value;
  }
  if (def.type === "array" && Array.isArray(value)) {
    return value.map((v) => acceptCliTypes(def.element as AnySchema, v));
  }
  if (def.type === "object" && isRecord(value)) {
    const shape = def.shape as Record<string, AnySchema>;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k in shape ? acceptCliTypes(shape[k], v) : v]),
    );
  }
  if (def.type === "record" && isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, acceptCliTypes(def.valueType as AnySchema, v)]),
    );
  }
  if (def.type === "union") {
    // Objects or lists under a union: the first option the adjusted value satisfies.
    for (const option of def.options as AnySchema[]) {
      const adjusted = acceptCliTypes(option, value);
      if (z.safeParse(option, adjusted).success) return adjusted;
    }
  }
  return value;
}
