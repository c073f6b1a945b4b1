/** Runs the program for a stack file (or an in-memory config) under the mock engine. */
import * as path from "path";
import { runProgram, type ProgramRun } from "../../lib/mockrun";
import { loadStack, readStackFile, stackNames, type LoadedStack } from "../../lib/stackfile";

export const REPO = path.resolve(__dirname, "../..");
export const STACKS = stackNames(REPO);

export interface StackRun extends ProgramRun {
  readonly stack: LoadedStack;
}

function program(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../program").program();
}

export async function runConfig(
  stack: string,
  config: Record<string, unknown>,
  withRequiredSecrets = true,
): Promise<StackRun> {
  const loaded = loadStack(stack, config, { withRequiredSecrets });
  const run = await runProgram(loaded, program);
  if (run.error) throw run.error;
  return { ...run, stack: loaded };
}

export async function runStackFile(stack: string): Promise<StackRun> {
  return runConfig(stack, readStackFile(REPO, stack));
}
