/**
 * Synthetic `botfleet:bots` lists for capacity tests and the scale benchmark: paper traders mostly
 * (freqtrade and hummingbot), a few custom services with HPAs and a few scheduled jobs, all valid per
 * `config/bots.ts`.
 */

export interface FleetMix {
  /** Every n-th bot is an autoscaled custom service (0: none). @default 20 */
  readonly serviceEvery?: number;
  /** Every n-th bot is a scheduled freqtrade job (0: none). @default 25 */
  readonly scheduledEvery?: number;
  /** Every n-th bot (of the rest) is a hummingbot trader, the others freqtrade (0: none). @default 4 */
  readonly hummingbotEvery?: number;
}

// The same checked pins as the shipped stacks (README "Pinned versions").
export const FREQTRADE_IMAGE = "freqtradeorg/freqtrade:2025.11";
export const HUMMINGBOT_IMAGE = "hummingbot/hummingbot:version-2.16.0";
export const SERVICE_IMAGE = "ghcr.io/stefanprodan/podinfo:6.14.1";
export const EXCHANGES = ["binance", "kraken", "kucoin", "bybit", "okx"];

/** The `custom` section running podinfo (SERVICE_IMAGE): an HTTP API with health, ready and metrics ports. */
export const podinfoCustom = (env: Record<string, string> = {}): Record<string, unknown> => ({
  command: ["/home/app/podinfo"],
  args: ["--port=8000", "--port-metrics=9100"],
  env,
  ports: [
    { name: "http", containerPort: 8000 },
    { name: "metrics", containerPort: 9100 },
  ],
  probes: {
    liveness: { type: "http", path: "/healthz", port: "http" },
    readiness: { type: "http", path: "/readyz", port: "http" },
  },
});

/** Raw stack config entries (what `botfleet:bots` holds), `count` of them. */
export function generateBots(count: number, mix: FleetMix = {}): Record<string, unknown>[] {
  const serviceEvery = mix.serviceEvery ?? 20;
  const scheduledEvery = mix.scheduledEvery ?? 25;
  const hummingbotEvery = mix.hummingbotEvery ?? 4;
  const bots: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const exchange = EXCHANGES[i % EXCHANGES.length];
    const id = String(i).padStart(5, "0");
    if (serviceEvery > 0 && (i + 1) % serviceEvery === 0) {
      bots.push({
        name: `svc-${id}`,
        preset: "custom",
        image: SERVICE_IMAGE,
        workload: "service",
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
        custom: podinfoCustom(),
      });
    } else if (scheduledEvery > 0 && (i + 1) % scheduledEvery === 0) {
      bots.push({
        name: `dl-${id}`,
        preset: "freqtrade",
        image: FREQTRADE_IMAGE,
        exchange,
        workload: "scheduled",
        schedule: "0 */6 * * *",
        freqtrade: {
          strategy: "SampleStrategy",
          args: ["download-data", "--days", "30"],
          config: { exchange: { pair_whitelist: ["BTC/USDT"] } },
        },
      });
    } else if (hummingbotEvery > 0 && i % hummingbotEvery === 0) {
      bots.push({
        name: `hb-${id}`,
        preset: "hummingbot",
        image: HUMMINGBOT_IMAGE,
        exchange,
        hummingbot: {
          script: "conf_pmm.yml",
          configFiles: {
            "scripts/conf_pmm.yml": {
              script_file_name: "simple_pmm.py",
              exchange: `${exchange}_paper_trade`,
              trading_pair: "BTC-USDT",
              order_amount: 0.001,
            },
          },
        },
      });
    } else {
      bots.push({
        name: `ft-${id}`,
        preset: "freqtrade",
        image: FREQTRADE_IMAGE,
        exchange,
        freqtrade: {
          strategy: "SampleStrategy",
          config: {
            stake_currency: "USDT",
            stake_amount: 100,
            max_open_trades: 3,
            timeframe: "5m",
            exchange: { pair_whitelist: ["BTC/USDT", "ETH/USDT"] },
          },
        },
      });
    }
  }
  return bots;
}
