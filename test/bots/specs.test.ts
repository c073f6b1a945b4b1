/** Pure builders: no Pulumi, no mocks. */
import * as YAML from "yaml";
import {
  PRIVATE_RANGES,
  botConfigData,
  botLabels,
  botsNetworkPolicy,
  configChecksum,
  deepMerge,
  scheduledCronJob,
  traderStatefulSet,
  type PodContext,
} from "../../components/bots/specs";
import type { Obj } from "../support/k8s";
import { NAMESPACES, parseFleet, rawFleet } from "./fixtures";

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
    mqtt_username: "hummingbot",
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
  expect(scheduledCronJob(bot("daily-report", { stopped: true }), ctx(false), "c").spec).toMatchObject({
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
  const cj = scheduledCronJob(bot("ft-download"), ctx(false), "c");
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

test("bots network policy: HTTPS to the internet only, data layer ports, Prometheus scrapes metrics", () => {
  const without = botsNetworkPolicy(NAMESPACES, { mqtt: false, services: false });
  const spec = plain(without.spec);
  expect(spec.egress[0]).toEqual({
    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
    ports: [{ protocol: "TCP", port: 443 }],
  });
  expect(spec.egress.flatMap((r: Obj) => (r.ports ?? []).map((p: Obj) => p.port))).toEqual([
    443, 6379, 26379, 5432,
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
