/**
 * Scale benchmark (not a test: no assertions on time), in one run under Pulumi's mock engine:
 *
 * 1. Pulumi resources per trader, for each preset, paper and live: the registrations of the whole
 *    program with N+1 traders of that kind minus those with N (measured, not assumed), and their kinds.
 * 2. For fleets of paper traders (10, 100, 1000 by default; the presets in turn), the program's marginal
 *    evaluation time (the program with the fleet minus the program with no bots) beside the floor: the
 *    same Kubernetes objects (every object the fleet added, same inputs, secrets still secret)
 *    registered straight through the typed SDK classes after the bot-less program, under the same
 *    mocks, in the same process. The ratio is what our code costs above registering its objects.
 *
 *   npx ts-node --transpile-only bench/scale.ts [sizes...]      e.g. bench/scale.ts 10 100
 *
 * The mock engine answers every registration at once, so these figures are the program's own cost
 * (the Node SDK, our components, serialisation); a real `pulumi preview` adds the engine's diff and
 * the providers' Check/Diff RPCs per resource on top (see bench/real-engine.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import * as os from "os";
import * as v8 from "v8";
import * as vm from "vm";
import * as path from "path";
import { fleetProgram, withParts } from "./harness";
import { TRADER_PRESETS, paperTraders, traderEntry } from "./traders";
import {
  REDACTED,
  isKubernetesObject,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../lib/mockrun";
import { loadStack, readStackFile } from "../lib/stackfile";

const REPO = path.resolve(__dirname, "..");
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/**
 * The dev stack with a bots pool and namespace quotas large enough for any fleet here, so neither the
 * capacity check nor the quota check fails (a 400-node pool means 400 node-exporter pods).
 */
function stackConfig(bots: readonly unknown[]): Record<string, unknown> {
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
  const platform = { quotas: { bots: quota, data: quota, monitoring: quota, nodeExporter: quota } };
  return withParts({ ...base, "botfleet:cluster": cluster, "botfleet:platform": platform }, { bots });
}

/** The stack with `bots`; live traders' keys are faked as the required secrets they are. */
const stackWith = (bots: readonly unknown[]) =>
  loadStack("bench", stackConfig(bots), { withRequiredSecrets: true });

async function timed(fn: () => Promise<ProgramRun>) {
  gc();
  const start = process.hrtime.bigint();
  const run = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.error) throw run.error;
  return { run, ms };
}

/** The program for `bots`; the stack is loaded first, outside the timing (that is the harness's work). */
const runBots = (bots: readonly unknown[]) => {
  const stack = stackWith(bots);
  return timed(() => runProgram(stack, fleetProgram()));
};

/** Rounds of (no bots, fleet, floor) per fleet size, after one warm-up round. */
const REPS = (n: number) => (n >= 1000 ? 2 : n >= 100 ? 4 : 8);

const key = (r: RegisteredResource) => `${r.type}::${r.name}`;
const pad = (v: string | number, n: number) => String(v).padStart(n);

/** Kinds registered in `after` and not in `before`, as "Kind xN" sorted. */
function addedKinds(before: ProgramRun, after: ProgramRun): string {
  const counts = new Map<string, number>();
  for (const r of after.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  for (const r of before.resources) counts.set(r.type, (counts.get(r.type) ?? 0) - 1);
  return [...counts]
    .filter(([, n]) => n !== 0)
    .map(([type, n]) => `${type.split(":").pop()}${n === 1 ? "" : ` x${n}`}`)
    .sort()
    .join(", ");
}

async function resourcesPerTrader(): Promise<void> {
  // N = 2: the fleet-level objects (shared Service, policies, the live traders' PDB) exist already.
  const N = 2;
  console.log("Pulumi resources per trader (registrations at N+1 minus at N = 2 traders of one kind):");
  for (const preset of TRADER_PRESETS) {
    for (const live of [false, true]) {
      const entries = Array.from({ length: N + 1 }, (_, i) => traderEntry(preset, i, live));
      const at = (await runBots(entries.slice(0, N))).run;
      const next = (await runBots(entries)).run;
      const perTrader = next.resources.length - at.resources.length;
      const kind = `${preset} ${live ? "live" : "paper"}`;
      console.log(`  ${kind.padEnd(16)} ${pad(perTrader, 2)}  (${addedKinds(at, next)})`);
    }
  }
}

/** The typed SDK class for a Kubernetes type token such as `kubernetes:apps/v1:StatefulSet`. */
function sdkClass(
  type: string,
): new (name: string, args: object, opts: pulumi.CustomResourceOptions) => unknown {
  const [, groupVersion, kind] = type.split(":");
  const [group, version] = groupVersion.split("/");
  const modules = k8s as unknown as Record<string, Record<string, Record<string, unknown>>>;
  const cls = modules[group.split(".")[0]]?.[version]?.[kind];
  if (typeof cls !== "function") throw new Error(`bench/scale.ts: no @pulumi/kubernetes class for ${type}`);
  return cls as new (name: string, args: object, opts: pulumi.CustomResourceOptions) => unknown;
}

/** `inputs` with every leaf the engine received as a secret wrapped in `pulumi.secret` again. */
function resecret(inputs: unknown, redacted: unknown): unknown {
  if (redacted === REDACTED) return pulumi.secret(inputs);
  if (Array.isArray(inputs)) return inputs.map((v, i) => resecret(v, (redacted as unknown[])[i]));
  if (inputs !== null && typeof inputs === "object") {
    const r = redacted as Record<string, unknown>;
    return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, resecret(v, r[k])]));
  }
  return inputs;
}

async function marginalVsFloor(sizes: number[]): Promise<void> {
  console.log(
    `\nload average before: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} (2 cores shared)`,
  );
  console.log(
    "\npaper traders | registrations | program ms | marginal ms | ms/trader | floor objects | floor marginal ms | ratio",
  );
  for (const n of sizes) {
    const bots = paperTraders(n);
    const base0 = await runBots([]);
    const prog0 = await runBots(bots);
    const baseKeys = new Set(base0.run.resources.map(key));
    const added = prog0.run.resources.filter((r) => isKubernetesObject(r) && !baseKeys.has(key(r)));
    const empty = stackWith([]);
    const floorRun = () => {
      // The objects' classes and inputs are made before the clock starts: only registering them is timed.
      const objects = added.map((r) => ({
        Cls: sdkClass(r.type),
        name: `floor-${r.name}`,
        args: resecret(r.inputs, r.redacted) as object,
      }));
      return timed(() =>
        runProgram(empty, () => {
          const outputs = fleetProgram()();
          const provider = new k8s.Provider("floor-k8s", { kubeconfig: "mock" });
          for (const { Cls, name, args } of objects) new Cls(name, args, { provider });
          return outputs;
        }),
      );
    };
    // The three in turn, each the fastest of its runs (the first round only warms up the JIT): a
    // small fleet differs from the bot-less program by less than the noise of one run.
    let [base, prog, floor] = [Infinity, Infinity, Infinity];
    for (let i = 0; i < REPS(n); i++) {
      base = Math.min(base, (await runBots([])).ms);
      prog = Math.min(prog, (await runBots(bots)).ms);
      floor = Math.min(floor, (await floorRun()).ms);
    }
    const progMarginal = prog - base;
    const floorMarginal = floor - base;
    console.log(
      [
        pad(n, 13),
        pad(prog0.run.resources.length, 13),
        pad(prog.toFixed(0), 10),
        pad(progMarginal.toFixed(0), 11),
        pad((progMarginal / n).toFixed(2), 9),
        pad(added.length, 13),
        pad(floorMarginal.toFixed(0), 17),
        pad((progMarginal / floorMarginal).toFixed(2), 5),
      ].join(" | "),
    );
  }
  console.log(
    `\nmarginal: evaluation with the fleet minus evaluation with no bots (each the fastest of ${REPS(10)} runs at 10, ${REPS(100)} at 100, ${REPS(1000)} at 1000, in turn); floor: the same ` +
      "Kubernetes objects registered straight through @pulumi/kubernetes after the bot-less program.",
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
  // Large fleets need more than Node's default heap under the harness: rerun with a larger one.
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
resourcesPerTrader()
  .then(() => marginalVsFloor(sizes.length > 0 ? sizes : [10, 100, 1000]))
  .then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
