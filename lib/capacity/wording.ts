/** How the capacity messages write pools and numbers (model.ts). */
import { GiB } from "./quantities";

type PoolWording = {
  readonly name: string;
  readonly size: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly perNode: { readonly volumes: number };
};

/** "7 per node", or "7 per s-2vcpu-4gb node, 14 per g6-standard-6 node" when sizes differ. */
export function volumesPerNodeText(pools: readonly PoolWording[]): string {
  const bySize = new Map(pools.map((p) => [p.size, p.perNode.volumes]));
  const counts = new Set(bySize.values());
  if (counts.size === 1) return `${[...counts][0]} per node`;
  return [...bySize].map(([size, n]) => `${n} per ${size} node`).join(", ");
}

export const describePools = (pools: readonly PoolWording[], at: "min" | "max") =>
  pools.map((p) => `${p.name}: ${at === "min" ? p.minNodes : p.maxNodes} x ${p.size}`).join(", ");

/** "14.2" vs "14.2" would read as equal: show more digits when rounding hides the difference. */
export function twoNumbers(
  a: number,
  b: number,
  fmt: (v: number, digits: number) => string,
): [string, string] {
  for (const digits of [1, 2, 3]) {
    const [x, y] = [fmt(a, digits), fmt(b, digits)];
    if (x !== y) return [x, y];
  }
  return [fmt(a, 3), fmt(b, 3)];
}
/** The first three names, then how many more: a fleet of traders would otherwise fill the message. */
export const listed = (names: readonly string[]) =>
  names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
export const cpuDigits = (millis: number, d: number) => (millis / 1000).toFixed(d);
export const gibDigits = (bytes: number, d: number) => (bytes / GiB).toFixed(d);
