/**
 * The policy pack's pure rules (policy/rules.ts, docs/hardening.md) over what the mock harness
 * recorded: the one hardening checker, the same functions `pulumi preview --policy-pack policy` runs.
 */
import { evaluate, type RuleContext } from "../../policy/rules";

/** A recorded resource: its type token, Pulumi name and plain (unwrapped) inputs. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

export interface PolicyCheckOptions extends Partial<RuleContext> {
  /**
   * Rules left out because the resources are one component's, not a stack's (a component alone has
   * no platform, so `default-deny-per-namespace` belongs to the program's tests). @default []
   */
  readonly skip?: readonly string[];
}

/** Every violation, one line each: `rule type name: message`; empty when the resources comply. */
export function policyViolations(resources: readonly Recorded[], options: PolicyCheckOptions = {}): string[] {
  const { skip = [], environment = "dev", secretValues } = options;
  return evaluate(
    resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
    { environment, secretValues },
  )
    .filter((v) => !skip.includes(v.rule))
    .map((v) => `${v.rule} ${v.type} ${v.name}: ${v.message}`);
}

/** What one component's resources cannot satisfy alone: default deny is the platform's. */
export const COMPONENT_ONLY: readonly string[] = ["default-deny-per-namespace"];
