/**
 * Which DOKS version slug the cluster resource should declare, given the configured minor, the newest
 * patch of that minor and the version the live cluster runs. Pure: the invokes are in digitalocean.ts.
 */

/** `1.33` of `1.33.4-do.0`. */
export const minorOf = (slug: string): string => slug.split(".").slice(0, 2).join(".");

const minorNumber = (minor: string): number => Number(minor.split(".")[1]);
const patchNumbers = (slug: string): number[] =>
  slug
    .split(/[.-]/)
    .map(Number)
    .filter((n) => !Number.isNaN(n));
/** Whether slug `a` is an older release than `b` (`1.33.1-do.0` < `1.33.4-do.0` < `1.33.4-do.1`). */
function olderThan(a: string, b: string): boolean {
  const [x, y] = [patchNumbers(a), patchNumbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

export interface DoksVersionInputs {
  /** `cluster.version` as configured: a minor such as `1.34`. */
  readonly configured: string;
  /** The newest patch of the configured minor (`getKubernetesVersions`). */
  readonly latest: string;
  /** The live cluster's version slug, or undefined before the cluster exists. */
  readonly live: string | undefined;
  readonly autoUpgrade: boolean;
}

/**
 * The version to declare. Within the live minor it is the live slug when DigitalOcean moves the patch
 * itself (`autoUpgrade`), so its patch upgrades never show as a diff, or as a downgrade that would replace
 * the cluster; a change to the next minor is declared as that minor's newest patch, so `pulumi up`
 * upgrades in place. A downgrade or a jump of more than one minor is refused with the way to do it.
 */
export function doksVersion({ configured, latest, live, autoUpgrade }: DoksVersionInputs): string {
  if (live === undefined) return latest;
  const liveMinor = minorOf(live);
  if (liveMinor === configured) return autoUpgrade || olderThan(latest, live) ? live : latest;
  const [want, have] = [minorNumber(configured), minorNumber(liveMinor)];
  if (want < have)
    throw new Error(
      `botfleet:cluster.version: "${configured}" is below the live cluster's ${live}; DigitalOcean cannot ` +
        `downgrade a cluster and would replace it (and every volume-backed workload on it): set version to "${liveMinor}"`,
    );
  if (want > have + 1)
    throw new Error(
      `botfleet:cluster.version: "${configured}" is more than one minor above the live cluster's ${live}; ` +
        `DOKS upgrades one minor at a time: set version to "1.${have + 1}", run pulumi up, then the next minor ` +
        `(README: "Day-2 cluster changes")`,
    );
  return latest;
}
