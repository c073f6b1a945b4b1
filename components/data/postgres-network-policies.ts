/** Who reaches the database servers and what the backup Job may reach. */
import { selectorLabels, standardLabels } from "../specs/labels";
import { internetPeer, podsInNamespace } from "../specs/network";
import {
  CLIENT_LABEL,
  EXPORTER_PORT,
  NAMES,
  POSTGRES_PORT,
  type PostgresSpecArgs,
  ROLE_LABEL,
  backupLabels,
  serverSelector,
} from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";
type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;

/**
 * Database pods: 5432 from labelled clients in bots/data and from each other (replication), 9187 from
 * Prometheus only; egress only to each other on 5432 (a replica streams from the primary; roles swap on
 * failover, so every server pod gets it). No internet egress. DNS comes from the platform's policy.
 */
export function serverNetworkPolicy(args: PostgresSpecArgs): NetworkPolicy {
  const { instance, namespaces } = args;
  const pg = [{ protocol: "TCP", port: POSTGRES_PORT }];
  const clients = { [CLIENT_LABEL]: "true" };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: NAMES.serverPolicy,
      namespace: namespaces.data,
      labels: standardLabels({ name: "postgres", instance, component: "database" }),
    },
    spec: {
      podSelector: { matchLabels: serverSelector(instance) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            podsInNamespace(namespaces.bots, clients),
            podsInNamespace(namespaces.data, clients),
            { podSelector: { matchLabels: serverSelector(instance) } },
          ],
          ports: pg,
        },
        {
          from: [podsInNamespace(namespaces.monitoring, { "app.kubernetes.io/name": "prometheus" })],
          ports: [{ protocol: "TCP", port: EXPORTER_PORT }],
        },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: serverSelector(instance) } }], ports: pg }],
    },
  };
}

/** Backup Job pods: no ingress; egress to the pod behind postgres-rw and HTTPS to public addresses. */
export function backupNetworkPolicy(args: PostgresSpecArgs): NetworkPolicy {
  const { instance, namespaces } = args;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NAMES.backupPolicy, namespace: namespaces.data, labels: backupLabels(instance) },
    spec: {
      podSelector: { matchLabels: selectorLabels({ name: "postgres", instance, component: "backup" }) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          to: [{ podSelector: { matchLabels: { ...serverSelector(instance), [ROLE_LABEL]: "primary" } } }],
          ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
        },
        {
          // HTTPS to public addresses only: no private ranges, no cloud metadata (item 27).
          to: [internetPeer()],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    },
  };
}
