/**
 * Runs the real `program()` with generated fleet sections put into the stack config. The program
 * itself wires every component and the capacity check, so the harness only shapes the config.
 */
export interface FleetParts {
  /** Raw `botfleet:bots` entries. */
  readonly bots?: readonly unknown[];
  /** Raw `botfleet:redis`. */
  readonly redis?: unknown;
  /** Raw `botfleet:monitoring`. */
  readonly monitoring?: unknown;
}

const SECTIONS = ["bots", "redis", "monitoring"] as const;

/** Stack config with the generated parts moved in. */
export function withParts(config: Record<string, unknown>, parts: FleetParts): Record<string, unknown> {
  const out = { ...config };
  for (const s of SECTIONS) if (parts[s] !== undefined) out[`botfleet:${s}`] = parts[s];
  return out;
}

/** The program, for `runProgram`. */
export function fleetProgram(): () => Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return () => require("../program").program() as Record<string, unknown>;
}
