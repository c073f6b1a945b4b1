/**
 * Synthetic `botfleet:bots` entries for traders of one preset, paper or live, valid per `config/bots.ts`:
 * what the scale benchmark counts resources and times evaluation on. Live traders' keys are the
 * required secrets `loadStack(..., { withRequiredSecrets: true })` fakes.
 */
export const TRADER_PRESETS = ["hummingbot", "freqtrade", "custom"] as const;
export type TraderPreset = (typeof TRADER_PRESETS)[number];

import { EXCHANGES, FREQTRADE_IMAGE, HUMMINGBOT_IMAGE, SERVICE_IMAGE, podinfoCustom } from "./fleet";

/** The `i`-th trader of `preset` (names `<preset>-<mode>-<i>`). */
export function traderEntry(preset: TraderPreset, i: number, live = false): Record<string, unknown> {
  const exchange = EXCHANGES[i % EXCHANGES.length];
  const base = {
    name: `${preset.slice(0, 2)}-${live ? "live" : "paper"}-${String(i).padStart(5, "0")}`,
    preset,
    exchange,
    workload: "trader",
    paperTrading: !live,
  };
  switch (preset) {
    case "hummingbot":
      return {
        ...base,
        image: HUMMINGBOT_IMAGE,
        hummingbot: {
          script: "conf_pmm.yml",
          configFiles: {
            "scripts/conf_pmm.yml": {
              script_file_name: "simple_pmm.py",
              exchange: live ? exchange : `${exchange}_paper_trade`,
              trading_pair: "BTC-USDT",
              order_amount: 0.001,
            },
          },
        },
      };
    case "freqtrade":
      return {
        ...base,
        image: FREQTRADE_IMAGE,
        freqtrade: {
          strategy: "SampleStrategy",
          config: { stake_currency: "USDT", stake_amount: 100, exchange: { pair_whitelist: ["BTC/USDT"] } },
        },
      };
    case "custom":
      return {
        ...base,
        image: SERVICE_IMAGE,
        custom: podinfoCustom({ PODINFO_UI_MESSAGE: base.name }),
      };
  }
}

/** `count` paper traders, the presets in turn. */
export const paperTraders = (count: number): Record<string, unknown>[] =>
  Array.from({ length: count }, (_, i) => traderEntry(TRADER_PRESETS[i % TRADER_PRESETS.length], i));
