/** The container scripts (files/postgres/*.sh) as a ConfigMap, and the digest that rolls the servers. */
import { standardLabels } from "../specs/labels";
import { NAMES, type PostgresSpecArgs } from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";
import * as crypto from "crypto";

export function scriptsChecksum(scripts: Record<string, string>): string {
  const h = crypto.createHash("sha256");
  for (const name of Object.keys(scripts).sort())
    h.update(name).update("\0").update(scripts[name]).update("\0");
  return h.digest("hex");
}

/** The container scripts (files/postgres/*.sh): no secrets in them. */
export function scriptsConfigMap(
  args: PostgresSpecArgs,
  scripts: Record<string, string>,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: NAMES.scripts,
      namespace: args.namespaces.data,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "database" }),
    },
    data: scripts,
  };
}
