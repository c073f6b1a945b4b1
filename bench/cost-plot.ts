/**
 * Capacity and monthly cost of every stack file in the repo, as a table and an SVG bar chart.
 *
 *   npx ts-node --transpile-only bench/cost-plot.ts [--out out/cost-per-stack.svg]
 */
import * as fs from "fs";
import * as path from "path";
import { capacityFromRun, costSvg, fmtCpu, fmtGiB } from "../lib/capacity";
import { runProgram } from "../lib/mockrun";
import { loadStack, readStackFile, stackNames } from "../lib/stackfile";

const REPO = path.resolve(__dirname, "..");

async function main(argv: string[]) {
  const outIndex = argv.indexOf("--out");
  const out = path.resolve(outIndex >= 0 ? argv[outIndex + 1] : path.join(REPO, "out", "cost-per-stack.svg"));
  const rows: { stack: string; minUsd: number; maxUsd: number }[] = [];
  for (const stack of stackNames(REPO)) {
    const loaded = loadStack(stack, readStackFile(REPO, stack));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const run = await runProgram(loaded, () => require("../program").program());
    if (run.error) {
      console.log(`${stack}: ${run.error.message}`);
      continue;
    }
    const r = capacityFromRun(stack, loaded.values, run);
    const cost = r.cost
      ? `$${r.cost.minUsd.toFixed(2)}-$${r.cost.maxUsd.toFixed(2)}/month (${r.cost.pricesAsOf})`
      : "n/a";
    console.log(
      `${stack}: ${r.verdict}; requests ${fmtCpu(r.requests.max.cpuMillis)} vCPU, ${fmtGiB(r.requests.max.memoryBytes)} GiB, ${r.requests.max.pods} pods` +
        (r.allocatable
          ? `; allocatable ${fmtCpu(r.allocatable.atMin.cpuMillis)}-${fmtCpu(r.allocatable.atMax.cpuMillis)} vCPU, ${fmtGiB(r.allocatable.atMin.memoryBytes)}-${fmtGiB(r.allocatable.atMax.memoryBytes)} GiB`
          : "") +
        `; cost ${cost}`,
    );
    for (const p of [...r.problems, ...r.warnings]) console.log(`  ${p}`);
    if (r.cost) rows.push({ stack, minUsd: r.cost.minUsd, maxUsd: r.cost.maxUsd });
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, costSvg(rows) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
