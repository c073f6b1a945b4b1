/** The capacity report as markdown, stack outputs and a cost chart. */
import { type Amount, type CapacityReport, type Verdict, fleetAmount } from "./model";
import { fmtCpu, fmtGiB } from "./quantities";

const amountRow = (label: string, a: Amount) =>
  `| ${label} | ${fmtCpu(a.cpuMillis)} | ${fmtGiB(a.memoryBytes)} | ${a.pods} | ${a.volumes} |`;
const usd = (v: number) => `$${v.toFixed(2)}`;

const VERDICT_TEXT: Record<Verdict, string> = {
  fits: "fits at min nodes",
  "needs-autoscaling": "needs autoscaling",
  "cannot-fit": "cannot fit, even at max nodes",
  unknown: "unknown (existing cluster: capacity not managed here; requests only)",
};

/** The capacity and cost summary as markdown lines (for the synth's summary.md). */
export function capacityMarkdown(report: CapacityReport): string[] {
  const lines = ["", `### Capacity: ${VERDICT_TEXT[report.verdict]}`, ""];
  lines.push("| | vCPU | memory GiB | pods | volumes |", "|---|---|---|---|---|");
  lines.push(amountRow("fleet requests (HPAs at min)", report.requests.min));
  lines.push(amountRow("fleet requests (HPAs at max)", report.requests.max));
  lines.push(amountRow("DaemonSets, per node", report.daemonSetsPerNode));
  if (report.allocatable) {
    lines.push(amountRow("allocatable at min nodes", report.allocatable.atMin));
    lines.push(amountRow("allocatable at max nodes", report.allocatable.atMax));
  }
  lines.push(
    "",
    `Limits (HPAs at max): ${fmtCpu(report.limits.max.cpuMillis)} vCPU, ${fmtGiB(report.limits.max.memoryBytes)} GiB memory; ${report.limits.withoutCpuLimit} workload(s) without a CPU limit.`,
  );
  if (report.pools.length > 0) {
    lines.push(
      "",
      "| pool | size | nodes | per node for the fleet (vCPU / GiB / pods / volumes) |",
      "|---|---|---|---|",
    );
    for (const p of report.pools)
      lines.push(
        `| ${p.name} (\`${p.key}\`) | ${p.size} | ${p.minNodes === p.maxNodes ? p.minNodes : `${p.minNodes}-${p.maxNodes}`} | ${fmtCpu(p.perNode.cpuMillis)} / ${fmtGiB(p.perNode.memoryBytes)} / ${p.perNode.pods} / ${p.perNode.volumes} |`,
      );
    lines.push(
      "",
      "Per node: size minus GKE-style kube/system reservations and eviction threshold, minus estimated managed node agents and the fleet's DaemonSets (see `lib/capacity/nodes.ts`); volumes: the CSI driver's per-node attachment limit (see `config/catalog.ts`).",
    );
  }
  const namespaces = [
    ...new Set(report.inventory.workloads.filter((w) => !w.perNode).map((w) => w.namespace)),
  ];
  if (namespaces.length > 0) {
    lines.push(
      "",
      "| namespace | vCPU | memory GiB | pods (HPAs at max) | volumes |",
      "|---|---|---|---|---|",
    );
    for (const ns of namespaces.sort((x, y) => x.localeCompare(y)))
      lines.push(
        amountRow(
          ns,
          fleetAmount(
            report.inventory.workloads.filter((w) => w.namespace === ns),
            "max",
          ),
        ),
      );
  }
  const estimated = report.inventory.workloads.filter((w) => w.source === "estimate").map((w) => w.name);
  if (estimated.length > 0)
    lines.push("", `Estimated (chart defaults set no requests): ${estimated.join(", ")}.`);
  for (const p of report.problems) lines.push("", `**Error:** ${p}`);
  for (const w of report.warnings) lines.push("", `Warning: ${w}`);
  const cost = report.cost;
  if (cost) {
    lines.push("", `### Monthly cost estimate (USD, list prices as of ${cost.pricesAsOf})`, "");
    lines.push("| item | at min nodes | at max nodes |", "|---|---|---|");
    for (const l of cost.lines) lines.push(`| ${l.item} | ${usd(l.minUsd)} | ${usd(l.maxUsd)} |`);
    lines.push(`| **total** | **${usd(cost.minUsd)}** | **${usd(cost.maxUsd)}** |`);
    if (cost.overridden.length > 0)
      lines.push("", `Overridden by \`botfleet:costs\`: ${cost.overridden.join(", ")}.`);
  }
  return lines;
}

/** Plain data for stack outputs. */
export function capacityOutputs(report: CapacityReport): Record<string, unknown> {
  const amount = (a: Amount) => ({
    cpu: Number(fmtCpu(a.cpuMillis)),
    memoryGiB: Number(fmtGiB(a.memoryBytes)),
    pods: a.pods,
    volumes: a.volumes,
  });
  return {
    verdict: report.verdict,
    requests: { min: amount(report.requests.min), max: amount(report.requests.max) },
    ...(report.allocatable
      ? { allocatable: { atMin: amount(report.allocatable.atMin), atMax: amount(report.allocatable.atMax) } }
      : {}),
    ...(report.cost
      ? {
          monthlyUsd: { min: report.cost.minUsd, max: report.cost.maxUsd },
          pricesAsOf: report.cost.pricesAsOf,
        }
      : {}),
  };
}

/** A horizontal bar chart of monthly cost per stack (min solid, max outlined) as an SVG string. */
export function costSvg(rows: readonly { stack: string; minUsd: number; maxUsd: number }[]): string {
  const barH = 22;
  const left = 120;
  const width = 640;
  const top = 30;
  const scaleMax = Math.max(1, ...rows.map((x) => x.maxUsd));
  const px = (v: number) => ((width - left - 90) * v) / scaleMax;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const height = top + rows.length * (barH + 10) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="18" font-weight="bold">Monthly cost per stack (USD; filled: min nodes, outline: max nodes)</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * (barH + 10);
    parts.push(
      `<text x="10" y="${y + 15}">${esc(row.stack)}</text>`,
      `<rect x="${left}" y="${y}" width="${px(row.maxUsd).toFixed(1)}" height="${barH}" fill="none" stroke="#336"/>`,
      `<rect x="${left}" y="${y}" width="${px(row.minUsd).toFixed(1)}" height="${barH}" fill="#69c"/>`,
      `<text x="${(left + px(row.maxUsd) + 6).toFixed(1)}" y="${y + 15}">$${row.minUsd.toFixed(0)}-$${row.maxUsd.toFixed(0)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
