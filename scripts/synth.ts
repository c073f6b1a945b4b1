/**
 * `npm run synth -- <stack>... [--out DIR] [--config-dir DIR]`: evaluates Pulumi.<stack>.yaml under
 * the mock engine (no Pulumi CLI, credentials or cluster) and writes redacted manifests and a summary
 * to DIR/<stack> (default out/). Exits 1 listing every config problem when the config is bad.
 */
import * as fs from "fs";
import * as path from "path";
import { capacityFromRun, capacityMarkdown } from "../lib/capacity";
import { runProgram } from "../lib/mockrun";
import { loadStack, readStackFile, stackNames } from "../lib/stackfile";
import { synthFiles } from "../lib/synth";

const REPO = path.resolve(__dirname, "..");

async function main(argv: string[]): Promise<number> {
  const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const outDir = path.resolve(option("--out") ?? path.join(REPO, "out"));
  const configDir = path.resolve(option("--config-dir") ?? REPO);
  const stacks = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
  const known = stackNames(configDir);
  if (stacks.length === 0) {
    console.error(`usage: npm run synth -- <stack>... [--out DIR]   (stacks: ${known.join(", ")})`);
    return 2;
  }
  let failed = false;
  for (const stack of stacks) {
    if (!known.includes(stack)) {
      console.error(`synth: no Pulumi.${stack}.yaml here (stacks: ${known.join(", ")})`);
      failed = true;
      continue;
    }
    const loaded = loadStack(stack, readStackFile(configDir, stack));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const run = await runProgram(loaded, () => require("../program").program());
    if (run.error) {
      console.error(`synth ${stack}: ${run.error.message}`);
      failed = true;
      continue;
    }
    const target = path.join(outDir, stack);
    fs.rmSync(target, { recursive: true, force: true });
    const capacity = capacityMarkdown(capacityFromRun(stack, loaded.values, run));
    for (const file of synthFiles(stack, run, capacity)) {
      fs.mkdirSync(path.dirname(path.join(target, file.path)), { recursive: true });
      fs.writeFileSync(path.join(target, file.path), file.content);
    }
    for (const w of run.warnings) console.warn(`synth ${stack}: warning: ${w}`);
    console.log(fs.readFileSync(path.join(target, "summary.md"), "utf8"));
    console.log(`synth ${stack}: wrote ${path.relative(process.cwd(), target) || "."}`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
