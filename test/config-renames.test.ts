/** Renamed config keys are refused, before anything is created, with their new name, value and fix. */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../config";

/** A paper custom trader that needs no secret. */
const bot = {
  name: "probe",
  preset: "custom",
  image: "ghcr.io/example/probe:1.0.0",
  custom: {
    ports: [{ name: "http", containerPort: 8000 }],
    probes: {
      liveness: { type: "http", path: "/health", port: "http" },
      readiness: { type: "http", path: "/ready", port: "http" },
    },
  },
};

/** The problems parseStackConfig reports for the stack (`dev`) with the given sections. */
function problems(sections: Record<string, unknown>, stack = "dev"): readonly string[] {
  const values: Record<string, string> = {
    "botfleet:environment": "dev",
    "botfleet:credentialSeed": "test-seed-0123456789abcdefghijklmnopqrstuvwxyz",
    "botfleet:cluster": JSON.stringify({ provider: "existing" }),
  };
  for (const [k, v] of Object.entries(sections)) values[`botfleet:${k}`] = JSON.stringify(v);
  try {
    parseStackConfig({ values, secretKeys: new Set(["botfleet:credentialSeed"]), env: {} }, stack);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const RESOURCES = "Kubernetes ResourceRequirements, as every resources key";
/** The message for an old key whose value carries over unchanged. */
const moved = (from: string, to: string, meaning: string, value: string, shown = JSON.stringify(value)) =>
  `botfleet:${from}: renamed to ${to} (${meaning}): set ${to} to ${shown}; in Pulumi.dev.yaml move ${from} to ${to}, or run "pulumi config rm --path ${quote(from)} && pulumi config set --path ${quote(to)} ${value}"`;
const quote = (p: string) => (p.includes("[") ? `'${p}'` : p);
const POSTGRES = "all Postgres pods, the primary and its standbys; the old replicas counted standbys only";
const postgres = (old: number) =>
  `botfleet:postgres.replicas: renamed to postgres.instances (${POSTGRES}): set postgres.instances to ${old + 1}; in Pulumi.dev.yaml move postgres.replicas to postgres.instances with the value ${old + 1}, or run "pulumi config rm --path postgres.replicas && pulumi config set --path postgres.instances ${old + 1}"`;

const CASES: [string, Record<string, unknown>, string[]][] = [
  [
    "redis.replicas keeps its count: it already counted the primary",
    { redis: { ha: true, replicas: 3 } },
    [
      `botfleet:redis.replicas: renamed to redis.instances (all Redis pods, primary included): set redis.instances to 3; in Pulumi.dev.yaml move redis.replicas to redis.instances, or run "pulumi config rm --path redis.replicas && pulumi config set --path redis.instances 3"`,
    ],
  ],
  ["postgres.replicas counted standbys: instances is one more", { postgres: { replicas: 2 } }, [postgres(2)]],
  ["postgres.replicas 0 is the primary alone", { postgres: { replicas: 0 } }, [postgres(0)]],
  [
    "an old value that is not a count: no new value is made up",
    { postgres: { replicas: "two" } },
    [
      `botfleet:postgres.replicas: renamed to postgres.instances (${POSTGRES}): set postgres.instances (got postgres.replicas "two"); in Pulumi.dev.yaml move postgres.replicas to postgres.instances with the value <instances>, or run "pulumi config rm --path postgres.replicas && pulumi config set --path postgres.instances <instances>"`,
    ],
  ],
  [
    "monitoring storage sizes nest under their component, like resources",
    { monitoring: { storage: "20Gi", alertmanagerStorage: "2Gi", grafanaStorage: "3Gi" } },
    [
      moved(
        "monitoring.storage",
        "monitoring.storage.prometheus",
        "PVC size per component, like resources",
        "20Gi",
      ),
      moved(
        "monitoring.alertmanagerStorage",
        "monitoring.storage.alertmanager",
        "PVC size per component, like resources",
        "2Gi",
      ),
      moved(
        "monitoring.grafanaStorage",
        "monitoring.storage.grafana",
        "PVC size per component, like resources",
        "3Gi",
      ),
    ],
  ],
  [
    "monitoring resources take requests and limits",
    { monitoring: { resources: { grafana: { cpu: "200m", memory: "256Mi", memoryLimit: "1Gi" } } } },
    [
      moved(
        "monitoring.resources.grafana.cpu",
        "monitoring.resources.grafana.requests.cpu",
        RESOURCES,
        "200m",
      ),
      moved(
        "monitoring.resources.grafana.memory",
        "monitoring.resources.grafana.requests.memory",
        RESOURCES,
        "256Mi",
      ),
      moved(
        "monitoring.resources.grafana.memoryLimit",
        "monitoring.resources.grafana.limits.memory",
        RESOURCES,
        "1Gi",
      ),
    ],
  ],
  [
    "platform.containerDefaults takes requests and limits",
    { platform: { containerDefaults: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" } } },
    [
      moved("platform.containerDefaults.cpu", "platform.containerDefaults.requests.cpu", RESOURCES, "100m"),
      moved(
        "platform.containerDefaults.memory",
        "platform.containerDefaults.requests.memory",
        RESOURCES,
        "128Mi",
      ),
      moved(
        "platform.containerDefaults.memoryLimit",
        "platform.containerDefaults.limits.memory",
        RESOURCES,
        "256Mi",
      ),
    ],
  ],
  [
    "platform.metricsServer.resources takes requests and limits",
    { platform: { metricsServer: { resources: { cpu: "50m", memory: "100Mi", memoryLimit: "200Mi" } } } },
    [
      moved(
        "platform.metricsServer.resources.cpu",
        "platform.metricsServer.resources.requests.cpu",
        RESOURCES,
        "50m",
      ),
      moved(
        "platform.metricsServer.resources.memory",
        "platform.metricsServer.resources.requests.memory",
        RESOURCES,
        "100Mi",
      ),
      moved(
        "platform.metricsServer.resources.memoryLimit",
        "platform.metricsServer.resources.limits.memory",
        RESOURCES,
        "200Mi",
      ),
    ],
  ],
  [
    "a bot's resources take requests and limits; paths with brackets are quoted for the shell",
    {
      bots: [
        {
          ...bot,
          resources: { cpu: "1", memory: "1Gi", memoryLimit: "2Gi", cpuLimit: "2", ephemeralStorage: "2Gi" },
        },
      ],
    },
    [
      moved("bots[0].resources.cpu", "bots[0].resources.requests.cpu", RESOURCES, "1"),
      moved("bots[0].resources.memory", "bots[0].resources.requests.memory", RESOURCES, "1Gi"),
      moved("bots[0].resources.memoryLimit", "bots[0].resources.limits.memory", RESOURCES, "2Gi"),
      moved("bots[0].resources.cpuLimit", "bots[0].resources.limits.cpu", RESOURCES, "2"),
      moved(
        "bots[0].resources.ephemeralStorage",
        "bots[0].resources.requests.ephemeral-storage",
        RESOURCES,
        "2Gi",
      ),
    ],
  ],
];

test.each(CASES)("%s", (_, sections, messages) => {
  // Only these: an old key is not reported a second time as unknown, nor its emptied parent as incomplete.
  expect(problems(sections)).toEqual(messages);
});

test("the new names parse, and mean what the old ones meant", () => {
  expect(
    problems({
      redis: { ha: true, instances: 3 },
      postgres: { instances: 3 },
      monitoring: {
        storage: { prometheus: "20Gi", alertmanager: "2Gi", grafana: "3Gi" },
        resources: { grafana: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } } },
      },
      platform: {
        containerDefaults: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        metricsServer: {
          resources: { requests: { cpu: "50m", memory: "100Mi" }, limits: { memory: "200Mi" } },
        },
      },
      bots: [
        {
          ...bot,
          resources: {
            requests: { cpu: "1", memory: "1Gi", "ephemeral-storage": "2Gi" },
            limits: { memory: "2Gi", cpu: "2" },
          },
        },
      ],
    }),
  ).toEqual([]);
});

test("a renamed key is reported with the section's other problems", () => {
  expect(problems({ redis: { replicas: 3, storage: "lots" } })).toEqual([
    expect.stringMatching(/^botfleet:redis\.replicas: renamed to redis\.instances/),
    expect.stringMatching(/^botfleet:redis\.storage: must be a positive quantity/),
  ]);
});

test("the README's example is what the loader prints for it", () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  const [shown] = problems({ postgres: { replicas: 2 } }, "prod");
  expect(readme).toContain("`" + shown + "`");
});
