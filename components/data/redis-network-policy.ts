/** Who reaches Redis and Sentinel, and what they reach. */
import * as k8s from "@pulumi/kubernetes";
import { podsInNamespace } from "../specs/network";
import { REDIS_CLIENT } from "./contract";
import { EXPORTER_PORT, REDIS_NAMES, type RedisSpecArgs, meta, selector } from "./redis-names";
import { servicePorts } from "./redis-services";

import Input = k8s.types.input;

/**
 * Ingress: Redis/Sentinel ports only from labelled clients in the bots and data namespaces and from
 * the Redis pods themselves; the exporter only from Prometheus. Egress: only the other Redis pods
 * (DNS comes from the platform's allow-DNS policy); no internet.
 */
export function redisNetworkPolicy(args: RedisSpecArgs): Input.networking.v1.NetworkPolicy {
  const { namespaces, config } = args;
  const ports = servicePorts(config).map((p) => ({ protocol: "TCP", port: p.port }));
  const client = { [REDIS_CLIENT.label]: "true" };
  const redisPods = { podSelector: { matchLabels: selector(args) } };
  return {
    metadata: meta(args, REDIS_NAMES.networkPolicy),
    spec: {
      podSelector: { matchLabels: selector(args) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            podsInNamespace(namespaces.bots, client),
            podsInNamespace(namespaces.data, client),
            redisPods,
          ],
          ports,
        },
        {
          from: [podsInNamespace(namespaces.monitoring, { "app.kubernetes.io/name": "prometheus" })],
          ports: [{ protocol: "TCP", port: EXPORTER_PORT }],
        },
      ],
      // Standalone Redis talks to no one; HA pods replicate and gossip with each other.
      egress: config.ha ? [{ to: [redisPods], ports }] : [],
    },
  };
}
