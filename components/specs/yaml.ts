/**
 * YAML text that means the same to every reader it reaches. kubectl and client-go (sigs.k8s.io/yaml over
 * go-yaml v2), Alertmanager (go-yaml v2) and hummingbot's script configs (PyYAML's safe_load) read YAML
 * 1.1, where a plain `on`, `no`, `y`, `1:20`, `0755` or `2026-01-15` is a boolean, a number or a date.
 * The yaml package writes YAML 1.2 and leaves those strings plain, and 1.2 readers have their own (`0o17`
 * is 15). So any string that either version would read as something else is written double-quoted.
 */
import { Document, Scalar, parse, visit } from "yaml";

/** The 1.1 merge key and value key: strings to both versions' scalar parsers, special as map keys. */
const ALWAYS_QUOTED = new Set(["<<", "="]);

const known = new Map<string, boolean>();

/** True when a plain scalar with this text reads back as this very string in YAML 1.1 and 1.2. */
export function plainIsString(text: string): boolean {
  let answer = known.get(text);
  if (answer === undefined) {
    answer = !ALWAYS_QUOTED.has(text) && ["1.1", "1.2"].every((version) => readsBack(text, version));
    if (known.size < 100_000) known.set(text, answer);
  }
  return answer;
}

function readsBack(text: string, version: string): boolean {
  try {
    return parse(text, { version: version as "1.1" | "1.2" }) === text;
  } catch {
    return false;
  }
}

/** `YAML.stringify`, with every string a YAML 1.1 or 1.2 reader would retype written quoted. */
export function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      // Multi-line strings are written as block scalars, which are strings in every version.
      if (typeof node.value === "string" && !node.value.includes("\n") && !plainIsString(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return doc.toString();
}
