/**
 * The internet hosts a bot needs for its exchange, for DNS-aware egress (`platform.botEgress: fqdn`):
 * Cilium `toFQDNs` patterns, where `*.example.com` matches exactly one label under example.com and not
 * example.com itself (cilium/cilium pkg/policy/api/fqdn.go, `MatchPattern`).
 *
 * Read on 2026-11-30 at the pinned bots' sources (not copied):
 * - freqtrade 2025.11 talks to exchanges through ccxt 4.5.14 (freqtrade PR #12562, "New release 2025.11",
 *   bumps ccxt to 4.5.14): ccxt `python/ccxt/<id>.py` `describe()["urls"]["api"]` (REST) and
 *   `python/ccxt/pro/<id>.py` (`urls.api.ws`, websockets).
 * - hummingbot version-2.16.0 (tag v2.16.0, commit 8f1906145ba7): `hummingbot/connector/exchange/<name>/
 *   <name>_constants.py` (`REST_URL`, `WSS_URL`, ...).
 * Every host the two use for spot (and freqtrade's futures where it supports them) is one label under the
 * domains below. Add an exchange only after the same reading.
 */

export interface ExchangeHosts {
  /** `toFQDNs` patterns or names. */
  readonly hosts: readonly string[];
  /** Where they were read. */
  readonly source: string;
}

const BINANCE: ExchangeHosts = {
  // api., fapi., dapi. (ccxt loads spot, linear and inverse markets by default: options.fetchMarkets.types),
  // stream. on 9443 (ccxt pro urls.api.ws.spot; hummingbot WSS_URL), ws-api. (hummingbot WSS_API_URL).
  hosts: ["*.binance.com"],
  source:
    "ccxt binance.py urls.api, pro/binance.py urls.api.ws; hummingbot binance_constants.py REST_URL, WSS_URL, WSS_API_URL",
};
const KRAKEN: ExchangeHosts = {
  // api. (REST), ws. and ws-auth. (websockets).
  hosts: ["*.kraken.com"],
  source:
    "ccxt kraken.py urls.api, pro/kraken.py urls.api.ws; hummingbot kraken_constants.py BASE_URL, WS_URL, WS_AUTH_URL",
};
const KUCOIN: ExchangeHosts = {
  // api. (REST); the websocket host is whatever POST /api/v1/bullet-public returns (instanceServers[].endpoint).
  hosts: ["*.kucoin.com"],
  source: "ccxt kucoin.py urls.api, pro/kucoin.py negotiate; hummingbot kucoin_constants.py BASE_PATH_URL",
};
const BYBIT: ExchangeHosts = {
  // api. (REST), stream. (websockets).
  hosts: ["*.bybit.com"],
  source:
    "ccxt bybit.py urls.api (hostname bybit.com), pro/bybit.py urls.api.ws; hummingbot bybit_constants.py REST_URLS, WSS_PUBLIC_URL",
};
const OKX: ExchangeHosts = {
  // www. (REST), ws. on 8443 (websockets); us./eea. and wsus./wseea. for the regional sites.
  hosts: ["*.okx.com"],
  source:
    "ccxt okx.py hostname, pro/okx.py urls.api.ws; hummingbot okx_constants.py get_okx_base_url, get_ws_url",
};
const COINBASE: ExchangeHosts = {
  // api. (REST), advanced-trade-ws. and advanced-trade-ws-user. (websockets).
  hosts: ["*.coinbase.com"],
  source:
    "ccxt coinbase.py urls.api.rest, pro/coinbase.py urls.api.ws; hummingbot coinbase_advanced_trade_constants.py REST_URL, WSS_URL, USER_WSS_URL",
};
const GATE: ExchangeHosts = {
  // api. (REST and spot websockets), fx-ws. (futures websockets).
  hosts: ["*.gateio.ws"],
  source:
    "ccxt gate.py urls.api, pro/gate.py urls.api.spot and swap; hummingbot gate_io_constants.py REST_URL, WS_URL",
};

/** By freqtrade/ccxt exchange id and hummingbot connector name. */
export const EXCHANGE_HOSTS: Readonly<Record<string, ExchangeHosts>> = {
  binance: BINANCE,
  kraken: KRAKEN,
  kucoin: KUCOIN,
  bybit: BYBIT,
  okx: OKX,
  coinbase: COINBASE,
  coinbase_advanced_trade: COINBASE,
  gate: GATE,
  gateio: GATE,
  gate_io: GATE,
};

/**
 * Hosts a preset reaches besides its exchange, by default:
 * - hummingbot's rate oracle, whose default source is gate_io (hummingbot/client/config/client_config_map.py
 *   at v2.16.0, `rate_oracle_source`), queried by every strategy: api.gateio.ws.
 * - freqtrade's Telegram bot, when `telegram.enabled` (python-telegram-bot's default base URL).
 */
export const HUMMINGBOT_RATE_ORACLE_HOST = "api.gateio.ws";
export const TELEGRAM_API_HOST = "api.telegram.org";

/** Cilium's characters for a name and for a pattern (pkg/policy/api/fqdn.go `allowedMatchNameChars`). */
const NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** Whether `host` is a DNS name ("api.telegram.org") or a one-label wildcard ("*.binance.com"). */
export function isEgressHost(host: string): boolean {
  return NAME.test(host.startsWith("*.") ? host.slice(2) : host);
}
