/**
 * The README's "Day-2: what each config change does" table, checked: it names every config key, and
 * each row's effect is what the mock engine shows when that key changes on a deployed stack
 * (test/support/day2/: the key list from the zod schemas, the sample edits, the classifier).
 */
import { classify, type Classification } from "./support/day2/classify";
import { configKeys, covers } from "./support/day2/config-keys";
import { readDay2Table } from "./support/day2/readme-table";
import { editedRun } from "./support/day2/runs";
import { SAMPLE_EDITS } from "./support/day2/sample-edits";

const rows = readDay2Table();
const keys = configKeys();

test("the table names every config key, and every key it names exists", () => {
  const named = rows.flatMap((r) => r.keys);
  expect(keys.filter((leaf) => !named.some((k) => covers(k, leaf)))).toEqual([]);
  expect(named.filter((k) => !keys.some((leaf) => covers(k, leaf)))).toEqual([]);
});

test("every row has a sample edit and every sample edit a row", () => {
  const ids = rows.map((r) => r.id);
  expect(ids.filter((id) => SAMPLE_EDITS[id] === undefined)).toEqual([]);
  expect(Object.keys(SAMPLE_EDITS).filter((id) => !ids.includes(id))).toEqual([]);
  expect(new Set(ids).size).toBe(ids.length);
});

describe.each(rows.map((r) => [r.id, r] as const))("%s", (id, row) => {
  test(`is ${row.effect}`, async () => {
    const edit = SAMPLE_EDITS[id];
    if (edit === undefined) throw new Error(`no sample edit for the README row ${id}`);
    // Runs are sequential (the Pulumi runtime is global state); each base stack runs once.
    const { before, after } = await editedRun(edit);
    const got: Classification = classify(before.resources, after.resources, after.error);
    // The findings go along, so a failure says what the program did.
    expect({ effect: got.effect, findings: got.findings }).toEqual({
      effect: row.effect,
      findings: got.findings,
    });
  });
});
