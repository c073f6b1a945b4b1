/** The rules a bot must keep across its fields (workload, mode, secrets, names), collected as issues. */
import { z } from "zod";
import { bytes, show } from "./common";
import { PRESETS, botNameProblem, isLabel } from "./bot-names";
import { checkCustom, checkFreqtrade, checkHummingbot } from "./bot-preset-checks";
import { type BotInput, DEFAULT_EGRESS_PORTS, TRADER_MIN_GRACE_SECONDS, customSchema } from "./bot-schema";

export function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string, input: unknown) {
  ctx.addIssue({ code: "custom", path, message, input });
}

/** Hummingbot keys that name a connector in strategy and script configs. */
const CONNECTOR_KEYS = new Set([
  "exchange",
  "connector",
  "connector_name",
  "maker_market",
  "taker_market",
  "market",
]);

export function connectorValues(value: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => connectorValues(v, [...path, String(i)]));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === "string" && CONNECTOR_KEYS.has(k)
      ? [{ path: [...path, k], value: v }]
      : connectorValues(v, [...path, k]),
  );
}

export function has(obj: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || !(p in (cur as object))) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return true;
}

export function checkBot(b: BotInput, ctx: z.RefinementCtx) {
  // A name that is not even a DNS-1123 label has its message already.
  const nameProblem = isLabel(b.name) ? botNameProblem(b.name, b.workload) : undefined;
  if (nameProblem !== undefined) issue(ctx, ["name"], nameProblem, b.name);
  if (b.name.startsWith("botfleet-")) {
    issue(
      ctx,
      ["name"],
      `must not start with "botfleet-" (reserved for the fleet's shared objects), got ${show(b.name)}`,
      b.name,
    );
  }
  const presetSection = b[b.preset];
  if (presetSection === undefined && b.preset !== "custom") {
    issue(ctx, [b.preset], `a ${b.preset} bot needs a "${b.preset}" section, got nothing`, undefined);
  }
  for (const other of PRESETS) {
    if (other !== b.preset && b[other] !== undefined) {
      issue(
        ctx,
        [other],
        `only a ${other} bot takes a "${other}" section; this bot's preset is ${b.preset}`,
        b[other],
      );
    }
  }
  if (b.preset !== "custom" && b.exchange === undefined) {
    issue(
      ctx,
      ["exchange"],
      `a ${b.preset} bot must name its exchange (e.g. "binance"), got nothing`,
      undefined,
    );
  }

  if (b.workload === "trader" && b.autoscaling !== undefined) {
    issue(
      ctx,
      ["autoscaling"],
      `a trader places orders and must never be autoscaled (two replicas would trade twice); remove autoscaling, or use workload "service" for a stateless part`,
      b.autoscaling,
    );
  }
  if (b.workload === "scheduled" && b.autoscaling !== undefined) {
    issue(ctx, ["autoscaling"], `only a service is autoscaled; this bot is scheduled`, b.autoscaling);
  }
  if (b.workload === "service" && b.preset !== "custom") {
    issue(
      ctx,
      ["workload"],
      `a ${b.preset} bot places orders and must run as a trader; only custom services scale, got "service"`,
      b.workload,
    );
  }
  if (b.workload === "scheduled" && b.preset === "hummingbot") {
    issue(
      ctx,
      ["workload"],
      `hummingbot runs continuously: use workload "trader", got "scheduled"`,
      b.workload,
    );
  }
  if (b.workload !== "scheduled" && b.schedule !== undefined) {
    issue(
      ctx,
      ["schedule"],
      `only a scheduled bot takes a schedule; this bot is a ${b.workload}, got ${show(b.schedule)}`,
      b.schedule,
    );
  }
  if (b.workload === "scheduled" && b.schedule === undefined) {
    issue(
      ctx,
      ["schedule"],
      `a scheduled bot needs a schedule such as "*/15 * * * *", got nothing`,
      undefined,
    );
  }
  if (b.workload !== "scheduled" && b.activeDeadlineSeconds !== undefined) {
    issue(
      ctx,
      ["activeDeadlineSeconds"],
      `only a scheduled bot takes activeDeadlineSeconds; this bot is a ${b.workload}`,
      b.activeDeadlineSeconds,
    );
  }
  if (b.workload === "service" && (b.storage !== undefined || b.storageClass !== undefined)) {
    issue(
      ctx,
      [b.storage !== undefined ? "storage" : "storageClass"],
      `only a trader or a scheduled bot has a volume; a service must keep state in Redis or Postgres`,
      b.storage ?? b.storageClass,
    );
  }
  if (b.workload === "scheduled" && b.storageClass !== undefined && b.storage === undefined) {
    issue(
      ctx,
      ["storageClass"],
      `a scheduled bot has a volume only with storage (e.g. "5Gi"); set storage or remove storageClass`,
      b.storageClass,
    );
  }
  const seenPorts = new Set<number>();
  b.egressPorts.forEach((port, i) => {
    if (seenPorts.has(port) || (DEFAULT_EGRESS_PORTS as readonly number[]).includes(port)) {
      issue(
        ctx,
        ["egressPorts", i],
        `must be a port not already allowed (${DEFAULT_EGRESS_PORTS.join(", ")} for every bot, or listed before), got ${port}`,
        port,
      );
    }
    seenPorts.add(port);
  });
  if (b.workload === "service" && b.stopped) {
    issue(
      ctx,
      ["stopped"],
      `a service cannot be stopped in place (its HPA keeps >= 2 replicas); remove it from the fleet`,
      b.stopped,
    );
  }
  if (b.workload !== "service" && b.clients.length > 0) {
    issue(ctx, ["clients"], `only a service accepts clients; this bot is a ${b.workload}`, b.clients);
  }
  if (b.autoscaling !== undefined) {
    const { minReplicas, maxReplicas } = b.autoscaling;
    if (minReplicas < 2) {
      issue(
        ctx,
        ["autoscaling", "minReplicas"],
        `must be >= 2 so one pod survives a drain, got ${minReplicas}`,
        minReplicas,
      );
    }
    if (maxReplicas <= minReplicas) {
      issue(
        ctx,
        ["autoscaling", "maxReplicas"],
        `must be > minReplicas (${minReplicas}), got ${maxReplicas}`,
        maxReplicas,
      );
    }
  }

  const grace = b.terminationGracePeriodSeconds;
  if (b.workload === "trader" && grace !== undefined && grace < TRADER_MIN_GRACE_SECONDS) {
    issue(
      ctx,
      ["terminationGracePeriodSeconds"],
      `must be >= ${TRADER_MIN_GRACE_SECONDS} for a trader, so it can cancel open orders on shutdown, got ${grace}`,
      grace,
    );
  }
  const limit = b.resources?.limits.memory;
  if (b.resources !== undefined && limit !== undefined && bytes(limit) < bytes(b.resources.requests.memory)) {
    issue(
      ctx,
      ["resources", "limits", "memory"],
      `must be >= requests.memory (${b.resources.requests.memory}), got ${limit}`,
      limit,
    );
  }

  if (b.hummingbot !== undefined && b.preset === "hummingbot") checkHummingbot(b, b.hummingbot, ctx);
  if (b.freqtrade !== undefined && b.preset === "freqtrade") checkFreqtrade(b, b.freqtrade, ctx);
  if (b.preset === "custom") checkCustom(b, b.custom ?? customSchema.parse({}), ctx);
}
