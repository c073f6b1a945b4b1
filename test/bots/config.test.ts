import { z } from "zod";
import {
  botSecretsProblems,
  botSecretsSchema,
  botsSchema,
  requiredBotSecrets,
  PRESET_RESOURCES,
} from "../../config/bots";
import * as YAML from "yaml";
import { botConfigData } from "../../components/bots/presets";
import { parseFleet, parseHummingbot, rawFleet, rawSecrets } from "./fixtures";

/** Every issue as "path: message", for exact comparison. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const r = z.safeParse(schema, value, { reportInput: true });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

/** What hummingbot's pure_market_making needs with no default (config/hummingbot.ts). */
const pmm = {
  strategy: "pure_market_making",
  market: "BTC-USDT",
  bid_spread: 0.5,
  ask_spread: 0.5,
  order_amount: 0.01,
};
const hb = {
  name: "hb",
  preset: "hummingbot",
  image: "hummingbot/hummingbot:version-2.5.0",
  exchange: "binance",
  hummingbot: {
    strategy: "pmm.yml",
    configFiles: {
      "strategies/pmm.yml": { ...pmm, exchange: "binance_paper_trade" },
    },
  },
};
/** What freqtrade needs in any trader's config (config/freqtrade.ts). */
const stake = { stake_currency: "USDT", stake_amount: 10, exchange: { pair_whitelist: ["BTC/USDT"] } };
const ft = {
  name: "ft",
  preset: "freqtrade",
  image: "freqtradeorg/freqtrade:2025.10",
  exchange: "binance",
  freqtrade: { strategy: "Sample", config: stake },
};
const probes = {
  liveness: { type: "tcp", port: "http" },
  readiness: { type: "http", path: "/ready", port: "http" },
};
const svc = {
  name: "svc",
  preset: "custom",
  image: "example/svc:1.0.0",
  workload: "service",
  autoscaling: {},
  custom: { ports: [{ name: "http", containerPort: 8080 }], probes },
};
const job = {
  name: "job",
  preset: "custom",
  image: "example/job:1.0.0",
  workload: "scheduled",
  schedule: "*/5 * * * *",
};

describe("botfleet:bots", () => {
  test("the sample fleet parses, with defaults resolved per preset and workload", () => {
    const fleet = parseFleet();
    const by = Object.fromEntries(fleet.map((b) => [b.name, b]));
    expect(by["btc-usdt-mm"]).toMatchObject({
      workload: "trader",
      paperTrading: true,
      restartOnConfigChange: true,
      terminationGracePeriodSeconds: 120,
      storage: "5Gi",
      resources: {
        requests: { ...PRESET_RESOURCES.hummingbot.requests, "ephemeral-storage": "1Gi" },
        limits: PRESET_RESOURCES.hummingbot.limits,
      },
      hummingbot: { instanceId: "btc-usdt-mm" },
    });
    // A live trader is never restarted silently by a config change.
    expect(by["eth-usdt-live"].restartOnConfigChange).toBe(false);
    expect(by["ft-live"]).toMatchObject({ restartOnConfigChange: false, storage: "10Gi" });
    expect(by["signal-api"]).toMatchObject({
      terminationGracePeriodSeconds: 30,
      storage: undefined,
      autoscaling: { minReplicas: 2, maxReplicas: 8, cpuUtilization: 70, scaleDownStabilizationSeconds: 300 },
    });
    expect(by["daily-report"]).toMatchObject({
      activeDeadlineSeconds: 3600,
      exchange: "none",
      storage: undefined,
    });
    expect(by["arb-watcher"].storage).toBe("1Gi");
    // Scheduled bots have a volume only when asked; freqtrade finds strategies in user_data by default.
    expect(by["ft-download"]).toMatchObject({ storage: "2Gi", egressPorts: [] });
    expect(by["ft-sample"].freqtrade).toMatchObject({
      strategyPath: "/freqtrade/user_data/strategies",
      strategyFiles: {},
    });
    expect(by["arb-watcher"].egressPorts).toEqual([8765]);
  });

  test("a service without an autoscaling section gets the section's defaults (its HPA needs them)", () => {
    const { autoscaling: _, ...bare } = svc;
    const [bot] = parseFleet([bare]);
    expect(bot.workload === "service" && bot.autoscaling).toEqual({
      minReplicas: 2,
      maxReplicas: 5,
      cpuUtilization: 70,
      memoryUtilization: 80,
      scaleUpStabilizationSeconds: 0,
      scaleDownStabilizationSeconds: 300,
    });
  });

  test("names: a trader may start with a digit, a service may have 63 characters", () => {
    expect(problems(botsSchema, [{ ...ft, name: "1inch-arb" }])).toEqual([]);
    expect(problems(botsSchema, [{ ...svc, name: "s".repeat(63) }])).toEqual([]);
    expect(problems(botsSchema, [{ ...ft, name: "f".repeat(52) }])).toEqual([]);
  });

  test("a V1 strategy without order_refresh_time gets the strategy's own default, 30 s; a value given wins", () => {
    const bot = parseHummingbot(hb);
    const render = (b: typeof bot) =>
      YAML.parse(botConfigData(b, { host: "mqtt", port: 1883 })["strategies__pmm.yml"]);
    expect(render(bot)).toMatchObject({ strategy: "pure_market_making", order_refresh_time: 30 });
    const file = bot.hummingbot.configFiles["strategies/pmm.yml"];
    const given = {
      ...bot,
      hummingbot: {
        ...bot.hummingbot,
        configFiles: { "strategies/pmm.yml": { ...file, order_refresh_time: 5 } },
      },
    };
    expect(render(given).order_refresh_time).toBe(5);
  });

  test("resources given without a memory limit get twice the request", () => {
    const [bot] = parseFleet([{ ...ft, resources: { requests: { cpu: "1", memory: "256Mi" } } }]);
    expect(bot.resources).toEqual({
      requests: { cpu: "1", memory: "256Mi", "ephemeral-storage": "1Gi" },
      limits: { memory: String(512 * 2 ** 20) },
    });
  });

  test.each<[string, unknown[], string[]]>([
    [
      "an autoscaled trader",
      [{ ...ft, autoscaling: { minReplicas: 2, maxReplicas: 4 } }],
      [
        '0.autoscaling: a trader places orders and must never be autoscaled (two replicas would trade twice); remove autoscaling, or use workload "service" for a stateless part',
      ],
    ],
    [
      "a schedule on a trader",
      [{ ...ft, schedule: "0 * * * *" }],
      ['0.schedule: only a scheduled bot takes a schedule; this bot is a trader, got "0 * * * *"'],
    ],
    [
      "a scheduled bot without schedule",
      [{ ...job, schedule: undefined }],
      ['0.schedule: a scheduled bot needs a schedule such as "*/15 * * * *", got nothing'],
    ],
    [
      "duplicate names",
      [ft, { ...ft, exchange: "kraken" }],
      ['1.name: must be unique in the fleet, got "ft" (also bots[0])'],
    ],
    [
      "a latest image",
      [{ ...ft, image: "freqtradeorg/freqtrade:latest" }],
      [
        '0.image: must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got "freqtradeorg/freqtrade:latest"',
      ],
    ],
    [
      "an untagged image",
      [{ ...ft, image: "freqtradeorg/freqtrade" }],
      [
        '0.image: must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got "freqtradeorg/freqtrade"',
      ],
    ],
    [
      "a name that is not DNS-1123",
      [{ ...ft, name: "BTC_USDT" }],
      [
        '0.name: must be a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters), got "BTC_USDT"',
      ],
    ],
    [
      "a service whose name starts with a digit (its Service name must be a DNS-1035 label)",
      [{ ...svc, name: "1inch-arb" }],
      [
        '0.name: must suit its Service, which must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit), got "1inch-arb"; rename it to start with a letter, e.g. "bot-1inch-arb"',
      ],
    ],
    [
      "a trader name too long for its pods' revision label",
      [{ ...ft, name: "f".repeat(53) }],
      [
        `0.name: must be at most 52 characters for a trader: it becomes its pods' controller-revision-hash label (the name, "-" and a hash of up to 10 characters), which must be a label value of at most 63 characters, got "${"f".repeat(53)}" (53 characters); shorten it`,
      ],
    ],
    [
      "a scheduled bot name too long for a CronJob",
      [{ ...job, name: "j".repeat(53) }],
      [
        `0.name: must be at most 52 characters for a scheduled bot: it becomes its CronJob, whose Jobs are named "<name>-<scheduled minute>", which must be a DNS-1123 subdomain of at most 52 characters, got "${"j".repeat(53)}" (53 characters); shorten it`,
      ],
    ],
    [
      "a reserved name",
      [{ ...ft, name: "botfleet-mqtt" }],
      [
        '0.name: must not start with "botfleet-" (reserved for the fleet\'s shared objects), got "botfleet-mqtt"',
      ],
    ],
    [
      "a hummingbot service",
      [{ ...hb, workload: "service", autoscaling: {} }],
      [
        '0.workload: a hummingbot bot places orders and must run as a trader; only custom services scale, got "service"',
      ],
    ],
    [
      "autoscaling bounds",
      [{ ...svc, autoscaling: { minReplicas: 1, maxReplicas: 1 } }],
      [
        "0.autoscaling.minReplicas: must be >= 2 so one pod survives a drain, got 1",
        "0.autoscaling.maxReplicas: must be > minReplicas (1), got 1",
      ],
    ],
    [
      "a short grace period on a trader",
      [{ ...ft, terminationGracePeriodSeconds: 10 }],
      [
        "0.terminationGracePeriodSeconds: must be >= 60 for a trader, so it can cancel open orders on shutdown, got 10",
      ],
    ],
    [
      "storage on a service",
      [{ ...svc, storage: "1Gi" }],
      [
        "0.storage: only a trader or a scheduled bot has a volume; a service must keep state in Redis or Postgres",
      ],
    ],
    [
      "a storage class on a scheduled bot without storage",
      [{ ...job, storageClass: "fast" }],
      [
        '0.storageClass: a scheduled bot has a volume only with storage (e.g. "5Gi"); set storage or remove storageClass',
      ],
    ],
    [
      "egress ports out of range, DNS, already allowed, or repeated",
      [{ ...ft, egressPorts: [0, 70000, 53, 8443, 8765, 8765] }],
      [
        "0.egressPorts.0: must be a port between 1 and 65535, got 0",
        "0.egressPorts.1: must be a port between 1 and 65535, got 70000",
        "0.egressPorts.2: must not be 53 (DNS goes to kube-dns only), got 53",
        "0.egressPorts.3: must be a port not already allowed (443, 8443, 9443 for every bot, or listed before), got 8443",
        "0.egressPorts.5: must be a port not already allowed (443, 8443, 9443 for every bot, or listed before), got 8765",
      ],
    ],
    [
      "strategy files that are not python module names",
      [{ ...ft, freqtrade: { ...ft.freqtrade, strategyFiles: { "../evil.py": "x", "notes.txt": "x" } } }],
      [
        '0.freqtrade.strategyFiles.../evil.py: must be a python file name such as "MyStrategy.py", got "../evil.py"',
        '0.freqtrade.strategyFiles.notes.txt: must be a python file name such as "MyStrategy.py", got "notes.txt"',
      ],
    ],
    [
      "a bot without its exchange",
      [{ ...ft, exchange: undefined }],
      ['0.exchange: a freqtrade bot must name its exchange (e.g. "binance"), got nothing'],
    ],
    [
      "a preset section of another preset",
      [{ ...ft, hummingbot: hb.hummingbot }],
      ['0.hummingbot: only a hummingbot bot takes a "hummingbot" section; this bot\'s preset is freqtrade'],
    ],
    [
      "a paper hummingbot bot on a real connector",
      [
        {
          ...hb,
          hummingbot: {
            strategy: "pmm.yml",
            configFiles: { "strategies/pmm.yml": { ...pmm, exchange: "binance" } },
          },
        },
      ],
      [
        '0.hummingbot.configFiles.strategies/pmm.yml.exchange: a paper bot must use the paper-trade connector "binance_paper_trade" (or set paperTrading: false to go live), got "binance"',
      ],
    ],
    [
      "a live hummingbot bot on a paper connector",
      [{ ...hb, paperTrading: false }],
      [
        '0.hummingbot.configFiles.strategies/pmm.yml.exchange: a live bot must use a real connector such as "binance", got "binance_paper_trade"',
      ],
    ],
    [
      "a V1 strategy file without values hummingbot has no default for",
      [
        {
          ...hb,
          hummingbot: {
            strategy: "pmm.yml",
            configFiles: {
              "strategies/pmm.yml": {
                ...pmm,
                exchange: "binance_paper_trade",
                bid_spread: null,
                order_amount: undefined,
                price_source: "external_market",
                price_source_exchange: "kucoin_paper_trade",
              },
            },
          },
        },
      ],
      [
        "0.hummingbot.configFiles.strategies/pmm.yml.bid_spread: hummingbot's pure_market_making requires bid_spread and has no default for it, got null; set it in the strategy file",
        "0.hummingbot.configFiles.strategies/pmm.yml.order_amount: hummingbot's pure_market_making requires order_amount and has no default for it, got nothing; set it in the strategy file",
        "0.hummingbot.configFiles.strategies/pmm.yml.price_source_market: hummingbot's pure_market_making requires price_source_market and has no default for it, got nothing; set it in the strategy file",
        "0.hummingbot.configFiles.strategies/pmm.yml.take_if_crossed: hummingbot's pure_market_making requires take_if_crossed and has no default for it, got nothing; set it in the strategy file",
      ],
    ],
    [
      "a V1 strategy hummingbot does not have",
      [
        {
          ...hb,
          hummingbot: {
            strategy: "pmm.yml",
            configFiles: {
              "strategies/pmm.yml": { strategy: "grid_trading", exchange: "binance_paper_trade" },
            },
          },
        },
      ],
      [
        '0.hummingbot.configFiles.strategies/pmm.yml.strategy: must name a V1 strategy of hummingbot 2.16 (pure_market_making, perpetual_market_making, avellaneda_market_making, cross_exchange_market_making, cross_exchange_mining, amm_arb, liquidity_mining, spot_perpetual_arbitrage, hedge), got "grid_trading"; anything else runs as a V2 script (hummingbot.script)',
      ],
    ],
    [
      "a hummingbot strategy that is not among its files",
      [{ ...hb, hummingbot: { strategy: "other.yml", configFiles: hb.hummingbot.configFiles } }],
      [
        '0.hummingbot.strategy: must name a file in hummingbot.configFiles ("strategies/other.yml"), got "other.yml"; known files: strategies/pmm.yml',
      ],
    ],
    [
      "hummingbot with both strategy and script",
      [
        {
          ...hb,
          hummingbot: {
            ...hb.hummingbot,
            script: "s.yml",
            configFiles: { ...hb.hummingbot.configFiles, "scripts/s.yml": { script_file_name: "x.py" } },
          },
        },
      ],
      [
        '0.hummingbot: must set exactly one of "strategy" (a file in conf/strategies/) or "script" (a file in conf/scripts/), got both',
      ],
    ],
    [
      "an MQTT password in hummingbot config",
      [
        {
          ...hb,
          hummingbot: {
            ...hb.hummingbot,
            configFiles: {
              ...hb.hummingbot.configFiles,
              "conf_client.yml": { mqtt_bridge: { mqtt_password: "x" } },
            },
          },
        },
      ],
      [
        "0.hummingbot.configFiles.conf_client.yml.mqtt_bridge.mqtt_password: must not be set: the fleet's MQTT broker password is generated and injected at start",
      ],
    ],
    [
      "a connector key file in hummingbot config",
      [
        {
          ...hb,
          hummingbot: {
            ...hb.hummingbot,
            configFiles: { ...hb.hummingbot.configFiles, "connectors/binance.yml": {} },
          },
        },
      ],
      [
        '0.hummingbot.configFiles.connectors/binance.yml: must be a .yml path under conf/ such as "conf_client.yml", "strategies/pmm.yml" or "scripts/conf_pmm.yml" (connector keys belong in botSecrets), got "connectors/binance.yml"',
      ],
    ],
    [
      "duplicate hummingbot instance ids",
      [hb, { ...hb, name: "hb2", hummingbot: { ...hb.hummingbot, instanceId: "hb" } }],
      [
        '1.hummingbot.instanceId: must be unique in the fleet (MQTT topics are per instance), got "hb" (also bot hb)',
      ],
    ],
    [
      "exchange keys in freqtrade config",
      [
        {
          ...ft,
          freqtrade: {
            strategy: "Sample",
            config: { ...stake, exchange: { ...stake.exchange, key: "k", secret: "s" } },
          },
        },
      ],
      [
        "0.freqtrade.config.exchange.key: must not be in stack config: exchange keys come from botSecrets and the API credentials are generated",
        "0.freqtrade.config.exchange.secret: must not be in stack config: exchange keys come from botSecrets and the API credentials are generated",
      ],
    ],
    [
      "dry_run in freqtrade config",
      [{ ...ft, freqtrade: { strategy: "Sample", config: { ...stake, dry_run: false } } }],
      [
        "0.freqtrade.config.dry_run: is set by the fleet (from paperTrading, exchange and the state volume); remove it",
      ],
    ],
    [
      "a freqtrade trader without stake settings or pairs (freqtrade's schema has no default for them)",
      [{ ...ft, freqtrade: { strategy: "Sample", config: {} } }],
      [
        `0.freqtrade.config.stake_currency: freqtrade's "trade" requires stake_currency and has no default, got nothing; set it, e.g. "USDT"`,
        `0.freqtrade.config.stake_amount: freqtrade's "trade" requires stake_amount and has no default, got nothing; set it, e.g. 100 (or "unlimited")`,
        `0.freqtrade.config.exchange.pair_whitelist: freqtrade's StaticPairList (the default pairlist) trades exchange.pair_whitelist, which must list pairs, got nothing; list them, e.g. ["BTC/USDT"]`,
      ],
    ],
    [
      "a freqtrade price side freqtrade does not know",
      [
        {
          ...ft,
          freqtrade: { strategy: "Sample", config: { ...stake, exit_pricing: { price_side: "middle" } } },
        },
      ],
      [
        '0.freqtrade.config.exit_pricing.price_side: must be one of "ask", "bid", "same", "other", got "middle"',
      ],
    ],
    [
      "a shipped strategy that leaves out what freqtrade needs from it",
      [
        {
          ...ft,
          freqtrade: {
            strategy: "Mine",
            strategyFiles: { "Mine.py": "class Mine(IStrategy):\n    stoploss = -0.1\n" },
            config: stake,
          },
        },
      ],
      [
        "0.freqtrade.config.timeframe: freqtrade needs timeframe from config.json or the strategy, and Mine does not set it, got nothing; set it in one of them",
        "0.freqtrade.config.minimal_roi: freqtrade needs minimal_roi from config.json or the strategy, and Mine does not set it, got nothing; set it in one of them",
      ],
    ],
    [
      "download-data without pairs, and with both --days and --timerange",
      [
        {
          ...ft,
          workload: "scheduled",
          schedule: "@daily",
          freqtrade: { strategy: "S", args: ["download-data", "--days", "3", "--timerange", "20250101-"] },
        },
      ],
      [
        "0.freqtrade.config.exchange.pair_whitelist: freqtrade's download-data needs pairs: --pairs in args or exchange.pair_whitelist, got neither; list them",
        "0.freqtrade.args: freqtrade's download-data takes --days or --timerange, not both; keep one",
      ],
    ],
    [
      "a scheduled freqtrade bot that would trade",
      [{ ...ft, workload: "scheduled", schedule: "@daily", freqtrade: { strategy: "S", args: ["trade"] } }],
      [
        '0.freqtrade.args.0: a scheduled bot runs a command that ends, such as "download-data" or "backtesting"; "trade" runs until stopped: make the bot a trader, got "trade"',
      ],
    ],
    [
      "an api_server section on a scheduled freqtrade bot",
      [
        {
          ...ft,
          workload: "scheduled",
          schedule: "@daily",
          freqtrade: {
            strategy: "S",
            args: ["backtesting"],
            config: { ...stake, api_server: { enabled: false } },
          },
        },
      ],
      [
        `0.freqtrade.config.api_server: only a trader serves freqtrade's API; a scheduled bot's "backtesting" would refuse an api_server section without credentials, remove it`,
      ],
    ],
    [
      "a scheduled freqtrade bot without args",
      [{ ...ft, workload: "scheduled", schedule: "@hourly" }],
      [
        '0.freqtrade.args: a scheduled freqtrade bot needs its subcommand, e.g. ["download-data", "--days", "30"], got nothing',
      ],
    ],
    [
      "a service without ports or probes",
      [{ ...svc, custom: {} }],
      [
        "0.custom.probes.liveness: a long-running bot needs a liveness probe (http, tcp or exec), got nothing",
        "0.custom.probes.readiness: a long-running bot needs a readiness probe (http, tcp or exec), got nothing",
        "0.custom.ports: a service needs at least one port to serve, got nothing",
      ],
    ],
    [
      "identical liveness and readiness probes",
      [
        {
          ...svc,
          custom: { ...svc.custom, probes: { liveness: probes.liveness, readiness: probes.liveness } },
        },
      ],
      [
        "0.custom.probes.readiness: must differ from the liveness probe (a failed readiness check should not restart the bot); use another path or threshold",
      ],
    ],
    [
      "a probe on an undeclared port",
      [
        {
          ...svc,
          custom: { ...svc.custom, probes: { ...probes, liveness: { type: "tcp", port: "admin" } } },
        },
      ],
      ['0.custom.probes.liveness.port: must be a declared port (http), got "admin"'],
    ],
    [
      "a secret-looking plain env value",
      [{ ...job, custom: { env: { EXCHANGE_API_KEY: "abc" } } }],
      [
        "0.custom.env.EXCHANGE_API_KEY: looks like a secret; put the value in botSecrets.job and map it in custom.secretEnv",
      ],
    ],
    [
      "clients that are not in the fleet",
      [{ ...svc, clients: ["ghost"] }],
      ['0.clients.0: must name a bot in the fleet, got "ghost"'],
    ],
    [
      "clients on a trader",
      [{ ...ft, clients: ["ft"] }],
      [
        "0.clients: only a service accepts clients; this bot is a trader",
        '0.clients.0: a service need not list itself, got "ft"',
      ],
    ],
    ["unknown keys", [{ ...ft, replicas: 3 }], ['0: Unrecognized key: "replicas"']],
    [
      "a memory limit below the request",
      [{ ...ft, resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "512Mi" } } }],
      ["0.resources.limits.memory: must be >= requests.memory (1Gi), got 512Mi"],
    ],
  ])("rejects %s", (_label, fleet, expected) => {
    expect(problems(botsSchema, fleet)).toEqual(expected);
  });
});

describe("botfleet:botSecrets", () => {
  test("requiredBotSecrets lists live exchange keys and every secretEnv reference", () => {
    expect(requiredBotSecrets(parseFleet())).toEqual([
      "botSecrets.eth-usdt-live.configPassword",
      "botSecrets.eth-usdt-live.connectorConfig",
      "botSecrets.eth-usdt-live.passwordVerification",
      "botSecrets.ft-live.apiKey",
      "botSecrets.ft-live.apiSecret",
      "botSecrets.signal-api.signalToken",
      "botSecrets.arb-watcher.apiKey",
    ]);
  });

  test("the sample fleet and its secrets agree", () => {
    expect(botSecretsProblems(parseFleet(), z.parse(botSecretsSchema, rawSecrets))).toEqual([]);
  });

  test("a live bot without exchange keys, and secrets for a bot that does not exist, are reported", () => {
    const fleet = parseFleet(rawFleet);
    const secrets = { ...rawSecrets, "ft-live": { apiKey: "k" }, ghost: { apiKey: "k" } };
    expect(botSecretsProblems(fleet, secrets)).toEqual([
      'botfleet:botSecrets.ft-live.apiSecret: required (a live freqtrade bot needs it), got nothing; run "pulumi config set --secret --path botSecrets.ft-live.apiSecret <value>"',
      'botfleet:botSecrets.ghost: no bot is named "ghost"; remove it or fix the name',
    ]);
  });

  test.each<[string, unknown, string[]]>([
    [
      "an empty value",
      { ft: { apiKey: "" } },
      ["ft.apiKey: must be a non-empty string; an empty secret is a mistake"],
    ],
    [
      "a bad key name",
      { ft: { "api-key": "x" } },
      ['ft.api-key: must be a secret key name (letters, digits, "_"; e.g. "apiKey"), got "api-key"'],
    ],
    [
      "a non-string value",
      { ft: { apiKey: 42 } },
      ["ft.apiKey: Invalid input: expected string, received number"],
    ],
  ])("rejects %s", (_label, value, expected) => {
    expect(problems(botSecretsSchema, value)).toEqual(expected);
  });
});
