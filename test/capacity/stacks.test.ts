/**
 * Every stack file in the repo, through the real program under mocks: the committed stacks fit their
 * pools, the cost lines follow the catalog, and the summary renders into the synth's summary.md.
 */
import { CATALOGS } from "../../config/catalog";
import { clusterSchema } from "../../config/cluster";
import { capacityFromRun, capacityMarkdown } from "../../lib/capacity";
import { synthFiles } from "../../lib/synth";
import { STACKS, runStackFile } from "../support/stacks";

describe.each(STACKS)("stack %s", (stack) => {
  test("fits (or is an existing cluster), with a cost per catalog prices and a markdown summary", async () => {
    const run = await runStackFile(stack);
    const report = capacityFromRun(stack, run.stack.values, run);
    const cluster = clusterSchema.parse(JSON.parse(run.stack.values["botfleet:cluster"]));
    expect(report.problems).toEqual([]);
    expect(report.requests.min.pods).toBeGreaterThan(0);
    if (cluster.provider === "existing") {
      expect(report.verdict).toBe("unknown");
      expect(report.cost).toBeUndefined();
    } else {
      expect(["fits", "needs-autoscaling"]).toContain(report.verdict);
      const sizes = CATALOGS[cluster.provider].sizes;
      const nodeLines = report.cost!.lines.filter((l) => l.item.includes(" nodes ("));
      const pools = [
        ...(cluster.systemPool
          ? [{ size: cluster.systemPool.size, min: cluster.systemPool.count, max: cluster.systemPool.count }]
          : []),
        ...cluster.pools.map((p) => ({ size: p.size, min: p.minNodes, max: p.maxNodes })),
      ];
      expect(nodeLines.map((l) => [l.minUsd, l.maxUsd])).toEqual(
        pools.map((p) => [p.min * sizes[p.size].monthlyUsd, p.max * sizes[p.size].monthlyUsd]),
      );
      expect(report.cost!.lines.some((l) => l.item === "HA control plane")).toBe(cluster.ha);
      expect(report.cost!.volumeGiB).toBeGreaterThan(0);
    }
    const summary = synthFiles(stack, run, capacityMarkdown(report)).find((f) => f.path === "summary.md")!;
    expect(summary.content).toContain("### Capacity: ");
    expect(summary.content).toContain("| fleet requests (HPAs at min) |");
  });
});
