/**
 * freqtrade's config rules as a compact JSON schema, written here in our words (not freqtrade's schema
 * file) and kept apart from config/freqtrade.ts so that each checks the other. Facts read from
 * freqtrade/config_schema/config_schema.py and freqtrade/configuration/{config_validation,configuration}.py
 * (2024.10 and the 2025 tree): the required fields per run mode, the shape of the sections a fleet
 * writes, the defaults the validator fills before it checks, and what load_config adds.
 */

const PRICING = {
  type: "object",
  required: ["price_side"],
  properties: {
    price_side: { enum: ["ask", "bid", "same", "other"] },
    use_order_book: { type: "boolean" },
    order_book_top: { type: "integer", minimum: 1, maximum: 50 },
    price_last_balance: { type: "number", minimum: 0, maximum: 1 },
  },
};

/** The parts of the schema every run mode checks when present. */
const PROPERTIES = {
  max_open_trades: { type: "number", minimum: -1 },
  timeframe: { type: "string" },
  stake_currency: { type: "string" },
  stake_amount: { anyOf: [{ type: "number", minimum: 0.0001 }, { enum: ["unlimited"] }] },
  tradable_balance_ratio: { type: "number", minimum: 0, maximum: 1 },
  last_stake_amount_min_ratio: { type: "number", minimum: 0, maximum: 1 },
  dry_run: { type: "boolean" },
  dry_run_wallet: { anyOf: [{ type: "number" }, { type: "object" }] },
  cancel_open_orders_on_exit: { type: "boolean" },
  minimal_roi: { type: "object" },
  stoploss: { type: "number", exclusiveMaximum: 0 },
  entry_pricing: PRICING,
  exit_pricing: PRICING,
  exchange: {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string" },
      key: { type: "string" },
      secret: { type: "string" },
      pair_whitelist: { type: "array", items: { type: "string" }, uniqueItems: true },
    },
  },
  pairlists: {
    type: "array",
    minItems: 1,
    items: { type: "object", required: ["method"], properties: { method: { type: "string" } } },
  },
  api_server: {
    type: "object",
    required: ["enabled", "listen_ip_address", "listen_port", "username", "password", "jwt_secret_key"],
    properties: {
      enabled: { type: "boolean" },
      listen_port: { type: "integer", minimum: 1024, maximum: 65535 },
      username: { type: "string" },
      password: { type: "string" },
      jwt_secret_key: { type: "string", minLength: 32 },
      verbosity: { enum: ["error", "info"] },
    },
  },
  bot_name: { type: "string" },
  db_url: { type: "string" },
  initial_state: { enum: ["running", "paused", "stopped"] },
  internals: { type: "object" },
  dataformat_ohlcv: { type: "string" },
  dataformat_trades: { type: "string" },
};

/** Fields required per run mode (the schema file's *_REQUIRED lists; pairlists joined them in 2025). */
export const REQUIRED_BY_MODE: Record<string, string[]> = {
  trade: [
    "exchange",
    "timeframe",
    "max_open_trades",
    "stake_currency",
    "stake_amount",
    "tradable_balance_ratio",
    "last_stake_amount_min_ratio",
    "dry_run",
    "dry_run_wallet",
    "exit_pricing",
    "entry_pricing",
    "stoploss",
    "minimal_roi",
    "pairlists",
    "internals",
    "dataformat_ohlcv",
    "dataformat_trades",
  ],
  backtest: [
    "exchange",
    "stake_currency",
    "stake_amount",
    "pairlists",
    "dry_run_wallet",
    "dataformat_ohlcv",
    "dataformat_trades",
  ],
  util: ["exchange", "dry_run", "dataformat_ohlcv", "dataformat_trades"],
};

/** The run mode of a command (freqtrade/commands/*.py). */
export function modeOf(command: string): keyof typeof REQUIRED_BY_MODE {
  if (command === "trade") return "trade";
  if (command === "backtesting" || command === "hyperopt") return "backtest";
  return "util";
}

export function freqtradeSchema(mode: keyof typeof REQUIRED_BY_MODE): object {
  return { type: "object", properties: PROPERTIES, required: REQUIRED_BY_MODE[mode] };
}

/** Defaults the validator fills before checking `required`, and what load_config adds. */
export const FILLED_BEFORE_CHECK: Record<string, unknown> = {
  tradable_balance_ratio: 0.99,
  last_stake_amount_min_ratio: 0.5,
  dry_run_wallet: 1000,
  dataformat_ohlcv: "feather",
  dataformat_trades: "feather",
  internals: {},
  pairlists: [],
};

/** What freqtrade's SampleStrategy (freqtrade/templates/sample_strategy.py) gives a config without them. */
export const SAMPLE_STRATEGY_GIVES = { timeframe: "5m", stoploss: -0.1, minimal_roi: { "0": 0.04 } };
