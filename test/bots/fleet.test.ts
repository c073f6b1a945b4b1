/**
 * The BotFleet component under Pulumi's mock engine, for a fleet with every preset and workload.
 * Mocks are installed before the component module is imported.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets, type RegisteredResource } from "../../lib/mockrun";
// Pure modules (no resources): safe to load before the mocks are set.
import { configChecksum } from "../../components/bots/checksum";
import { SECRET_KEYS } from "../../components/bots/names";
import { mosquittoPasswordLine } from "../../components/bots/mqtt-auth";
import { SCRIPTS_DIR } from "../../components/bots/scripts";
import { podMonitors } from "../../components/monitoring/monitors";
import { COMPONENT_ONLY, policyViolations } from "../support/policy";
import { isKubernetesObject, kindOf, schemaError, selects, workloads, type Obj } from "../support/k8s";
import { derived, testCredentials } from "../support/credentials";
import { drainBlockedBy, evictionRefusal, type ModelPod } from "../support/eviction";
import { BOT_CREDENTIALS, credentialNames } from "../../lib/credentials";
import { apiServerNameProblems } from "../support/k8s-names";
import { botNameUses, botsSchema, type BotConfig } from "../../config/bots";
import { z } from "zod";
import { FAKE, NAMESPACES, parseFleet, rawFleet, rawSecrets } from "./fixtures";

const recorded: {
  type: string;
  name: string;
  inputs: Obj;
  custom: boolean;
  parent?: string;
  provider?: string;
}[] = [];
/** Resource options the component gave each child (the mock monitor does not see them). */
const childOpts = new Map<string, pulumi.CustomResourceOptions>();

pulumi.runtime.setMocks(
  {
    newResource(args) {
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: unwrapSecrets(args.inputs, false) as Obj,
        custom: args.custom ?? true,
        provider: args.provider,
      });
      return { id: args.name + "_id", state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "botfleet",
  "test",
  false,
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BotFleet } = require("../../components/bots") as typeof import("../../components/bots");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");

let resources: typeof recorded;
let otherResources: typeof recorded;
let nameResources: typeof recorded;

/**
 * Names at the edges of the API server's rules, for a bot of each workload (built from fixture bots that
 * also have an egress port and clients, so every object a name can become is made).
 */
const NAME_CANDIDATES = ["a".repeat(52), "a".repeat(53), "a".repeat(61), "a".repeat(63), "1inch-arb", "x"];
const NAME_TEMPLATES: Record<string, Record<string, unknown>> = {
  trader: { ...rawFleet.find((b) => b.name === "ft-sample")!, egressPorts: [8765] },
  service: { ...rawFleet.find((b) => b.name === "signal-api")!, egressPorts: [8765], clients: [] },
  scheduled: { ...rawFleet.find((b) => b.name === "ft-download")!, egressPorts: [8765] },
};
const nameCandidates = Object.entries(NAME_TEMPLATES).flatMap(([workload, raw]) =>
  NAME_CANDIDATES.map((name) => ({ workload, name, raw: { ...raw, name } })),
);
/** The candidates as BotConfigs whatever the loader says: the objects show what the API server would say. */
function unchecked(raw: Record<string, unknown>): BotConfig {
  const bot = z.parse(botsSchema, [{ ...raw, name: "placeholder" }])[0];
  const name = raw.name as string;
  return { ...bot, name, clients: bot.workload === "service" ? ["some-client"] : [] };
}
const k8sObjects = () => resources.filter((r) => r.type.startsWith("kubernetes:"));
const ofKind = (kind: string) => k8sObjects().filter((r) => r.type.endsWith(`:${kind}`));
const named = (kind: string, name: string) => {
  const found = ofKind(kind).find((r) => r.inputs.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}; have ${ofKind(kind).map((r) => r.inputs.metadata?.name)}`);
  return found.inputs;
};
const asRegistered = (): RegisteredResource[] =>
  resources.map((r) => ({
    type: r.type,
    name: r.name,
    custom: true,
    inputs: r.inputs,
    redacted: r.inputs,
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    parent: "",
    provider: r.provider ?? "",
  }));

beforeAll(async () => {
  const provider = new k8s.Provider("k8s", { kubeconfig: "mock" });
  const secrets = Object.fromEntries(
    Object.entries(rawSecrets).map(([bot, kv]) => [
      bot,
      Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, pulumi.secret(v)])),
    ]),
  );
  new BotFleet(
    "bots",
    {
      provider,
      namespaces: NAMESPACES,
      bots: parseFleet(),
      botSecrets: secrets,
      credentials: testCredentials(),
      environment: "dev",
    },
    {
      // Observes, never changes: a transformation sees each child's options as the component set them.
      transformations: [
        (args) => {
          childOpts.set(args.name, args.opts as pulumi.CustomResourceOptions);
          return undefined;
        },
      ],
    },
  );
  // A second fleet without hummingbot bots, in other namespaces: no broker, no MQTT egress.
  new BotFleet("other", {
    provider,
    namespaces: { bots: "other-bots", data: "other-data", monitoring: "other-monitoring" },
    bots: parseFleet().filter((b) => b.name === "ft-sample"),
    credentials: testCredentials(),
    environment: "prod",
  });
  // Bots named at the edges of the API server's rules, one fleet per workload (names repeat across them).
  for (const workload of Object.keys(NAME_TEMPLATES)) {
    new BotFleet(`names-${workload}`, {
      provider,
      namespaces: { bots: `names-${workload}`, data: "names-data", monitoring: "names-monitoring" },
      bots: nameCandidates.filter((c) => c.workload === workload).map((c) => unchecked(c.raw)),
      credentials: testCredentials(),
      environment: "dev",
    });
  }
  // The broker must restart when its password file changes: one fleet with a rotated MQTT password, one
  // with a hummingbot bot fewer (it reads the file only at start).
  for (const [variant, rotations, bots] of [
    ["rotated", { "mqtt-bot/btc-usdt-mm": 1 }, parseFleet()],
    ["fewer", {}, parseFleet().filter((b) => b.name !== "eth-usdt-live")],
    ["same", {}, parseFleet()],
  ] as const) {
    new BotFleet(`broker-${variant}`, {
      provider,
      namespaces: { bots: `broker-${variant}`, data: "broker-data", monitoring: "broker-monitoring" },
      bots,
      credentials: testCredentials(rotations),
      environment: "dev",
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  resources = recorded.filter(
    (r) => !r.name.startsWith("other") && !r.name.startsWith("names-") && !r.name.startsWith("broker-"),
  );
  otherResources = recorded.filter((r) => r.name.startsWith("other"));
  nameResources = recorded.filter((r) => r.name.startsWith("names-"));
});

test("per bot only what it needs: a trader is a StatefulSet, a ConfigMap and a Secret", () => {
  const perBot = (bot: string) =>
    k8sObjects()
      .filter((r) => r.inputs.metadata?.labels?.["botfleet.io/bot"] === bot)
      .map((r) => kindOf(r as unknown as RegisteredResource))
      .sort();
  expect(perBot("btc-usdt-mm")).toEqual(["ConfigMap", "Secret", "StatefulSet"]);
  // A live trader too: the fleet's one live-traders PDB covers it (see below).
  expect(perBot("ft-live")).toEqual(["ConfigMap", "Secret", "StatefulSet"]);
  expect(perBot("eth-usdt-live")).toEqual(["ConfigMap", "Secret", "StatefulSet"]);
  // A custom trader too, with no env: its ConfigMap is empty. Its extra egress port is the fleet's
  // policy for that port, selecting it by label.
  expect(perBot("arb-watcher")).toEqual(["ConfigMap", "Secret", "StatefulSet"]);
  expect(named("ConfigMap", "arb-watcher-config").data).toEqual({});
  // A custom service's env is its ConfigMap.
  expect(perBot("signal-api")).toEqual([
    "ConfigMap",
    "Deployment",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Secret",
    "Service",
  ]);
  expect(perBot("daily-report")).toEqual(["CronJob"]);
  expect(perBot("ft-download")).toEqual(["ConfigMap", "CronJob", "PersistentVolumeClaim"]);
});

describe("bot names suit every object they name", () => {
  const ofBot = (rs: typeof recorded, bot: string, namespace?: string) =>
    rs
      .filter((r) => r.type.startsWith("kubernetes:"))
      .filter((r) => r.inputs.metadata?.labels?.["botfleet.io/bot"] === bot)
      .filter((r) => namespace === undefined || r.inputs.metadata?.namespace === namespace);

  test("botNameUses lists every object a bot's name becomes", () => {
    const unlisted: string[] = [];
    for (const bot of parseFleet()) {
      const values = botNameUses(bot.name, bot.workload).map((u) => u.value);
      for (const r of ofBot(resources, bot.name)) {
        if (!values.includes(r.inputs.metadata.name)) unlisted.push(`${r.type} ${r.inputs.metadata.name}`);
      }
    }
    expect(unlisted).toEqual([]);
  });

  test.each(
    nameCandidates.map(
      (c) => [c.workload, c.name.length > 12 ? `${c.name.length} characters` : c.name, c] as const,
    ),
  )(
    "a %s named %s: the loader accepts it exactly when the API server would take all its objects",
    (workload, _label, candidate) => {
      const objects = ofBot(nameResources, candidate.name, `names-${workload}`);
      expect(objects.length).toBeGreaterThan(2);
      const apiServer = objects.flatMap((r) => apiServerNameProblems(r as unknown as RegisteredResource));
      const loader = z.safeParse(botsSchema, [candidate.raw]);
      const loaderNames = loader.success
        ? []
        : loader.error.issues.filter((i) => i.path.join(".") === "0.name");
      expect({ accepted: loaderNames.length === 0, apiServer }).toEqual({
        accepted: apiServer.length === 0,
        apiServer: loaderNames.length === 0 ? [] : expect.arrayContaining([expect.any(String)]),
      });
      // Nothing else about the candidate is wrong.
      if (!loader.success) expect(loader.error.issues.length).toBe(loaderNames.length);
    },
  );
});

test("shared objects exist once, and every Kubernetes resource gets the explicit provider", () => {
  expect(ofKind("ServiceAccount").map((r) => r.inputs.metadata.name)).toEqual(["botfleet-bots"]);
  expect(named("ServiceAccount", "botfleet-bots").automountServiceAccountToken).toBe(false);
  expect(named("Service", "botfleet-traders").spec.clusterIP).toBe("None");
  expect(
    ofKind("NetworkPolicy")
      .map((r) => r.inputs.metadata.name)
      .sort(),
  ).toEqual(["botfleet-bots", "botfleet-bots-egress-8765", "botfleet-mqtt", "signal-api-clients"]);
  for (const r of k8sObjects()) expect(r.provider).toMatch(/k8s/);
});

test("traders are StatefulSets with one replica, OrderedReady, no HPA; only live traders have a PDB", () => {
  const traders = ofKind("StatefulSet").filter(
    (r) => r.inputs.metadata.labels["botfleet.io/workload"] === "trader",
  );
  expect(traders.map((r) => r.inputs.metadata.name).sort()).toEqual([
    "arb-watcher",
    "btc-usdt-mm",
    "eth-usdt-live",
    "ft-live",
    "ft-sample",
  ]);
  const hpaTargets = ofKind("HorizontalPodAutoscaler").map((r) => r.inputs.spec.scaleTargetRef.name);
  const budgetsOf = (t: (typeof traders)[number]) =>
    ofKind("PodDisruptionBudget")
      .filter((p) => selects(p.inputs.spec.selector, t.inputs.spec.template.metadata.labels))
      .map((p) => p.inputs.metadata.name);
  for (const t of traders) {
    const spec = t.inputs.spec;
    expect(spec.replicas).toBe(1);
    expect(spec.podManagementPolicy).toBe("OrderedReady");
    expect(spec.serviceName).toBe("botfleet-traders");
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(hpaTargets).not.toContain(t.inputs.metadata.name);
  }
  // A live trader's pod is never evicted, since under OnDelete any pod deletion applies the staged
  // template (issue 12, item 5): one shared budget selects every live trader, and no paper trader.
  expect(Object.fromEntries(traders.map((t) => [t.inputs.metadata.name, budgetsOf(t)]))).toEqual({
    "arb-watcher": [],
    "btc-usdt-mm": [],
    "eth-usdt-live": ["botfleet-live-traders"],
    "ft-live": ["botfleet-live-traders"],
    "ft-sample": [],
  });
});

test("a live trader is never moved unannounced: the fleet's PDB with maxUnavailable 0, and the autoscaler's safe-to-evict false", () => {
  expect(named("PodDisruptionBudget", "botfleet-live-traders")).toEqual({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: "botfleet-live-traders",
      namespace: NAMESPACES.bots,
      labels: expect.objectContaining({ "botfleet.io/workload": "trader", "botfleet.io/mode": "live" }),
    },
    spec: {
      maxUnavailable: 0,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: {
        matchLabels: {
          "app.kubernetes.io/part-of": "botfleet",
          "botfleet.io/workload": "trader",
          "botfleet.io/mode": "live",
        },
      },
    },
  });
  // Every pod of the fleet (services at their HPA's minimum), each on a node of its own.
  const hpaMin = Object.fromEntries(
    ofKind("HorizontalPodAutoscaler").map((r) => [
      r.inputs.spec.scaleTargetRef.name,
      r.inputs.spec.minReplicas,
    ]),
  );
  const pods: ModelPod[] = [...ofKind("StatefulSet"), ...ofKind("Deployment")].flatMap((w) => {
    const replicas = w.inputs.spec.replicas ?? hpaMin[w.inputs.metadata.name];
    return Array.from({ length: replicas }, (_, i) => ({
      name: `${w.inputs.metadata.name}-${i}`,
      namespace: w.inputs.metadata.namespace,
      labels: w.inputs.spec.template.metadata.labels,
      ready: true,
      owner: w.inputs.metadata.name,
      ownerReplicas: replicas,
    }));
  });
  const pdbs = ofKind("PodDisruptionBudget").map((r) => r.inputs);
  const pod = (name: string) => pods.find((p) => p.name === name)!;
  for (const live of ["eth-usdt-live", "ft-live"]) {
    const sts = named("StatefulSet", live);
    expect(sts.spec.template.metadata.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]).toBe(
      "false",
    );
    // A drain of its node waits; so it does with every other live trader healthy or broken.
    expect(drainBlockedBy([pod(`${live}-0`)], pdbs, pods)).toEqual([`${live}-0`]);
    const othersBroken = pods.map((p) => (p.name === `${live}-0` ? p : { ...p, ready: false }));
    expect(drainBlockedBy([pod(`${live}-0`)], pdbs, othersBroken)).toEqual([`${live}-0`]);
    // A live trader that is not Ready may go: a broken bot never holds a node upgrade.
    const broken = pods.map((p) => (p.name === `${live}-0` ? { ...p, ready: false } : p));
    expect(
      evictionRefusal(
        broken.find((p) => p.name === `${live}-0`)!,
        pdbs,
        broken,
      ),
    ).toBeUndefined();
  }
  // Paper traders keep rolling and may be moved: no budget, no annotation.
  for (const paper of ["btc-usdt-mm", "ft-sample", "arb-watcher"]) {
    expect(drainBlockedBy([pod(`${paper}-0`)], pdbs, pods)).toEqual([]);
    expect(
      named("StatefulSet", paper).spec.template.metadata.annotations[
        "cluster-autoscaler.kubernetes.io/safe-to-evict"
      ],
    ).toBeUndefined();
  }
  // A service's pods move one at a time.
  expect(drainBlockedBy([pod("signal-api-0")], pdbs, pods)).toEqual([]);
  // The fleet without live traders has no such budget.
  expect(otherResources.filter((r) => r.type.endsWith(":PodDisruptionBudget"))).toEqual([]);
});

test("paper traders roll on a config checksum; live traders wait for an operator (OnDelete: a change is a pending revision)", () => {
  const paper = named("StatefulSet", "btc-usdt-mm").spec;
  expect(paper.updateStrategy).toEqual({ type: "RollingUpdate" });
  expect(paper.template.metadata.annotations["botfleet.io/config-checksum"]).toMatch(/^[0-9a-f]{64}$/);
  for (const live of ["eth-usdt-live", "ft-live"]) {
    const spec = named("StatefulSet", live).spec;
    expect(spec.updateStrategy).toEqual({ type: "OnDelete" });
    expect(spec.template.metadata.annotations["botfleet.io/config-checksum"]).toMatch(/^[0-9a-f]{64}$/);
  }
});

test("services: Deployment without replicas, autoscaling/v2 HPA with behaviour, PDB that allows drains, spread", () => {
  const dep = named("Deployment", "signal-api");
  expect(dep.spec).not.toHaveProperty("replicas");
  expect(dep.spec.strategy.type).toBe("RollingUpdate");
  expect(dep.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
  const hpaRes = ofKind("HorizontalPodAutoscaler")[0];
  expect(hpaRes.type).toBe("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
  const hpa = hpaRes.inputs.spec;
  expect(hpa).toMatchObject({
    minReplicas: 2,
    maxReplicas: 8,
    scaleTargetRef: { kind: "Deployment", name: "signal-api" },
  });
  expect(hpa.metrics.map((m: Obj) => m.resource.name)).toEqual(["cpu", "memory"]);
  expect(hpa.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  expect(hpa.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  expect(named("PodDisruptionBudget", "signal-api").spec).toMatchObject({
    maxUnavailable: 1,
    unhealthyPodEvictionPolicy: "AlwaysAllow",
  });
  const clients = named("NetworkPolicy", "signal-api-clients").spec;
  expect(clients.ingress[0].from[0].podSelector.matchExpressions[0].values).toEqual(["arb-watcher"]);
});

test("scheduled bots are CronJobs that forbid concurrency, with restart policy by preset", () => {
  for (const [name, restart] of [
    ["ft-download", "Never"],
    ["daily-report", "Never"],
  ]) {
    const spec = named("CronJob", name).spec;
    expect(spec).toMatchObject({
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
    });
    expect(spec.jobTemplate.spec.backoffLimit).toBe(2);
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe(restart);
  }
});

test("every Kubernetes object validates against kubernetes-models", () => {
  const errors = asRegistered()
    .filter(isKubernetesObject)
    .map(schemaError)
    .filter((e) => e !== undefined);
  expect(errors).toEqual([]);
  expect(k8sObjects().length).toBeGreaterThan(25);
});

test("the fleet passes the policy pack's rules (docs/hardening.md)", () => {
  expect(policyViolations(asRegistered(), { skip: COMPONENT_ONLY })).toEqual([]);
});

test("no secret value (given or derived) appears outside a Secret", () => {
  const secretsText = JSON.stringify(ofKind("Secret").map((r) => r.inputs));
  // The fleet's own credentials: the broker's and the bots'; the data layer's are not its to use.
  const generated = credentialNames({ bots: parseFleet(), botSecrets: rawSecrets, monitoringEnabled: false })
    .filter((name) => name.startsWith("mqtt-bot/") || name.startsWith("bot/"))
    .map((name) => derived(name));
  // Two hummingbot bots' MQTT passwords, two configPasswords, a freqtrade API password and JWT key.
  expect(generated).toHaveLength(7);
  // The check can fail: the values are really there, in Secrets.
  expect(secretsText).toContain(`${FAKE}-kraken-secret`);
  for (const value of generated) expect(secretsText).toContain(value);
  for (const r of resources) {
    if (r.type === "kubernetes:core/v1:Secret") continue;
    const text = JSON.stringify(r.inputs);
    const leaks = text.includes(FAKE) || generated.some((value) => text.includes(value));
    expect({ resource: r.name, leaks }).toEqual({ resource: r.name, leaks: false });
  }
});

test("each bot's Secret holds its derived keys unless botSecrets gives them", () => {
  expect(named("Secret", "ft-live-secrets").stringData).toMatchObject({
    apiKey: `${FAKE}-kraken-key`,
    apiServerPassword: derived("bot/ft-live/apiServerPassword"),
    jwtSecretKey: derived("bot/ft-live/jwtSecretKey"),
  });
  expect(derived("bot/ft-live/jwtSecretKey")).toHaveLength(48);
  expect(named("Secret", "btc-usdt-mm-secrets").stringData.configPassword).toBe(
    derived("bot/btc-usdt-mm/configPassword"),
  );
  // A live hummingbot bot's connector keys are encrypted with the password the user chose.
  expect(named("Secret", "eth-usdt-live-secrets").stringData.configPassword).toBe(
    `${FAKE}-hb-config-password`,
  );
  // The derived keys are the names the bot specs read.
  for (const key of Object.keys(BOT_CREDENTIALS)) expect(Object.values(SECRET_KEYS)).toContain(key);
});

test("a custom bot's env is its ConfigMap, read by key in the order given, and covered by the checksum", () => {
  const signal = named("Deployment", "signal-api").spec.template;
  expect(named("ConfigMap", "signal-api-config").data).toEqual({ LOG_LEVEL: "info" });
  expect(signal.spec.containers[0].env[0]).toEqual({
    name: "LOG_LEVEL",
    valueFrom: { configMapKeyRef: { name: "signal-api-config", key: "LOG_LEVEL" } },
  });
  // No plain value left: every custom env var is a reference.
  for (const w of [...ofKind("Deployment"), ...ofKind("StatefulSet")])
    for (const c of w.inputs.spec.template.spec.containers as Obj[])
      if (w.inputs.metadata.labels["botfleet.io/preset"] === "custom")
        expect((c.env as Obj[]).filter((e) => e.value !== undefined)).toEqual([]);
  expect(signal.metadata.annotations["botfleet.io/config-checksum"]).toBe(
    configChecksum({ LOG_LEVEL: "info" }, {}, {}),
  );
});

test("bot pods carry the fleet labels and get data-layer credentials only by secretKeyRef", () => {
  const ft = named("StatefulSet", "ft-sample").spec.template;
  expect(ft.metadata.labels).toMatchObject({
    "botfleet.io/bot": "ft-sample",
    "botfleet.io/preset": "freqtrade",
    "botfleet.io/workload": "trader",
    "botfleet.io/mode": "paper",
    "botfleet.io/exchange": "binance",
    "botfleet.io/redis-client": "true",
  });
  const env = ft.spec.containers[0].env as Obj[];
  // Its own Redis user (redis-client-<bot>); the shared redis-client holds no Redis password.
  expect(env.find((e) => e.name === "REDIS_PASSWORD")).toEqual({
    name: "REDIS_PASSWORD",
    valueFrom: { secretKeyRef: { name: "redis-client-ft-sample", key: "password" } },
  });
  expect(env.find((e) => e.name === "REDIS_USERNAME")?.valueFrom.secretKeyRef).toEqual({
    name: "redis-client-ft-sample",
    key: "username",
  });
  expect(env.find((e) => e.name === "REDIS_KEY_PREFIX")?.valueFrom.secretKeyRef).toEqual({
    name: "redis-client-ft-sample",
    key: "keyPrefix",
  });
  // A paper bot without keys gets none.
  expect(env.map((e) => e.name)).not.toContain("FREQTRADE__EXCHANGE__KEY");
  const live = named("StatefulSet", "ft-live").spec.template;
  expect(live.metadata.labels["botfleet.io/mode"]).toBe("live");
  expect(live.metadata.labels).not.toHaveProperty("botfleet.io/redis-client");
  expect(
    (live.spec.containers[0].env as Obj[]).find((e) => e.name === "FREQTRADE__EXCHANGE__SECRET"),
  ).toEqual({
    name: "FREQTRADE__EXCHANGE__SECRET",
    valueFrom: { secretKeyRef: { name: "ft-live-secrets", key: "apiSecret" } },
  });
  const hbLive = named("StatefulSet", "eth-usdt-live").spec.template;
  expect(hbLive.metadata.labels["botfleet.io/postgres-client"]).toBe("true");
  // Its own Postgres role from postgres-client-<bot>; the shared postgres-client says only where.
  const pgEnv = Object.fromEntries(
    (hbLive.spec.containers[0].env as Obj[])
      .filter((e) => String(e.name).startsWith("POSTGRES_") || e.name === "DATABASE_URL")
      .map((e) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]),
  );
  expect(pgEnv).toEqual({
    POSTGRES_HOST: "postgres-client/host",
    POSTGRES_PORT: "postgres-client/port",
    POSTGRES_DB: "postgres-client/database",
    POSTGRES_USER: "postgres-client-eth-usdt-live/username",
    POSTGRES_PASSWORD: "postgres-client-eth-usdt-live/password",
    POSTGRES_SCHEMA: "postgres-client-eth-usdt-live/schema",
    DATABASE_URL: "postgres-client-eth-usdt-live/uri",
  });
});

test("freqtrade config.json: dry_run from paperTrading, orders cancelled on exit, secrets absent", () => {
  const paper = JSON.parse(named("ConfigMap", "ft-sample-config").data["config.json"]);
  const live = JSON.parse(named("ConfigMap", "ft-live-config").data["config.json"]);
  expect(paper).toMatchObject({
    dry_run: true,
    cancel_open_orders_on_exit: true,
    exchange: { name: "binance", pair_whitelist: ["BTC/USDT"] },
  });
  expect(live).toMatchObject({ dry_run: false, db_url: "sqlite:////freqtrade/user_data/tradesv3.sqlite" });
  expect(live.api_server).toEqual({
    enabled: true,
    listen_ip_address: "0.0.0.0",
    listen_port: 8080,
    verbosity: "error",
  });
});

test("hummingbot pods: init container copies conf, live keys mounted from the Secret, MQTT broker deployed", () => {
  const pod = named("StatefulSet", "eth-usdt-live").spec.template.spec;
  expect(pod.initContainers[0].command).toEqual(["/bin/sh", "/bot-scripts/hummingbot-init.sh"]);
  expect(pod.securityContext.runAsUser).toBe(1000);
  const keys = pod.volumes.find((v: Obj) => v.name === "bot-secrets");
  expect(keys.secret.items).toEqual([
    { key: "configPassword", path: "config_password" },
    { key: "connectorConfig", path: "connectors/kucoin.yml" },
    { key: "passwordVerification", path: "password_verification" },
  ]);
  // A paper bot's Secret gives the init container only the config password, from which it makes
  // conf/.password_verification with the image's python (scripts.test.ts runs it for real).
  const paperPod = named("StatefulSet", "btc-usdt-mm").spec.template.spec;
  expect(paperPod.volumes.find((v: Obj) => v.name === "bot-secrets").secret).toEqual({
    secretName: "btc-usdt-mm-secrets",
    items: [{ key: "configPassword", path: "config_password" }],
  });
  expect(named("Secret", "btc-usdt-mm-secrets").stringData.configPassword).toEqual(expect.any(String));
  const init = paperPod.initContainers[0];
  expect(init.env).toContainEqual({ name: "PYTHON", value: "/opt/conda/envs/hummingbot/bin/python3" });
  expect(init.volumeMounts).toContainEqual({
    name: "bot-secrets",
    mountPath: "/bot-secrets",
    readOnly: true,
  });
  // The main container never sees the password file: it gets CONFIG_PASSWORD by secretKeyRef.
  expect(paperPod.containers[0].volumeMounts.map((m: Obj) => m.name)).not.toContain("bot-secrets");
  const main = paperPod.containers[0];
  expect(main.command).toEqual([
    "/opt/conda/envs/hummingbot/bin/python3",
    "bin/hummingbot_quickstart.py",
    "--headless",
  ]);
  expect(main.env).toContainEqual({ name: "SCRIPT_CONFIG", value: "conf_pmm_btc.yml" });
  expect(main.livenessProbe.exec.command).toContain("liveness");
  const conf = named("ConfigMap", "btc-usdt-mm-config").data;
  expect(Object.keys(conf).sort()).toEqual(["conf_client.yml", "scripts__conf_pmm_btc.yml"]);
  expect(conf["conf_client.yml"]).toContain("instance_id: btc-usdt-mm");
  expect(conf["conf_client.yml"]).toContain("mqtt_host: botfleet-mqtt.botfleet-bots.svc");
  expect(named("StatefulSet", "botfleet-mqtt").spec.replicas).toBe(1);
  // The broker's Secret holds one hashed line per hummingbot bot and no plain password; each bot's
  // own Secret holds its password, mounted where the init container, probe and exporter read it.
  const hummingbots = parseFleet().filter((b) => b.preset === "hummingbot");
  expect(hummingbots.length).toBeGreaterThan(1);
  const passwd = named("Secret", "botfleet-mqtt").stringData.passwd as string;
  expect(passwd).toBe(
    [...hummingbots]
      .map((b) => mosquittoPasswordLine(`bot-${b.name}`, derived(`mqtt-bot/${b.name}`)) + "\n")
      .join(""),
  );
  for (const b of hummingbots) expect(passwd).not.toContain(derived(`mqtt-bot/${b.name}`));
  expect(named("Secret", "btc-usdt-mm-secrets").stringData.mqttPassword).toBe(
    derived("mqtt-bot/btc-usdt-mm"),
  );
  expect(paperPod.volumes.find((v: Obj) => v.name === "mqtt").secret).toEqual({
    secretName: "btc-usdt-mm-secrets",
    items: [{ key: "mqttPassword", path: "password" }],
  });
  expect(main.env).toContainEqual({ name: "MQTT_USERNAME", value: "bot-btc-usdt-mm" });
  expect(conf["conf_client.yml"]).toContain("mqtt_username: bot-btc-usdt-mm");
  const acl = named("ConfigMap", "botfleet-mqtt").data.acl as string;
  for (const b of hummingbots) {
    expect(acl).toContain(`user bot-${b.name}\ntopic readwrite hbot/${b.hummingbot!.instanceId}/#\n`);
  }
});

test("a rotated MQTT password or a changed set of hummingbot bots restarts the broker; nothing else does", () => {
  const broker = (fleet: string) => {
    const r = recorded.find((x) => x.name === `${fleet}-mqtt`)!;
    return {
      checksum: r.inputs.spec.template.metadata.annotations["botfleet.io/config-checksum"] as string,
      passwd: recorded.find((x) => x.name === `${fleet}-mqtt-secret`)!.inputs.stringData.passwd as string,
    };
  };
  const [base, same, rotated, fewer] = ["bots", "broker-same", "broker-rotated", "broker-fewer"].map(broker);
  expect(same).toEqual(base);
  expect(rotated.passwd).not.toBe(base.passwd);
  expect(rotated.passwd).toContain(
    mosquittoPasswordLine("bot-btc-usdt-mm", derived("mqtt-bot/btc-usdt-mm", 1)),
  );
  expect(rotated.checksum).not.toBe(base.checksum);
  expect(fewer.passwd).not.toContain("bot-eth-usdt-live");
  expect(fewer.checksum).not.toBe(base.checksum);
});

test("a fleet without hummingbot bots gets no MQTT broker and no MQTT egress", () => {
  const kinds = otherResources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => `${r.type.split(":")[2]}/${r.inputs.metadata.name}`);
  expect(kinds.sort()).toEqual([
    "ConfigMap/botfleet-bot-scripts",
    "ConfigMap/ft-sample-config",
    "NetworkPolicy/botfleet-bots",
    "PersistentVolumeClaim/state-ft-sample-0",
    "Secret/ft-sample-secrets",
    "Service/botfleet-traders",
    "ServiceAccount/botfleet-bots",
    "StatefulSet/ft-sample",
  ]);
  const policy = otherResources.find((r) => r.type.endsWith(":NetworkPolicy"))!.inputs;
  expect(policy.metadata.namespace).toBe("other-bots");
  expect(JSON.stringify(policy.spec.egress)).not.toContain("1883");
});

describe("metrics exporters on every hummingbot and freqtrade trader", () => {
  const botPods = () =>
    workloads(asRegistered()).filter(
      (w) => w.podLabels["botfleet.io/bot"] !== undefined && w.namespace === NAMESPACES.bots,
    );
  const exporterOf = (spec: Obj) => (spec.containers as Obj[]).find((c) => c.name === "exporter") as Obj;

  test("each has an exporter sidecar on a `metrics` port, small, restricted, with probes that differ", () => {
    const traders = botPods().filter(
      (w) =>
        w.podLabels["botfleet.io/workload"] === "trader" &&
        ["hummingbot", "freqtrade"].includes(w.podLabels["botfleet.io/preset"]),
    );
    expect(traders.map((w) => w.podLabels["botfleet.io/bot"]).sort()).toEqual([
      "btc-usdt-mm",
      "eth-usdt-live",
      "ft-live",
      "ft-sample",
    ]);
    for (const w of traders) {
      const bot = w.podLabels["botfleet.io/bot"];
      const exporter = exporterOf(w.podSpec);
      expect({ bot, image: exporter?.image }).toEqual({ bot, image: w.podSpec.containers[0].image });
      expect(exporter.ports).toEqual([{ name: "metrics", containerPort: 9105, protocol: "TCP" }]);
      expect(exporter.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      expect(exporter.resources).toEqual({
        requests: { cpu: "10m", memory: "48Mi", "ephemeral-storage": "16Mi" },
        limits: { memory: "96Mi", "ephemeral-storage": "16Mi" },
      });
      expect(exporter.readinessProbe.httpGet).toEqual({ path: "/metrics", port: "metrics" });
      expect(exporter.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
      // Only the sidecar has a `metrics` port: one scrape target per pod.
      const metricsPorts = (w.podSpec.containers as Obj[]).flatMap((c) =>
        ((c.ports ?? []) as Obj[]).filter((p) => p.name === "metrics"),
      );
      expect({ bot, metricsPorts: metricsPorts.length }).toEqual({ bot, metricsPorts: 1 });
    }
  });

  test("the freqtrade sidecar polls the API on loopback with the generated password from a file", () => {
    for (const name of ["ft-sample", "ft-live"]) {
      const spec = named("StatefulSet", name).spec.template.spec;
      const exporter = exporterOf(spec);
      expect(exporter.command).toEqual(["python3", "/bot-scripts/exporter-freqtrade.py"]);
      expect(exporter.env).toEqual(
        expect.arrayContaining([
          { name: "API_URL", value: "http://127.0.0.1:8080" },
          { name: "API_USERNAME", value: "freqtrade" },
          { name: "API_AUTH_DIR", value: "/api-auth" },
        ]),
      );
      expect(JSON.stringify(exporter.env)).not.toMatch(/secretKeyRef|PASSWORD/);
      expect(spec.volumes.find((v: Obj) => v.name === "api-auth")).toEqual({
        name: "api-auth",
        secret: { secretName: `${name}-secrets`, items: [{ key: "apiServerPassword", path: "password" }] },
      });
      // The same Secret key the bot's own API server takes its password from.
      expect(spec.containers[0].env).toContainEqual({
        name: "FREQTRADE__API_SERVER__PASSWORD",
        valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: "apiServerPassword" } },
      });
      expect(Object.keys(named("Secret", `${name}-secrets`).stringData)).toContain("apiServerPassword");
    }
    // A scheduled freqtrade run has no API and no sidecar (it would keep the Job from completing).
    const job = named("CronJob", "ft-download").spec.jobTemplate.spec.template.spec;
    expect((job.containers as Obj[]).map((c) => c.name)).toEqual(["freqtrade"]);
  });

  test("the hummingbot sidecar listens to its own instance's heartbeat with its bot's own MQTT user", () => {
    for (const name of ["btc-usdt-mm", "eth-usdt-live"]) {
      const spec = named("StatefulSet", name).spec.template.spec;
      const exporter = exporterOf(spec);
      expect(exporter.command).toEqual([
        "/opt/conda/envs/hummingbot/bin/python3",
        "/bot-scripts/exporter-hummingbot.py",
      ]);
      expect(exporter.env).toEqual(
        expect.arrayContaining([
          { name: "MQTT_HOST", value: "botfleet-mqtt.botfleet-bots.svc" },
          { name: "MQTT_AUTH_DIR", value: "/mqtt" },
          { name: "MQTT_USERNAME", value: `bot-${name}` },
          { name: "INSTANCE_ID", value: name },
        ]),
      );
      expect(exporter.volumeMounts).toContainEqual({ name: "mqtt", mountPath: "/mqtt", readOnly: true });
    }
  });

  test("the scripts ConfigMap ships the exporters the real-run tests ran, and a script change rolls paper bots", () => {
    const data = named("ConfigMap", "botfleet-bot-scripts").data;
    for (const script of ["exporter-freqtrade.py", "exporter-hummingbot.py"]) {
      expect(data[script]).toBe(fs.readFileSync(path.join(SCRIPTS_DIR, script), "utf8"));
    }
    const checksum = named("StatefulSet", "ft-sample").spec.template.metadata.annotations[
      "botfleet.io/config-checksum"
    ];
    const configData = named("ConfigMap", "ft-sample-config").data;
    expect(checksum).not.toBe(configChecksum(configData));
    expect(checksum).toBe(
      configChecksum(configData, { "exporter-freqtrade.py": data["exporter-freqtrade.py"] }),
    );
  });

  test("Prometheus may scrape them: the bots policy admits it on `metrics`, the PodMonitor selects them", () => {
    const policy = named("NetworkPolicy", "botfleet-bots").spec;
    expect(policy.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.monitoring } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [{ protocol: "TCP", port: "metrics" }],
      },
    ]);
    const monitor = podMonitors(NAMESPACES).find((m) => m.name === "botfleet-bots")!.spec as Obj;
    expect(monitor.namespaceSelector.matchNames).toEqual([NAMESPACES.bots]);
    const endpointPorts = (monitor.podMetricsEndpoints as Obj[]).map((e) => e.port);
    // Every trader and service pod with a `metrics` port is selected by both, on that port name.
    const scraped = botPods().filter((w) =>
      (w.podSpec.containers as Obj[]).some((c) =>
        ((c.ports ?? []) as Obj[]).some((p) => p.name === "metrics"),
      ),
    );
    expect(scraped.map((w) => w.podLabels["botfleet.io/bot"]).sort()).toEqual([
      "arb-watcher",
      "btc-usdt-mm",
      "eth-usdt-live",
      "ft-live",
      "ft-sample",
      "signal-api",
    ]);
    for (const w of scraped) {
      const bot = w.podLabels["botfleet.io/bot"];
      expect({ bot, policy: selects(policy.podSelector, w.podLabels) }).toEqual({ bot, policy: true });
      expect({ bot, monitor: selects(monitor.selector, w.podLabels) }).toEqual({ bot, monitor: true });
    }
    expect(endpointPorts).toEqual(["metrics"]);
  });
});

test("trader StatefulSets are deleted before they are replaced; nothing else is", () => {
  const stsNames = ofKind("StatefulSet").map((r) => r.name);
  expect(stsNames.sort()).toEqual([
    "bots-arb-watcher-statefulset",
    "bots-btc-usdt-mm-statefulset",
    "bots-eth-usdt-live-statefulset",
    "bots-ft-live-statefulset",
    "bots-ft-sample-statefulset",
    "bots-mqtt",
  ]);
  for (const name of stsNames.filter((n) => n.endsWith("-statefulset"))) {
    expect([name, childOpts.get(name)?.deleteBeforeReplace]).toEqual([name, true]);
  }
  expect(childOpts.get("bots-mqtt")?.deleteBeforeReplace).toBeUndefined();
  expect(childOpts.get("bots-signal-api-deployment")?.deleteBeforeReplace).toBeUndefined();
  // Still the fleet's child, with the explicit provider.
  expect(childOpts.get("bots-ft-live-statefulset")?.provider).toBeDefined();
});

test("a scheduled bot's claim is kept on delete and mounted by its CronJob's runs", () => {
  const claim = named("PersistentVolumeClaim", "ft-download-data");
  expect(claim.spec).toMatchObject({
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "2Gi" } },
  });
  expect(childOpts.get("bots-ft-download-data")?.retainOnDelete).toBe(true);
  const pod = named("CronJob", "ft-download").spec.jobTemplate.spec.template.spec;
  expect(pod.volumes).toContainEqual({
    name: "state",
    persistentVolumeClaim: { claimName: "ft-download-data" },
  });
  // A scheduled bot without storage gets no claim; traders' claims are named as their StatefulSet's.
  expect(
    ofKind("PersistentVolumeClaim")
      .map((r) => r.inputs.metadata.name as string)
      .filter((n) => !n.startsWith("state-")),
  ).toEqual(["ft-download-data"]);
});

test("a trader's state claim is its own resource: kept on delete, sized by its bot's key, made before the pod", () => {
  const traders = ofKind("StatefulSet").filter((r) => r.inputs.metadata.name !== "botfleet-mqtt");
  expect(traders.length).toBeGreaterThan(0);
  for (const sts of traders) {
    const bot = sts.inputs.metadata.name as string;
    const claim = named("PersistentVolumeClaim", `state-${bot}-0`);
    expect(claim.spec).toEqual(sts.inputs.spec.volumeClaimTemplates[0].spec);
    // By name: removing another bot moves this one's index, and must not touch its claim.
    expect(claim.metadata.annotations["botfleet.io/size-key"]).toBe(`bots[${bot}].storage`);
    expect(childOpts.get(`bots-${bot}-statefulset-state-${bot}-0`)?.retainOnDelete).toBe(true);
    expect(childOpts.get(`bots-${bot}-statefulset`)?.ignoreChanges).toEqual(["spec.volumeClaimTemplates"]);
  }
});

test("freqtrade pods seed user_data before trading; shipped strategies are in the ConfigMap", () => {
  for (const name of ["ft-sample", "ft-live"]) {
    const init = named("StatefulSet", name).spec.template.spec.initContainers;
    expect(init.map((c: Obj) => c.args)).toEqual([["create-userdir", "--userdir", "/freqtrade/user_data"]]);
  }
  expect(named("ConfigMap", "ft-live-config").data["TrendStrategy.py"]).toContain(
    "class TrendStrategy(IStrategy)",
  );
  expect(Object.keys(named("ConfigMap", "ft-sample-config").data)).toEqual(["config.json"]);
});
