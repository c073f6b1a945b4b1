/**
 * The local stack, the way a user runs it, against a real control plane: `pulumi preview`, `up`, the
 * day-2 edits the README describes, the policy pack, a quota overflow, and `destroy`. Every pod the
 * controllers create must pass admission (Pod Security `restricted`, quotas, limit ranges) and reach
 * Ready through the Kubernetes provider's own await. The steps share one stack and run in order.
 *
 * Monitoring is off: the kube-prometheus-stack chart cannot be fetched on these machines (Helm
 * repositories are unreachable), so the chart and its CRDs are not exercised here.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ControlPlane } from "./support/control-plane";
import { previewSteps, REPO, Workspace, type PreviewStep } from "./support/pulumi";
import { missingSecrets, setSecrets } from "./support/secrets";
import { lastDeployedCommit } from "../../scripts/last-deploy";

const STACK = "local";
const NAMESPACES = ["botfleet-bots", "botfleet-data"];

/** The shipped local stack, plus a live trader beside its paper one. */
function e2eStackFile(): string {
  const doc = parse(fs.readFileSync(path.join(REPO, "Pulumi.local.yaml"), "utf8"));
  const bots = doc.config["botfleet:bots"] as Record<string, unknown>[];
  const paper = bots.find((b) => b.name === "ft-paper");
  if (paper === undefined)
    throw new Error("Pulumi.local.yaml no longer has the ft-paper bot this suite edits");
  bots.push({ ...structuredClone(paper), name: "ft-live", paperTrading: false });
  return stringify(doc);
}

let cp: ControlPlane;
let ws: Workspace;
const fakes: Record<string, string> = {};

beforeAll(async () => {
  cp = await ControlPlane.start();
  ws = Workspace.create();
  ws.writeStackFile(STACK, e2eStackFile());
  ws.cli(["stack", "init", STACK, "--secrets-provider", "passphrase"]).check();
  const set = (key: string, value: string) =>
    ws.cli(["config", "set", "--stack", STACK, "--path", key, value]).check();
  set("cluster.kubeconfig.path", cp.kubeconfig);
  set("cluster.kubeconfig.context", cp.context);
  set("monitoring.enabled", "false");
}, 300000);

afterAll(async () => {
  ws?.remove();
  await cp?.stop();
});

function config(key: string, value: string): void {
  ws.cli(["config", "set", "--stack", STACK, "--path", key, value]).check();
}

function pods(ns: string): { name: string; uid: string; ready: boolean; phase: string }[] {
  const list = JSON.parse(cp.kubectl(["get", "pods", "-n", ns, "-o", "json"])) as {
    items: {
      metadata: { name: string; uid: string };
      status: { phase: string; conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((p) => ({
    name: p.metadata.name,
    uid: p.metadata.uid,
    phase: p.status.phase,
    ready: (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  }));
}

function podUid(ns: string, name: string): string {
  const pod = pods(ns).find((p) => p.name === name);
  if (pod === undefined) throw new Error(`no pod ${ns}/${name}: ${cp.kubectl(["get", "pods", "-A"])}`);
  return pod.uid;
}

async function waitFor(check: () => boolean, what: string, ms = 120000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const replaced = (s: PreviewStep) => /replace/.test(s.op) || s.op === "delete";
/** What a preview would change: not `same`, nor the program's read of its own last outputs. */
const changes = (steps: PreviewStep[]) =>
  steps.filter((s) => s.op !== "same" && !(s.op === "read" && s.type === "pulumi:pulumi:StackReference"));

test("preview asks for the live trader's keys with commands that work; then it passes", async () => {
  const first = await ws.run(["preview", "--stack", STACK]);
  expect(first.code).not.toBe(0);
  const missing = missingSecrets(first.output);
  expect(missing.map((m) => m.key)).toEqual(
    expect.arrayContaining(["botSecrets.ft-live.apiKey", "botSecrets.ft-live.apiSecret"]),
  );
  Object.assign(fakes, setSecrets(ws, STACK, missing));
  const ok = (await ws.run(["preview", "--stack", STACK])).check();
  expect(ok.output).toMatch(/botfleet: stack local: config, capacity and quotas check out/);
});

test("up creates everything; every pod is admitted and Ready through the provider's await", async () => {
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  for (const ns of NAMESPACES) {
    const all = pods(ns);
    expect(all.length).toBeGreaterThan(0);
    // CronJob pods may be Succeeded; everything else runs and is Ready.
    for (const p of all.filter((x) => x.phase !== "Succeeded"))
      expect(p).toMatchObject({ phase: "Running", ready: true });
  }
  // The controllers admitted every pod they tried: no FailedCreate (Pod Security, quota, limit range,
  // a ServiceAccount or Secret created after the workload that needs it).
  const events = JSON.parse(
    cp.kubectl(["get", "events", "-A", "--field-selector", "reason=FailedCreate", "-o", "json"]),
  ) as { items: { involvedObject: { name: string }; message: string }[] };
  expect(events.items.map((e) => `${e.involvedObject.name}: ${e.message}`)).toEqual([]);
});

test("a second up right after changes nothing (no perpetual diff)", async () => {
  (await ws.run(["preview", "--stack", STACK, "--expect-no-changes"])).check();
});

test("stack history reads as scripts/last-deploy.ts expects; the copy is no git checkout, so no commit", () => {
  const history = JSON.parse(ws.cli(["stack", "history", "--stack", STACK, "--json"]).check().stdout) as {
    kind: string;
    result: string;
    version: number;
    environment: Record<string, string>;
  }[];
  expect(history.length).toBeGreaterThan(0);
  expect(history[0]).toMatchObject({ kind: "update", result: "succeeded", version: expect.any(Number) });
  expect(history[0].environment).toEqual(expect.any(Object));
  // Pulumi records git.head only inside a git repository; the project copy is not one.
  expect(lastDeployedCommit(history)).toBeUndefined();
  const checkedOut = history.map((u) => ({
    ...u,
    environment: { ...u.environment, "git.head": "a".repeat(40) },
  }));
  expect(lastDeployedCommit(checkedOut)).toBe("a".repeat(40));
});

const botIndex = (name: string) =>
  (parse(ws.readStackFile(STACK)).config["botfleet:bots"] as { name: string }[]).findIndex(
    (b) => b.name === name,
  );

test("a live trader's volume grows in place; a shrink or a class change is refused at preview", async () => {
  const ns = "botfleet-bots";
  const live = () => ({
    pod: podUid(ns, "ft-live-0"),
    statefulSet: JSON.parse(cp.kubectl(["get", "statefulset", "ft-live", "-n", ns, "-o", "json"])).metadata
      .uid as string,
  });
  const claim = () =>
    JSON.parse(cp.kubectl(["get", "pvc", "state-ft-live-0", "-n", ns, "-o", "json"])) as {
      metadata: { uid: string };
      spec: { resources: { requests: { storage: string } } };
    };
  const before = { ...live(), claim: claim().metadata.uid };
  const key = `bots[${botIndex("ft-live")}]`;
  const size = claim().spec.resources.requests.storage;
  expect(size).toBe("1Gi");

  config(`${key}.storage`, "2Gi");
  const steps = previewSteps(await ws.run(["preview", "--stack", STACK, "--json"]));
  expect(changes(steps).map((s) => `${s.op} ${s.type} ${s.name}`)).toEqual([
    expect.stringMatching(/^update kubernetes:core\/v1:PersistentVolumeClaim .*state-ft-live-0$/),
  ]);
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  expect(claim().spec.resources.requests.storage).toBe("2Gi");
  expect({ ...live(), claim: claim().metadata.uid }).toEqual(before);

  // Back to 1Gi on ft-live (a shrink), and another class for ft-paper's claim: one preview refuses both,
  // naming the keys, before the API server sees either.
  const paperKey = `bots[${botIndex("ft-paper")}]`;
  config(`${key}.storage`, "1Gi");
  config(`${paperKey}.storageClass`, "other");
  const refused = await ws.run(["preview", "--stack", STACK]);
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain("botfleet: the stack config has 2 problems; nothing was created");
  expect(refused.output).toContain(
    `botfleet:${key}.storage: 1Gi is smaller than the 2Gi volume claim ${ns}/state-ft-live-0 holds`,
  );
  expect(refused.output).toContain(
    `botfleet:${paperKey}.storageClass: (the cluster default) -> other would replace volume claim ${ns}/state-ft-paper-0`,
  );
  config(`${key}.storage`, "2Gi");
  ws.cli(["config", "rm", "--stack", STACK, "--path", `${paperKey}.storageClass`]).check();
  (await ws.run(["preview", "--stack", STACK, "--expect-no-changes"])).check();
  expect({ ...live(), claim: claim().metadata.uid }).toEqual(before);
});

test("a live trader's config edit updates in place and never restarts its pod; a paper trader rolls", async () => {
  const liveUid = podUid("botfleet-bots", "ft-live-0");
  const paperUid = podUid("botfleet-bots", "ft-paper-0");
  const index = botIndex;

  config(`bots[${index("ft-live")}].freqtrade.config.max_open_trades`, "3");
  const steps = previewSteps(await ws.run(["preview", "--stack", STACK, "--json"]));
  const changed = changes(steps);
  expect(changed.filter(replaced)).toEqual([]);
  expect(changed.map((s) => `${s.op} ${s.type} ${s.name}`)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^update kubernetes:core\/v1:ConfigMap .*ft-live/)]),
  );
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  expect(podUid("botfleet-bots", "ft-live-0")).toBe(liveUid);

  config(`bots[${index("ft-paper")}].freqtrade.config.max_open_trades`, "3");
  const paperSteps = previewSteps(await ws.run(["preview", "--stack", STACK, "--json"]));
  expect(paperSteps.filter(replaced)).toEqual([]);
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  await waitFor(() => {
    const p = pods("botfleet-bots").find((x) => x.name === "ft-paper-0");
    return p !== undefined && p.uid !== paperUid && p.ready;
  }, "ft-paper-0 to roll");
  expect(podUid("botfleet-bots", "ft-live-0")).toBe(liveUid);
});

test("the health output names the live trader whose staged change waits, until its pod is deleted", async () => {
  const health = async () => {
    // --refresh reads the StatefulSet's status as the controller left it.
    (await ws.run(["up", "--stack", STACK, "--yes", "--refresh"])).check();
    return JSON.parse(ws.cli(["stack", "output", "health", "--json", "--stack", STACK]).check().stdout) as {
      pendingRestart: string[];
    };
  };
  // The config edit of the test before is staged on ft-live (OnDelete), applied on ft-paper (rolled).
  expect((await health()).pendingRestart).toEqual(["ft-live"]);
  const before = podUid("botfleet-bots", "ft-live-0");
  cp.kubectl(["delete", "pod", "ft-live-0", "-n", "botfleet-bots", "--wait=false"]);
  await waitFor(() => {
    const p = pods("botfleet-bots").find((x) => x.name === "ft-live-0");
    return p !== undefined && p.uid !== before && p.ready;
  }, "ft-live-0 to come back");
  expect((await health()).pendingRestart).toEqual([]);
});

test("adding one bot and removing another changes only their objects; the removed trader's volume stays", async () => {
  const doc = parse(ws.readStackFile(STACK));
  const bots = doc.config["botfleet:bots"] as Record<string, unknown>[];
  const paper = bots.find((b) => b.name === "ft-paper")!;
  doc.config["botfleet:bots"] = [
    ...bots.filter((b) => b !== paper),
    { ...structuredClone(paper), name: "ft-extra" },
  ];
  ws.writeStackFile(STACK, stringify(doc));

  const steps = previewSteps(await ws.run(["preview", "--stack", STACK, "--json"]));
  const changed = changes(steps).filter(
    (s) => !s.type.startsWith("botfleet:") && s.type !== "pulumi:pulumi:Stack",
  );
  expect(changed.length).toBeGreaterThan(0);
  expect(
    changed.filter((s) => !/ft-extra|ft-paper/.test(s.name)).map((s) => `${s.op} ${s.type} ${s.name}`),
  ).toEqual([]);
  expect(new Set(changed.filter((s) => /ft-paper/.test(s.name)).map((s) => s.op))).toEqual(
    new Set(["delete"]),
  );
  expect(new Set(changed.filter((s) => /ft-extra/.test(s.name)).map((s) => s.op))).toEqual(
    new Set(["create"]),
  );

  const claims = () => cp.kubectl(["get", "pvc", "-n", "botfleet-bots", "-o", "name"]);
  const paperClaims = claims()
    .split("\n")
    .filter((c) => c.includes("ft-paper"));
  expect(paperClaims.length).toBeGreaterThan(0);
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  expect(cp.kubectlOk(["get", "statefulset", "ft-paper", "-n", "botfleet-bots"])).toBe(false);
  await waitFor(
    () => pods("botfleet-bots").some((p) => p.name === "ft-extra-0" && p.ready),
    "ft-extra-0 to be Ready",
  );
  for (const claim of paperClaims) expect(claims()).toContain(claim);
});

test("no fake secret value is in the state export or in any object but a Secret", async () => {
  const exported = ws.cli(["stack", "export", "--stack", STACK]).check().stdout;
  const objects = JSON.stringify(
    cp.list("all,configmaps,networkpolicies,serviceaccounts,resourcequotas,limitranges,pvc"),
  );
  // The generated passwords too: whatever a Secret in our namespaces holds stays in Secrets.
  const secretValues = NAMESPACES.flatMap((ns) =>
    (
      JSON.parse(cp.kubectl(["get", "secrets", "-n", ns, "-o", "json"])).items as {
        data?: Record<string, string>;
      }[]
    )
      // Credentials only: a client Secret also holds a host name and a port, which are no secret.
      .flatMap((s) => Object.entries(s.data ?? {}))
      .filter(([key]) => /password|passwd|secret|token|key|uri|seed/i.test(key))
      .map(([, b64]) => Buffer.from(b64, "base64").toString("utf8"))
      .filter((v) => v.length >= 12),
  );
  expect(Object.keys(fakes).length).toBeGreaterThan(0);
  expect(secretValues.length).toBeGreaterThan(0);
  for (const value of [...Object.values(fakes), ...secretValues]) {
    expect(exported).not.toContain(value);
    expect(objects).not.toContain(value);
  }
});

test("the policy pack passes the stack and refuses a trader with 2 replicas, naming the policy", async () => {
  (await ws.run(["preview", "--stack", STACK, "--policy-pack", "policy"])).check();
  // A code change (not config) that the pack exists to catch: a trader StatefulSet scaled to 2.
  const builder = path.join(ws.project, "components", "bots", "workloads.ts");
  const source = fs.readFileSync(builder, "utf8");
  const patched = source.replace("replicas: bot.stopped ? 0 : 1", "replicas: bot.stopped ? 0 : 2");
  expect(patched).not.toBe(source);
  fs.writeFileSync(builder, patched);
  try {
    const refused = await ws.run(["preview", "--stack", STACK, "--policy-pack", "policy"]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/trader-is-statefulset-singleton/);
  } finally {
    fs.writeFileSync(builder, source);
  }
});

test("a fleet over its namespace quota fails at preview with the program's message; nothing reaches the API server", async () => {
  const before = cp.kubectl(["get", "all,configmaps,secrets,pvc", "-A", "-o", "name"]);
  config("platform.quotas.bots.requestsCpu", "100m");
  const up = await ws.run(["up", "--stack", STACK, "--yes"]);
  expect(up.code).not.toBe(0);
  expect(up.output).toMatch(/botfleet: the stack config has \d+ problems?; nothing was created/);
  expect(up.output).toMatch(/quotas\.bots/);
  expect(cp.kubectl(["get", "all,configmaps,secrets,pvc", "-A", "-o", "name"])).toBe(before);
  config("platform.quotas.bots.requestsCpu", "4");
});

test("destroy is refused while protect is on; with it off everything goes but the retained volumes", async () => {
  config("cluster.protect", "true");
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  const refused = await ws.run(["destroy", "--stack", STACK, "--yes"]);
  expect(refused.code).not.toBe(0);
  expect(refused.output).toMatch(/protect/i);
  expect(pods("botfleet-bots").length).toBeGreaterThan(0);

  config("cluster.protect", "false");
  (await ws.run(["up", "--stack", STACK, "--yes"])).check();
  const bound = (
    JSON.parse(cp.kubectl(["get", "pv", "-o", "json"])).items as {
      metadata: { name: string };
      status: { phase: string };
    }[]
  )
    .filter((pv) => pv.status.phase === "Bound")
    .map((pv) => pv.metadata.name);
  expect(bound.length).toBeGreaterThan(0);
  (await ws.run(["destroy", "--stack", STACK, "--yes"])).check();
  await waitFor(() => !NAMESPACES.some((ns) => cp.kubectlOk(["get", "namespace", ns])), "namespaces to go");
  const after = JSON.parse(cp.kubectl(["get", "pv", "-o", "json"])).items as {
    metadata: { name: string };
    status: { phase: string };
  }[];
  for (const name of bound)
    expect(after.find((pv) => pv.metadata.name === name)?.status.phase).toBe("Released");
});
