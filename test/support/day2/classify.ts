/**
 * What the next `pulumi up` would do, told from two mock-engine runs of the program: the last
 * deployment's config (`before`) and the edited one (`after`). One effect per edit, the strongest found:
 * refused > replaces > staged on live traders > rolls pods > in place > no cluster change. Created and
 * deleted objects count as `in place`; deleting a protected one is `refused` (Pulumi's protect).
 */
import type { RegisteredResource } from "../../../lib/mockrun";
import { EFFECTS, type Effect } from "./readme-table";
import { replacingPaths } from "./replace-only";

export interface Classification {
  readonly effect: Effect;
  /** One line per finding, e.g. `StatefulSet bots-x-statefulset: pod template (OnDelete)`. */
  readonly findings: readonly string[];
}

type Json = unknown;

/** Dotted paths of every leaf that differs (list indexes as numbers). */
export function changedPaths(a: Json, b: Json, at = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects =
    a !== null &&
    b !== null &&
    typeof a === "object" &&
    typeof b === "object" &&
    Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [at];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].flatMap((k) =>
    changedPaths((a as Record<string, Json>)[k], (b as Record<string, Json>)[k], at ? `${at}.${k}` : k),
  );
}

const ignored = (r: RegisteredResource, path: string) =>
  r.ignoreChanges.some((i) => path === i || path.startsWith(`${i}.`) || path.startsWith(`${i}[`));

const kindOf = (type: string) => type.split(":").pop() ?? type;
const id = (r: RegisteredResource) => `${r.type}::${r.name}`;
/** What a change of a workload's pod template does, by kind and update strategy. */
function templateEffect(r: RegisteredResource): [Effect, string] {
  const kind = kindOf(r.type);
  if (kind === "CronJob") return ["in place", "job template (the next run uses it)"];
  if (kind === "StatefulSet" && r.inputs.spec?.updateStrategy?.type === "OnDelete")
    return ["staged on live traders", "pod template (OnDelete: staged until the pod is deleted)"];
  return ["rolls pods", `pod template (${kind} ${r.inputs.spec?.updateStrategy?.type ?? "RollingUpdate"})`];
}

const WORKLOADS = new Set(["StatefulSet", "Deployment", "DaemonSet", "CronJob", "Job"]);

const TEMPLATE_PATHS: Record<string, string> = {
  StatefulSet: "spec.template",
  Deployment: "spec.template",
  DaemonSet: "spec.template",
  CronJob: "spec.jobTemplate",
};

/**
 * Helm values that land in a pod spec the chart renders (kube-prometheus-stack, metrics-server): a
 * change there rolls the chart's pods (Grafana's `grafana.ini` too: the chart puts its ConfigMap's checksum on
 * the pod, grafana-12.11.1 templates/_pod.tpl `checksum/config`); any other value (rules, ingress, dashboards) updates objects.
 */
const HELM_POD_VALUES =
  /(^|\.)(grafana\.ini|envValueFrom|resources|image|retention|retentionSize|storageSpec|storage|args|extraArgs|env|podAnnotations|securityContext|containerSecurityContext|nodeSelector|tolerations|affinity|priorityClassName)(\.|$)/;

function resourceEffect(before: RegisteredResource, after: RegisteredResource): [Effect, string][] {
  const changed = changedPaths(before.inputs, after.inputs).filter((p) => !ignored(after, p));
  if (changed.length === 0) return [];
  const name = `${kindOf(after.type)} ${after.name}`;
  const replacing = replacingPaths(after.type, changed);
  if (replacing.length > 0) {
    const guard = after.protect ? "protected: the preview fails" : "not protected";
    return [["replaces", `${name} replaced (${guard}): ${replacing.join(", ")}`]];
  }
  const out: [Effect, string][] = [];
  const template = TEMPLATE_PATHS[kindOf(after.type)];
  if (template !== undefined && changed.some((p) => p.startsWith(`${template}.`))) {
    const [effect, what] = templateEffect(after);
    out.push([effect, `${name}: ${what}`]);
  }
  if (after.type.startsWith("kubernetes:helm.sh/")) {
    const pods = changed.filter(
      (p) => p === "version" || (p.startsWith("values.") && HELM_POD_VALUES.test(p)),
    );
    if (pods.length > 0) out.push(["rolls pods", `${name}: chart pods (${pods.slice(0, 3).join(", ")})`]);
  }
  if (out.length === 0) out.push(["in place", `${name}: ${changed.slice(0, 3).join(", ")}`]);
  return out;
}

/** Compares two runs; `error` is what the edited run threw (a refused config). */
export function classify(
  before: readonly RegisteredResource[],
  after: readonly RegisteredResource[],
  error?: Error,
): Classification {
  if (error !== undefined)
    return { effect: "refused", findings: [error.message.split("\n")[1] ?? error.message] };
  const found: [Effect, string][] = [];
  // The Kubernetes provider is replaced, and every object it manages with it, only when its
  // clusterIdentifier changes (@pulumi/kubernetes provider.d.ts); other provider changes are updates.
  for (const p of after.filter((r) => r.type === "pulumi:providers:kubernetes")) {
    const old = before.find((r) => r.type === p.type && r.name === p.name);
    if (
      old !== undefined &&
      JSON.stringify(old.inputs.clusterIdentifier) !== JSON.stringify(p.inputs.clusterIdentifier)
    )
      found.push([
        "replaces",
        `provider ${p.name}: clusterIdentifier changed, so every object it manages is replaced`,
      ]);
  }
  const custom = (rs: readonly RegisteredResource[]) =>
    new Map(rs.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => [id(r), r]));
  const [was, now] = [custom(before), custom(after)];
  const added = [...now.values()].filter((r) => !was.has(id(r)));
  const removed = [...was.values()].filter((r) => !now.has(id(r)));
  // A removed object that comes back under another name (a rename) or as another workload of the same
  // owner (`bots-x-statefulset` -> `bots-x-cronjob`) is a replacement. Pulumi refuses to delete a
  // protected resource, so removing one is refused.
  const owner = (r: RegisteredResource) => r.name.slice(0, r.name.lastIndexOf("-"));
  const twinOf = (r: RegisteredResource) =>
    added.find((a) => a.type === r.type) ??
    (WORKLOADS.has(kindOf(r.type))
      ? added.find((a) => WORKLOADS.has(kindOf(a.type)) && owner(a) === owner(r))
      : undefined);
  for (const r of removed) {
    const twin = twinOf(r);
    const what = `${kindOf(r.type)} ${r.name}`;
    if (r.protect) found.push(["refused", `${what} is protected and would be deleted`]);
    else if (twin !== undefined)
      found.push(["replaces", `${what} -> ${kindOf(twin.type)} ${twin.name} (not protected)`]);
    else found.push(["in place", `${what} deleted`]);
  }
  for (const a of added)
    if (!removed.some((r) => twinOf(r) === a))
      found.push(["in place", `${kindOf(a.type)} ${a.name} created`]);
  for (const [key, b] of was) {
    const a = now.get(key);
    if (a !== undefined) found.push(...resourceEffect(b, a));
  }
  if (found.length === 0) return { effect: "no cluster change", findings: [] };
  const rank = (e: Effect) => EFFECTS.indexOf(e);
  const effect = found.map(([e]) => e).reduce((x, y) => (rank(y) > rank(x) ? y : x));
  return { effect, findings: found.map(([e, f]) => `${e}: ${f}`) };
}
