/**
 * The real `program()` plus the parts of the fleet it does not wire yet (bots, Redis, monitoring),
 * optionally inside the capacity recorder. Once `program.ts` reads a section itself (its key is in
 * KNOWN_KEYS), the section goes into the stack config instead and the extra component is not added.
 */
import * as k8s from "@pulumi/kubernetes";
import { BotFleet } from "../components/bots";
import { startCapacityRecorder } from "../components/capacity";
import { Redis } from "../components/data/redis";
import { Monitoring } from "../components/monitoring";
import { KNOWN_KEYS, loadConfig } from "../config";
import { botsSchema } from "../config/bots";
import { costsSchema } from "../config/costs";
import { monitoringSchema } from "../config/monitoring";
import { redisSchema } from "../config/redis";

export interface FleetParts {
  /** Raw `botfleet:bots` entries. */
  readonly bots?: readonly unknown[];
  /** Raw `botfleet:redis`; absent means no Redis. */
  readonly redis?: unknown;
  /** Raw `botfleet:monitoring`; absent means no monitoring stack. */
  readonly monitoring?: unknown;
}

const SECTIONS = ["bots", "redis", "monitoring"] as const;

/** Which parts the program wires itself (so they belong in the stack config). */
export const programHandles = (section: (typeof SECTIONS)[number]) => KNOWN_KEYS.includes(section);

/** Stack config with the parts the program reads itself moved in. */
export function withParts(config: Record<string, unknown>, parts: FleetParts): Record<string, unknown> {
  const out = { ...config };
  for (const s of SECTIONS) if (parts[s] !== undefined && programHandles(s)) out[`botfleet:${s}`] = parts[s];
  return out;
}

export interface HarnessOptions {
  /** Wrap everything in the capacity recorder and check at the end. */
  readonly capacity?: boolean;
  /** Raw `botfleet:costs` for the recorder. */
  readonly costs?: unknown;
}

/** A program function for `runProgram`. */
export function fleetProgram(parts: FleetParts, opts: HarnessOptions = {}): () => Record<string, unknown> {
  return () => {
    const config = loadConfig();
    const capacity = opts.capacity
      ? startCapacityRecorder({ ...config, costs: costsSchema.parse(opts.costs) })
      : undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const outputs = require("../program").program() as Record<string, unknown>;
    const provider = new k8s.Provider("harness-provider", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const namespaces = config.platform.namespaces;
    const environment = config.environment;
    if (parts.bots !== undefined && !programHandles("bots"))
      new BotFleet("bots", { provider, namespaces, bots: botsSchema.parse(parts.bots), environment });
    if (parts.redis !== undefined && !programHandles("redis"))
      new Redis("redis", { provider, namespaces, config: redisSchema.parse(parts.redis), environment });
    if (parts.monitoring !== undefined && !programHandles("monitoring"))
      new Monitoring("monitoring", {
        provider,
        namespaces,
        config: monitoringSchema.parse(parts.monitoring),
        environment,
      });
    if (capacity === undefined) return outputs;
    capacity.check();
    return { ...outputs, capacity: capacity.outputs() };
  };
}
