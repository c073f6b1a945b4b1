/** postgres-rw, postgres-ro and postgres-headless, and the one disruption budget over the servers. */
import { standardLabels } from "../specs/labels";
import {
  EXPORTER_PORT,
  NAMES,
  POSTGRES_PORT,
  type PostgresSpecArgs,
  ROLE_LABEL,
  serverSelector,
} from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";
type Service = k8s.types.input.core.v1.Service;
type PodDisruptionBudget = k8s.types.input.policy.v1.PodDisruptionBudget;

function service(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  extra: Partial<k8s.types.input.core.v1.ServiceSpec> = {},
  ports: k8s.types.input.core.v1.ServicePort[] = [
    { name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql", protocol: "TCP" },
  ],
): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels },
    spec: { selector, ports, ...extra },
  };
}

/** postgres-rw (the pod labelled primary), postgres-ro (standbys), postgres-headless (pod DNS, metrics). */
export function postgresServices(args: PostgresSpecArgs): Service[] {
  const { instance, namespaces } = args;
  const labels = standardLabels({ name: "postgres", instance, component: "database" });
  const base = serverSelector(instance);
  return [
    service(NAMES.rw, namespaces.data, labels, { ...base, [ROLE_LABEL]: "primary" }),
    service(NAMES.ro, namespaces.data, labels, { ...base, [ROLE_LABEL]: "replica" }),
    service(
      NAMES.headless,
      namespaces.data,
      labels,
      base,
      { clusterIP: "None", publishNotReadyAddresses: true },
      [
        { name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql", protocol: "TCP" },
        { name: "metrics", port: EXPORTER_PORT, targetPort: "metrics", protocol: "TCP" },
      ],
    ),
  ];
}

/** One budget over all database pods: at most one voluntarily down; never blocks a drain of a singleton. */
export function postgresPdb(args: PostgresSpecArgs): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: NAMES.pdb,
      namespace: args.namespaces.data,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "database" }),
    },
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: serverSelector(args.instance) },
    },
  };
}
