/** Item 30 of docs/hardening.md by value: a secret's value appears in no object but a Secret. */
import { K, looksLikeSecretName, obj, objectName } from "./shapes";
import type { PolicyResource, RuleContext, StackFinding, StackRule } from "./types";

/** Shorter values (a port, "true") would match by accident; every generated password is longer. */
export const MIN_SECRET_LENGTH = 8;

interface KnownSecret {
  readonly value: string;
  /** Where it came from, for the message (never the value itself). */
  readonly source: string;
}

/** Values of the secret-named keys of every Secret (stringData, and data decoded from base64), and the caller's. */
function knownSecrets(resources: readonly PolicyResource[], ctx: RuleContext): KnownSecret[] {
  const out: KnownSecret[] = (ctx.secretValues ?? []).map((value) => ({
    value,
    source: "a secret value the stack was given or derived",
  }));
  for (const r of resources.filter((x) => x.type === K.secret)) {
    const entries: [string, unknown][] = [
      ...Object.entries(obj(r.props.stringData)),
      ...Object.entries(obj(r.props.data)).map(([k, v]): [string, unknown] => [
        k,
        typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : undefined,
      ]),
    ];
    for (const [key, value] of entries)
      if (looksLikeSecretName(key) && typeof value === "string")
        out.push({ value, source: `Secret ${objectName(r)} key "${key}"` });
  }
  return out.filter((s) => s.value.length >= MIN_SECRET_LENGTH);
}

export const secretRules: readonly StackRule[] = [
  {
    name: "no-secret-values-outside-secrets",
    description:
      "No Kubernetes object other than a Secret (ConfigMaps, env literals, annotations, Helm values) " +
      "holds the value of a Secret's secret-named key (hardening 30).",
    check: (resources, ctx) => {
      const secrets = knownSecrets(resources, ctx);
      if (secrets.length === 0) return [];
      return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== K.secret)
        .flatMap((r): StackFinding[] => {
          const text = JSON.stringify(r.props);
          const leaked = [...new Set(secrets.filter((s) => text.includes(s.value)).map((s) => s.source))];
          return leaked.map((source) => ({
            resource: r,
            message: `${r.type.split(":").pop()} ${objectName(r)} holds the value of ${source} in clear; reference the Secret instead`,
          }));
        });
    },
  },
];
