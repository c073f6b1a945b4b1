/**
 * DNS-aware bot egress (`platform.botEgress: fqdn`): which hosts each bot may reach by name, the
 * CiliumNetworkPolicies that say so, and the address-based rules that then leave those bots out.
 */
import { botEgressHosts, fqdnEgressPlan, fqdnFallbackWarning } from "../../components/bots/egress-fqdn";
import {
  botsInternetPolicy,
  botsNetworkPolicy,
  egressPortPolicy,
} from "../../components/bots/network-policies";
import { EXCHANGE_HOSTS, isEgressHost } from "../../config/exchange-hosts";
import { ciliumPolicyErrors } from "../support/cilium";
import { selects, type Obj } from "../support/k8s";
import { policyViolations } from "../support/policy";
import { NAMESPACES, parseFleet, rawFleet } from "./fixtures";

const plain = <T>(v: T): Obj => JSON.parse(JSON.stringify(v)) as Obj;
const fleet = parseFleet();
const byName = (name: string) => fleet.find((b) => b.name === name)!;

/**
 * Cilium's `matchPattern` semantics (pkg/policy/api/fqdn.go doc comment): "*" stands for any DNS
 * characters within one label; a pattern never matches across a dot.
 */
const matches = (pattern: string, host: string): boolean =>
  new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*/g, "[-a-zA-Z0-9_]*")}$`).test(host);
const allowed = (hosts: readonly string[], host: string) => hosts.some((h) => matches(h, host));

/**
 * The hosts the pinned bots use per exchange, as read at their sources (config/exchange-hosts.ts cites
 * the files): each must pass the table's patterns; look-alikes must not.
 */
const USED: Record<string, readonly string[]> = {
  binance: [
    "api.binance.com",
    "fapi.binance.com",
    "dapi.binance.com",
    "stream.binance.com",
    "ws-api.binance.com",
  ],
  kraken: ["api.kraken.com", "ws.kraken.com", "ws-auth.kraken.com"],
  kucoin: ["api.kucoin.com", "ws-api-spot.kucoin.com"],
  bybit: ["api.bybit.com", "stream.bybit.com"],
  okx: ["www.okx.com", "ws.okx.com", "us.okx.com", "wseea.okx.com"],
  coinbase: ["api.coinbase.com", "advanced-trade-ws.coinbase.com", "advanced-trade-ws-user.coinbase.com"],
  gate_io: ["api.gateio.ws", "fx-ws.gateio.ws"],
};

describe("the exchange host table", () => {
  test.each(Object.entries(USED))(
    "%s: every host its bots use passes, look-alikes do not",
    (exchange, used) => {
      const hosts = EXCHANGE_HOSTS[exchange].hosts;
      for (const h of used) expect({ h, ok: allowed(hosts, h) }).toEqual({ h, ok: true });
      const apex = used[0].split(".").slice(1).join(".");
      for (const fake of [apex, `${used[0]}.evil.example`, `evil-${apex}`, `a.b.${apex}`])
        expect({ fake, ok: allowed(hosts, fake) }).toEqual({ fake, ok: false });
    },
  );

  test("every entry is a name or a one-label wildcard, never a whole top-level domain", () => {
    for (const { hosts } of Object.values(EXCHANGE_HOSTS))
      for (const h of hosts) expect(isEgressHost(h)).toBe(true);
    for (const bad of ["*.com", "*", "**.binance.com", "api.*.com", "API.binance.com", "binance"])
      expect({ bad, ok: isEgressHost(bad) }).toEqual({ bad, ok: false });
  });
});

describe("what each bot may reach by name", () => {
  test("its exchange's hosts, its preset's defaults, and its egressHosts", () => {
    // hummingbot: the rate oracle's default source is gate_io.
    expect(botEgressHosts(byName("btc-usdt-mm"))).toEqual(["*.binance.com", "api.gateio.ws"]);
    expect(botEgressHosts(byName("ft-live"))).toEqual(["*.kraken.com"]);
    const ftLive = rawFleet.find((b) => b.name === "ft-live") as Obj;
    const [telegram] = parseFleet([
      {
        ...ftLive,
        freqtrade: {
          ...ftLive.freqtrade,
          config: { ...ftLive.freqtrade.config, telegram: { enabled: true } },
        },
        egressHosts: ["hooks.example.com"],
      },
    ]);
    expect(botEgressHosts(telegram)).toEqual(["*.kraken.com", "api.telegram.org", "hooks.example.com"]);
  });

  test("bad egressHosts are refused with the rule", () => {
    expect(() => parseFleet([{ ...rawFleet[0], egressHosts: ["*.com"] }])).toThrow(
      /"egressHosts",\s+0\s+\],\s+"message": "must be a DNS name .* or a one-label wildcard/s,
    );
  });
});

describe("the policies", () => {
  const plan = fqdnEgressPlan(fleet);

  test("bots without an exchange botfleet knows and without egressHosts keep the address rule", () => {
    // arb-watcher is custom but names bybit, whose hosts botfleet knows.
    expect(byName("arb-watcher").exchange).toBe("bybit");
    expect([...plan.uncovered].sort()).toEqual(["daily-report", "signal-api"]);
    expect([...plan.covered, ...plan.uncovered].sort()).toEqual(fleet.map((b) => b.name).sort());
  });

  test("one well-formed policy per set of hosts and ports; each bot in exactly one", () => {
    const inputs = plan.policies.map((p) => ({
      apiVersion: "cilium.io/v2",
      kind: "CiliumNetworkPolicy",
      metadata: { name: p.name, namespace: NAMESPACES.bots },
      spec: plain(p.spec),
    }));
    for (const i of inputs) expect(ciliumPolicyErrors(i)).toEqual([]);
    for (const name of plan.covered) {
      const selecting = inputs.filter((i) => selects(i.spec.endpointSelector, { "botfleet.io/bot": name }));
      expect({ name, policies: selecting.length }).toEqual({ name, policies: 1 });
      const fqdn = selecting[0].spec.egress.find((r: Obj) => r.toFQDNs !== undefined);
      const hosts = fqdn.toFQDNs.map((s: Obj) => s.matchName ?? s.matchPattern);
      expect(hosts).toEqual(botEgressHosts(byName(name)));
      // DNS goes through Cilium's proxy (an L7 DNS rule), or it could never learn the addresses.
      const dns = selecting[0].spec.egress.find((r: Obj) => r.toEndpoints !== undefined);
      expect(dns.toPorts[0].rules).toEqual({ dns: [{ matchPattern: "*" }] });
    }
    // The two binance freqtrade bots share a policy (same hosts, same ports).
    const shared = inputs.find((i) => selects(i.spec.endpointSelector, { "botfleet.io/bot": "ft-sample" }))!;
    expect(selects(shared.spec.endpointSelector, { "botfleet.io/bot": "ft-download" })).toBe(true);
    // A structurally bad policy is caught (the check can fail).
    const bad = plain(inputs[0]);
    bad.spec.egress[1].toFQDNs = [{ matchPattern: "binance.com/x" }];
    bad.spec.egress[1].toEntities = ["world"];
    expect(ciliumPolicyErrors(bad)).toHaveLength(2);
  });

  test("a bot on an exchange botfleet does not know keeps the address rule, even with egressHosts", () => {
    const ftLive = rawFleet.find((b) => b.name === "ft-live") as Obj;
    const [bitget] = parseFleet([{ ...ftLive, exchange: "bitget", egressHosts: ["api.telegram.org"] }]);
    const [custom] = parseFleet([
      { ...rawFleet.find((b) => b.name === "daily-report"), egressHosts: ["hooks.example.com"] },
    ]);
    const mixed = fqdnEgressPlan([bitget, custom]);
    expect(mixed.uncovered).toEqual(["ft-live"]);
    expect(mixed.covered).toEqual(["daily-report"]);
    expect(fqdnFallbackWarning(mixed.uncovered)).toMatch(
      /^platform.botEgress is "fqdn", but botfleet knows no hosts for bots ft-live: they still reach any public address/,
    );
  });

  test("a bot's egressPorts go into its policy", () => {
    const [watcher] = parseFleet([
      { ...rawFleet.find((b) => b.name === "arb-watcher"), egressHosts: ["*.example.com"] },
    ]);
    const [p] = fqdnEgressPlan([watcher]).policies;
    const ports = plain(p.spec).egress[1].toPorts[0].ports.map((x: Obj) => x.port);
    expect(ports).toEqual(["443", "8443", "8765", "9443"]);
  });

  test("the address-based rules leave out the bots let out by name, and still pass the policy pack", () => {
    const shared = plain(botsNetworkPolicy(NAMESPACES, { mqtt: true, services: true, internetByName: true }));
    expect(JSON.stringify(shared.spec.egress)).not.toContain("0.0.0.0/0");
    const internet = plain(botsInternetPolicy(NAMESPACES.bots, plan.covered));
    const port = plain(egressPortPolicy(8765, NAMESPACES.bots, plan.covered));
    for (const name of plan.covered) {
      expect(selects(internet.spec.podSelector, { "botfleet.io/bot": name })).toBe(false);
      expect(
        selects(port.spec.podSelector, { "botfleet.io/bot": name, "botfleet.io/egress-port-8765": "true" }),
      ).toBe(false);
    }
    for (const name of plan.uncovered)
      expect(selects(internet.spec.podSelector, { "botfleet.io/bot": name })).toBe(true);
    expect(selects(internet.spec.podSelector, {})).toBe(false); // never a non-bot pod
    const resources = [shared, internet, port].map((p) => ({
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name: p.metadata.name,
      inputs: p,
    }));
    expect(policyViolations(resources as never)).toEqual([]);
  });
});
