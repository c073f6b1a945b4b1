/**
 * Offline synth: renders a stack's resources to reviewable files. Pure over a ProgramRun, so the
 * script stays a thin shell and the rendering is unit-tested. The YAML is written so that kubectl (a
 * YAML 1.1 reader) applies it as written: strings such as `on` stay quoted (components/specs/yaml.ts).
 */
import { toYaml } from "../components/specs/yaml";
import { isKubernetesObject, REDACTED, type ProgramRun, type RegisteredResource } from "./mockrun";

export interface SynthFile {
  readonly path: string;
  readonly content: string;
}

/** A Kubernetes object as a manifest; Secret payloads are always redacted, whatever their marking. */
export function manifestOf(r: RegisteredResource): Record<string, unknown> {
  const obj = { ...r.redacted };
  if (r.type === "kubernetes:core/v1:Secret") {
    for (const field of ["data", "stringData"]) {
      const payload = obj[field];
      if (payload && typeof payload === "object") {
        obj[field] = Object.fromEntries(Object.keys(payload).map((k) => [k, REDACTED]));
      } else if (payload !== undefined) obj[field] = REDACTED;
    }
  }
  return obj;
}

function fileName(r: RegisteredResource): string {
  const metadata = (r.inputs.metadata ?? {}) as Record<string, string>;
  const kind = r.type.slice(r.type.lastIndexOf(":") + 1).toLowerCase();
  return `${metadata.namespace ?? "_cluster"}/${kind}-${metadata.name ?? r.name}.yaml`;
}

export interface Summary {
  readonly stack: string;
  readonly total: number;
  readonly byType: Record<string, number>;
  readonly byNamespace: Record<string, Record<string, number>>;
}

export function summarize(stack: string, run: ProgramRun): Summary {
  const byType: Record<string, number> = {};
  const byNamespace: Record<string, Record<string, number>> = {};
  const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  for (const r of custom) {
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    if (!isKubernetesObject(r)) continue;
    const ns = ((r.inputs.metadata ?? {}) as Record<string, string>).namespace ?? "(cluster-scoped)";
    const kind = r.type.slice(r.type.lastIndexOf(":") + 1);
    byNamespace[ns] ??= {};
    byNamespace[ns][kind] = (byNamespace[ns][kind] ?? 0) + 1;
  }
  return { stack, total: custom.length, byType, byNamespace };
}

export function summaryMarkdown(s: Summary, extra: string[] = []): string {
  const lines = [
    `## botfleet stack \`${s.stack}\`: ${s.total} resources`,
    "",
    "| type | count |",
    "|---|---|",
  ];
  for (const [type, n] of Object.entries(s.byType).sort()) lines.push(`| \`${type}\` | ${n} |`);
  lines.push("", "| namespace | objects |", "|---|---|");
  for (const [ns, kinds] of Object.entries(s.byNamespace).sort()) {
    const text = Object.entries(kinds)
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    lines.push(`| ${ns} | ${text} |`);
  }
  return [...lines, ...extra, ""].join("\n");
}

/** Every file the synth writes for a run, paths relative to the stack's output folder. */
export function synthFiles(stack: string, run: ProgramRun, extraSummary: string[] = []): SynthFile[] {
  const files: SynthFile[] = [];
  const k8s = run.resources.filter(isKubernetesObject);
  for (const r of k8s) files.push({ path: `manifests/${fileName(r)}`, content: toYaml(manifestOf(r)) });
  files.push({ path: "all.yaml", content: k8s.map((r) => toYaml(manifestOf(r))).join("---\n") });
  const other = run.resources.filter((r) => r.custom && !isKubernetesObject(r));
  files.push({
    path: "cloud.yaml",
    content: toYaml(
      other.map((r) => ({ type: r.type, name: r.name, protect: r.protect, inputs: r.redacted })),
    ),
  });
  files.push({ path: "outputs.yaml", content: toYaml(run.outputs) });
  const summary = summarize(stack, run);
  files.push({ path: "summary.json", content: JSON.stringify(summary, null, 2) + "\n" });
  files.push({ path: "summary.md", content: summaryMarkdown(summary, extraSummary) });
  return files;
}
