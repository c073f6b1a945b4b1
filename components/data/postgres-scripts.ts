/** The container scripts (files/postgres/*.sh) as a ConfigMap; the component reads them. */
import { standardLabels } from "../specs/labels";
import { NAMES, type PostgresSpecArgs } from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";

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
