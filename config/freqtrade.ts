/**
 * What freqtrade requires of config.json before it runs a command, in our words, and the defaults the
 * fleet puts under a bot's own settings. Read from freqtrade's sources (2024.10 and the 2025 tree the
 * stacks pin, 2025.10):
 * - freqtrade/config_schema/config_schema.py: the JSON schema; SCHEMA_TRADE_REQUIRED (dry-run and live),
 *   SCHEMA_BACKTEST_REQUIRED, SCHEMA_MINIMAL_REQUIRED; `entry_pricing` and `exit_pricing` need
 *   `price_side` and have no default; `pairlists` needs at least one entry; an `api_server` section,
 *   wherever it appears, needs `username` and `password`.
 * - freqtrade/configuration/config_validation.py: validate_config_schema picks the required list by run
 *   mode and fills the schema's defaults first; _validate_whitelist: StaticPairList needs
 *   `exchange.pair_whitelist` outside the utility modes.
 * - freqtrade/configuration/configuration.py: FREQTRADE__* environment variables are merged in before
 *   validation (our API credentials arrive that way); a missing `pairlists` becomes [].
 * - freqtrade/resolvers/strategy_resolver.py: the strategy supplies `timeframe`, `stoploss`,
 *   `minimal_roi` and `max_open_trades` (default unlimited) when the config has none.
 * - freqtrade/commands/*.py: the run mode of each command; data_commands.py: download-data needs pairs.
 */

import { deepMerge, isRecord, show } from "./common";

/** The run modes whose required fields differ (freqtrade/enums/runmode.py). */
export type FreqtradeRunMode = "trade" | "backtest" | "util" | "webserver";

/** Run mode of the commands a fleet runs; other commands are utilities (minimal requirements). */
const COMMAND_MODES: Record<string, FreqtradeRunMode> = {
  trade: "trade",
  backtesting: "backtest",
  hyperopt: "backtest",
  webserver: "webserver",
};

export const freqtradeRunMode = (command: string): FreqtradeRunMode => COMMAND_MODES[command] ?? "util";

/** Commands that run until stopped: a trader's business, never a scheduled bot's. */
export const LONG_RUNNING_COMMANDS = ["trade", "webserver"] as const;

/**
 * Defaults under the bot's config where it has none: the required pricing sections (freqtrade's own
 * example configs use these values: the side of the book, from the order book's top) and a static
 * pair list from `exchange.pair_whitelist`.
 */
export const FREQTRADE_DEFAULTS: Readonly<Record<string, unknown>> = {
  entry_pricing: {
    price_side: "same",
    use_order_book: true,
    order_book_top: 1,
    price_last_balance: 0.0,
    check_depth_of_market: { enabled: false, bids_to_ask_delta: 1 },
  },
  exit_pricing: { price_side: "same", use_order_book: true, order_book_top: 1 },
  pairlists: [{ method: "StaticPairList" }],
};

/** The bot's config.json settings with the fleet's defaults under them. */
export const withFreqtradeDefaults = (config: Readonly<Record<string, unknown>>) =>
  deepMerge({ ...FREQTRADE_DEFAULTS }, { ...config });

/** Fields a run mode requires that neither the fleet, freqtrade's defaults nor the strategy supply. */
const USER_REQUIRED: Record<FreqtradeRunMode, readonly string[]> = {
  trade: ["stake_currency", "stake_amount"],
  backtest: ["stake_currency", "stake_amount"],
  util: [],
  webserver: [],
};

/** What the strategy supplies when config.json has none (strategy_resolver.py). */
export const STRATEGY_SUPPLIED = ["timeframe", "stoploss", "minimal_roi"] as const;

/** A problem found in a rendered freqtrade config: where, and "<rule>, got <value>; <fix>". */
export interface FreqtradeProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * What freqtrade would refuse in this config (the bot's config with the fleet's defaults merged under
 * it) when running `command` with `args`. `strategySource` is the strategy's Python when the stack
 * ships it; without it, what the strategy supplies is taken on trust.
 */
export function freqtradeConfigProblems(
  config: Readonly<Record<string, unknown>>,
  args: readonly string[],
  strategySource?: { name: string; source: string },
): FreqtradeProblem[] {
  const command = args[0] ?? "trade";
  const mode = freqtradeRunMode(command);
  const problems: FreqtradeProblem[] = [];
  const missing = (path: string[], what: string) =>
    problems.push({ path: ["config", ...path], message: what });
  const setByStrategy = (key: string) =>
    strategySource !== undefined && new RegExp(`^\\s+${key}\\s*(:[^=]+)?=`, "m").test(strategySource.source);
  for (const key of USER_REQUIRED[mode]) {
    if ((config[key] === undefined || config[key] === null || config[key] === "") && !setByStrategy(key)) {
      missing(
        [key],
        `freqtrade's "${command}" requires ${key} and has no default, got nothing; set it, e.g. ${key === "stake_currency" ? '"USDT"' : '100 (or "unlimited")'}`,
      );
    }
  }
  const exchange = isRecord(config.exchange) ? config.exchange : {};
  const whitelist = Array.isArray(exchange.pair_whitelist) ? exchange.pair_whitelist : [];
  const pairlists = Array.isArray(config.pairlists) ? config.pairlists : [];
  const staticList = pairlists.some((p) => isRecord(p) && p.method === "StaticPairList");
  if ((mode === "trade" || mode === "backtest") && staticList && whitelist.length === 0) {
    missing(
      ["exchange", "pair_whitelist"],
      `freqtrade's StaticPairList (the default pairlist) trades exchange.pair_whitelist, which must list pairs, got ${show(exchange.pair_whitelist)}; list them, e.g. ["BTC/USDT"]`,
    );
  }
  for (const section of ["entry_pricing", "exit_pricing"]) {
    const s = config[section];
    if (
      s !== undefined &&
      (!isRecord(s) || !["ask", "bid", "same", "other"].includes(String(s.price_side)))
    ) {
      missing(
        [section, "price_side"],
        `must be one of "ask", "bid", "same", "other", got ${show(isRecord(s) ? s.price_side : s)}`,
      );
    }
  }
  if (command === "download-data") {
    const pairsArg = args.some((a) => a === "--pairs" || a === "-p" || a === "--pairs-file");
    if (!pairsArg && whitelist.length === 0) {
      missing(
        ["exchange", "pair_whitelist"],
        `freqtrade's download-data needs pairs: --pairs in args or exchange.pair_whitelist, got neither; list them`,
      );
    }
    if (args.includes("--days") && args.includes("--timerange")) {
      problems.push({
        path: ["args"],
        message: `freqtrade's download-data takes --days or --timerange, not both; keep one`,
      });
    }
  }
  if (mode === "trade" && strategySource !== undefined) {
    for (const key of STRATEGY_SUPPLIED) {
      if (config[key] === undefined && !setByStrategy(key)) {
        missing(
          [key],
          `freqtrade needs ${key} from config.json or the strategy, and ${strategySource.name} does not set it, got nothing; set it in one of them`,
        );
      }
    }
  }
  return problems;
}
