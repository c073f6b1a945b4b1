/** Standard `app.kubernetes.io/*` labels; selectors use a stable subset (selectors are immutable). */
export const PART_OF = "botfleet";
export const MANAGED_BY = "pulumi";

export interface LabelArgs {
  /** What the workload is: `redis`, `postgres`, `hummingbot`, ... */
  readonly name: string;
  /** Which one: the bot or release name. */
  readonly instance: string;
  /** Its role: `trader`, `primary`, `replica`, `backup`, ... */
  readonly component: string;
}

/** The labels a pod template and its owner carry. */
export function standardLabels(args: LabelArgs, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance,
    "app.kubernetes.io/component": args.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    ...extra,
  };
}

/** The immutable selector subset of {@link standardLabels}: name + instance (+ component when given). */
export function selectorLabels(args: Pick<LabelArgs, "name" | "instance"> & { component?: string }) {
  const selector: Record<string, string> = {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance,
  };
  if (args.component !== undefined) selector["app.kubernetes.io/component"] = args.component;
  return selector;
}
