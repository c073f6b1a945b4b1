/** Runs a base stack and its edited copy under the mock engine, the base standing for the last `up`. */
import { SECRET_SECTION_KEYS } from "../../../config";
import { runProgram, type ProgramRun } from "../../../lib/mockrun";
import { loadStack, readStackFile } from "../../../lib/stackfile";
import { claimChangeProblem, type ClaimRecords } from "../../../lib/volume-claim-changes";
import { REPO } from "../stacks";
import type { SampleEdit, StackFileConfig } from "./sample-edits";

const program = () => () =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../program").program();

const baseRuns = new Map<string, ProgramRun>();

/** The base stack's run (a first deployment: no volume history), computed once per stack. */
export async function baseRun(stack: string): Promise<ProgramRun> {
  let run = baseRuns.get(stack);
  if (run === undefined) {
    run = await runProgram(loadStack(stack, readStackFile(REPO, stack)), program());
    if (run.error) throw run.error;
    baseRuns.set(stack, run);
  }
  return run;
}

async function firstRun(stack: ReturnType<typeof loadStack>): Promise<ProgramRun> {
  const run = await runProgram(stack, program());
  if (run.error) throw run.error;
  return run;
}

/**
 * The edited stack's run; a refused config (a ConfigError, or a claim change the program refuses
 * against the base run's `volumeClaims`, the last deployment's record) comes back as `error`.
 */
export async function editedRun(edit: SampleEdit): Promise<{ before: ProgramRun; after: ProgramRun }> {
  const stack = edit.base ?? "prod";
  const config = structuredClone(readStackFile(REPO, stack)) as StackFileConfig;
  // A row that applies only to stacks with some setting starts from the shipped stack with it.
  edit.baseConfig?.(config);
  const before =
    edit.baseConfig === undefined ? await baseRun(stack) : await firstRun(loadStack(stack, config));
  edit.config?.(config);
  const loaded = loadStack(stack, config);
  const values = { ...loaded.values };
  edit.values?.(values);
  // A secret section the edit wrote is a secret, as `pulumi config set --secret --path` makes it.
  const secretKeys = new Set([
    ...loaded.secretKeys,
    ...SECRET_SECTION_KEYS.filter((k) => values[k] !== loaded.values[k]),
    ...(values["botfleet:credentialSeed"] !== loaded.values["botfleet:credentialSeed"]
      ? ["botfleet:credentialSeed"]
      : []),
  ]);
  const after = await runProgram({ ...loaded, values, secretKeys }, program());
  return { before, after: withClaimRefusals(before, after) };
}

/**
 * The program refuses a claim change inside an apply, against the last deployment's `volumeClaims`
 * output (components/volume-claims.ts): the engine fails the preview, the mock engine never settles.
 * So the edited stack runs as a first deployment, and the same rule (lib/volume-claim-changes.ts
 * `claimChangeProblem`) compares the two runs' records, as the ledger would at preview.
 */
function withClaimRefusals(before: ProgramRun, after: ProgramRun): ProgramRun {
  if (after.error !== undefined) return after;
  const was = (before.outputs.volumeClaims ?? {}) as ClaimRecords;
  const now = (after.outputs.volumeClaims ?? {}) as ClaimRecords;
  const keys = { storage: "storage", storageClass: "storageClass" };
  const problems = Object.entries(now)
    .map(([claim, record]) => claimChangeProblem(claim, keys, was[claim], record))
    .filter((p): p is string => p !== undefined);
  return problems.length === 0
    ? after
    : { ...after, error: new Error(`volume claims:\n${problems.join("\n")}`) };
}
