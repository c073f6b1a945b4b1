/** NetworkPolicy and selector semantics the rules need, in plain JSON. */

/**
 * Private, link-local and cloud metadata ranges: internet egress must except them. The same list as
 * components/specs/network.ts (the pack stays dependency-free; test/delivery/rules.test.ts ties them).
 */
export const PRIVATE_AND_METADATA_CIDRS: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  const s = obj(selector);
  return (
    Object.entries(obj(s.matchLabels)).every(([k, v]) => labels[k] === v) &&
    arr(s.matchExpressions).every((e) => {
      const x = obj(e);
      const v = labels[String(x.key)];
      const values = arr(x.values);
      switch (x.operator) {
        case "In":
          return v !== undefined && values.includes(v);
        case "NotIn":
          return v === undefined || !values.includes(v);
        case "Exists":
          return v !== undefined;
        case "DoesNotExist":
          return v === undefined;
        default:
          return false;
      }
    })
  );
}

/**
 * Whether every pod a selector selects carries label `key` (with `value` when given): through
 * matchLabels, or a matchExpressions `Exists` (no value) or `In` with that one value.
 */
export function requiresLabel(selector: unknown, key: string, value?: string): boolean {
  const s = obj(selector);
  const exact = obj(s.matchLabels)[key];
  if (typeof exact === "string" && (value === undefined || exact === value)) return true;
  return arr(s.matchExpressions).some((e) => {
    const x = obj(e);
    if (x.key !== key) return false;
    if (x.operator === "Exists") return value === undefined;
    const values = arr(x.values);
    return (
      x.operator === "In" && values.length > 0 && values.every((v) => value === undefined || v === value)
    );
  });
}
