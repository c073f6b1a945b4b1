/** The config boundary: every problem found, each named by key path, value, rule and fix. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, requiredSecrets, type RawConfig } from "../config";
import { deriveText } from "../lib/credentials";
import { runProgram } from "../lib/mockrun";
import { loadStack } from "../lib/stackfile";
import { exampleEncryption } from "./support/backup-key";

const doCluster = {
  provider: "digitalocean",
  region: "fra1",
  version: "1.33",
  systemPool: { size: "s-2vcpu-4gb", count: 1 },
  pools: [{ name: "bots", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 3 }],
};

const SEED = "test-seed-0123456789abcdefghijklmnopqrstuvwxyz";

/** Raw config as the CLI hands it over; `secrets` are added to the seed, an undefined one removes it. */
function raw(
  config: Record<string, unknown>,
  secrets: Record<string, string | undefined> = { "digitalocean:token": "t0ken" },
): RawConfig {
  const secret = Object.fromEntries(
    Object.entries({ "botfleet:credentialSeed": SEED, ...secrets }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...config, ...secret }))
    values[k] = typeof v === "string" ? v : JSON.stringify(v);
  return { values, secretKeys: new Set(Object.keys(secret)), env: {} };
}

function problems(
  config: Record<string, unknown>,
  secrets?: Record<string, string | undefined>,
): readonly string[] {
  try {
    parseStackConfig(raw(config, secrets), "test");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** Prod refuses a cluster without a control-plane allowlist (test/cluster-firewall.test.ts). */
const PROD_FIREWALL = { allowedAddresses: ["203.0.113.7/32"] };
const withCluster = (cluster: Record<string, unknown>) => ({
  "botfleet:environment": "dev",
  "botfleet:cluster": { ...doCluster, ...cluster },
});
const withPool = (pool: Record<string, unknown>) =>
  withCluster({ pools: [{ ...doCluster.pools[0], ...pool }] });

test("a good config resolves defaults and comes back frozen", () => {
  const config = parseStackConfig(raw(withCluster({})), "dev");
  expect(config.cluster).toMatchObject({
    ha: false,
    autoUpgrade: true,
    maintenance: { day: "sunday", startTime: "04:00" },
  });
  expect(config.platform.namespaces).toEqual({
    bots: "botfleet-bots",
    data: "botfleet-data",
    monitoring: "botfleet-monitoring",
    nodeExporter: "botfleet-node-exporter",
  });
  expect(config.platform.quotas.bots.pods).toBe(100);
  expect(config.protect).toBe(false);
  expect(Object.isFrozen(config.cluster.pools[0])).toBe(true);
  expect(() => ((config.cluster as { ha: boolean }).ha = true)).toThrow(TypeError);
});

test("prod protects by default; cluster.protect overrides", () => {
  const prod = {
    ...withCluster({ controlPlaneFirewall: PROD_FIREWALL }),
    "botfleet:environment": "prod",
    "botfleet:postgres": {
      backup: {
        enabled: true,
        bucket: "b-prod",
        endpoint: "https://fra1.digitaloceanspaces.com",
        ...exampleEncryption,
      },
    },
  };
  const keys = {
    "digitalocean:token": "t0ken",
    "botfleet:backupCredentials": JSON.stringify({ accessKeyId: "a", secretAccessKey: "s" }),
  };
  expect(parseStackConfig(raw(prod, keys), "prod").protect).toBe(true);
  const unprotected = {
    ...prod,
    "botfleet:cluster": { ...doCluster, controlPlaneFirewall: PROD_FIREWALL, protect: false },
  };
  expect(parseStackConfig(raw(unprotected, keys), "prod").protect).toBe(false);
});

test.each([
  [
    "unknown provider",
    withCluster({ provider: "aws" }),
    [`botfleet:cluster.provider: must be one of "digitalocean", "linode", "existing", got "aws"`],
  ],
  [
    "unknown region",
    withCluster({ region: "fra9" }),
    [
      `botfleet:cluster.region: must be a digitalocean region (nyc1, nyc3, sfo2, sfo3, ams3, sgp1, lon1, fra1, tor1, blr1, syd1, atl1), got "fra9"`,
    ],
  ],
  [
    "Linode region on DigitalOcean",
    withCluster({ region: "eu-central" }),
    [
      expect.stringMatching(
        /^botfleet:cluster\.region: must be a digitalocean region \(.*\), got "eu-central"$/,
      ),
    ],
  ],
  [
    "unknown node size",
    withPool({ size: "s-64vcpu" }),
    [
      expect.stringMatching(
        /^botfleet:cluster\.pools\[0\]\.size: must be a digitalocean node size \(s-1vcpu-2gb, .*\), got "s-64vcpu"$/,
      ),
    ],
  ],
  [
    "DigitalOcean size on Linode",
    withCluster({
      provider: "linode",
      region: "eu-central",
      systemPool: { size: "s-2vcpu-4gb", count: 1 },
      pools: [],
    }),
    [
      expect.stringMatching(
        /^botfleet:cluster\.systemPool\.size: must be a linode node size \(g6-standard-1, .*\), got "s-2vcpu-4gb"$/,
      ),
    ],
  ],
  [
    "version with a patch",
    withCluster({ version: "1.33.2" }),
    [
      `botfleet:cluster.version: must be a Kubernetes minor version such as "1.33" (no patch, no "v"), got "1.33.2"`,
    ],
  ],
  [
    "version with a v",
    withCluster({ version: "v1.33" }),
    [
      `botfleet:cluster.version: must be a Kubernetes minor version such as "1.33" (no patch, no "v"), got "v1.33"`,
    ],
  ],
  [
    "min > max",
    withPool({ minNodes: 5, maxNodes: 3 }),
    [`botfleet:cluster.pools[0].minNodes: must be <= maxNodes (3), got 5`],
  ],
  [
    "negative count",
    withCluster({ systemPool: { size: "s-2vcpu-4gb", count: -1 } }),
    [`botfleet:cluster.systemPool.count: must be a whole number >= 1, got -1`],
  ],
  [
    "fractional count",
    withPool({ maxNodes: 2.5 }),
    [`botfleet:cluster.pools[0].maxNodes: must be a whole number >= 1, got 2.5`],
  ],
  [
    "typo in a pool key",
    withPool({ minNode: 1 }),
    [
      `botfleet:cluster.pools[0].minNode: unknown key; did you mean "minNodes"? (allowed: name, size, minNodes, maxNodes, role, dedicated, labels, taints)`,
    ],
  ],
  [
    "typo in a top-level key",
    { ...withCluster({}), "botfleet:clustr": {} },
    [
      `botfleet:clustr: unknown key; did you mean "botfleet:cluster"? (allowed: cluster, platform, redis, postgres, monitoring, bots, costs, credentialRotations, botSecrets, alerting, backupCredentials, grafanaLogin, environment, credentialSeed)`,
    ],
  ],
  [
    "non-DNS-1123 pool name",
    withPool({ name: "Bots_Pool" }),
    [
      `botfleet:cluster.pools[0].name: must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 40 characters), got "Bots_Pool"`,
    ],
  ],
  [
    "duplicate pool names",
    withCluster({ pools: [doCluster.pools[0], doCluster.pools[0]] }),
    [`botfleet:cluster.pools[1].name: must be unique among pools, got "bots" twice`],
  ],
  [
    "bad namespace name",
    { ...withCluster({}), "botfleet:platform": { namespaces: { bots: "Bots" } } },
    [expect.stringMatching(/^botfleet:platform\.namespaces\.bots: must be a DNS-1123 label .*, got "Bots"$/)],
  ],
  [
    "bad CPU quantity",
    {
      ...withCluster({}),
      "botfleet:platform": {
        containerDefaults: { requests: { cpu: "lots", memory: "128Mi" }, limits: { memory: "256Mi" } },
      },
    },
    [
      `botfleet:platform.containerDefaults.requests.cpu: must be a positive CPU quantity such as "250m" or "2", got "lots"`,
    ],
  ],
  [
    "bad memory quantity",
    {
      ...withCluster({}),
      "botfleet:platform": {
        containerDefaults: { requests: { cpu: "100m", memory: "128MB" }, limits: { memory: "256Mi" } },
      },
    },
    [
      `botfleet:platform.containerDefaults.requests.memory: must be a positive quantity such as "512Mi" or "8Gi" (binary suffixes Ki, Mi, Gi, Ti), got "128MB"`,
    ],
  ],
  [
    "bad storage quantity",
    {
      ...withCluster({}),
      "botfleet:platform": {
        quotas: {
          data: {
            requestsCpu: "4",
            requestsMemory: "8Gi",
            limitsMemory: "16Gi",
            storage: "-5Gi",
            pods: 30,
            persistentVolumeClaims: 20,
          },
        },
      },
    },
    [
      expect.stringMatching(
        /^botfleet:platform\.quotas\.data\.storage: must be a positive quantity .*, got "-5Gi"$/,
      ),
    ],
  ],
  [
    "missing environment",
    { "botfleet:cluster": doCluster },
    [
      `botfleet:environment: must be one of dev, staging, prod, local, got null; run "pulumi config set environment dev"`,
    ],
  ],
  ["missing cluster", { "botfleet:environment": "dev" }, [`botfleet:cluster: is required, got nothing`]],
  [
    "region missing on a cloud",
    withCluster({ region: undefined }),
    [
      expect.stringMatching(
        /^botfleet:cluster\.region: is required for provider "digitalocean" \(one of nyc1, .*\)$/,
      ),
    ],
  ],
  [
    "cloud keys with existing",
    withCluster({ provider: "existing", pools: [] }),
    [
      `botfleet:cluster.region: is not used with provider "existing"; remove it`,
      `botfleet:cluster.version: is not used with provider "existing"; remove it`,
      `botfleet:cluster.systemPool: is not used with provider "existing"; remove it`,
    ],
  ],
  [
    "kubeconfig on a cloud",
    withCluster({ kubeconfig: { context: "kind" } }),
    [`botfleet:cluster.kubeconfig: is only for provider "existing"; remove it`],
  ],
  [
    "bad pool label key",
    withPool({ labels: { "bad key!": "x" } }),
    [
      `botfleet:cluster.pools[0].labels.bad key!: must be a Kubernetes label key such as "workload" or "example.com/tier", got "bad key!"`,
    ],
  ],
  [
    "bad pool label value",
    withPool({ labels: { tier: "x y" } }),
    [
      `botfleet:cluster.pools[0].labels.tier: must be a Kubernetes label value (<= 63 letters, digits, "-", "_", "."), got "x y"`,
    ],
  ],
  [
    "tag with a space",
    withCluster({ tags: ["env prod"] }),
    [
      `botfleet:cluster.tags[0]: must be a tag of letters, digits, ":", "_" or "-" (no spaces), got "env prod"`,
    ],
  ],
  [
    "a system namespace",
    {
      ...withCluster({}),
      "botfleet:platform": { namespaces: { bots: "bots", data: "kube-system", monitoring: "mon" } },
    },
    [
      `botfleet:platform.namespaces.data: must not be a system namespace ("default", "kube-*"), got "kube-system"`,
    ],
  ],
  [
    "one namespace for two roles",
    {
      ...withCluster({}),
      "botfleet:platform": { namespaces: { bots: "fleet", data: "fleet", monitoring: "mon" } },
    },
    [`botfleet:platform.namespaces.data: must differ from namespaces.bots, got "fleet" for both`],
  ],
  [
    "bad maintenance time",
    withCluster({ maintenance: { day: "sunday", startTime: "25:00" } }),
    [`botfleet:cluster.maintenance.startTime: must be a UTC time "HH:MM", got "25:00"`],
  ],
  [
    "a string where an object belongs",
    withCluster({ systemPool: "big" }),
    [`botfleet:cluster.systemPool: must be an object, got "big"`],
  ],
])("%s", (_name, config, expected) => {
  expect(problems(config)).toEqual(expected);
});

test("the DigitalOcean token is a required secret; the error says how to set it", () => {
  expect(problems(withCluster({}), {})).toEqual([
    `digitalocean:token: required secret is missing (needed for cluster.provider "digitalocean": the DigitalOcean provider uses it; no resource, kubeconfig or output holds it); run "pulumi config set --secret digitalocean:token <value>" (or export DIGITALOCEAN_TOKEN)`,
  ]);
  expect(() =>
    parseStackConfig({ ...raw(withCluster({}), {}), env: { DIGITALOCEAN_TOKEN: "from-env" } }, "dev"),
  ).not.toThrow();
});

test("every problem is reported at once, in one error", () => {
  const found = problems({
    "botfleet:environment": "qa",
    "botfleet:cluster": {
      ...doCluster,
      region: "mars",
      pools: [{ name: "x", size: "s-4vcpu-8gb", minNodes: 4, maxNodes: 2, minNode: 1 }],
    },
  });
  expect(found).toEqual([
    `botfleet:environment: must be one of dev, staging, prod, local, got "qa"; run "pulumi config set environment dev"`,
    `botfleet:cluster.pools[0].minNode: unknown key; did you mean "minNodes"? (allowed: name, size, minNodes, maxNodes, role, dedicated, labels, taints)`,
    `botfleet:cluster.pools[0].minNodes: must be <= maxNodes (2), got 4`,
    expect.stringMatching(/^botfleet:cluster\.region: must be a digitalocean region \(.*\), got "mars"$/),
  ]);
  const error = new ConfigError(found);
  expect(error.message).toMatch(
    /^botfleet: the stack config has 4 problems; nothing was created:\n {2}- botfleet:environment/,
  );
});

test("requiredSecrets names what a stack needs and lacks, so the harness fakes exactly that", () => {
  const noSeed = { "botfleet:credentialSeed": undefined };
  expect(requiredSecrets(raw(withCluster({}), noSeed))).toEqual([
    expect.objectContaining({ key: "botfleet:credentialSeed", path: [] }),
    expect.objectContaining({ key: "digitalocean:token", path: [] }),
  ]);
  const existing = withCluster({
    provider: "existing",
    region: undefined,
    version: undefined,
    systemPool: undefined,
    pools: [],
  });
  expect(requiredSecrets(raw(existing, noSeed))).toEqual([
    expect.objectContaining({ key: "botfleet:credentialSeed", path: [] }),
  ]);
  // What the stack sets, even in plain text, is not required again: the loader refuses plain text instead.
  expect(requiredSecrets(raw({ ...existing, "botfleet:credentialSeed": "plain".repeat(8) }, noSeed))).toEqual(
    [],
  );
  const backup = {
    enabled: true,
    bucket: "fleet-backups",
    endpoint: "https://fra1.digitaloceanspaces.com",
    ...exampleEncryption,
  };
  expect(
    requiredSecrets(
      raw({
        ...existing,
        "botfleet:postgres": { backup },
        "botfleet:backupCredentials": { accessKeyId: "plain-id" },
      }),
    ),
  ).toEqual([expect.objectContaining({ key: "botfleet:backupCredentials", path: ["secretAccessKey"] })]);
});

test("egress by host name needs Cilium: DigitalOcean only", () => {
  const linode = {
    "botfleet:environment": "dev",
    "botfleet:cluster": {
      provider: "linode",
      region: "eu-central",
      version: "1.33",
      systemPool: { size: "g6-standard-2", count: 1 },
    },
    "botfleet:platform": { botEgress: "fqdn" },
  };
  expect(problems(linode, { "linode:token": "t" })).toEqual([
    `botfleet:platform.botEgress: "fqdn" needs Cilium's DNS-aware policies, which of the clusters botfleet creates only DigitalOcean's (DOKS) run, got cluster.provider "linode"; use "ports" (the default)`,
  ]);
  expect(problems({ ...withCluster({}), "botfleet:platform": { botEgress: "fqdn" } })).toEqual([]);
});

test("bad config stops the program before it registers any resource", async () => {
  const stack = loadStack("bad", {
    "botfleet:environment": "dev",
    "botfleet:cluster": { ...doCluster, region: "mars" },
  });
  const run = await runProgram(stack, () => require("../program").program()); // eslint-disable-line @typescript-eslint/no-require-imports
  expect(run.error).toBeInstanceOf(ConfigError);
  expect(run.error?.message).toMatch(/botfleet:cluster\.region: must be a digitalocean region/);
  expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
});

describe("secrets the fleet needs", () => {
  const liveBot = {
    name: "ft-live",
    preset: "freqtrade",
    image: "freqtradeorg/freqtrade:2025.10",
    exchange: "kraken",
    paperTrading: false,
    freqtrade: {
      strategy: "TrendStrategy",
      config: { stake_currency: "USD", stake_amount: 100, exchange: { pair_whitelist: ["BTC/USD"] } },
    },
  };
  const token = { "digitalocean:token": "t0ken" };

  test("a live bot needs its exchange keys as secret config; the error says which and how", () => {
    expect(problems({ ...withCluster({}), "botfleet:bots": [liveBot] })).toEqual([
      `botfleet:botSecrets.ft-live.apiKey: required secret is missing (a live freqtrade bot needs it); run "pulumi config set --secret --path botSecrets.ft-live.apiKey <value>"`,
      `botfleet:botSecrets.ft-live.apiSecret: required secret is missing (a live freqtrade bot needs it); run "pulumi config set --secret --path botSecrets.ft-live.apiSecret <value>"`,
    ]);
    const keys = {
      ...token,
      "botfleet:botSecrets": JSON.stringify({ "ft-live": { apiKey: "k", apiSecret: "s" } }),
    };
    const config = parseStackConfig(raw({ ...withCluster({}), "botfleet:bots": [liveBot] }, keys), "dev");
    expect(Object.keys(config.secrets.botSecrets!["ft-live"])).toEqual(["apiKey", "apiSecret"]);
  });

  test("a secret key written in plain text is refused", () => {
    const values = { ...withCluster({}), "botfleet:botSecrets": { "ft-live": { apiKey: "k" } } };
    expect(problems(values)).toEqual([
      `botfleet:botSecrets: must be set as a secret, got a plain-text value; remove it from the stack file and run "pulumi config set --secret --path botSecrets.<name> <value>"`,
    ]);
  });

  test("secrets for a bot the fleet does not have are reported (a typo in the name)", () => {
    const keys = { ...token, "botfleet:botSecrets": JSON.stringify({ "ft-lvie": { apiKey: "k" } }) };
    expect(problems(withCluster({}), keys)).toEqual([
      `botfleet:botSecrets.ft-lvie: no bot is named "ft-lvie"; remove the secret or fix the name`,
    ]);
  });

  test("Postgres backups need S3 keys", () => {
    const backup = {
      enabled: true,
      bucket: "fleet-backups",
      endpoint: "https://fra1.digitaloceanspaces.com",
      ...exampleEncryption,
    };
    expect(problems({ ...withCluster({}), "botfleet:postgres": { backup } })).toEqual([
      `botfleet:backupCredentials.accessKeyId: required secret is missing (postgres.backup.enabled uploads backups to S3-compatible storage); run "pulumi config set --secret --path backupCredentials.accessKeyId <value>"`,
      `botfleet:backupCredentials.secretAccessKey: required secret is missing (postgres.backup.enabled uploads backups to S3-compatible storage); run "pulumi config set --secret --path backupCredentials.secretAccessKey <value>"`,
    ]);
  });

  test("a Grafana login needs its client secret, set as a secret", () => {
    const monitoring = {
      ingress: { enabled: true, host: "grafana.example.com", clusterIssuer: "le", email: "ops@example.com" },
      login: { provider: "github", clientId: "Iv1.abc", organizations: ["acme"] },
    };
    expect(problems({ ...withCluster({}), "botfleet:monitoring": monitoring })).toEqual([
      `botfleet:grafanaLogin.clientSecret: required secret is missing (monitoring.login signs people in to Grafana through a GitHub OAuth app: its client secret); run "pulumi config set --secret --path grafanaLogin.clientSecret <value>"`,
    ]);
    expect(
      problems(
        { ...withCluster({}), "botfleet:monitoring": monitoring },
        {
          ...token,
          "botfleet:grafanaLogin": JSON.stringify({ clientSecret: "0123abcd" }),
        },
      ),
    ).toEqual([]);
    // The same value in plain text is refused.
    expect(
      problems({
        ...withCluster({}),
        "botfleet:monitoring": monitoring,
        "botfleet:grafanaLogin": { clientSecret: "0123abcd" },
      }),
    ).toEqual([
      expect.stringMatching(/^botfleet:grafanaLogin: must be set as a secret, got a plain-text value/),
    ]);
  });

  test("secret values come out only as secret Outputs", async () => {
    const keys = {
      ...token,
      "botfleet:alerting": JSON.stringify({
        slack: { webhookUrl: "https://hooks.slack.com/services/T/B/X" },
      }),
    };
    const config = parseStackConfig(raw(withCluster({}), keys), "dev");
    const url = config.secrets.alerting!.slack!.webhookUrl;
    expect(await new Promise((resolve) => url.apply(resolve))).toBe("https://hooks.slack.com/services/T/B/X");
    expect(await (url as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });
});

test("prod must back Postgres up off-cluster", () => {
  const prod = { ...withCluster({ controlPlaneFirewall: PROD_FIREWALL }), "botfleet:environment": "prod" };
  expect(problems(prod)).toEqual([
    `botfleet:postgres.backup.enabled: must be true in prod (an off-cluster backup is the only way back from a lost volume), got false; set postgres.backup { enabled: true, bucket, endpoint, encryption.recipient } and the backupCredentials secret`,
  ]);
});

describe("secret values never reach an error message", () => {
  test("a malformed secret is described by its type, not printed", () => {
    const keys = {
      "digitalocean:token": "t0ken",
      "botfleet:botSecrets": JSON.stringify({ "ft-live": { apiKey: ["SUPERSECRETKEY123"] } }),
    };
    const found = problems({ ...withCluster({}), "botfleet:bots": [] }, keys);
    expect(found.join("\n")).not.toContain("SUPERSECRETKEY123");
    expect(found).toContainEqual(
      expect.stringMatching(
        /^botfleet:botSecrets\.ft-live\.apiKey: must be a string, got a list \(secret, not shown\)$/,
      ),
    );
  });

  test("a secret key holding plain text instead of an object is refused without printing it", () => {
    const keys = {
      "digitalocean:token": "t0ken",
      "botfleet:alerting": "hooks.slack.com/services/SECRETPATH",
    };
    expect(problems(withCluster({}), keys)).toEqual([
      `botfleet:alerting: must be a YAML object or list, got a string (secret, not shown)`,
    ]);
  });

  test("all-digit secrets (a Telegram chat id set with --path) are accepted as text", () => {
    const keys = {
      "digitalocean:token": "t0ken",
      "botfleet:alerting": JSON.stringify({
        telegram: { botToken: "123456789:AAHfakefakefakefakefakefakefakefake", chatId: -1001234567890 },
      }),
    };
    const config = parseStackConfig(raw(withCluster({}), keys), "dev");
    expect(config.secrets.alerting?.telegram?.chatId).toBeDefined();
  });
});

test("section errors and missing secrets are reported in one run", () => {
  const liveBot = {
    name: "ft-live",
    preset: "freqtrade",
    image: "freqtradeorg/freqtrade:2025.10",
    exchange: "kraken",
    paperTrading: false,
    freqtrade: {
      strategy: "S",
      config: { stake_currency: "USD", stake_amount: 100, exchange: { pair_whitelist: ["BTC/USD"] } },
    },
  };
  const badPlatform = {
    containerDefaults: { requests: { cpu: "lots", memory: "128Mi" }, limits: { memory: "256Mi" } },
  };
  const found = problems(
    { ...withCluster({}), "botfleet:platform": badPlatform, "botfleet:bots": [liveBot] },
    {},
  );
  expect(found).toEqual([
    expect.stringMatching(
      /^botfleet:platform\.containerDefaults\.requests\.cpu: must be a positive CPU quantity/,
    ),
    expect.stringMatching(/^digitalocean:token: required secret is missing/),
    expect.stringMatching(/^botfleet:botSecrets\.ft-live\.apiKey: required secret is missing/),
    expect.stringMatching(/^botfleet:botSecrets\.ft-live\.apiSecret: required secret is missing/),
  ]);
});

describe("the credential seed and rotations", () => {
  const SEED_FIX = `pulumi config set --secret botfleet:credentialSeed "$(openssl rand -base64 32)"`;
  const valueOf = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));
  const fleet = {
    ...withCluster({}),
    "botfleet:bots": [
      {
        name: "ft-paper",
        preset: "freqtrade",
        image: "freqtradeorg/freqtrade:2025.10",
        exchange: "kraken",
        freqtrade: {
          strategy: "SampleStrategy",
          config: { stake_currency: "USD", stake_amount: 50, exchange: { pair_whitelist: ["BTC/USD"] } },
        },
      },
    ],
  };

  test.each([
    ["absent", undefined],
    ["the empty default Pulumi.yaml declares", ""],
  ])("a missing seed (%s) is reported with the command that sets one", (_name, seed) => {
    expect(
      problems(withCluster({}), { "digitalocean:token": "t0ken", "botfleet:credentialSeed": seed }),
    ).toEqual([
      `botfleet:credentialSeed: required secret is missing (every generated password (Redis, Postgres, Grafana, MQTT, bot API keys) is derived from it); set one: ${SEED_FIX}`,
    ]);
  });

  test("a plain-text seed is refused as exposed, without printing it", () => {
    const plain = "plain-text-seed-in-the-stack-file-0123456789";
    const found = problems(
      { ...withCluster({}), "botfleet:credentialSeed": plain },
      { "digitalocean:token": "t0ken", "botfleet:credentialSeed": undefined },
    );
    expect(found).toEqual([
      `botfleet:credentialSeed: must be set as a secret, got a plain-text value (not shown); it is exposed wherever the stack file went: remove it from the stack file and set a new one: ${SEED_FIX}`,
    ]);
  });

  test("a seed shorter than 32 characters is refused, without printing it", () => {
    const found = problems(withCluster({}), {
      "digitalocean:token": "t0ken",
      "botfleet:credentialSeed": "short-seed-31-characters-long-x",
    });
    expect(found).toEqual([
      `botfleet:credentialSeed: must be at least 32 characters, got a shorter string (secret, not shown); set a new one: ${SEED_FIX}`,
    ]);
    expect(
      problems(withCluster({}), { "digitalocean:token": "t0ken", "botfleet:credentialSeed": "x".repeat(32) }),
    ).toEqual([]);
  });

  test("credentials come from the seed at each name's rotation; the rest stay at 0", async () => {
    const config = parseStackConfig(
      raw({
        ...fleet,
        "botfleet:credentialRotations": { "redis-admin": 2, "bot/ft-paper/jwtSecretKey": "1" },
      }),
      "dev",
    );
    expect(config.credentialRotations).toEqual({ "redis-admin": 2, "bot/ft-paper/jwtSecretKey": 1 });
    expect(await valueOf(config.credentials.get("redis-admin"))).toBe(deriveText(SEED, "redis-admin", 2, 32));
    expect(await valueOf(config.credentials.get("postgres-app"))).toBe(
      deriveText(SEED, "postgres-app", 0, 32),
    );
    expect(await valueOf(config.credentials.get("bot/ft-paper/jwtSecretKey"))).toBe(
      deriveText(SEED, "bot/ft-paper/jwtSecretKey", 1, 48),
    );
  });

  test.each([
    [
      "a typo in a name",
      { "postgres-ap": 1 },
      [
        `botfleet:credentialRotations.postgres-ap: this stack derives no credential named "postgres-ap"; did you mean "postgres-app"? (it derives: redis-admin, redis-replication, redis-exporter, postgres-app, postgres-replication, postgres-report, postgres-monitor, grafana-admin, bot/ft-paper/apiServerPassword, bot/ft-paper/jwtSecretKey); fix the name or remove it`,
      ],
    ],
    [
      "a bot the fleet does not have",
      { "bot/ft-live/apiServerPassword": 1 },
      [
        `botfleet:credentialRotations.bot/ft-live/apiServerPassword: this stack derives no credential named "bot/ft-live/apiServerPassword"; did you mean "bot/ft-paper/apiServerPassword"? (it derives: redis-admin, redis-replication, redis-exporter, postgres-app, postgres-replication, postgres-report, postgres-monitor, grafana-admin, bot/ft-paper/apiServerPassword, bot/ft-paper/jwtSecretKey); fix the name or remove it`,
      ],
    ],
    [
      "a negative counter",
      { redis: -1 },
      [`botfleet:credentialRotations.redis: must be a whole number >= 0, got -1`],
    ],
    [
      "a fraction",
      { redis: 1.5 },
      [`botfleet:credentialRotations.redis: must be a whole number >= 0, got 1.5`],
    ],
    [
      "text",
      { redis: "next" },
      [`botfleet:credentialRotations.redis: must be a whole number >= 0, got "next"`],
    ],
  ])("rotations: %s", (_name, rotations, expected) => {
    expect(problems({ ...fleet, "botfleet:credentialRotations": rotations })).toEqual(expected);
  });
});
