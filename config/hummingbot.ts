/**
 * What hummingbot's V1 strategies require of their config file (`conf/strategies/<file>.yml`, started by
 * CONFIG_FILE_NAME), in our words, and the defaults the fleet puts under a bot's own values. Read at
 * hummingbot v2.16.0 (the stacks' `version-2.16.0` image):
 * - hummingbot/strategy/<name>/<name>_config_map.py: a ConfigVar without `default` and without
 *   `required_if` is required; `required_if` makes it required when another value says so.
 * - hummingbot/strategy/<name>/<name>_config_map_pydantic.py and client/config/strategy_config_data_types.py:
 *   a Field without a default is required.
 * - client/config/config_helpers.py, load_yml_into_cm_legacy: a missing value stays None, and
 *   client/runner.py starts the strategy headless without asking; its start.py then fails on the None.
 */
import { show } from "./common";

interface StrategyRules {
  /** Keys with no default. */
  readonly required: readonly string[];
  /** Keys required when another key has a value: [key, value, required keys]. */
  readonly requiredWhen?: readonly (readonly [string, unknown, readonly string[]])[];
  /** Fleet defaults for keys hummingbot requires but a fleet can choose safely. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

const MAKER_TAKER = [
  "maker_market",
  "taker_market",
  "maker_market_trading_pair",
  "taker_market_trading_pair",
];

/** The V1 strategies of hummingbot 2.16 (hummingbot/strategy/<name>/start.py). */
export const HUMMINGBOT_V1_STRATEGIES: Readonly<Record<string, StrategyRules>> = {
  pure_market_making: {
    required: ["exchange", "market", "bid_spread", "ask_spread", "order_amount"],
    requiredWhen: [
      [
        "price_source",
        "external_market",
        ["price_source_exchange", "price_source_market", "take_if_crossed"],
      ],
      ["price_source", "custom_api", ["price_source_custom_api"]],
      [
        "split_order_levels_enabled",
        true,
        [
          "bid_order_level_spreads",
          "ask_order_level_spreads",
          "bid_order_level_amounts",
          "ask_order_level_amounts",
        ],
      ],
    ],
    // The strategy class's own default (pure_market_making.pyx), which the config map does not carry.
    defaults: { order_refresh_time: 30 },
  },
  perpetual_market_making: {
    required: ["derivative", "market", "leverage", "bid_spread", "ask_spread", "order_amount"],
    requiredWhen: [
      ["price_source", "external_market", ["price_source_derivative", "price_source_market"]],
      ["price_source", "custom_api", ["price_source_custom_api"]],
    ],
    // perpetual_market_making.py's own default.
    defaults: { order_refresh_time: 30 },
  },
  avellaneda_market_making: {
    required: ["exchange", "market", "execution_timeframe_mode", "order_amount", "order_refresh_time"],
  },
  cross_exchange_market_making: { required: [...MAKER_TAKER, "min_profitability", "order_amount"] },
  cross_exchange_mining: { required: [...MAKER_TAKER, "min_profitability", "order_amount"] },
  amm_arb: { required: ["connector_1", "market_1", "connector_2", "market_2", "order_amount"] },
  liquidity_mining: {
    required: ["exchange", "markets", "token", "order_amount", "spread", "target_base_pct"],
  },
  spot_perpetual_arbitrage: {
    required: ["spot_connector", "spot_market", "perpetual_connector", "perpetual_market", "order_amount"],
  },
  hedge: { required: ["hedge_connector", "hedge_markets"] },
};

/** A V1 strategy file with the fleet's defaults under the user's values (unknown strategies as given). */
export function withStrategyDefaults(file: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rules = HUMMINGBOT_V1_STRATEGIES[String(file.strategy)];
  return { ...(rules?.defaults ?? {}), ...file };
}

const empty = (v: unknown) => v === undefined || v === null || v === "";

/** What hummingbot 2.16 would stop on in a V1 strategy file: [key, "<rule>, got <value>; <fix>"]. */
export function strategyFileProblems(file: Readonly<Record<string, unknown>>): [string, string][] {
  const name = file.strategy;
  const rules = typeof name === "string" ? HUMMINGBOT_V1_STRATEGIES[name] : undefined;
  if (rules === undefined) {
    return [
      [
        "strategy",
        `must name a V1 strategy of hummingbot 2.16 (${Object.keys(HUMMINGBOT_V1_STRATEGIES).join(", ")}), got ${show(name)}; anything else runs as a V2 script (hummingbot.script)`,
      ],
    ];
  }
  const merged = withStrategyDefaults(file);
  const needed = [...rules.required];
  for (const [key, value, keys] of rules.requiredWhen ?? []) if (merged[key] === value) needed.push(...keys);
  return needed
    .filter((key) => empty(merged[key]))
    .map((key) => [
      key,
      `hummingbot's ${name} requires ${key} and has no default for it, got ${show(merged[key])}; set it in the strategy file`,
    ]);
}
