/** Reads the README's "Day-2: what each config change does" table. */
import * as fs from "fs";
import * as path from "path";

export const EFFECTS = [
  "no cluster change",
  "in place",
  "rolls pods",
  "staged on live traders",
  "replaces",
  "refused",
] as const;
export type Effect = (typeof EFFECTS)[number];

export interface Day2Row {
  /** The keys the row names (`bots[].storage`), from the backticked names in its first cell. */
  readonly keys: readonly string[];
  /** Which preset or workload the row is about (`trader`, `hummingbot`, `all`), as written. */
  readonly appliesTo: string;
  readonly effect: Effect;
  readonly note: string;
  /** `<keys, comma-separated> (<applies to>)`: what the test's sample edits are keyed by. */
  readonly id: string;
}

export const DAY2_HEADING = "### Day-2: what each config change does";

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

/** The table's rows; throws on a missing heading, a bad effect or a row without a key. */
export function readDay2Table(readme = path.resolve(__dirname, "../../../README.md")): Day2Row[] {
  const lines = fs.readFileSync(readme, "utf8").split("\n");
  const start = lines.indexOf(DAY2_HEADING);
  if (start < 0) throw new Error(`README.md has no "${DAY2_HEADING}" section`);
  const header = lines.findIndex((l, i) => i > start && l.startsWith("| key |"));
  if (header < 0) throw new Error(`no "| key |" table under "${DAY2_HEADING}"`);
  const rows: Day2Row[] = [];
  for (let i = header + 2; i < lines.length && lines[i].startsWith("|"); i++) {
    const [keyCell, appliesTo, effectCell, note] = cells(lines[i]);
    const keys = [...keyCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    if (keys.length === 0) throw new Error(`README day-2 row ${i + 1} names no key: ${lines[i]}`);
    const effect = /^`([^`]+)`/.exec(effectCell)?.[1] as Effect | undefined;
    if (effect === undefined || !EFFECTS.includes(effect))
      throw new Error(`README day-2 row ${i + 1}: effect must start with one of ${EFFECTS.join(", ")}`);
    rows.push({ keys, appliesTo, effect, note: note ?? "", id: `${keys.join(", ")} (${appliesTo})` });
  }
  return rows;
}
