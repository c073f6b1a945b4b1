/**
 * Scale benchmark (not a test: no assertions on time). Evaluates the whole program under Pulumi's mock
 * engine for fleets of 10, 100, 1000 and 3000 bots and prints evaluation time, resources per bot, ms
 * per bot and heap; then the floor: the same number of bare ConfigMaps under the same mocks.
 *
 *   npx ts-node --transpile-only bench/scale.ts [sizes...]      e.g. bench/scale.ts 10 100
 *
 * The mock engine answers every registration at once, so these figures are the program's own cost
 * (the Node SDK, our components, serialisation); a real `pulumi preview` adds the engine's diff and
 * the providers' Check/Diff RPCs per resource on top.
 */
import * as k8s from "@pulumi/kubernetes";
import { spawnSync } from "child_process";
import * as v8 from "v8";
import * as vm from "vm";
import * as path from "path";
import { generateBots } from "./fleet";
import { fleetProgram, withParts, type FleetParts } from "./harness";
import { clusterSchema } from "../config/cluster";
import { RELEVANT_TYPES, assessCapacity, estimateCost, fmtCpu, fmtGiB, inventoryOf } from "../lib/capacity";
import { runProgram, type ProgramRun } from "../lib/mockrun";
import { loadStack, readStackFile } from "../lib/stackfile";

const REPO = path.resolve(__dirname, "..");
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/**
 * The dev stack with a bots pool and namespace quotas large enough for any fleet here, so neither the
 * capacity check nor the quota check fails (a 400-node pool means 400 node-exporter pods).
 */
function stackConfig(parts: FleetParts): Record<string, unknown> {
  const base = readStackFile(REPO, "dev");
  const cluster = {
    ...(base["botfleet:cluster"] as Record<string, unknown>),
    pools: [{ name: "bots", size: "s-8vcpu-16gb", minNodes: 2, maxNodes: 400 }],
  };
  const quota = {
    requestsCpu: "4000",
    requestsMemory: "8Ti",
    limitsMemory: "16Ti",
    storage: "100Ti",
    pods: 20000,
    persistentVolumeClaims: 10000,
  };
  const platform = { quotas: { bots: quota, data: quota, monitoring: quota } };
  return withParts({ ...base, "botfleet:cluster": cluster, "botfleet:platform": platform }, parts);
}

async function timed(fn: () => Promise<ProgramRun>) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const run = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapAfter = process.memoryUsage().heapUsed;
  if (run.error) throw run.error;
  return { run, ms, heapMiB: (heapAfter - heapBefore) / 2 ** 20 };
}

const custom = (r: ProgramRun) => r.resources.filter((x) => x.custom).length;
const pad = (v: string | number, n: number) => String(v).padStart(n);

async function main(sizes: number[]) {
  const parts = (n: number): FleetParts => ({ bots: generateBots(n) });
  // Baseline: the program with no bots, to count resources per bot.
  const empty = await timed(() => runProgram(loadStack("bench", stackConfig(parts(0))), fleetProgram()));
  console.log(
    `baseline (no bots): ${empty.run.resources.length} registrations (${custom(empty.run)} custom resources) in ${empty.ms.toFixed(0)} ms\n`,
  );
  console.log(
    [
      "bots",
      "registrations",
      "per bot",
      "eval ms",
      "ms/bot",
      "heap MiB",
      "floor ms",
      "ratio",
      "requests vCPU/GiB",
      "nodes (s-8vcpu-16gb)",
      "USD/month",
    ].join(" | "),
  );
  for (const n of sizes) {
    const p = parts(n);
    const prog = await timed(() => runProgram(loadStack("bench", stackConfig(p)), fleetProgram()));
    const total = prog.run.resources.length;
    // The floor: as many bare ConfigMaps as the program registered, under the same mocks.
    const floor = await timed(() =>
      runProgram(loadStack("bench", stackConfig(parts(0))), () => {
        for (let i = 0; i < total; i++)
          new k8s.core.v1.ConfigMap(`cm-${i}`, { metadata: { name: `cm-${i}` }, data: { key: "value" } });
        return {};
      }),
    );
    const cluster = clusterSchema.parse(stackConfig(p)["botfleet:cluster"]);
    const report = assessCapacity(
      { stack: "bench", cluster },
      inventoryOf(
        prog.run.resources
          .filter((x) => RELEVANT_TYPES.has(x.type))
          .map((x) => ({ type: x.type, name: x.name, props: x.inputs })),
      ),
    );
    const pool = report.pools.find((x) => x.key === "pools[0]")!;
    const system = report.pools.find((x) => x.key === "systemPool")!;
    const nodesNeeded = Math.max(
      1,
      Math.ceil(
        (report.requests.max.cpuMillis - system.perNode.cpuMillis * system.minNodes) / pool.perNode.cpuMillis,
      ),
      Math.ceil(
        (report.requests.max.memoryBytes - system.perNode.memoryBytes * system.minNodes) /
          pool.perNode.memoryBytes,
      ),
    );
    // What that fleet would cost with the bots pool at exactly the nodes it needs.
    const sized = {
      ...cluster,
      pools: [{ ...cluster.pools[0], minNodes: nodesNeeded, maxNodes: nodesNeeded }],
    };
    const usd = estimateCost(sized, report.inventory)!.maxUsd;
    console.log(
      [
        pad(n, 4),
        pad(total, 13),
        pad(((total - empty.run.resources.length) / n).toFixed(2), 7),
        pad(prog.ms.toFixed(0), 7),
        pad((prog.ms / n).toFixed(2), 6),
        pad(prog.heapMiB.toFixed(0), 8),
        pad(floor.ms.toFixed(0), 8),
        pad((prog.ms / floor.ms).toFixed(2), 5),
        pad(`${fmtCpu(report.requests.max.cpuMillis)} / ${fmtGiB(report.requests.max.memoryBytes)}`, 17),
        pad(nodesNeeded, 20),
        pad(usd.toFixed(0), 9),
      ].join(" | "),
    );
  }
  console.log(
    "\nregistrations: every resource registered (components, providers and custom resources); heap: growth over the run, after a GC before it, including the harness's copy of every input.",
  );
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const HEAP_MIB = 8192;
if (
  v8.getHeapStatistics().heap_size_limit < (HEAP_MIB - 1024) * 2 ** 20 &&
  process.env.BENCH_CHILD === undefined
) {
  // 3000 bots need more than Node's default 4 GiB heap under the harness: rerun with a larger one.
  const child = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MIB}`,
      require.resolve("ts-node/dist/bin"),
      "--transpile-only",
      __filename,
      ...process.argv.slice(2),
    ],
    { stdio: "inherit", env: { ...process.env, BENCH_CHILD: "1" } },
  );
  process.exit(child.status ?? 1);
}
main(sizes.length > 0 ? sizes : [10, 100, 1000, 3000]).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
