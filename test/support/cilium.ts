/**
 * A structural check of CiliumNetworkPolicy objects (no published JSON schema is installed here, and
 * kubernetes-models has none for cilium.io). It covers the fields this program writes, checked against
 * cilium/cilium: the entity names are the `+kubebuilder:validation:Enum` of pkg/policy/api/entity.go
 * (commit b1c039e5), a port is a string holding one uint16 and a protocol TCP, UDP or ANY
 * (pkg/policy/api/l4.go, `PortProtocol`, commit 009f92fa), and the
 * `endpointSelector` may not name a namespace (Documentation/security/policy/kubernetes.rst, "Namespaces").
 * A `toFQDNs` selector is one `matchName` (0-9, a-z, A-Z, "." and "-") or one `matchPattern` (those and
 * "*"), as pkg/policy/api/fqdn.go `FQDNSelector.sanitize` admits; DNS rules (`rules.dns`) take the same.
 */
import type { Obj } from "./k8s";

export const CILIUM_ENTITIES = [
  "all",
  "world",
  "cluster",
  "host",
  "init",
  "ingress",
  "unmanaged",
  "remote-node",
  "health",
  "none",
  "kube-apiserver",
];
const PROTOCOLS = ["TCP", "UDP", "ANY"];
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function selectorErrors(where: string, sel: unknown, endpointSelector: boolean): string[] {
  if (!isObj(sel)) return [`${where}: must be a label selector object`];
  const errors: string[] = [];
  for (const k of Object.keys(sel))
    if (!["matchLabels", "matchExpressions"].includes(k)) errors.push(`${where}.${k}: unknown field`);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (typeof v !== "string") errors.push(`${where}.matchLabels.${k}: must be a string`);
    if (endpointSelector && k.includes("io.kubernetes.pod.namespace"))
      errors.push(`${where}.matchLabels.${k}: an endpointSelector may not name a namespace`);
  }
  for (const [i, e] of ((sel.matchExpressions ?? []) as Obj[]).entries())
    if (typeof e.key !== "string" || !OPERATORS.includes(e.operator))
      errors.push(`${where}.matchExpressions[${i}]: needs a key and an operator in ${OPERATORS.join(", ")}`);
  return errors;
}

const MATCH_NAME = /^[-a-zA-Z0-9.]+$/;
const MATCH_PATTERN = /^[-a-zA-Z0-9.*]+$/;

function fqdnErrors(where: string, selectors: unknown): string[] {
  if (!Array.isArray(selectors) || selectors.length === 0) return [`${where}: must be a non-empty list`];
  return selectors.flatMap((sel: Obj, i) => {
    const keys = isObj(sel) ? Object.keys(sel) : [];
    if (keys.length !== 1 || !["matchName", "matchPattern"].includes(keys[0]))
      return [`${where}[${i}]: must hold exactly one of matchName, matchPattern`];
    const ok = keys[0] === "matchName" ? MATCH_NAME : MATCH_PATTERN;
    return typeof sel[keys[0]] === "string" && ok.test(sel[keys[0]])
      ? []
      : [`${where}[${i}].${keys[0]}: has characters Cilium refuses, got ${JSON.stringify(sel[keys[0]])}`];
  });
}

function portErrors(where: string, toPorts: unknown): string[] {
  if (!Array.isArray(toPorts)) return [`${where}: must be a list`];
  const errors: string[] = [];
  toPorts.forEach((rule: Obj, i) => {
    for (const [j, p] of ((rule.ports ?? []) as Obj[]).entries()) {
      const at = `${where}[${i}].ports[${j}]`;
      if (typeof p.port !== "string" || !/^\d+$/.test(p.port) || Number(p.port) < 1 || Number(p.port) > 65535)
        errors.push(`${at}.port: must be a port number as a string, got ${JSON.stringify(p.port)}`);
      if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
        errors.push(
          `${at}.protocol: must be one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(p.protocol)}`,
        );
    }
    if (!Array.isArray(rule.ports) || rule.ports.length === 0)
      errors.push(`${where}[${i}].ports: must not be empty`);
    if (rule.rules !== undefined) {
      const keys = Object.keys(rule.rules);
      if (keys.length !== 1 || keys[0] !== "dns")
        errors.push(`${where}[${i}].rules: only dns rules are written here`);
      else errors.push(...fqdnErrors(`${where}[${i}].rules.dns`, rule.rules.dns));
    }
  });
  return errors;
}

function ruleErrors(where: string, rules: unknown, direction: "ingress" | "egress"): string[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) return [`${where}: must be a list`];
  const [entities, endpoints] =
    direction === "ingress" ? ["fromEntities", "fromEndpoints"] : ["toEntities", "toEndpoints"];
  const errors: string[] = [];
  rules.forEach((rule: Obj, i) => {
    const at = `${where}[${i}]`;
    const fields =
      direction === "egress" ? [entities, endpoints, "toFQDNs", "toPorts"] : [entities, endpoints, "toPorts"];
    for (const k of Object.keys(rule))
      if (!fields.includes(k)) errors.push(`${at}.${k}: unknown or unsupported field`);
    if (rule.toFQDNs !== undefined) {
      errors.push(...fqdnErrors(`${at}.toFQDNs`, rule.toFQDNs));
      if (rule[entities] !== undefined || rule[endpoints] !== undefined)
        errors.push(`${at}: toFQDNs goes in a rule of its own`);
    }
    for (const e of (rule[entities] ?? []) as unknown[])
      if (typeof e !== "string" || !CILIUM_ENTITIES.includes(e))
        errors.push(`${at}.${entities}: ${JSON.stringify(e)} is not a Cilium entity`);
    for (const [j, sel] of ((rule[endpoints] ?? []) as unknown[]).entries())
      errors.push(...selectorErrors(`${at}.${endpoints}[${j}]`, sel, false));
    if (rule[entities] === undefined && rule[endpoints] === undefined && rule.toFQDNs === undefined)
      errors.push(`${at}: names no peer (it would allow every peer on its ports)`);
    if (rule.toPorts !== undefined) errors.push(...portErrors(`${at}.toPorts`, rule.toPorts));
  });
  return errors;
}

/** Every problem with one CiliumNetworkPolicy's registered inputs; [] when well-formed. */
export function ciliumPolicyErrors(inputs: Obj): string[] {
  const errors: string[] = [];
  if (inputs.apiVersion !== "cilium.io/v2")
    errors.push(`apiVersion must be cilium.io/v2, got ${inputs.apiVersion}`);
  if (inputs.kind !== "CiliumNetworkPolicy")
    errors.push(`kind must be CiliumNetworkPolicy, got ${inputs.kind}`);
  if (typeof inputs.metadata?.name !== "string" || typeof inputs.metadata?.namespace !== "string")
    errors.push("metadata needs a name and a namespace");
  const spec = inputs.spec;
  if (!isObj(spec)) return [...errors, "spec: missing"];
  for (const k of Object.keys(spec))
    if (!["endpointSelector", "ingress", "egress"].includes(k))
      errors.push(`spec.${k}: unknown or unsupported field`);
  errors.push(...selectorErrors("spec.endpointSelector", spec.endpointSelector, true));
  errors.push(...ruleErrors("spec.ingress", spec.ingress, "ingress"));
  errors.push(...ruleErrors("spec.egress", spec.egress, "egress"));
  if (spec.ingress === undefined && spec.egress === undefined)
    errors.push("spec: has neither ingress nor egress rules");
  return errors;
}
