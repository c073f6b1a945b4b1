/**
 * DNS-aware egress for bots (`platform.botEgress: fqdn`): CiliumNetworkPolicies that let each bot reach its
 * exchange's hosts, and the hosts it lists in `egressHosts`, by name. Pure.
 *
 * Cilium learns which addresses a name stands for from the pod's own DNS answers, which its DNS proxy
 * sees only when a policy puts an L7 DNS rule on the pod's port-53 traffic (docs.cilium.io "DNS based"
 * policies; `toFQDNs` needs `enable-l7-proxy`). So every policy here carries that rule too (any name may
 * be looked up: the cluster's own search domains come first), next to a rule of its own for `toFQDNs`.
 */
import { createHash } from "crypto";
import { DEFAULT_EGRESS_PORTS, type BotConfig } from "../../config/bots";
import { isRecord } from "../../config/common";
import { EXCHANGE_HOSTS, HUMMINGBOT_RATE_ORACLE_HOST, TELEGRAM_API_HOST } from "../../config/exchange-hosts";
import { podsOfNamespace, type CiliumLabelSelector, type NamedCiliumPolicy } from "../specs/cilium";

/** A bot's `exchange` when it names none (config/bots.ts). */
const NO_EXCHANGE = "none";

/**
 * The hosts a bot may reach by name: its exchange's (none for an exchange not in EXCHANGE_HOSTS), what its
 * preset reaches by default, and its `egressHosts`. Sorted, without duplicates.
 */
export function botEgressHosts(bot: BotConfig): string[] {
  const hosts = new Set<string>(bot.egressHosts);
  const exchange = bot.exchange !== undefined ? EXCHANGE_HOSTS[bot.exchange] : undefined;
  for (const h of exchange?.hosts ?? []) hosts.add(h);
  if (bot.preset === "hummingbot") hosts.add(HUMMINGBOT_RATE_ORACLE_HOST);
  if (bot.preset === "freqtrade") {
    const telegram = bot.freqtrade.config.telegram;
    if (isRecord(telegram) && telegram.enabled === true) hosts.add(TELEGRAM_API_HOST);
  }
  return [...hosts].sort();
}

/**
 * Whether the bot can be let out by name: botfleet knows its exchange's hosts, or it names no exchange
 * (a custom bot) and lists its own. A bot on an exchange botfleet does not know keeps the address rule
 * even with `egressHosts`: those are hosts besides its exchange's, which nobody would think to list.
 */
function coveredBy(bot: BotConfig): boolean {
  if (bot.exchange === NO_EXCHANGE) return bot.egressHosts.length > 0;
  return EXCHANGE_HOSTS[bot.exchange] !== undefined;
}

export interface FqdnEgressPlan {
  /** One policy per distinct set of hosts and ports, selecting the bots that share it. */
  readonly policies: readonly NamedCiliumPolicy[];
  /** Bots the policies cover: the fleet's address-based internet rules leave them out. */
  readonly covered: readonly string[];
  /**
   * Bots that keep the address-based rule (any public address on their ports): an exchange whose hosts
   * botfleet does not know, or no exchange and no `egressHosts`.
   */
  readonly uncovered: readonly string[];
}

const KUBE_DNS: CiliumLabelSelector = {
  matchLabels: { ...podsOfNamespace("kube-system").matchLabels, "k8s:k8s-app": "kube-dns" },
};

/** The policies for `bots` (each needs its TCP ports: the defaults and its `egressPorts`). */
export function fqdnEgressPlan(bots: readonly BotConfig[]): FqdnEgressPlan {
  const groups = new Map<string, { hosts: string[]; ports: number[]; bots: string[] }>();
  const covered: string[] = [];
  const uncovered: string[] = [];
  for (const bot of bots) {
    if (!coveredBy(bot)) {
      uncovered.push(bot.name);
      continue;
    }
    covered.push(bot.name);
    const hosts = botEgressHosts(bot);
    const ports = [...new Set([...DEFAULT_EGRESS_PORTS, ...bot.egressPorts])].sort((a, b) => a - b);
    const key = JSON.stringify([hosts, ports]);
    const group = groups.get(key) ?? { hosts, ports, bots: [] };
    group.bots.push(bot.name);
    groups.set(key, group);
  }
  const policies = [...groups.entries()].map(([key, g]) => ({
    // Named by content, so a bot moving between groups never renames another group's policy.
    name: `botfleet-bots-fqdn-${createHash("sha256").update(key).digest("hex").slice(0, 10)}`,
    spec: {
      endpointSelector: {
        matchExpressions: [{ key: "botfleet.io/bot", operator: "In" as const, values: [...g.bots].sort() }],
      },
      egress: [
        {
          toEndpoints: [KUBE_DNS],
          toPorts: [
            {
              ports: [
                { port: "53", protocol: "UDP" as const },
                { port: "53", protocol: "TCP" as const },
              ],
              rules: { dns: [{ matchPattern: "*" }] },
            },
          ],
        },
        {
          toFQDNs: g.hosts.map((h) => (h.includes("*") ? { matchPattern: h } : { matchName: h })),
          toPorts: [{ ports: g.ports.map((p) => ({ port: String(p), protocol: "TCP" as const })) }],
        },
      ],
    },
  }));
  return { policies, covered, uncovered };
}

/** The warning for bots that keep the address-based rule under `platform.botEgress: fqdn`. */
export function fqdnFallbackWarning(uncovered: readonly string[]): string {
  return (
    `platform.botEgress is "fqdn", but botfleet knows no hosts for bots ${uncovered.join(", ")}: they still reach ` +
    `any public address on their ports. The exchanges it knows: ${Object.keys(EXCHANGE_HOSTS).join(", ")} ` +
    `(config/exchange-hosts.ts, where another one is added with its source); a bot without an exchange ` +
    `lists the hosts it needs in bots[].egressHosts`
  );
}
