/**
 * botfleet policy rules as pure functions over `{ type, props }`.
 *
 * Dependency-free on purpose: the policy pack (`index.ts`) wraps these for `pulumi preview --policy-pack`,
 * and the jest suite runs the very same functions over resources captured by the mock harness.
 * Item numbers refer to docs/hardening.md.
 */
import { cloudRules } from "./cloud-rules";
import { hardeningRules } from "./hardening-rules";
import { secretRules } from "./secret-rules";
import { stackRules as workloadStackRules } from "./stack-rules";
import { workloadRules } from "./workload-rules";
import type { Environment, PolicyResource, ResourceRule, RuleContext, StackRule, Violation } from "./types";

export type {
  Environment,
  PolicyResource,
  ResourceRule,
  RuleContext,
  StackFinding,
  StackRule,
  Violation,
} from "./types";
export {
  K,
  isDigestImage,
  isPinnedImage,
  isTrader,
  isWorkload,
  looksLikeSecretName,
  namespaceOf,
  objectName,
  podTemplate,
} from "./shapes";

/** Every rule over the whole stack: HPAs, PDBs, default deny, databases, spreading, governing Services, secret values. */
export const stackRules: readonly StackRule[] = [...workloadStackRules, ...workloadRules, ...secretRules];

/** Every per-resource rule, the checklist's first, then the cloud rules. */
export const resourceRules: readonly ResourceRule[] = [...hardeningRules, ...cloudRules];

/** Every violation of every rule over a whole stack. */
export function evaluate(resources: readonly PolicyResource[], ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  for (const r of resources)
    for (const rule of resourceRules)
      for (const message of rule.check(r, ctx))
        out.push({ rule: rule.name, type: r.type, name: r.name, urn: r.urn, message });
  for (const rule of stackRules)
    for (const f of rule.check(resources, ctx))
      out.push({
        rule: rule.name,
        type: f.resource.type,
        name: f.resource.name,
        urn: f.resource.urn,
        message: f.message,
      });
  return out;
}

/** Adapt the mock harness's `{ type, name, inputs }` records. */
export function fromHarness(record: {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}): PolicyResource {
  return { type: record.type, name: record.name, props: record.inputs };
}

/** Environment of a stack: policy config wins, else the stack name (`prod`, `production`, `*-prod`). */
export function environmentOf(stack: string, configured?: string): Environment {
  if (configured === "dev" || configured === "staging" || configured === "prod" || configured === "local")
    return configured;
  const s = stack.split("/").pop() ?? stack;
  if (/(^|[-_.])(prod|production)$/.test(s)) return "prod";
  if (/(^|[-_.])staging$/.test(s)) return "staging";
  if (/(^|[-_.])local$/.test(s)) return "local";
  return "dev";
}

/** Stack name from a URN `urn:pulumi:<stack>::<project>::...`. */
export function stackOfUrn(urn: string): string {
  return urn.split("::")[0]?.split(":")[2] ?? "";
}
