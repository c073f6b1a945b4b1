/** Runs the program for a stack file (or an in-memory config) under the mock engine. */
import * as path from "path";
import { parseStackConfig } from "../../config";
import { SEED_KEY } from "../../config/credentials";
import { credentialLength, credentialNames, deriveText } from "../../lib/credentials";
import { runProgram, type ProgramRun, type RunOptions } from "../../lib/mockrun";
import { loadStack, readStackFile, stackNames, type LoadedStack } from "../../lib/stackfile";

export const REPO = path.resolve(__dirname, "../..");
export const STACKS = stackNames(REPO);

export interface StackRun extends ProgramRun {
  readonly stack: LoadedStack;
  /** Every secret value the program had: the fakes it was given and the passwords derived from them. */
  readonly secretValues: readonly string[];
}

function program(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../program").program();
}

/** The passwords a stack derives from its (fake) seed, computed here independently of the components. */
export function derivedSecrets(stack: LoadedStack): string[] {
  const config = parseStackConfig(stack, stack.stack);
  const seed = stack.values[SEED_KEY];
  const botSecrets = JSON.parse(stack.values["botfleet:botSecrets"] ?? "{}");
  return credentialNames({
    bots: config.bots,
    botSecrets,
    monitoringEnabled: config.monitoring.enabled,
    redisHa: config.redis.ha,
  }).map((name) => deriveText(seed, name, config.credentialRotations[name] ?? 0, credentialLength(name)));
}

export async function runConfig(
  stack: string,
  config: Record<string, unknown>,
  withRequiredSecrets = true,
  options: RunOptions = {},
): Promise<StackRun> {
  const loaded = loadStack(stack, config, { withRequiredSecrets });
  const run = await runProgram(loaded, program, options);
  if (run.error) throw run.error;
  return { ...run, stack: loaded, secretValues: [...loaded.fakeSecrets, ...derivedSecrets(loaded)] };
}

export async function runStackFile(stack: string, options: RunOptions = {}): Promise<StackRun> {
  return runConfig(stack, readStackFile(REPO, stack), true, options);
}
