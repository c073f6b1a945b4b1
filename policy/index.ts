import { PolicyPack, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { environmentOf, resourceRules, stackOfUrn, stackRules } from "./rules";

/**
 * Every rule is mandatory: a violation fails `pulumi preview`/`up`. The logic lives in ./rules (pure,
 * unit-tested); this file only adapts it to the policy SDK. `environment` may be set through policy
 * config (`--policy-pack-config`); otherwise it comes from the stack name in the URN.
 */
const configSchema = {
  properties: { environment: { type: "string" as const, enum: ["dev", "staging", "prod", "local"] } },
};

const environment = (urn: string, config: Record<string, unknown>) =>
  environmentOf(stackOfUrn(urn), typeof config.environment === "string" ? config.environment : undefined);

const resourcePolicies: ResourceValidationPolicy[] = resourceRules.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, reportViolation: ReportViolation) => {
    const ctx = { environment: environment(args.urn, args.getConfig<Record<string, unknown>>()) };
    for (const message of rule.check(
      { type: args.type, props: args.props, name: args.name, urn: args.urn },
      ctx,
    ))
      reportViolation(message);
  },
}));

const stackPolicies: StackValidationPolicy[] = stackRules.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: "mandatory",
  configSchema,
  validateStack: (args, reportViolation: ReportViolation) => {
    const urn = args.resources[0]?.urn ?? "";
    const ctx = { environment: environment(urn, args.getConfig<Record<string, unknown>>()) };
    const resources = args.resources.map((r) => ({ type: r.type, props: r.props, name: r.name, urn: r.urn }));
    for (const finding of rule.check(resources, ctx)) reportViolation(finding.message, finding.resource.urn);
  },
}));

new PolicyPack("botfleet-hardening", {
  description: "botfleet hardening checklist (docs/hardening.md) and cloud rules, all mandatory",
  enforcementLevel: "mandatory",
  policies: [...resourcePolicies, ...stackPolicies],
});
