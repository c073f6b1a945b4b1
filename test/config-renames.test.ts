/** Renamed config keys are refused, before anything is created, with their new name, value and fix. */
import { ConfigError, parseStackConfig } from "../config";
import { RENAMES } from "../config/renames";

const existing = { provider: "existing" };

/** The problems parseStackConfig reports for stack `dev` with the given sections. */
function problems(sections: Record<string, unknown>): readonly string[] {
  const values: Record<string, string> = {
    "botfleet:environment": "dev",
    "botfleet:credentialSeed": "test-seed-0123456789abcdefghijklmnopqrstuvwxyz",
    "botfleet:cluster": JSON.stringify(existing),
  };
  for (const [k, v] of Object.entries(sections)) values[`botfleet:${k}`] = JSON.stringify(v);
  try {
    parseStackConfig({ values, secretKeys: new Set(["botfleet:credentialSeed"]), env: {} }, "dev");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

test.each<[string, Record<string, unknown>, string]>([
  [
    "redis.replicas keeps its count: Redis' instances already counted the primary",
    { redis: { ha: true, replicas: 3 } },
    `botfleet:redis.replicas: renamed to redis.instances (all Redis pods, primary included): set redis.instances to 3; in Pulumi.dev.yaml replace "replicas: 3" under botfleet:redis with "instances: 3", or run "pulumi config rm --path redis.replicas && pulumi config set --path redis.instances 3"`,
  ],
  [
    "postgres.replicas counted standbys: instances is one more",
    { postgres: { replicas: 2 } },
    `botfleet:postgres.replicas: renamed to postgres.instances (all Postgres pods, the primary and its standbys; the old replicas counted standbys only): set postgres.instances to 3; in Pulumi.dev.yaml replace "replicas: 2" under botfleet:postgres with "instances: 3", or run "pulumi config rm --path postgres.replicas && pulumi config set --path postgres.instances 3"`,
  ],
  [
    "postgres.replicas 0 means the primary alone",
    { postgres: { replicas: 0 } },
    `botfleet:postgres.replicas: renamed to postgres.instances (all Postgres pods, the primary and its standbys; the old replicas counted standbys only): set postgres.instances to 1; in Pulumi.dev.yaml replace "replicas: 0" under botfleet:postgres with "instances: 1", or run "pulumi config rm --path postgres.replicas && pulumi config set --path postgres.instances 1"`,
  ],
  [
    "an old value that is not a count: no new value is made up",
    { postgres: { replicas: "two" } },
    `botfleet:postgres.replicas: renamed to postgres.instances (all Postgres pods, the primary and its standbys; the old replicas counted standbys only): set postgres.instances (got postgres.replicas "two"); in Pulumi.dev.yaml replace "replicas: two" under botfleet:postgres with "instances: <instances>", or run "pulumi config rm --path postgres.replicas && pulumi config set --path postgres.instances <instances>"`,
  ],
])("%s", (_, sections, message) => {
  // The only problem: the old key is not reported a second time as unknown.
  expect(problems(sections)).toEqual([message]);
});

test("every rename has a case above, and the new names parse", () => {
  expect(RENAMES.map((r) => `${r.section}.${r.old}`)).toEqual(["redis.replicas", "postgres.replicas"]);
  expect(problems({ redis: { ha: true, instances: 3 }, postgres: { instances: 3 } })).toEqual([]);
});

test("a renamed key is reported with the section's other problems", () => {
  expect(problems({ redis: { replicas: 3, storage: "lots" } })).toEqual([
    expect.stringMatching(/^botfleet:redis\.replicas: renamed to redis\.instances/),
    expect.stringMatching(/^botfleet:redis\.storage: must be a positive quantity/),
  ]);
});
