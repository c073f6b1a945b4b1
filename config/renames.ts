/**
 * Config keys that were renamed. An old name is refused, never read: `postgres.replicas` counted standbys
 * while `postgres.instances` counts every pod, so reading one as the other would silently change a stack.
 * Each refusal names the new key, what it counts, the value to set and the exact fix.
 */
import { isRecord, show } from "./common";

interface Rename {
  readonly section: string;
  readonly old: string;
  readonly now: string;
  /** What the new key counts, for the message. */
  readonly meaning: string;
  /** The new value, from the old one (`undefined` when the old value is not one the rule can read). */
  readonly convert: (old: unknown) => unknown;
}

const same = (v: unknown) => v;

export const RENAMES: readonly Rename[] = [
  {
    section: "redis",
    old: "replicas",
    now: "instances",
    meaning: "all Redis pods, primary included",
    convert: same,
  },
  {
    section: "postgres",
    old: "replicas",
    now: "instances",
    meaning: "all Postgres pods, the primary and its standbys; the old replicas counted standbys only",
    convert: (v) => (typeof v === "number" && Number.isInteger(v) ? v + 1 : undefined),
  },
];

/** The CLI's spelling of a value on a command line. */
const cliValue = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * Problems for every renamed key in `value` (the raw value of `botfleet:<section>`), and the value
 * without them, so the schema does not report them a second time as unknown keys.
 */
export function renamedKeys(
  project: string,
  stack: string,
  section: string,
  value: unknown,
): { problems: string[]; value: unknown } {
  if (!isRecord(value)) return { problems: [], value };
  const problems: string[] = [];
  const rest: Record<string, unknown> = { ...value };
  for (const r of RENAMES.filter((x) => x.section === section && x.old in value)) {
    const oldValue = value[r.old];
    delete rest[r.old];
    const oldKey = `${section}.${r.old}`;
    const newKey = `${section}.${r.now}`;
    const converted = r.convert(oldValue);
    const target = converted === undefined ? `<${r.now}>` : cliValue(converted);
    const set =
      converted === undefined
        ? `set ${newKey} (got ${oldKey} ${show(oldValue)})`
        : `set ${newKey} to ${show(converted)}`;
    problems.push(
      `${project}:${oldKey}: renamed to ${newKey} (${r.meaning}): ${set}; in Pulumi.${stack}.yaml replace "${r.old}: ${cliValue(oldValue)}" under ${project}:${section} with "${r.now}: ${target}", or run "pulumi config rm --path ${oldKey} && pulumi config set --path ${newKey} ${target}"`,
    );
  }
  return { problems, value: rest };
}
