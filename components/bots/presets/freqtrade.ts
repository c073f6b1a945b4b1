/** The freqtrade preset: a trader runs `trade` and serves the API its metrics sidecar polls. */
import type * as k8s from "@pulumi/kubernetes";
import type { FreqtradeBot } from "../../../config/bots";
import { deepMerge } from "../../../config/common";
import { withFreqtradeDefaults } from "../../../config/freqtrade";
import { restrictedContainerSecurityContext } from "../../specs/security";
import { dataClientEnv, fromSecret } from "../data-clients";
import {
  exporterContainer,
  httpProbe,
  resources,
  tmpVolume,
  type PodContext,
  type PodParts,
} from "../containers";
import {
  FREQTRADE_API_PORT,
  FREQTRADE_API_USERNAME,
  FREQTRADE_UID,
  FREQTRADE_USERDIR,
  SECRET_KEYS,
  SHARED,
  botConfigMapName,
  botSecretName,
} from "../names";
import type { BotPreset } from "./preset";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/**
 * freqtrade's config.json: the fleet's defaults (config/freqtrade.ts), the user's settings over them,
 * and the settings the fleet owns on top. Only a trader runs `trade`, which serves the API: the
 * `api_server` section goes to traders only, whose credentials arrive as FREQTRADE__API_SERVER__* env
 * (freqtrade's schema requires them wherever the section appears).
 */
export function freqtradeConfig(bot: FreqtradeBot): Record<string, unknown> {
  const ft = bot.freqtrade;
  return deepMerge(withFreqtradeDefaults(ft.config), {
    bot_name: bot.name,
    dry_run: bot.paperTrading,
    // Stopping a bot must not leave orders on the book (freqtrade PR #3210).
    cancel_open_orders_on_exit: true,
    initial_state: "running",
    // Separate files, so going live never continues dry-run trades.
    db_url: `sqlite:////freqtrade/user_data/${bot.paperTrading ? "tradesv3.dryrun.sqlite" : "tradesv3.sqlite"}`,
    exchange: { name: bot.exchange },
    ...(bot.workload === "scheduled"
      ? {}
      : {
          api_server: {
            enabled: true,
            listen_ip_address: "0.0.0.0",
            listen_port: FREQTRADE_API_PORT,
            verbosity: "error",
          },
        }),
  });
}

/** config.json and the strategy files, named `<Name>.py`: they never collide with config.json. */
function freqtradeConfigData(bot: FreqtradeBot): Record<string, string> {
  return {
    "config.json": JSON.stringify(freqtradeConfig(bot), null, 2) + "\n",
    ...Object.fromEntries(Object.entries(bot.freqtrade.strategyFiles).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function freqtradePod(bot: FreqtradeBot, ctx: PodContext): PodParts {
  const ft = bot.freqtrade;
  const secret = botSecretName(bot);
  const has = (k: string) => ctx.secretKeys.includes(k);
  const configPath = "/freqtrade/config/config.json";
  const args =
    bot.workload === "scheduled"
      ? [...(ft.args ?? []), "--config", configPath, "--userdir", FREQTRADE_USERDIR]
      : [
          "trade",
          "--config",
          configPath,
          "--strategy",
          ft.strategy,
          "--strategy-path",
          ft.strategyPath,
          "--userdir",
          FREQTRADE_USERDIR,
        ];
  const env: EnvVar[] = [
    // Keys from botSecrets only; paper bots run without them.
    ...(has(SECRET_KEYS.apiKey) ? [fromSecret("FREQTRADE__EXCHANGE__KEY", secret, SECRET_KEYS.apiKey)] : []),
    ...(has(SECRET_KEYS.apiSecret)
      ? [fromSecret("FREQTRADE__EXCHANGE__SECRET", secret, SECRET_KEYS.apiSecret)]
      : []),
    ...(has(SECRET_KEYS.apiPassword)
      ? [fromSecret("FREQTRADE__EXCHANGE__PASSWORD", secret, SECRET_KEYS.apiPassword)]
      : []),
    ...dataClientEnv(bot),
  ];
  const trader = bot.workload !== "scheduled";
  const strategyFiles = Object.keys(ft.strategyFiles).sort();
  const userDataMount: VolumeMount = {
    name: ctx.hasState ? "state" : "user-data",
    mountPath: FREQTRADE_USERDIR,
  };
  if (trader) {
    env.push(
      { name: "FREQTRADE__API_SERVER__USERNAME", value: FREQTRADE_API_USERNAME },
      fromSecret("FREQTRADE__API_SERVER__PASSWORD", secret, SECRET_KEYS.apiServerPassword),
      fromSecret("FREQTRADE__API_SERVER__JWT_SECRET_KEY", secret, SECRET_KEYS.jwtSecretKey),
    );
  }
  const main: Container = {
    name: "freqtrade",
    image: bot.image,
    // The image's exec-form ENTRYPOINT ["freqtrade"] stays: SIGTERM reaches the bot.
    args,
    env,
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(FREQTRADE_UID),
    ...(trader
      ? {
          ports: [{ name: "http", containerPort: FREQTRADE_API_PORT, protocol: "TCP" }],
          // /api/v1/ping needs no auth. Startup allows for exchange market loading; liveness is slow to
          // give up (a restart interrupts trading), readiness quick to report.
          startupProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 5,
            failureThreshold: 60,
            timeoutSeconds: 3,
          }),
          livenessProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 30,
            failureThreshold: 4,
            timeoutSeconds: 5,
          }),
          readinessProbe: httpProbe("/api/v1/ping", "http", {
            periodSeconds: 10,
            failureThreshold: 2,
            timeoutSeconds: 3,
          }),
        }
      : {}),
    volumeMounts: [
      { name: "config", mountPath: "/freqtrade/config", readOnly: true },
      userDataMount,
      { name: "tmp", mountPath: "/tmp" },
      // Over the user_data dir when strategyPath is inside it: the shipped files replace the samples.
      ...(strategyFiles.length > 0
        ? [{ name: "strategies", mountPath: ft.strategyPath, readOnly: true }]
        : []),
    ],
  };
  const volumes: Volume[] = [
    {
      name: "config",
      configMap: { name: botConfigMapName(bot), items: [{ key: "config.json", path: "config.json" }] },
    },
    tmpVolume(),
    ...(ctx.hasState ? [] : [{ name: "user-data", emptyDir: { sizeLimit: "2Gi" } }]),
    ...(strategyFiles.length > 0
      ? [
          {
            name: "strategies",
            configMap: {
              name: botConfigMapName(bot),
              items: strategyFiles.map((f) => ({ key: f, path: f })),
            },
          },
        ]
      : []),
  ];
  // The stock image has no strategies: `create-userdir` makes user_data's subdirs and copies
  // sample_strategy.py (class SampleStrategy) into strategies/. Without --reset it never overwrites an
  // existing file, so it is safe on every start.
  const userdir: Container = {
    name: "create-userdir",
    image: bot.image,
    args: ["create-userdir", "--userdir", FREQTRADE_USERDIR],
    env: [{ name: "PYTHONDONTWRITEBYTECODE", value: "1" }],
    resources: resources(bot),
    securityContext: restrictedContainerSecurityContext(FREQTRADE_UID),
    volumeMounts: [userDataMount, { name: "tmp", mountPath: "/tmp" }],
  };
  if (!trader) return { containers: [main], initContainers: [userdir], volumes, uid: FREQTRADE_UID };
  // The API stays closed to the cluster: the sidecar polls it over the pod's loopback.
  const exporter = exporterContainer({
    image: bot.image,
    // The image's ENTRYPOINT is freqtrade itself; its python3 runs the stdlib-only poller.
    command: ["python3", "/bot-scripts/exporter-freqtrade.py"],
    env: [
      { name: "API_URL", value: `http://127.0.0.1:${FREQTRADE_API_PORT}` },
      { name: "API_USERNAME", value: FREQTRADE_API_USERNAME },
      { name: "API_AUTH_DIR", value: "/api-auth" },
    ],
    uid: FREQTRADE_UID,
    volumeMounts: [
      { name: "api-auth", mountPath: "/api-auth", readOnly: true },
      { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
    ],
  });
  volumes.push(
    {
      name: "api-auth",
      secret: { secretName: secret, items: [{ key: SECRET_KEYS.apiServerPassword, path: "password" }] },
    },
    { name: "bot-scripts", configMap: { name: SHARED.scripts, defaultMode: 0o555 } },
  );
  return { containers: [main, exporter], initContainers: [userdir], volumes, uid: FREQTRADE_UID };
}

export const freqtrade: BotPreset<FreqtradeBot> = {
  configData: freqtradeConfigData,
  // A scheduled run serves no API: no exporter.
  scripts: (bot) => (bot.workload === "scheduled" ? [] : ["exporter-freqtrade.py"]),
  pod: freqtradePod,
};
