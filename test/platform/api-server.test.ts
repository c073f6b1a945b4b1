/**
 * The first `pulumi up` on a managed cloud: the monitoring pods' way to the API server is known from the
 * cluster resource's outputs, not from config set after the fact, and it exists before the chart starts.
 * Per provider, for every stack file, under the mock engine.
 */
import { MOCK_DO_API_SERVER_IP, MOCK_LKE_API_SERVER_IP, type RegisteredResource } from "../../lib/mockrun";
import { readStackFile } from "../../lib/stackfile";
import { ciliumPolicyErrors } from "../support/cilium";
import { kindOf, nameOf, namespaceOf, type Obj } from "../support/k8s";
import { REPO, runConfig, runStackFile, type StackRun } from "../support/stacks";

const MON = "botfleet-monitoring";
const API_SERVER_POLICIES = ["prometheus-scrape", "monitoring-apiserver-egress", "operator-apiserver-egress"];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const runs = new Map<string, StackRun>();

beforeAll(async () => {
  // Sequential: the Pulumi runtime is global state.
  for (const stack of ["dev", "prod", "dev-lke", "local"]) runs.set(stack, await runStackFile(stack));
  const dev = readStackFile(REPO, "dev");
  runs.set(
    "override",
    await runConfig("dev", {
      ...dev,
      "botfleet:monitoring": { ...(dev["botfleet:monitoring"] as Obj), apiServerCidrs: ["192.0.2.50/32"] },
    }),
  );
}, 300_000);

const resources = (run: string) => runs.get(run)!.resources;
const monitoringPolicy = (run: string, name: string) =>
  JSON.stringify(
    resources(run).find((r) => kindOf(r) === "NetworkPolicy" && namespaceOf(r) === MON && nameOf(r) === name)!
      .inputs.spec,
  );
const ciliumPolicies = (run: string) =>
  resources(run).filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy");
const apiServerWarnings = (run: string) =>
  runs.get(run)!.warnings.filter((w) => w.includes("apiServerCidrs"));

describe("the API server address comes from the cluster resource", () => {
  test("dev (DOKS): the control plane's ipv4Address reaches every API-server policy as a /32", () => {
    for (const p of API_SERVER_POLICIES)
      expect({ p, has: monitoringPolicy("dev", p).includes(`"${MOCK_DO_API_SERVER_IP}/32"`) }).toEqual({
        p,
        has: true,
      });
  });

  test("dev-lke (LKE): the IPv4 address among apiEndpoints, once, and no IPv6 or host name", () => {
    for (const p of API_SERVER_POLICIES) {
      const text = monitoringPolicy("dev-lke", p);
      expect({ p, has: text.includes(`"${MOCK_LKE_API_SERVER_IP}/32"`) }).toEqual({ p, has: true });
      expect(text.split(`${MOCK_LKE_API_SERVER_IP}/32`).length - 1).toBe(1);
      expect(text).not.toMatch(/2001:db8|linodelke/);
    }
  });

  test("prod (DOKS, HA control plane): the cloud reports no address; Cilium's kube-apiserver entity covers it", () => {
    for (const p of API_SERVER_POLICIES)
      expect(monitoringPolicy("prod", p)).not.toContain(MOCK_DO_API_SERVER_IP);
    const names = ciliumPolicies("prod")
      .filter((r) => namespaceOf(r) === MON)
      .map(nameOf);
    expect(names).toContain("operator-apiserver-cilium");
  });

  test("monitoring.apiServerCidrs overrides the derived address", () => {
    for (const p of API_SERVER_POLICIES) {
      expect({ p, has: monitoringPolicy("override", p).includes('"192.0.2.50/32"') }).toEqual({
        p,
        has: true,
      });
      expect({ p, has: monitoringPolicy("override", p).includes(MOCK_DO_API_SERVER_IP) }).toEqual({
        p,
        has: false,
      });
    }
  });

  test("no stack file warns to set the address after the first up", () => {
    for (const run of ["dev", "prod", "dev-lke", "local", "override"])
      expect({ run, w: apiServerWarnings(run) }).toEqual({ run, w: [] });
  });
});

describe("Cilium (DOKS) gets entity policies for nodes and the API server; the others do not", () => {
  test.each(["dev", "prod"])("%s: monitoring's four CiliumNetworkPolicies, well-formed", (run) => {
    const mon = ciliumPolicies(run).filter((r) => namespaceOf(r) === MON);
    expect(mon.map(nameOf).sort()).toEqual([
      "monitoring-apiserver-cilium",
      "operator-apiserver-cilium",
      "operator-webhook-cilium",
      "prometheus-nodes-apiserver-cilium",
    ]);
    for (const r of ciliumPolicies(run))
      expect({ name: nameOf(r), errors: ciliumPolicyErrors(r.inputs) }).toEqual({
        name: nameOf(r),
        errors: [],
      });
    const prom = mon.find((r) => nameOf(r) === "prometheus-nodes-apiserver-cilium")!.inputs.spec as Obj;
    expect(prom.egress[0]).toEqual({
      toEntities: ["host", "remote-node"],
      toPorts: [
        {
          ports: [
            { port: "10250", protocol: "TCP" },
            { port: "9100", protocol: "TCP" },
          ],
        },
      ],
    });
  });

  test.each(["dev-lke", "local"])("%s: no CiliumNetworkPolicy", (run) => {
    expect(ciliumPolicies(run)).toEqual([]);
  });

  test("the structural check catches a bad entity, a numeric port and a namespace in the endpointSelector", () => {
    const good = ciliumPolicies("dev")[0].inputs;
    const bad = {
      ...good,
      spec: {
        endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "x" } },
        egress: [{ toEntities: ["kube-api-server"], toPorts: [{ ports: [{ port: 443, protocol: "TCP" }] }] }],
      },
    };
    expect(ciliumPolicyErrors(bad)).toEqual([
      "spec.endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: an endpointSelector may not name a namespace",
      'spec.egress[0].toEntities: "kube-api-server" is not a Cilium entity',
      "spec.egress[0].toPorts[0].ports[0].port: must be a port number as a string, got 443",
    ]);
  });
});

describe("the chart starts only once its network policies exist", () => {
  const urnMatches = (urn: string, r: RegisteredResource) =>
    r.custom && new RegExp(`[:$]${escape(r.type)}::${escape(r.name)}$`).test(urn);

  test.each(["dev", "dev-lke", "local"])(
    "%s: the kube-prometheus-stack release depends on every monitoring policy",
    (run) => {
      const all = resources(run);
      const release = all.find(
        (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack",
      )!;
      const deps = (release.dependencies ?? []).map((urn) => all.find((r) => urnMatches(urn, r)));
      const depNames = deps.filter((r) => r !== undefined).map((r) => `${kindOf(r!)}/${nameOf(r!)}`);
      const policies = all
        .filter((r) => namespaceOf(r) === MON && ["NetworkPolicy", "CiliumNetworkPolicy"].includes(kindOf(r)))
        // The platform's namespace-wide default deny and DNS egress come before the whole component.
        .filter((r) => !["default-deny", "allow-dns-egress"].includes(nameOf(r)))
        .map((r) => `${kindOf(r)}/${nameOf(r)}`);
      expect(policies.length).toBeGreaterThanOrEqual(6);
      expect(depNames.sort()).toEqual(expect.arrayContaining(policies.sort()));
    },
  );
});
