/**
 * The Monitoring component under Pulumi's mock engine: what it registers, with which inputs, and whether
 * every core Kubernetes object is valid against the Kubernetes OpenAPI schema (kubernetes-models).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { removeDir, run, tempDir } from "./tools";
import { derived, testCredentials } from "../support/credentials";
import { COMPONENT_ONLY, policyViolations } from "../support/policy";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
}
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const GRAFANA_PASSWORD = derived("grafana-admin");
const registered: Registered[] = [];

// Mocks first: the component module must see them when it is loaded.
pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
      return { id: `${args.name}_id`, state: args.inputs };
    },
    call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
  },
  "botfleet",
  "test",
  false,
);

/* eslint-disable @typescript-eslint/no-require-imports */
const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
const { Monitoring } = require("../../components/monitoring") as typeof import("../../components/monitoring");
const { monitoringSchema, alertingSchema } =
  require("../../config/monitoring") as typeof import("../../config/monitoring");
const { buildHelmValues } =
  require("../../components/monitoring/values") as typeof import("../../components/monitoring/values");
const { renderAlertmanagerConfig } =
  require("../../components/monitoring/alertmanager") as typeof import("../../components/monitoring/alertmanager");
const { renderAlertGroups } =
  require("../../components/monitoring/rules") as typeof import("../../components/monitoring/rules");
/* eslint-enable @typescript-eslint/no-require-imports */

const NAMESPACES = {
  bots: "botfleet-bots",
  data: "botfleet-data",
  monitoring: "botfleet-monitoring",
  nodeExporter: "botfleet-node-exporter",
};
const FAKE_ALERTING = {
  telegram: { botToken: "123456:AAfakefakefakefakefakefake", chatId: "-1001234567890" },
  pagerduty: { routingKey: "0123456789abcdef0123456789abcdef" },
  email: {
    to: "ops@example.test",
    from: "am@example.test",
    smarthost: "smtp.example.test:587",
    username: "am",
    password: "fake-smtp-pass",
  },
};
const SECRET_STRINGS = [
  FAKE_ALERTING.telegram.botToken,
  FAKE_ALERTING.pagerduty.routingKey,
  FAKE_ALERTING.email.password,
  GRAFANA_PASSWORD,
];

/** The Secretify'd form config.ts produces: every string leaf a secret Output. */
function secretify<T>(value: T): unknown {
  if (typeof value === "string") return pulumi.secret(value);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretify(v)]));
  }
  return value;
}

/** Pulumi's wire marker of a secret value: mocks receive secrets wrapped in it. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const isSecretWrapped = (v: unknown): v is { value: unknown } =>
  typeof v === "object" && v !== null && (v as Obj)[SECRET_SIG] === SECRET_SIG_VALUE;
/** Removes secret wrappers, as the provider does before sending an object to the API server. */
function unwrap(v: unknown): unknown {
  if (isSecretWrapped(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

/** Waits until the engine stops registering resources (no assertion on time). */
async function settled(): Promise<void> {
  let last = -1;
  while (last !== registered.length) {
    last = registered.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const config = monitoringSchema.parse({
  storageClass: "do-block-storage",
  ingress: {
    enabled: true,
    host: "grafana.example.com",
    clusterIssuer: "letsencrypt-prod",
    email: "ops@example.com",
  },
});

const byType = (suffix: string) => registered.filter((r) => r.type.endsWith(suffix));
const one = (suffix: string, name: string) => {
  const found = byType(suffix).filter(
    (r) => (r.inputs.metadata as Obj | undefined)?.name === name || r.name === name,
  );
  expect({ suffix, name, count: found.length }).toEqual({ suffix, name, count: 1 });
  return found[0];
};

function schemaErrors(r: Registered): string | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(r.type)!;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = require(`kubernetes-models/${m[1].replace(/^core\//, "")}/${m[2]}`)[m[2]];
  try {
    new Model(
      unwrap(
        JSON.parse(JSON.stringify({ apiVersion: m[1].replace(/^core\//, ""), kind: m[2], ...r.inputs })),
      ),
    ).validate();
    return undefined;
  } catch (e) {
    return `${r.type} ${r.name}: ${(e as Error).message}`;
  }
}

describe("Monitoring component (mocks)", () => {
  let dir: string | undefined;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    dir = tempDir("botfleet-mon-");
    warn = jest.spyOn(pulumi.log, "warn");
    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
    const m = new Monitoring("mon", {
      provider,
      namespaces: NAMESPACES,
      config,
      alerting: secretify(alertingSchema.parse(FAKE_ALERTING)) as never,
      credentials: testCredentials(),
      environment: "prod",
    });
    await new Promise((r) => m.urn.apply(r));
    await settled();
  });
  afterAll(() => {
    warn.mockRestore();
    removeDir(dir);
  });

  test("the Release installs the pinned chart as `kps` in the monitoring namespace, atomically", () => {
    const release = one(":Release", "mon-kps");
    expect(release.type).toBe("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({
      name: "kps",
      chart: "kube-prometheus-stack",
      version: config.chartVersion,
      repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
      namespace: NAMESPACES.monitoring,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
    });
    expect(release.inputs.values).toEqual(
      buildHelmValues({
        config,
        environment: "prod",
        namespace: NAMESPACES.monitoring,
        nodeExporterNamespace: NAMESPACES.nodeExporter,
      }),
    );
  });

  test("no secret reaches the Release, a ConfigMap, a NetworkPolicy, an Ingress or a custom resource", () => {
    const exposed = registered.filter((r) => !r.type.endsWith(":Secret"));
    const text = JSON.stringify(exposed.map((r) => r.inputs));
    for (const s of SECRET_STRINGS)
      expect({ secret: s, leaked: text.includes(s) }).toEqual({ secret: s, leaked: false });
  });

  test("every Kubernetes resource gets the explicit provider", () => {
    const kube = registered.filter(
      (r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"),
    );
    expect(kube.length).toBeGreaterThan(10);
    for (const r of kube)
      expect({ name: r.name, provider: r.provider }).toEqual({
        name: r.name,
        provider: expect.stringContaining("cluster"),
      });
  });

  test("Grafana admin credentials: the derived password in a Secret the chart references", () => {
    expect(GRAFANA_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    const secret = one(":Secret", "botfleet-grafana-admin");
    // The whole stringData arrives as a Pulumi secret (encrypted in state).
    expect(isSecretWrapped(secret.inputs.stringData)).toBe(true);
    expect(unwrap(secret.inputs.stringData)).toEqual({
      "admin-user": "admin",
      "admin-password": GRAFANA_PASSWORD,
    });
    expect((one(":Release", "mon-kps").inputs.values as Obj).grafana.admin.existingSecret).toBe(
      "botfleet-grafana-admin",
    );
  });

  test("the Alertmanager config Secret holds the rendered config, which amtool accepts and routes", () => {
    const secret = one(":Secret", "botfleet-alertmanager-config");
    expect(isSecretWrapped(secret.inputs.stringData)).toBe(true);
    const text = (unwrap(secret.inputs.stringData) as Obj)["alertmanager.yaml"] as string;
    expect(text).toBe(renderAlertmanagerConfig(alertingSchema.parse(FAKE_ALERTING)));
    expect(YAML.parse(text).receivers.map((r: Obj) => r.name)).toEqual(["null", "critical", "warning"]);
    const file = path.join(dir!, "alertmanager.yaml");
    fs.writeFileSync(file, text);
    expect(run("amtool", ["check-config", file]).status).toBe(0);
    expect(
      run("amtool", ["config", "routes", "test", `--config.file=${file}`, "severity=critical"]).stdout.trim(),
    ).toBe("critical");
  });

  test("PrometheusRule: one object from the rule data, labelled release=kps", () => {
    const rule = one(":PrometheusRule", "botfleet-alerts");
    expect(rule.type).toBe("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    const meta = rule.inputs.metadata as Obj;
    expect(meta).toMatchObject({ namespace: NAMESPACES.monitoring, labels: { release: "kps" } });
    const expected = renderAlertGroups({
      namespaces: NAMESPACES,
      backupMaxAgeSeconds: 93600,
      runbookBaseUrl: config.runbookBaseUrl,
      tls: true,
    });
    expect((rule.inputs.spec as Obj).groups).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  test("PodMonitors for bots (port metrics, by botfleet.io/bot) and the redis/postgres exporters", () => {
    const monitors = byType(":PodMonitor");
    expect(monitors.map((m) => (m.inputs.metadata as Obj).name).sort()).toEqual([
      "botfleet-bots",
      "botfleet-postgres",
      "botfleet-redis",
      "cert-manager",
    ]);
    for (const m of monitors) {
      expect((m.inputs.metadata as Obj).labels.release).toBe("kps");
      if ((m.inputs.metadata as Obj).name === "cert-manager") continue;
      for (const ep of (m.inputs.spec as Obj).podMetricsEndpoints) expect(ep.port).toBe("metrics");
    }
    const bots = one(":PodMonitor", "botfleet-bots").inputs.spec as Obj;
    expect(bots.namespaceSelector).toEqual({ matchNames: [NAMESPACES.bots] });
    expect(bots.selector).toEqual({ matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] });
    const targets = bots.podMetricsEndpoints[0].relabelings.map((r: Obj) => r.targetLabel);
    expect(targets).toEqual(expect.arrayContaining(["bot", "mode", "preset", "workload", "exchange"]));
    expect((one(":PodMonitor", "botfleet-redis").inputs.spec as Obj).namespaceSelector).toEqual({
      matchNames: [NAMESPACES.data],
    });
  });

  test("with TLS, cert-manager's controller is scraped (CertificateExpiringSoon has data) and reachable", () => {
    const cm = one(":PodMonitor", "cert-manager").inputs.spec as Obj;
    expect(cm).toEqual({
      namespaceSelector: { matchNames: ["cert-manager"] },
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "cert-manager",
          "app.kubernetes.io/component": "controller",
        },
      },
      podMetricsEndpoints: [{ port: "http-metrics", interval: "60s", honorLabels: true }],
    });
    const scrape = one(":NetworkPolicy", "prometheus-scrape").inputs.spec as Obj;
    const toCertManager = (scrape.egress as Obj[]).filter((r) =>
      JSON.stringify(r.to).includes("cert-manager"),
    );
    expect(toCertManager).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cert-manager" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "cert-manager" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 9402 }],
      },
    ]);
  });

  test("no egress to control-plane ports whose scrapes the chart values switch off", () => {
    const scrape = one(":NetworkPolicy", "prometheus-scrape").inputs.spec as Obj;
    const kubeSystem = (scrape.egress as Obj[]).filter((r) => JSON.stringify(r.to).includes('"kube-system"'));
    expect(kubeSystem).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
        ports: [{ protocol: "TCP", port: 9153 }],
      },
    ]);
    const values = one(":Release", "mon-kps").inputs.values as Obj;
    for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"])
      expect({ c, enabled: values[c]?.enabled }).toEqual({ c, enabled: false });
  });

  test("dashboards ship in ConfigMaps labelled for the Grafana sidecar, as JSON", () => {
    const maps = byType(":ConfigMap");
    expect(maps.length).toBe(2);
    for (const cm of maps) {
      expect((cm.inputs.metadata as Obj).labels.grafana_dashboard).toBe("1");
      for (const json of Object.values(cm.inputs.data as Obj))
        expect(JSON.parse(json as string).uid).toMatch(/^botfleet-/);
    }
  });

  test("network policies: scrape egress, API server, webhook, receivers, Grafana from the ingress controller", () => {
    const names = byType(":NetworkPolicy")
      .map((p) => (p.inputs.metadata as Obj).name)
      .sort();
    expect(names).toEqual([
      "acme-solver-from-ingress",
      "alertmanager-ingress",
      "alertmanager-receivers",
      "grafana-from-ingress",
      "monitoring-apiserver-egress",
      "monitoring-same-namespace",
      "monitoring-same-namespace-ingress",
      "operator-apiserver-egress",
      "operator-webhook",
      "prometheus-ingress",
      "prometheus-scrape",
    ]);
    const scrape = one(":NetworkPolicy", "prometheus-scrape").inputs.spec as Obj;
    expect(scrape.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "prometheus" } });
    expect(scrape.egress[0].ports).toEqual([{ protocol: "TCP", port: "metrics" }]);
    expect(scrape.egress[1].ports).toEqual([
      { protocol: "TCP", port: 9121 },
      { protocol: "TCP", port: 9187 },
    ]);
    const am = one(":NetworkPolicy", "alertmanager-receivers").inputs.spec as Obj;
    expect(am.egress[0].ports.map((p: Obj) => p.port)).toEqual([443, 25, 465, 587]);
    expect(am.egress[0].to[0].ipBlock.except).toContain("169.254.0.0/16");
    const fromIngress = one(":NetworkPolicy", "grafana-from-ingress").inputs.spec as Obj;
    expect(fromIngress.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      "kubernetes.io/metadata.name": "ingress-nginx",
    });
    const solver = one(":NetworkPolicy", "acme-solver-from-ingress").inputs.spec as Obj;
    expect(solver.podSelector).toEqual({ matchLabels: { "acme.cert-manager.io/http01-solver": "true" } });
    expect(solver.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
        ports: [{ protocol: "TCP", port: 8089 }],
      },
    ]);
    for (const p of byType(":NetworkPolicy"))
      expect((p.inputs.metadata as Obj).namespace).toBe(NAMESPACES.monitoring);
  });

  test("Grafana Ingress with TLS from the cluster issuer", () => {
    const ing = one(":Ingress", "grafana");
    expect((ing.inputs.metadata as Obj).annotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt-prod",
    });
    expect((ing.inputs.spec as Obj).tls).toEqual([
      { hosts: ["grafana.example.com"], secretName: "grafana-tls" },
    ]);
  });

  test("every core Kubernetes object validates against kubernetes-models", () => {
    const core = registered.filter((r) => /^kubernetes:(core\/v1|networking\.k8s\.io\/v1):/.test(r.type));
    expect(core.map((r) => r.type.slice(r.type.lastIndexOf(":") + 1)).sort()).toEqual([
      ...Array(2).fill("ConfigMap"),
      "Ingress",
      ...Array(11).fill("NetworkPolicy"),
      ...Array(2).fill("Secret"),
    ]);
    expect(core.map(schemaErrors).filter((e) => e !== undefined)).toEqual([]);
  });

  test("the schema check catches a broken object (it can fail)", () => {
    const bad = {
      ...one(":NetworkPolicy", "operator-webhook"),
      inputs: { metadata: { name: "x" }, spec: { podSelector: {}, policyTypes: ["Sideways"] } },
    };
    expect(schemaErrors(bad)).toMatch(/policyTypes/);
  });

  test("custom resources are well-formed monitoring.coreos.com/v1 objects in the monitoring namespace", () => {
    const crs = registered.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:"));
    expect(crs.length).toBe(5);
    for (const r of crs) {
      expect(r.inputs).toMatchObject({
        apiVersion: "monitoring.coreos.com/v1",
        metadata: { namespace: NAMESPACES.monitoring },
      });
      expect((r.inputs.metadata as Obj).name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  test("the policy pack's rules (docs/hardening.md) find nothing in these objects", () => {
    const asRecorded = registered
      .filter((r) => r.type.startsWith("kubernetes:"))
      .map((r) => ({ type: r.type, name: r.name, inputs: unwrap(r.inputs) as Record<string, unknown> }));
    expect(asRecorded.length).toBeGreaterThan(10);
    expect(policyViolations(asRecorded, { skip: COMPONENT_ONLY })).toEqual([]);
    // Only Alertmanager has an internet peer; everything else stays inside the private ranges.
    const internet = byType(":NetworkPolicy").filter((p) =>
      JSON.stringify(((p.inputs.spec as Obj).egress ?? []) as Obj[]).includes('"0.0.0.0/0"'),
    );
    expect(internet.map((p) => (p.inputs.metadata as Obj).name)).toEqual(["alertmanager-receivers"]);
  });

  test("a receiver is configured: no warning; no API-server warning unless asked for", () => {
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("botfleet:alerting"))).toEqual(
      [],
    );
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("apiServerCidrs"))).toEqual([]);
  });
});

describe("Monitoring component without receivers, and disabled (mocks)", () => {
  let warn: jest.SpyInstance;
  const before = { count: 0 };

  beforeAll(async () => {
    warn = jest.spyOn(pulumi.log, "warn");
    before.count = registered.length;
    const provider = new k8s.Provider("cluster2", { kubeconfig: "{}" });
    const bare = new Monitoring("bare", {
      provider,
      namespaces: NAMESPACES,
      config: monitoringSchema.parse({}),
      credentials: testCredentials(),
      environment: "dev",
    });
    const off = new Monitoring("off", {
      provider,
      namespaces: NAMESPACES,
      config: monitoringSchema.parse({ enabled: false }),
      credentials: testCredentials(),
      environment: "dev",
    });
    await new Promise((r) => pulumi.all([bare.urn, off.urn]).apply(r));
    await settled();
  });
  afterAll(() => warn.mockRestore());

  const added = () => registered.slice(before.count);

  test("no receiver: a clear pulumi warning, and critical alerts have nowhere to go but still route", () => {
    const messages = warn.mock.calls.map((c) => String(c[0]));
    expect(messages.filter((m) => m.startsWith("botfleet:alerting has no receiver"))).toHaveLength(1);
    const secret = added().find((r) => r.name === "bare-alertmanager-config")!;
    const cfg = YAML.parse((unwrap(secret.inputs.stringData) as Obj)["alertmanager.yaml"]);
    expect(cfg.receivers).toEqual([{ name: "null" }, { name: "critical" }, { name: "warning" }]);
  });

  test("ingress off: no Ingress, no ingress policy, no certificate alert, no cert-manager scrape", () => {
    const mine = added().filter((r) => r.name.startsWith("bare-"));
    expect(mine.map((r) => r.name)).not.toContain("bare-cert-manager");
    expect(JSON.stringify(mine.map((r) => r.inputs))).not.toContain("9402");
    expect(mine.filter((r) => r.type.endsWith(":Ingress"))).toEqual([]);
    expect(mine.map((r) => r.name)).not.toContain("bare-grafana-from-ingress");
    const rule = mine.find((r) => r.type.endsWith(":PrometheusRule"))!;
    const alerts = ((rule.inputs.spec as Obj).groups as Obj[]).flatMap((g) =>
      g.rules.map((x: Obj) => x.alert),
    );
    expect(alerts).not.toContain("CertificateExpiringSoon");
    expect(alerts).toContain("PostgresBackupTooOld");
  });

  test("disabled: the component registers nothing but itself", () => {
    const off = added().filter((r) => r.name.startsWith("off"));
    expect(off.map((r) => r.type)).toEqual(["botfleet:monitoring:Monitoring"]);
  });
});

describe("Monitoring component on a cloud cluster: the API server address (mocks)", () => {
  let warn: jest.SpyInstance;
  const before = { count: 0 };
  const WARNING_START = "botfleet:monitoring.apiServerCidrs is empty";

  beforeAll(async () => {
    warn = jest.spyOn(pulumi.log, "warn");
    before.count = registered.length;
    const provider = new k8s.Provider("cluster3", { kubeconfig: "{}" });
    const base = {
      provider,
      namespaces: NAMESPACES,
      alerting: secretify(alertingSchema.parse(FAKE_ALERTING)) as never,
      credentials: testCredentials(),
      environment: "prod" as const,
      warnMissingApiServerCidrs: true,
    };
    // The cloud reported no address (an Output that resolves empty) and the stack sets none.
    const unknown = new Monitoring("noaddr", {
      ...base,
      config: monitoringSchema.parse({}),
      apiServerCidrs: pulumi.output([]),
    });
    // The address the cluster resource reports, as an Output: what the program passes on the first up.
    const derived = new Monitoring("derived", {
      ...base,
      config: monitoringSchema.parse({}),
      apiServerCidrs: pulumi.output(["198.51.100.7/32"]),
    });
    // The stack's override replaces the derived address.
    const overridden = new Monitoring("override", {
      ...base,
      config: monitoringSchema.parse({ apiServerCidrs: ["203.0.113.10/32"] }),
      apiServerCidrs: pulumi.output(["198.51.100.7/32"]),
    });
    await new Promise((r) => pulumi.all([unknown.urn, derived.urn, overridden.urn]).apply(r));
    await settled();
  });
  afterAll(() => warn.mockRestore());

  const policy = (name: string) =>
    JSON.stringify(registered.slice(before.count).find((r) => r.name === name)!.inputs.spec);
  const apiServerPolicies = ["prometheus-scrape", "monitoring-apiserver-egress", "operator-apiserver-egress"];

  test("no address from the cloud nor the stack: exactly one warning saying what to set and how to find it", () => {
    const messages = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith(WARNING_START));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("the cluster reported no IPv4 address");
    expect(messages[0]).toContain("kubectl get endpoints kubernetes");
    expect(messages[0]).toContain("jsonpath=");
    expect(messages[0]).toContain("pulumi config set --path 'botfleet:monitoring.apiServerCidrs[0]'");
    // No "set it after the first up" step any more: the address is derived when the cloud reports one.
    expect(messages[0]).not.toMatch(/after the first/i);
    const resource = warn.mock.calls.find((c) => String(c[0]).startsWith(WARNING_START))![1];
    expect(resource).toBeDefined();
  });

  test("the derived address reaches every API-server policy as a /32, with no warning", () => {
    for (const p of apiServerPolicies)
      expect({ p, has: policy(`derived-${p}`).includes("198.51.100.7/32") }).toEqual({ p, has: true });
    expect(policy("noaddr-operator-apiserver-egress")).not.toMatch(/203\.0\.113|198\.51\.100/);
  });

  test("monitoring.apiServerCidrs overrides the derived address", () => {
    for (const p of apiServerPolicies) {
      expect({ p, has: policy(`override-${p}`).includes("203.0.113.10/32") }).toEqual({ p, has: true });
      expect({ p, has: policy(`override-${p}`).includes("198.51.100.7") }).toEqual({ p, has: false });
    }
  });

  test("no CiliumNetworkPolicy unless the cluster runs Cilium", () => {
    expect(registered.slice(before.count).filter((r) => r.type.includes("cilium.io"))).toEqual([]);
  });
});

describe("Monitoring component on Cilium (DOKS): entity policies (mocks)", () => {
  const before = { count: 0 };

  beforeAll(async () => {
    before.count = registered.length;
    const provider = new k8s.Provider("cluster4", { kubeconfig: "{}" });
    const m = new Monitoring("cil", {
      provider,
      namespaces: NAMESPACES,
      alerting: secretify(alertingSchema.parse(FAKE_ALERTING)) as never,
      environment: "dev",
      config: monitoringSchema.parse({}),
      credentials: testCredentials(),
      cilium: true,
    });
    await new Promise((r) => m.urn.apply(r));
    await settled();
  });

  const cnps = () =>
    registered.slice(before.count).filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy");
  const cnp = (name: string) => cnps().find((r) => (r.inputs.metadata as Obj).name === name)!.inputs as Obj;

  test("four CiliumNetworkPolicies in the monitoring namespace", () => {
    expect(
      cnps()
        .map((r) => (r.inputs.metadata as Obj).name)
        .sort(),
    ).toEqual([
      "monitoring-apiserver-cilium",
      "operator-apiserver-cilium",
      "operator-webhook-cilium",
      "prometheus-nodes-apiserver-cilium",
    ]);
    for (const r of cnps())
      expect(r.inputs).toMatchObject({
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { namespace: NAMESPACES.monitoring },
      });
  });

  test("Prometheus reaches the kubelets and node-exporter as the host / remote-node entities, and the API server", () => {
    expect(cnp("prometheus-nodes-apiserver-cilium").spec).toEqual({
      endpointSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
      egress: [
        {
          toEntities: ["host", "remote-node"],
          toPorts: [
            {
              ports: [
                { port: "10250", protocol: "TCP" },
                { port: "9100", protocol: "TCP" },
              ],
            },
          ],
        },
        {
          toEntities: ["kube-apiserver"],
          toPorts: [
            {
              ports: [
                { port: "443", protocol: "TCP" },
                { port: "6443", protocol: "TCP" },
              ],
            },
          ],
        },
      ],
    });
  });

  test("the operator, its hook Jobs, Grafana and kube-state-metrics reach the kube-apiserver entity", () => {
    const op = cnp("operator-apiserver-cilium").spec;
    expect(op.endpointSelector.matchExpressions[0].values).toEqual([
      "kube-prometheus-stack-operator",
      "kube-prometheus-stack-admission-create",
      "kube-prometheus-stack-admission-patch",
      "kube-prometheus-stack-crds-upgrade",
    ]);
    expect(op.egress.map((e: Obj) => e.toEntities)).toEqual([["kube-apiserver"]]);
    const mon = cnp("monitoring-apiserver-cilium").spec;
    expect(mon.endpointSelector.matchExpressions[0].values).toEqual(["grafana", "kube-state-metrics"]);
    expect(mon.egress.map((e: Obj) => e.toEntities)).toEqual([["kube-apiserver"]]);
  });

  test("the API server may call the operator's webhook, from its entity, a node or kube-system", () => {
    const hook = cnp("operator-webhook-cilium").spec;
    expect(hook.endpointSelector).toEqual({ matchLabels: { app: "kube-prometheus-stack-operator" } });
    expect(hook.ingress).toEqual([
      {
        fromEntities: ["kube-apiserver", "host", "remote-node"],
        toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }],
      },
      {
        fromEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system" } }],
        toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }],
      },
    ]);
  });
});

describe("Monitoring component with a Grafana login (mocks)", () => {
  const CLIENT_SECRET = "oauth-client-secret-0123456789";
  const before = { count: 0 };

  beforeAll(async () => {
    before.count = registered.length;
    const provider = new k8s.Provider("cluster3", { kubeconfig: "{}" });
    const m = new Monitoring("sso", {
      provider,
      namespaces: NAMESPACES,
      config: monitoringSchema.parse({
        ingress: config.ingress,
        login: { provider: "github", clientId: "Iv1.0123456789abcdef", organizations: ["acme"] },
      }),
      grafanaLogin: secretify({ clientSecret: CLIENT_SECRET }) as never,
      credentials: testCredentials(),
      environment: "prod",
    });
    await new Promise((r) => m.urn.apply(r));
    await settled();
  });

  const added = () => registered.slice(before.count);

  test("the client secret is in a Secret only, as a secret; the chart gets its name", () => {
    const secret = added().find((r) => r.name === "sso-grafana-login")!;
    expect((secret.inputs.metadata as Obj).name).toBe("botfleet-grafana-login");
    expect(isSecretWrapped(secret.inputs.stringData)).toBe(true);
    expect(unwrap(secret.inputs.stringData)).toEqual({ "client-secret": CLIENT_SECRET });
    const others = added().filter((r) => r !== secret);
    expect(JSON.stringify(others.map((r) => r.inputs))).not.toContain(CLIENT_SECRET);
    const release = added().find((r) => r.name === "sso-kps")!;
    const values = unwrap(release.inputs.values) as Obj;
    expect(values.grafana.envValueFrom.GF_AUTH_GITHUB_CLIENT_SECRET.secretKeyRef.name).toBe(
      "botfleet-grafana-login",
    );
    const policies = added().filter((r) => r.type.endsWith(":NetworkPolicy"));
    expect(policies.map((p) => (p.inputs.metadata as Obj).name)).toContain("grafana-identity-provider");
  });
});
