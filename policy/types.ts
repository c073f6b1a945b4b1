/** What a rule sees and says: resources as plain JSON, the stack's context, findings. */

/** One resource as Pulumi sees it: its type token and its inputs as plain JSON. */
export interface PolicyResource {
  readonly type: string;
  readonly props: Record<string, unknown>;
  /** Pulumi's logical name (for messages and for matching autonamed objects). */
  readonly name?: string;
  readonly urn?: string;
}

export type Environment = "dev" | "staging" | "prod" | "local";

export interface RuleContext {
  readonly environment: Environment;
  /**
   * Secret values the caller knows beyond those the stack's Secret objects carry (the test harness
   * passes the fake secrets it gave the program and the passwords derived from them; the pack, none).
   * @default []
   */
  readonly secretValues?: readonly string[];
}

export interface Violation {
  readonly rule: string;
  readonly type: string;
  readonly name?: string;
  readonly urn?: string;
  readonly message: string;
}

export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  /** Messages for every problem of one resource; empty when it complies. */
  readonly check: (resource: PolicyResource, ctx: RuleContext) => string[];
}

export interface StackFinding {
  readonly resource: PolicyResource;
  readonly message: string;
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly PolicyResource[], ctx: RuleContext) => StackFinding[];
}
