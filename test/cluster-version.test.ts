/** Which DOKS version the cluster declares on a live cluster (components/cluster/version.ts), no mocks. */
import { doksVersion } from "../components/cluster/version";

const latest = "1.34.2-do.0";

test("before the cluster exists: the newest patch of the configured minor", () => {
  expect(doksVersion({ configured: "1.34", latest, live: undefined, autoUpgrade: true })).toBe(latest);
});

test.each([
  // DigitalOcean moved the patch: declaring anything else would be an update (or, if older, a replacement).
  ["1.34.1-do.0", true, "1.34.1-do.0"],
  ["1.34.3-do.0", true, "1.34.3-do.0"],
  // Without auto-upgrade the program upgrades the patch itself, but never declares an older one.
  ["1.34.1-do.0", false, latest],
  ["1.34.2-do.1", false, "1.34.2-do.1"],
  // The next minor: an in-place upgrade to its newest patch.
  ["1.33.9-do.3", true, latest],
  ["1.33.9-do.3", false, latest],
])("live %s, autoUpgrade %s: declares %s", (live, autoUpgrade, expected) => {
  expect(doksVersion({ configured: "1.34", latest, live, autoUpgrade })).toBe(expected);
});

test.each([
  [
    "1.35",
    "1.33.4-do.0",
    'botfleet:cluster.version: "1.35" is more than one minor above the live cluster\'s 1.33.4-do.0; DOKS upgrades one minor at a time: set version to "1.34", run pulumi up, then the next minor (README: "Day-2 cluster changes")',
  ],
  [
    "1.32",
    "1.33.4-do.0",
    'botfleet:cluster.version: "1.32" is below the live cluster\'s 1.33.4-do.0; DigitalOcean cannot downgrade a cluster and would replace it (and every volume-backed workload on it): set version to "1.33"',
  ],
])("version %s on a live %s cluster is refused, saying how", (configured, live, message) => {
  expect(() => doksVersion({ configured, latest: `${configured}.1-do.0`, live, autoUpgrade: true })).toThrow(
    message,
  );
});
