/** Pure builders: no Pulumi, no mocks. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { configChecksum } from "../../components/bots/checksum";
import { type PodContext } from "../../components/bots/containers";
import { dataClientSettings } from "../../components/bots/data-clients";
import { fleetHealth, pendingRestart, traderHealth } from "../../components/bots/health";
import { botLabels } from "../../components/bots/labels";
import { PRIVATE_RANGES, botsNetworkPolicy, egressPortPolicy } from "../../components/bots/network-policies";
import { botConfigData } from "../../components/bots/presets";
import {
  hasStorage,
  scheduledClaim,
  scheduledCronJob,
  traderStatefulSet,
} from "../../components/bots/workloads";
import { deepMerge } from "../../config/common";
import type { Obj } from "../support/k8s";
import { NAMESPACES, TREND_STRATEGY, parseFleet, rawFleet } from "./fixtures";

/** Builder output as plain data, for reading nested fields. */
const plain = (x: unknown) => x as Obj;

const mqtt = { host: "botfleet-mqtt.botfleet-bots.svc", port: 1883 };
const ctx = (hasState: boolean, secretKeys: string[] = []): PodContext => ({
  namespaces: NAMESPACES,
  secretKeys,
  mqtt,
  hasState,
});
const bot = (name: string, patch: Record<string, unknown> = {}) => {
  const raw = rawFleet.find((b) => b.name === name)!;
  const fleet = parseFleet([{ ...raw, ...patch, clients: [] }]);
  return fleet[0];
};
/** A scheduled bot of the fixtures (throws for another workload). */
const scheduled = (name: string, patch: Record<string, unknown> = {}) => {
  const b = bot(name, patch);
  if (b.workload !== "scheduled") throw new Error(`${name} is a ${b.workload}`);
  return b;
};
/** A scheduled bot of the fixtures that sets storage. */
const stored = (name: string, patch: Record<string, unknown> = {}) => {
  const b = scheduled(name, patch);
  if (!hasStorage(b)) throw new Error(`${name} has no storage`);
  return b;
};

test("labels: fleet contract plus data-layer client labels only when used", () => {
  expect(botLabels(bot("ft-sample"))).toEqual({
    "app.kubernetes.io/name": "freqtrade",
    "app.kubernetes.io/instance": "ft-sample",
    "app.kubernetes.io/component": "trader",
    "app.kubernetes.io/part-of": "botfleet",
    "app.kubernetes.io/managed-by": "pulumi",
    "botfleet.io/bot": "ft-sample",
    "botfleet.io/preset": "freqtrade",
    "botfleet.io/workload": "trader",
    "botfleet.io/mode": "paper",
    "botfleet.io/exchange": "binance",
    "botfleet.io/redis-client": "true",
  });
  expect(botLabels(bot("ft-sample", { usesRedis: false }))).not.toHaveProperty("botfleet.io/redis-client");
});

test("deepMerge: the override wins, nested objects merge, arrays are replaced", () => {
  expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
    a: { b: 1, c: [3] },
    d: 1,
    e: 2,
  });
});

test("config checksum: stable under key order, changes with content and with scripts", () => {
  const a = configChecksum({ x: "1", y: "2" });
  expect(configChecksum({ y: "2", x: "1" })).toBe(a);
  expect(configChecksum({ x: "1", y: "3" })).not.toBe(a);
  expect(configChecksum({ x: "1", y: "2" }, { "s.sh": "echo" })).not.toBe(a);
});

test("data-layer connection settings: only what a bot reads, in its checksum; passwords never", () => {
  const standalone = {
    redis: { host: "redis.botfleet-data.svc", port: "6379", sentinels: "", masterName: "" },
    postgres: {
      host: "postgres-rw.botfleet-data.svc",
      port: "5432",
      database: "botfleet",
    },
  };
  const ha = {
    ...standalone,
    redis: { ...standalone.redis, host: "", sentinels: "s-0:26379", masterName: "m" },
  };
  const redisBot = bot("ft-sample"); // usesRedis
  const postgresBot = bot("eth-usdt-live"); // usesPostgres, live
  const neither = bot("btc-usdt-mm");
  expect(dataClientSettings(redisBot, standalone)).toEqual({
    "redis-client/host": "redis.botfleet-data.svc",
    "redis-client/port": "6379",
    "redis-client/sentinels": "",
    "redis-client/masterName": "",
  });
  expect(Object.keys(dataClientSettings(postgresBot, standalone)).sort()).toEqual([
    "postgres-client/database",
    "postgres-client/host",
    "postgres-client/port",
  ]);
  expect(dataClientSettings(neither, standalone)).toEqual({});
  const sum = (b: typeof redisBot, clients: typeof standalone) =>
    configChecksum(botConfigData(b, mqtt), {}, dataClientSettings(b, clients));
  expect(sum(redisBot, ha)).not.toBe(sum(redisBot, standalone));
  expect(sum(postgresBot, ha)).toBe(sum(postgresBot, standalone));
  expect(sum(neither, ha)).toBe(sum(neither, standalone));
  // A bot that reads no data layer keeps the checksum it had before this input existed.
  expect(sum(neither, ha)).toBe(configChecksum(botConfigData(neither, mqtt)));
  // The live trader shows it as a new pod template revision, which OnDelete never applies by itself.
  const sts = plain(traderStatefulSet(postgresBot, ctx(false), "abc"));
  expect(sts.spec.updateStrategy).toEqual({ type: "OnDelete" });
  expect(sts.spec.template.metadata.annotations).toEqual({
    "botfleet.io/config-checksum": "abc",
    // Nor does the autoscaler, by scaling its node down.
    "cluster-autoscaler.kubernetes.io/safe-to-evict": "false",
  });
});

test("hummingbot conf_client.yml: the fleet's instance id and MQTT bridge win over the user's", () => {
  const b = bot("btc-usdt-mm", {
    hummingbot: {
      script: "s.yml",
      configFiles: {
        "scripts/s.yml": { script_file_name: "simple_pmm.py", exchange: "binance_paper_trade" },
        "conf_client.yml": {
          instance_id: "mine",
          mqtt_bridge: { mqtt_host: "elsewhere", mqtt_timeout: 30 },
          log_level: "DEBUG",
        },
      },
    },
  });
  const client = YAML.parse(botConfigData(b, mqtt)["conf_client.yml"]);
  expect(client.instance_id).toBe("btc-usdt-mm");
  expect(client.log_level).toBe("DEBUG");
  expect(client.mqtt_bridge).toEqual({
    mqtt_host: "botfleet-mqtt.botfleet-bots.svc",
    mqtt_port: 1883,
    mqtt_username: "bot-btc-usdt-mm",
    mqtt_password: "",
    mqtt_ssl: false,
    mqtt_namespace: "hbot",
    mqtt_autostart: true,
    mqtt_timeout: 30,
  });
});

test("a stopped trader scales to zero and keeps its volume; a stopped scheduled bot is suspended", () => {
  const sts = traderStatefulSet(bot("ft-live", { stopped: true }), ctx(true), "c");
  expect(sts.spec).toMatchObject({
    replicas: 0,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
  });
  expect(scheduledCronJob(scheduled("daily-report", { stopped: true }), ctx(false), "c").spec).toMatchObject({
    suspend: true,
  });
});

test("a custom trader without storage has no claim; with storage it mounts the claim at stateMountPath", () => {
  const without = traderStatefulSet(bot("arb-watcher", { storage: undefined }), ctx(false), "c");
  expect(without.spec).not.toHaveProperty("volumeClaimTemplates");
  const withState = traderStatefulSet(bot("arb-watcher"), ctx(true), "c");
  const spec = plain(withState.spec);
  expect(spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("1Gi");
  expect(spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "state", mountPath: "/data" });
});

test("a scheduled freqtrade bot runs its subcommand with the fleet's config, no API server", () => {
  const cj = scheduledCronJob(scheduled("ft-download"), ctx(false), "c");
  const container = plain(cj.spec).jobTemplate.spec.template.spec.containers[0];
  expect(container.args).toEqual([
    "download-data",
    "--days",
    "30",
    "--timeframes",
    "5m",
    "--config",
    "/freqtrade/config/config.json",
    "--userdir",
    "/freqtrade/user_data",
  ]);
  expect(container).not.toHaveProperty("ports");
  expect(JSON.stringify(container.env)).not.toContain("API_SERVER");
});

test("bots network policy: HTTPS and exchange websockets to the internet only, data layer ports, Prometheus scrapes metrics", () => {
  const without = botsNetworkPolicy(NAMESPACES, { mqtt: false, services: false });
  const spec = plain(without.spec);
  // 9443: Binance's wss://stream.binance.com:9443; 8443: OKX's websocket port.
  expect(spec.egress[0]).toEqual({
    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
    ports: [
      { protocol: "TCP", port: 443 },
      { protocol: "TCP", port: 8443 },
      { protocol: "TCP", port: 9443 },
    ],
  });
  expect(spec.egress.flatMap((r: Obj) => (r.ports ?? []).map((p: Obj) => p.port))).toEqual([
    443, 8443, 9443, 6379, 26379, 5432,
  ]);
  expect(spec.ingress).toEqual([
    {
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "botfleet-monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
      ],
      ports: [{ protocol: "TCP", port: "metrics" }],
    },
  ]);
  const withMqtt = botsNetworkPolicy(NAMESPACES, { mqtt: true, services: true }).spec as {
    egress: unknown[];
  };
  expect(withMqtt.egress).toHaveLength(spec.egress.length + 2);
  expect(JSON.stringify(withMqtt.egress)).toContain('"port":1883');
});

test("an extra egress port opens for the bots that list it, by their port label, to the internet only", () => {
  const policy = plain(egressPortPolicy(8765, "botfleet-bots"));
  expect(policy.metadata).toMatchObject({ name: "botfleet-bots-egress-8765", namespace: "botfleet-bots" });
  expect(policy.spec).toEqual({
    podSelector: {
      matchLabels: { "botfleet.io/egress-port-8765": "true" },
      matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }],
    },
    policyTypes: ["Egress"],
    egress: [
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
        ports: [{ protocol: "TCP", port: 8765 }],
      },
    ],
  });
  // Only a bot that lists the port carries the label the policy selects.
  const podLabels = (name: string) => plain(botLabels(bot(name)));
  expect(podLabels("arb-watcher")["botfleet.io/egress-port-8765"]).toBe("true");
  for (const other of ["btc-usdt-mm", "ft-live", "signal-api"])
    expect(Object.keys(podLabels(other)).filter((k) => k.startsWith("botfleet.io/egress-port-"))).toEqual([]);
  // The shared policy, which every bot gets, never carries a bot's extra port.
  const shared = JSON.stringify(botsNetworkPolicy(NAMESPACES, { mqtt: true, services: true }));
  expect(shared).not.toContain("8765");
});

describe("freqtrade strategies", () => {
  const podOf = (sts: ReturnType<typeof traderStatefulSet>) => plain(sts.spec).template.spec;

  test("an init container seeds user_data with create-userdir (no --reset), and trade looks there", () => {
    const pod = podOf(traderStatefulSet(bot("ft-sample"), ctx(true), "c"));
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers[0];
    expect(init).toMatchObject({
      name: "create-userdir",
      image: "freqtradeorg/freqtrade:2025.10",
      args: ["create-userdir", "--userdir", "/freqtrade/user_data"],
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      },
    });
    expect(init).not.toHaveProperty("command");
    expect(init.args).not.toContain("--reset");
    expect(init.volumeMounts).toContainEqual({ name: "state", mountPath: "/freqtrade/user_data" });
    const main = pod.containers[0];
    expect(main.args.slice(main.args.indexOf("--strategy"), main.args.indexOf("--strategy") + 4)).toEqual([
      "--strategy",
      "SampleStrategy",
      "--strategy-path",
      "/freqtrade/user_data/strategies",
    ]);
    // Without strategyFiles nothing covers the seeded strategies dir.
    expect(pod.volumes.map((v: Obj) => v.name)).not.toContain("strategies");
    expect(main.volumeMounts.map((m: Obj) => m.mountPath)).not.toContain("/freqtrade/user_data/strategies");
  });

  test("strategyFiles land in the bot's ConfigMap and are mounted read-only at the strategy path", () => {
    const live = bot("ft-live");
    const data = botConfigData(live, mqtt);
    expect(Object.keys(data)).toEqual(["config.json", "TrendStrategy.py"]);
    expect(data["TrendStrategy.py"]).toBe(TREND_STRATEGY);
    const pod = podOf(traderStatefulSet(live, ctx(true), "c"));
    expect(pod.volumes).toContainEqual({
      name: "strategies",
      configMap: { name: "ft-live-config", items: [{ key: "TrendStrategy.py", path: "TrendStrategy.py" }] },
    });
    // config.json alone under /freqtrade/config: the sources are not config.
    expect(pod.volumes).toContainEqual({
      name: "config",
      configMap: { name: "ft-live-config", items: [{ key: "config.json", path: "config.json" }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "strategies",
      mountPath: "/freqtrade/user_data/strategies",
      readOnly: true,
    });
    // A custom strategyPath moves the mount and the flag together.
    const moved = bot("ft-live", {
      freqtrade: { ...rawFleet.find((b) => b.name === "ft-live")!.freqtrade, strategyPath: "/strategies" },
    });
    const movedMain = podOf(traderStatefulSet(moved, ctx(true), "c")).containers[0];
    expect(movedMain.args[movedMain.args.indexOf("--strategy-path") + 1]).toBe("/strategies");
    expect(movedMain.volumeMounts).toContainEqual({
      name: "strategies",
      mountPath: "/strategies",
      readOnly: true,
    });
  });

  test("a changed strategy source changes the config checksum (paper bots roll)", () => {
    const source = (src: string) =>
      configChecksum(
        botConfigData(
          bot("ft-live", {
            freqtrade: {
              ...rawFleet.find((b) => b.name === "ft-live")!.freqtrade,
              strategyFiles: { "TrendStrategy.py": src },
            },
          }),
          mqtt,
        ),
      );
    expect(source(TREND_STRATEGY)).toBe(source(TREND_STRATEGY));
    expect(source(TREND_STRATEGY + "\n# v2\n")).not.toBe(source(TREND_STRATEGY));
  });

  test("the shipped strategy source compiles (python3 py_compile; freqtrade itself is not installed here)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ft-strategy-"));
    try {
      const file = path.join(dir, "TrendStrategy.py");
      fs.writeFileSync(file, TREND_STRATEGY);
      execFileSync("python3", ["-m", "py_compile", file]);
      fs.writeFileSync(file, TREND_STRATEGY.replace("def populate_indicators(", "def populate_indicators"));
      expect(() => execFileSync("python3", ["-m", "py_compile", file], { stdio: "pipe" })).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scheduled bots with storage", () => {
  test("the runs share a standalone ReadWriteOnce claim; freqtrade downloads into it", () => {
    const download = stored("ft-download");
    const claim = plain(scheduledClaim(download, "botfleet-bots"));
    expect(claim.metadata).toMatchObject({ name: "ft-download-data", namespace: "botfleet-bots" });
    expect(claim.metadata.labels["botfleet.io/bot"]).toBe("ft-download");
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "2Gi" } },
    });
    expect(
      plain(scheduledClaim(stored("ft-download", { storageClass: "fast" }), "b")).spec.storageClassName,
    ).toBe("fast");
    const cj = plain(scheduledCronJob(download, ctx(true), "c")).spec;
    // One run at a time: the ReadWriteOnce claim is never wanted by two runs.
    expect(cj.concurrencyPolicy).toBe("Forbid");
    const pod = cj.jobTemplate.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "state",
      persistentVolumeClaim: { claimName: "ft-download-data" },
    });
    expect(pod.volumes.map((v: Obj) => v.name)).not.toContain("user-data");
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "state",
      mountPath: "/freqtrade/user_data",
    });
    expect(pod.initContainers[0].volumeMounts).toContainEqual({
      name: "state",
      mountPath: "/freqtrade/user_data",
    });
  });

  test("without storage a scheduled freqtrade run keeps the emptyDir; a custom one mounts the claim at stateMountPath", () => {
    const bare = plain(scheduledCronJob(scheduled("ft-download", { storage: undefined }), ctx(false), "c"))
      .spec.jobTemplate.spec.template.spec;
    expect(bare.volumes.map((v: Obj) => v.name)).toContain("user-data");
    expect(bare.volumes.map((v: Obj) => v.name)).not.toContain("state");
    const report = scheduled("daily-report", { storage: "1Gi" });
    const pod = plain(scheduledCronJob(report, ctx(true), "c")).spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "state", mountPath: "/data" });
    expect(pod.volumes).toContainEqual({
      name: "state",
      persistentVolumeClaim: { claimName: "daily-report-data" },
    });
  });
});

describe("trader health shows a staged template the pod does not run yet", () => {
  const status = (updatedReplicas: number, current = "btc-6d4f8", update = "btc-7c9b2") => ({
    replicas: 1,
    readyReplicas: 1,
    updatedReplicas,
    currentRevision: current,
    updateRevision: update,
  });

  test("the pod on the old revision: a pending restart, with both revisions", () => {
    expect(traderHealth(false, status(0))).toEqual({
      ready: true,
      pendingRestart: true,
      currentRevision: "btc-6d4f8",
      updateRevision: "btc-7c9b2",
    });
  });

  test("after the operator's delete the pod is updated, though OnDelete leaves currentRevision stale", () => {
    // kubernetes/kubernetes#73492: under OnDelete the controller never advances currentRevision.
    expect(pendingRestart(status(1))).toBe(false);
    expect(pendingRestart(status(1, "btc-7c9b2", "btc-7c9b2"))).toBe(false);
  });

  test("no status (a preview) or a stopped trader (no pod) has nothing pending", () => {
    expect(traderHealth(false, undefined)).toEqual({ ready: false, pendingRestart: false });
    expect(traderHealth(true, { ...status(0), replicas: 0, readyReplicas: 0 })).toMatchObject({
      ready: true,
      stopped: true,
      pendingRestart: false,
    });
  });

  test("the fleet lists every trader with a pending restart", () => {
    const health = fleetHealth({
      b: traderHealth(false, status(0)),
      a: traderHealth(false, status(0, "a-1", "a-2")),
      c: traderHealth(false, status(1)),
      svc: { ready: true },
    });
    expect(health.pendingRestart).toEqual(["a", "b"]);
    expect(health.ready).toBe(true);
  });
});
