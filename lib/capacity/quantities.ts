/** Kubernetes quantities ("500m", "1.5Gi") as numbers, and back as text for reports. */

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+))?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** A Kubernetes quantity ("500m", "2", "1.5Gi", "1e3") as a number of base units; undefined if unreadable. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * SUFFIX[m[3] ?? ""];
}

/** CPU quantity to millicores. */
export const cpuMillis = (q: unknown): number | undefined => {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.round(v * 1000);
};

export const fmtCpu = (millis: number): string => (millis / 1000).toFixed(1);
export const fmtGiB = (bytes: number): string => (bytes / GiB).toFixed(1);
