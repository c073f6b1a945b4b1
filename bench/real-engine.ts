/**
 * Real-engine benchmark (not a test: nothing is asserted on time). For fleets of paper freqtrade
 * traders it starts the test control plane (test/e2e/support/control-plane.ts: kube-apiserver, etcd,
 * controllers, scheduler, kwok nodes) and times, on the same API server:
 *   1. `kubectl apply --server-side` of the same objects the offline synth renders, then until every
 *      pod is Ready (`kubectl wait`), the floor a deploy tool cannot beat;
 *   2. after those namespaces are deleted again, the real `pulumi preview` and `pulumi up` (which waits
 *      for every object through the Kubernetes provider's await).
 *
 *   bash e2e/build-tools.sh && npx ts-node --transpile-only bench/real-engine.ts [sizes...]   (default 10 100 1000)
 *
 * Needs the tools e2e/build-tools.sh builds. Prints one table row per size.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { generateBots } from "./fleet";
import { ControlPlane } from "../test/e2e/support/control-plane";
import { REPO, Workspace } from "../test/e2e/support/pulumi";
import { fakeSecret } from "../test/e2e/support/secrets";

const STACK = "bench";
const NAMESPACES = ["botfleet-bots", "botfleet-data"];

function stackYaml(count: number, kubeconfig: string, context: string): string {
  const quota = {
    requestsCpu: "2000",
    requestsMemory: "4Ti",
    limitsMemory: "8Ti",
    storage: "20Ti",
    pods: 5000,
    persistentVolumeClaims: 3000,
  };
  return stringify({
    config: {
      "botfleet:environment": "local",
      "botfleet:cluster": { provider: "existing", kubeconfig: { path: kubeconfig, context } },
      "botfleet:platform": { quotas: { bots: quota, data: quota, monitoring: quota } },
      "botfleet:redis": { storage: "1Gi" },
      "botfleet:postgres": { storage: "2Gi" },
      "botfleet:monitoring": { enabled: false },
      "botfleet:bots": generateBots(count, { serviceEvery: 0, scheduledEvery: 0, hummingbotEvery: 0 }),
    },
  });
}

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Resolves once every StatefulSet in our namespaces has all its replicas Ready (what `pulumi up` awaits). */
async function allStatefulSetsReady(cp: ControlPlane): Promise<void> {
  for (;;) {
    const sets = NAMESPACES.flatMap(
      (ns) =>
        JSON.parse(cp.kubectl(["get", "statefulsets", "-n", ns, "-o", "json"])).items as {
          spec: { replicas: number };
          status: { readyReplicas?: number };
        }[],
    );
    if (sets.length > 0 && sets.every((s) => (s.status.readyReplicas ?? 0) === s.spec.replicas)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function measure(count: number): Promise<Record<string, number>> {
  // 16 vCPU / 32 GiB nodes, enough for every size here (a paper freqtrade trader requests ~0.3 vCPU).
  const nodes = Array.from({ length: Math.max(3, Math.ceil(count / 40)) }, (_, i) => ({
    name: `bench-${i}`,
    cpu: "16",
    memory: "32Gi",
  }));
  // A trader claims 5Gi by default; Redis and Postgres fit in 10Gi.
  const cp = await ControlPlane.start({ nodes, volumes: { "5Gi": count + 10, "10Gi": 4 } });
  const ws = Workspace.create();
  try {
    const yaml = stackYaml(count, cp.kubeconfig, cp.context);
    ws.writeStackFile(STACK, yaml);
    ws.cli(["stack", "init", STACK, "--secrets-provider", "passphrase"]).check();
    // A seed for the generated passwords when the program asks for one (the only secret this fleet needs).
    const probe = await ws.run(["preview", "--stack", STACK]);
    for (const m of probe.output.matchAll(/pulumi config set ((?:--secret |--path )+)(\S+)/g)) {
      ws.cli(["config", "set", "--stack", STACK, ...m[1].trim().split(" "), m[2], fakeSecret(m[2])]).check();
    }

    // The floor: the synth's manifests, applied server-side, then every pod Ready.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-synth-"));
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-stack-"));
    fs.writeFileSync(path.join(configDir, `Pulumi.${STACK}.yaml`), yaml);
    execFileSync(
      "npx",
      ["ts-node", "--transpile-only", "scripts/synth.ts", STACK, "--config-dir", configDir, "--out", out],
      {
        cwd: REPO,
        stdio: "ignore",
      },
    );
    const manifests = path.join(out, STACK);
    // One file per object under <namespace>/ or _cluster/; the top-level files are the synth's reports.
    const files = (fs.readdirSync(manifests, { recursive: true }) as string[])
      .filter((f) => f.includes("/") && f.endsWith(".yaml"))
      .map((f) => path.join(manifests, f));
    const objects = files.map((f) => parse(fs.readFileSync(f, "utf8")) as Record<string, unknown>);
    for (const o of objects.filter((x) => x.kind === "Secret")) {
      // The synth redacts Secret payloads (a whole payload may be one redacted string): send placeholders.
      const payload = { ...(o.data as object), ...(o.stringData as object) };
      o.stringData =
        typeof o.stringData === "string" || typeof o.data === "string" ? { redacted: "x" } : payload;
      delete o.data;
    }
    const namespaces = objects.filter((o) => o.kind === "Namespace");
    const rest = objects.filter((o) => o.kind !== "Namespace");
    const stream = (list: Record<string, unknown>[]) => list.map((o) => JSON.stringify(o)).join("\n");
    const kubectlApply = seconds(() => {
      cp.kubectl(["apply", "--server-side", "-f", "-"], stream(namespaces));
      cp.kubectl(["apply", "--server-side", "-f", "-"], stream(rest));
    });
    const kubectlReady = await timed(() => allStatefulSetsReady(cp));
    cp.kubectl([
      "delete",
      "namespace",
      ...NAMESPACES,
      "botfleet-monitoring",
      "--ignore-not-found",
      "--wait=true",
      "--timeout=1800s",
    ]);
    for (const pv of cp.kubectl(["get", "pv", "-o", "name"]).trim().split("\n").filter(Boolean)) {
      // Release the claims' volumes for the second round.
      cp.kubectl(["patch", pv, "--type=merge", "-p", '{"spec":{"claimRef":null}}']);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(configDir, { recursive: true, force: true });

    const preview = await timed(async () => void (await ws.run(["preview", "--stack", STACK])).check());
    const up = await timed(
      async () => void (await ws.run(["up", "--stack", STACK, "--yes", "--skip-preview"])).check(),
    );
    const resources = JSON.parse(ws.cli(["stack", "export", "--stack", STACK]).check().stdout).deployment
      .resources.length;
    return { count, resources, preview, up, kubectlApply, kubectlReady };
  } finally {
    ws.remove();
    await cp.stop();
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const rows = [];
  for (const count of sizes.length > 0 ? sizes : [10, 100, 1000]) {
    const r = await measure(count);
    rows.push(r);
    const fmt = (s: number) => `${s.toFixed(1)} s`;
    console.log(
      `traders ${r.count}: ${r.resources} resources in state; pulumi preview ${fmt(r.preview)}, pulumi up ${fmt(r.up)}; ` +
        `kubectl apply --server-side ${fmt(r.kubectlApply)} + until Ready ${fmt(r.kubectlReady)}; ` +
        `up / (apply + Ready) = ${(r.up / (r.kubectlApply + r.kubectlReady)).toFixed(2)}`,
    );
  }
  console.log(JSON.stringify(rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
