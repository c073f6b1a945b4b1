/** A fleet with every preset and workload, as stack config would hold it. */
import { z } from "zod";
import { botsSchema, type BotConfig, type HummingbotBot } from "../../config/bots";

export const NAMESPACES = { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" };

/** A strategy shipped in stack config (freqtrade.strategyFiles); py_compile checks it in the tests. */
export const TREND_STRATEGY = `from pandas import DataFrame
import talib.abstract as ta

from freqtrade.strategy import IStrategy


class TrendStrategy(IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "1h"
    minimal_roi = {"0": 0.05}
    stoploss = -0.08

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe["ema_fast"] = ta.EMA(dataframe, timeperiod=20)
        dataframe["ema_slow"] = ta.EMA(dataframe, timeperiod=50)
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe.loc[dataframe["ema_fast"] > dataframe["ema_slow"], "enter_long"] = 1
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe.loc[dataframe["ema_fast"] < dataframe["ema_slow"], "exit_long"] = 1
        return dataframe
`;

/** Fake secret values: a leak check looks for this prefix outside Secrets. */
export const FAKE = "FAKESECRET";

export const rawFleet = [
  {
    name: "btc-usdt-mm",
    preset: "hummingbot",
    image: "hummingbot/hummingbot:version-2.5.0",
    exchange: "binance",
    hummingbot: {
      script: "conf_pmm_btc.yml",
      configFiles: {
        "scripts/conf_pmm_btc.yml": {
          script_file_name: "simple_pmm.py",
          exchange: "binance_paper_trade",
          trading_pair: "BTC-USDT",
          order_amount: 0.001,
        },
        "conf_client.yml": { paper_trade: { paper_trade_account_balance: { USDT: 10000, BTC: 1 } } },
      },
    },
  },
  {
    name: "eth-usdt-live",
    preset: "hummingbot",
    image: "hummingbot/hummingbot:version-2.5.0",
    exchange: "kucoin",
    paperTrading: false,
    usesPostgres: true,
    hummingbot: {
      strategy: "pmm_eth.yml",
      configFiles: {
        "strategies/pmm_eth.yml": {
          strategy: "pure_market_making",
          exchange: "kucoin",
          market: "ETH-USDT",
          bid_spread: 0.2,
          ask_spread: 0.2,
          order_amount: 0.05,
        },
      },
    },
  },
  {
    name: "ft-sample",
    preset: "freqtrade",
    image: "freqtradeorg/freqtrade:2025.10",
    exchange: "binance",
    usesRedis: true,
    freqtrade: {
      strategy: "SampleStrategy",
      config: {
        stake_currency: "USDT",
        stake_amount: 100,
        max_open_trades: 3,
        timeframe: "5m",
        exchange: { pair_whitelist: ["BTC/USDT"] },
      },
    },
  },
  {
    name: "ft-live",
    preset: "freqtrade",
    image: "freqtradeorg/freqtrade:2025.10",
    exchange: "kraken",
    paperTrading: false,
    storage: "10Gi",
    freqtrade: {
      strategy: "TrendStrategy",
      strategyFiles: { "TrendStrategy.py": TREND_STRATEGY },
      config: {
        stake_currency: "USD",
        stake_amount: "unlimited",
        max_open_trades: 2,
        exchange: { pair_whitelist: ["BTC/USD", "ETH/USD"] },
      },
    },
  },
  {
    name: "ft-download",
    preset: "freqtrade",
    image: "freqtradeorg/freqtrade:2025.10",
    exchange: "binance",
    workload: "scheduled",
    schedule: "0 */6 * * *",
    // Downloaded candles outlive the run.
    storage: "2Gi",
    freqtrade: {
      strategy: "SampleStrategy",
      args: ["download-data", "--days", "30", "--timeframes", "5m"],
      config: { exchange: { pair_whitelist: ["BTC/USDT"] } },
    },
  },
  {
    name: "signal-api",
    preset: "custom",
    image: "ghcr.io/example/signal-api:1.4.2",
    workload: "service",
    usesRedis: true,
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
    clients: ["arb-watcher"],
    custom: {
      args: ["serve"],
      env: { LOG_LEVEL: "info" },
      secretEnv: { SIGNAL_TOKEN: "signalToken" },
      ports: [
        { name: "http", containerPort: 8000 },
        { name: "metrics", containerPort: 9100 },
      ],
      probes: {
        liveness: { type: "http", path: "/health", port: "http", periodSeconds: 20 },
        readiness: { type: "http", path: "/ready", port: "http" },
      },
    },
  },
  {
    name: "arb-watcher",
    preset: "custom",
    image: "ghcr.io/example/arb-watcher@sha256:" + "a".repeat(64),
    exchange: "bybit",
    storage: "1Gi",
    // A market-data feed on a non-standard port, for this bot only.
    egressPorts: [8765],
    custom: {
      command: ["/app/arb", "--watch"],
      secretEnv: { EXCHANGE_API_KEY: "apiKey" },
      ports: [{ name: "metrics", containerPort: 9000 }],
      probes: {
        startup: { type: "tcp", port: "metrics", failureThreshold: 30 },
        liveness: { type: "tcp", port: "metrics", periodSeconds: 30 },
        readiness: { type: "http", path: "/metrics", port: "metrics" },
      },
      volumes: [{ name: "cache", mountPath: "/cache", sizeLimit: "100Mi" }],
    },
  },
  {
    name: "daily-report",
    preset: "custom",
    image: "ghcr.io/example/report:0.3.0",
    workload: "scheduled",
    schedule: "@daily",
    usesPostgres: true,
    custom: { command: ["/app/report"], restartPolicy: "Never" },
  },
];

export const rawSecrets: Record<string, Record<string, string>> = {
  "eth-usdt-live": {
    configPassword: `${FAKE}-hb-config-password`,
    connectorConfig: `${FAKE}-encrypted-connector-yml`,
    passwordVerification: `${FAKE}-password-verification`,
  },
  "ft-live": { apiKey: `${FAKE}-kraken-key`, apiSecret: `${FAKE}-kraken-secret` },
  "signal-api": { signalToken: `${FAKE}-signal-token` },
  "arb-watcher": { apiKey: `${FAKE}-bybit-key` },
};

export function parseFleet(raw: unknown = rawFleet): BotConfig[] {
  return z.parse(botsSchema, raw);
}

/** The parsed hummingbot bot of `raw`'s first entry (throws when it is another preset). */
export function parseHummingbot(raw: unknown): HummingbotBot {
  const [bot] = parseFleet([raw]);
  if (bot.preset !== "hummingbot") throw new Error(`expected a hummingbot bot, got ${bot.preset}`);
  return bot;
}
