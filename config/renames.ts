/**
 * Config keys that were renamed. An old name is refused, never read: `postgres.replicas` counted standbys
 * while `postgres.instances` counts every pod, so reading one as the other would silently change a stack.
 * Each refusal names the new key, what it counts, the value to set and the exact fix.
 */
import { isRecord, show } from "./common";

type Path = readonly (string | number)[];

/** One old key found in a section: where it is, where it goes, and its value there. */
interface Found {
  readonly old: Path;
  readonly now: Path;
  readonly oldValue: unknown;
  /** `undefined` when the old value is not one the rule can convert. */
  readonly newValue: unknown;
  /** What the new key means, for the message. */
  readonly meaning: string;
}

type Finder = (section: Record<string, unknown>) => Found[];
/** Finds old keys in a list section (`bots`). */
type ListFinder = (section: unknown[]) => Found[];

const RESOURCES = "Kubernetes ResourceRequirements, as every resources key";

/** The flat `{ cpu, memory, memoryLimit }` keys of a resources object at `at`. */
function flatResources(at: Path, resources: unknown, extra: Record<string, Path> = {}): Found[] {
  if (!isRecord(resources)) return [];
  const moves: Record<string, Path> = {
    cpu: ["requests", "cpu"],
    memory: ["requests", "memory"],
    memoryLimit: ["limits", "memory"],
    ...extra,
  };
  return Object.entries(moves)
    .filter(([key]) => key in resources)
    .map(([key, to]) => ({
      old: [...at, key],
      now: [...at, ...to],
      oldValue: resources[key],
      newValue: resources[key],
      meaning: RESOURCES,
    }));
}

const entries = (v: unknown): [string, unknown][] => (isRecord(v) ? Object.entries(v) : []);

/** `replicas` -> `instances`, the count converted (a value that is no whole number converts to nothing). */
function replicasToInstances(meaning: string, convert: (replicas: number) => number): Finder {
  return (s) =>
    "replicas" in s
      ? [
          {
            old: ["replicas"],
            now: ["instances"],
            oldValue: s.replicas,
            newValue: Number.isInteger(s.replicas) ? convert(s.replicas as number) : undefined,
            meaning,
          },
        ]
      : [];
}

/** Every rename, by section. Tested one by one in test/config-renames.test.ts. */
export const RENAMES: Readonly<Record<string, readonly Finder[]>> = {
  redis: [replicasToInstances("all Redis pods, primary included", (n) => n)],
  postgres: [
    replicasToInstances(
      "all Postgres pods, the primary and its standbys; the old replicas counted standbys only",
      (standbys) => standbys + 1,
    ),
  ],
  monitoring: [
    (s) =>
      [
        ...(typeof s.storage === "string" ? [["storage", "prometheus"] as const] : []),
        ...(["alertmanagerStorage", "grafanaStorage"] as const)
          .filter((k) => k in s)
          .map((k) => [k, k.replace("Storage", "")] as const),
      ].map(([key, component]) => ({
        old: [key],
        now: ["storage", component],
        oldValue: s[key],
        newValue: s[key],
        meaning: "PVC size per component, like resources",
      })),
    (s) => entries(s.resources).flatMap(([component, r]) => flatResources(["resources", component], r)),
  ],
  platform: [
    (s) => flatResources(["containerDefaults"], s.containerDefaults),
    (s) =>
      flatResources(
        ["metricsServer", "resources"],
        isRecord(s.metricsServer) ? s.metricsServer.resources : undefined,
      ),
  ],
};

/** A path as `pulumi config --path` and the messages write it: `bots[0].resources.cpu`. */
function dotted(section: string, path: Path): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${p}`), section);
}

/** The CLI's spelling of a value on a command line. */
const cliValue = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
/** A `--path` argument, quoted for the shell when it holds brackets. */
const arg = (p: string) => (/[[\]]/.test(p) ? `'${p}'` : p);

/** `value` without the key at `path`; an object left empty goes too (the schema would call it incomplete). */
function without(value: unknown, path: Path): unknown {
  if (path.length === 0 || !(isRecord(value) || Array.isArray(value))) return value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? without(v, rest) : v));
  const key = String(head);
  if (!(key in value)) return value;
  const copy: Record<string, unknown> = { ...value };
  const child = rest.length === 0 ? undefined : without(value[key], rest);
  if (child === undefined || (isRecord(child) && Object.keys(child).length === 0)) delete copy[key];
  else copy[key] = child;
  return copy;
}

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
  if (!isRecord(value) && !Array.isArray(value)) return { problems: [], value };
  const found = findRenamed(section, value);
  let rest: unknown = value;
  const problems = found.map((f) => {
    rest = without(rest, f.old);
    const oldKey = dotted(section, f.old);
    const newKey = dotted(section, f.now);
    const target = f.newValue === undefined ? `<${String(f.now[f.now.length - 1])}>` : cliValue(f.newValue);
    const set =
      f.newValue === undefined
        ? `set ${newKey} (got ${oldKey} ${show(f.oldValue)})`
        : `set ${newKey} to ${show(f.newValue)}`;
    return `${project}:${oldKey}: renamed to ${newKey} (${f.meaning}): ${set}; in Pulumi.${stack}.yaml move ${oldKey} to ${newKey}${f.newValue === f.oldValue ? "" : ` with the value ${target}`}, or run "pulumi config rm --path ${arg(oldKey)} && pulumi config set --path ${arg(newKey)} ${target}"`;
  });
  return { problems, value: rest };
}

/** `botfleet:bots`: each bot's flat resources. */
export const BOT_RENAMES: readonly ListFinder[] = [
  (bots) =>
    bots.flatMap((bot, i) =>
      isRecord(bot)
        ? flatResources([i, "resources"], bot.resources, {
            cpuLimit: ["limits", "cpu"],
            ephemeralStorage: ["requests", "ephemeral-storage"],
          })
        : [],
    ),
];

function findRenamed(section: string, value: Record<string, unknown> | unknown[]): Found[] {
  if (Array.isArray(value)) return section === "bots" ? BOT_RENAMES.flatMap((find) => find(value)) : [];
  return (RENAMES[section] ?? []).flatMap((find) => find(value));
}
