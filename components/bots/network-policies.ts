/**
 * What bots may reach and who may reach them: one fleet policy, one per extra egress port the fleet
 * uses, and one per service for its clients.
 */
import type * as k8s from "@pulumi/kubernetes";
import { DEFAULT_EGRESS_PORTS, botObjectNames, type ServiceBot } from "../../config/bots";
import { DATA_APPS, POSTGRES_PORT, REDIS_PORT, SENTINEL_PORT } from "../data/contract";
import { PRIVATE_AND_METADATA_CIDRS, internetPeer, podsInNamespace } from "../specs/network";
import { botMeta as meta, botSelector, egressPortLabel, fleetLabels } from "./labels";
import { mqttSelector } from "./mqtt";
import { MQTT_PORT, SHARED } from "./names";
import type { Namespaces } from "../../config/platform";

/** Private, link-local and metadata ranges: bots reach the internet, not the cluster or the cloud API. */
export const PRIVATE_RANGES = PRIVATE_AND_METADATA_CIDRS;

/** One policy for every bot pod: what a trading bot may reach, and who may scrape it. */
export function botsNetworkPolicy(
  namespaces: Namespaces,
  opts: {
    mqtt: boolean;
    services: boolean;
    /**
     * `platform.botEgress: fqdn`: the internet rule moves to {@link botsInternetPolicy}, which leaves out
     * the bots Cilium lets out by name. @default false
     */
    internetByName?: boolean;
  },
): k8s.types.input.networking.v1.NetworkPolicy {
  const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
    ...((opts.internetByName ?? false) ? [] : [internetRule()]),
    {
      to: [podsInNamespace(namespaces.data, { "app.kubernetes.io/name": DATA_APPS.redis })],
      ports: [
        { protocol: "TCP", port: REDIS_PORT },
        { protocol: "TCP", port: SENTINEL_PORT },
      ],
    },
    {
      to: [podsInNamespace(namespaces.data, { "app.kubernetes.io/name": DATA_APPS.postgres })],
      ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
    },
  ];
  if (opts.services) {
    // Calls to bot services; each service's own policy admits only its declared clients.
    egress.push({ to: [{ podSelector: { matchLabels: { "botfleet.io/workload": "service" } } }] });
  }
  if (opts.mqtt) {
    egress.push({
      to: [{ podSelector: { matchLabels: mqttSelector() } }],
      ports: [{ protocol: "TCP", port: MQTT_PORT }],
    });
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: SHARED.networkPolicy,
      namespace: namespaces.bots,
      labels: fleetLabels("network-policy"),
    },
    spec: {
      podSelector: { matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [podsInNamespace(namespaces.monitoring, { "app.kubernetes.io/name": "prometheus" })],
          ports: [{ protocol: "TCP", port: "metrics" }],
        },
      ],
      egress,
    },
  };
}

/** HTTPS, and the exchanges' websocket ports (Binance 9443, OKX 8443), to any public address. */
function internetRule(): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return { to: [internetPeer()], ports: DEFAULT_EGRESS_PORTS.map((port) => ({ protocol: "TCP", port })) };
}

/** Bot pods, less the named ones (those Cilium lets out by name). */
function botsExcept(names: readonly string[]) {
  return [
    { key: "botfleet.io/bot", operator: "Exists" },
    ...(names.length > 0 ? [{ key: "botfleet.io/bot", operator: "NotIn", values: [...names].sort() }] : []),
  ];
}

/**
 * With `platform.botEgress: fqdn`, the address-based internet rule for the bots whose hosts botfleet does
 * not know (`uncovered`, egress-fqdn.ts): every bot but `byName`.
 */
export function botsInternetPolicy(
  namespace: string,
  byName: readonly string[],
): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `${SHARED.networkPolicy}-internet`,
      namespace,
      labels: fleetLabels("network-policy"),
    },
    spec: {
      podSelector: { matchExpressions: botsExcept(byName) },
      policyTypes: ["Egress"],
      egress: [internetRule()],
    },
  };
}

/**
 * One extra internet port (from `egressPorts`), for the pods of the bots that list it only: they carry
 * {@link egressPortLabel}. Policies add up, so the shared policy's allows still hold and no other bot
 * gains the port. One policy per port the fleet uses, not per bot.
 */
export function egressPortPolicy(
  port: number,
  namespace: string,
  /** Bots Cilium lets out by name (their port is in their CiliumNetworkPolicy instead). @default [] */
  byName: readonly string[] = [],
): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `${SHARED.networkPolicy}-egress-${port}`,
      namespace,
      labels: fleetLabels("network-policy"),
    },
    spec: {
      // Bot pods only, whatever else might carry the label (the policy pack's internet-egress rule).
      podSelector: {
        matchLabels: { [egressPortLabel(port)]: "true" },
        matchExpressions: botsExcept(byName),
      },
      policyTypes: ["Egress"],
      egress: [{ to: [internetPeer()], ports: [{ protocol: "TCP", port }] }],
    },
  };
}

/** A service admits its declared client bots on its ports. */
export function serviceClientsPolicy(
  bot: ServiceBot,
  namespace: string,
): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(bot, namespace, botObjectNames(bot.name).clientsPolicy),
    spec: {
      podSelector: { matchLabels: botSelector(bot) },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchExpressions: [{ key: "botfleet.io/bot", operator: "In", values: [...bot.clients] }],
              },
            },
          ],
          ports: bot.custom.ports.map((p) => ({ protocol: "TCP", port: p.name })),
        },
      ],
    },
  };
}
