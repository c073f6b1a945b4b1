/**
 * The policy pack's rules over the whole program: every stack file is run under the lead's mock
 * harness and every registered resource goes through the same pure functions `pulumi preview
 * --policy-pack policy` runs. A violation here is a violation in CI's preview.
 */
import { environmentOf, evaluate, fromHarness, K, type PolicyResource } from "../../policy/rules";
import { policyViolations } from "../support/policy";
import { runStackFile, STACKS, type StackRun } from "../support/stacks";

const runs = new Map<string, StackRun>();

beforeAll(async () => {
  for (const stack of STACKS) runs.set(stack, await runStackFile(stack));
}, 120_000);

const environment = (run: StackRun) =>
  environmentOf(run.stack.stack, run.stack.values["botfleet:environment"]);

/**
 * Prod as shipped pins tags: its first promotion pins every image by digest (test/delivery/promote.test.ts
 * runs the promoted file through every rule), so until then `prod-images-by-digest` refuses it, and only it.
 */
const BEFORE_PROMOTION: Record<string, string[]> = { prod: ["prod-images-by-digest"] };

describe.each(STACKS)("stack %s", (stack) => {
  test("registers resources and violates no policy (prod: none but the digests its promotion pins)", () => {
    const run = runs.get(stack);
    if (run === undefined) throw new Error(`stack ${stack} did not run`);
    expect(run.resources.length).toBeGreaterThan(0);
    expect(
      policyViolations(run.resources, {
        environment: environment(run),
        secretValues: run.secretValues,
        skip: BEFORE_PROMOTION[stack] ?? [],
      }),
    ).toEqual([]);
  });
});

test("the harness feeds the cloud rules: prod with its HA control plane switched off is refused", () => {
  const run = runs.get("prod");
  if (run === undefined) throw new Error("no prod stack");
  expect(environment(run)).toBe("prod");
  const resources: PolicyResource[] = run.resources.map(fromHarness);
  const clusters = resources.filter((r) => r.type === K.doCluster);
  expect(clusters).toHaveLength(1);
  const broken = resources.map((r) =>
    r.type === K.doCluster ? { ...r, props: { ...r.props, ha: false } } : r,
  );
  const found = evaluate(broken, { environment: "prod" }).filter((v) => v.rule !== "prod-images-by-digest");
  expect(found.map((v) => v.message)).toEqual(["ha must be true in a prod stack, got false"]);
});

test("the harness feeds the Kubernetes rules: without its NetworkPolicies every namespace is refused", () => {
  const run = runs.get("dev");
  if (run === undefined) throw new Error("no dev stack");
  const resources = run.resources.map(fromHarness);
  const namespaces = resources.filter((r) => r.type === K.namespace).map((r) => r.props.metadata);
  expect(namespaces.length).toBeGreaterThanOrEqual(3);
  const withoutPolicies = resources.filter((r) => r.type !== K.networkPolicy);
  const rules = evaluate(withoutPolicies, { environment: "dev" }).map((v) => v.rule);
  expect(rules).toEqual(namespaces.map(() => "default-deny-per-namespace"));
});
