/**
 * metrics-server: the HPAs' metrics source. Its Helm values (pure), and what the whole program renders per
 * provider and per `platform.metricsServer` setting under the mock engine.
 */
import { unknownValuePaths } from "../../components/monitoring/chart-values";
import {
  METRICS_SERVER_CHART_VERSION,
  METRICS_SERVER_VALUE_PATHS,
  RESTRICTED_SECURITY_CONTEXT,
  metricsServerValues,
} from "../../components/metrics-server/values";
import { parseStackConfig } from "../../config";
import { platformSchema } from "../../config/platform";
import { capacityFromRun } from "../../lib/capacity";
import { MOCK_DO_API_SERVER_IP, MOCK_LKE_API_SERVER_IP, type RegisteredResource } from "../../lib/mockrun";
import { readStackFile } from "../../lib/stackfile";
import { ciliumPolicyErrors } from "../support/cilium";
import { policyViolations } from "../support/policy";
import { kindOf, nameOf, namespaceOf, schemaError, type Obj } from "../support/k8s";
import { REPO, runConfig, type StackRun } from "../support/stacks";

const defaults = platformSchema.parse({}).metricsServer;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const NS = "botfleet-metrics-server";

/** The Pod Security `restricted` rules a container's settings must meet (kubernetes.io/docs/concepts/security/pod-security-standards). */
function restrictedProblems(sc: Obj): string[] {
  const p: string[] = [];
  if (sc.allowPrivilegeEscalation !== false) p.push("allowPrivilegeEscalation must be false");
  if (sc.runAsNonRoot !== true) p.push("runAsNonRoot must be true");
  if (sc.runAsUser === 0) p.push("runAsUser must not be 0");
  if (!["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type))
    p.push("seccomp must be RuntimeDefault");
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) p.push("capabilities must drop ALL");
  if (sc.privileged === true) p.push("privileged must not be set");
  return p;
}

describe("metrics-server Helm values (pure)", () => {
  const values = metricsServerValues(defaults) as Obj;

  test("the chart is pinned to a released version", () => {
    expect(METRICS_SERVER_CHART_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(METRICS_SERVER_CHART_VERSION).toBe("3.13.1");
  });

  test("the container meets Pod Security restricted, on the pod network, as the chart's own defaults do", () => {
    expect(restrictedProblems(values.securityContext)).toEqual([]);
    expect(values.securityContext).toEqual(RESTRICTED_SECURITY_CONTEXT);
    expect(values.hostNetwork).toEqual({ enabled: false });
    expect(restrictedProblems({ ...values.securityContext, allowPrivilegeEscalation: true })).toEqual([
      "allowPrivilegeEscalation must be false",
    ]);
  });

  test("requests and a memory limit from the config; the APIService is created", () => {
    expect(values.resources).toEqual({
      requests: { cpu: "100m", memory: "200Mi" },
      limits: { memory: "400Mi" },
    });
    expect(values.apiService).toEqual({ create: true });
    const custom = metricsServerValues({
      ...defaults,
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    });
    expect(custom.resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { memory: "128Mi" },
    });
  });

  test("--kubelet-insecure-tls only when asked for (kind)", () => {
    expect(values.args).toEqual([]);
    expect(metricsServerValues({ ...defaults, kubeletInsecureTls: true }).args).toEqual([
      "--kubelet-insecure-tls",
    ]);
  });

  test("every value path exists in the pinned chart's values.yaml (as listed), and the check can fail", () => {
    expect(unknownValuePaths(values, METRICS_SERVER_VALUE_PATHS)).toEqual([]);
    expect(
      unknownValuePaths({ ...values, hostNetwork: { enable: false } }, METRICS_SERVER_VALUE_PATHS),
    ).toEqual(["hostNetwork.enable"]);
  });
});

describe("botfleet:platform.metricsServer config", () => {
  const problems = (metricsServer: unknown, namespaces?: unknown) => {
    try {
      parseStackConfig(
        {
          values: {
            "botfleet:environment": "local",
            "botfleet:cluster": JSON.stringify({ provider: "existing" }),
            "botfleet:platform": JSON.stringify({ metricsServer, ...(namespaces ? { namespaces } : {}) }),
            "botfleet:credentialSeed": "a-test-seed-of-at-least-thirty-two-characters",
          },
          secretKeys: new Set(["botfleet:credentialSeed"]),
        },
        "local",
      );
      return [];
    } catch (e) {
      return (e as Error).message
        .split("\n")
        .slice(1)
        .map((l) => l.replace(/^\s+- /, ""));
    }
  };

  test("defaults: install, its own namespace, kubelet TLS verified, the chart's requests", () => {
    expect(defaults).toEqual({
      mode: "install",
      namespace: "botfleet-metrics-server",
      kubeletInsecureTls: false,
      resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
    });
  });

  test.each([
    [
      { mode: "bundled" },
      undefined,
      /^botfleet:platform\.metricsServer\.mode: must be one of "install", "existing", got "bundled"$/,
    ],
    [
      { namespace: "kube-system" },
      undefined,
      /^botfleet:platform\.metricsServer\.namespace: must not be a system namespace \("default", "kube-\*"\), got "kube-system"$/,
    ],
    [
      { namespace: "fleet" },
      { bots: "fleet", data: "data", monitoring: "mon" },
      /^botfleet:platform\.metricsServer\.namespace: must differ from namespaces\.bots, got "fleet" for both$/,
    ],
    [
      { resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "100Mi" } } },
      undefined,
      /^botfleet:platform\.metricsServer\.resources\.limits\.memory: must be >= requests\.memory \(200Mi\), got 100Mi$/,
    ],
    [
      { kubeletInsecureTls: "yes" },
      undefined,
      /^botfleet:platform\.metricsServer\.kubeletInsecureTls: must be a boolean, got "yes"$/,
    ],
  ])("%j is refused with its key, value and rule", (ms, namespaces, message) => {
    const found = problems(ms, namespaces);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });
});

describe("the program installs metrics-server where an HPA needs it (mocks)", () => {
  const runs = new Map<string, StackRun>();
  const dev = readStackFile(REPO, "dev");
  const lke = readStackFile(REPO, "dev-lke");
  const local = readStackFile(REPO, "local");
  const devPlatform = (dev["botfleet:platform"] ?? {}) as Obj;

  beforeAll(async () => {
    // Sequential: the Pulumi runtime is global state.
    runs.set("dev", await runConfig("dev", dev));
    runs.set("local", await runConfig("local", local));
    // The dev fleet (with its HPA) on LKE, and on an existing cluster (kind) with insecure kubelet TLS.
    // Egress by name is DOKS-only (Cilium): the other clusters keep the address rules.
    const addressEgress = { ...devPlatform, botEgress: "ports" };
    runs.set(
      "lke",
      await runConfig("dev-lke", {
        ...dev,
        "botfleet:cluster": lke["botfleet:cluster"],
        "botfleet:platform": addressEgress,
      }),
    );
    runs.set(
      "kind",
      await runConfig("local", {
        ...dev,
        "botfleet:environment": "local",
        "botfleet:cluster": local["botfleet:cluster"],
        "botfleet:platform": { ...addressEgress, metricsServer: { kubeletInsecureTls: true } },
      }),
    );
    runs.set(
      "existing",
      await runConfig("dev", {
        ...dev,
        "botfleet:platform": { ...devPlatform, metricsServer: { mode: "existing" } },
      }),
    );
  }, 240_000);

  const resources = (run: string) => runs.get(run)!.resources;
  const releases = (run: string) =>
    resources(run).filter(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "metrics-server",
    );
  const inNs = (run: string) => resources(run).filter((r) => r.custom && namespaceOf(r) === NS);
  // A URN ends with "<type>::<name>" (after its parents' types, joined by "$").
  const byUrn = (run: string, urn: string) =>
    resources(run).find(
      (r: RegisteredResource) =>
        r.custom && new RegExp(`[:$]${escape(r.type)}::${escape(r.name)}$`).test(urn),
    );
  const policy = (run: string) =>
    inNs(run).find((r) => kindOf(r) === "NetworkPolicy" && nameOf(r) === "metrics-server")!.inputs
      .spec as Obj;

  test("dev (DOKS, a bot service with an HPA): the pinned official chart, atomically, in its own namespace", () => {
    expect(releases("dev")).toHaveLength(1);
    expect(releases("dev")[0].inputs).toMatchObject({
      name: "metrics-server",
      chart: "metrics-server",
      version: "3.13.1",
      repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" },
      namespace: NS,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      values: metricsServerValues(defaults),
    });
  });

  test("its namespace enforces Pod Security restricted and denies by default, with DNS egress only to kube-dns", () => {
    const ns = resources("dev").find((r) => kindOf(r) === "Namespace" && nameOf(r) === NS)!;
    expect((ns.inputs.metadata as Obj).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const names = inNs("dev")
      .filter((r) => kindOf(r) === "NetworkPolicy")
      .map(nameOf)
      .sort();
    expect(names).toEqual(["allow-dns-egress", "default-deny", "metrics-server"]);
    const deny = inNs("dev").find((r) => nameOf(r) === "default-deny")!;
    expect(deny.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test("its own policy: API server in on the secure port; out to the kubelets (10250) and the API server only", () => {
    const spec = policy("dev");
    const cidrs = (peers: Obj[]) => peers.map((p) => p.ipBlock.cidr);
    expect(spec.podSelector).toEqual({
      matchLabels: {
        "app.kubernetes.io/name": "metrics-server",
        "app.kubernetes.io/instance": "metrics-server",
      },
    });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toHaveLength(1);
    expect(spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 10250 }]);
    expect(cidrs(spec.ingress[0].from)).toEqual([
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
      `${MOCK_DO_API_SERVER_IP}/32`,
    ]);
    expect(spec.egress).toEqual([
      {
        to: [
          { ipBlock: { cidr: "10.0.0.0/8" } },
          { ipBlock: { cidr: "172.16.0.0/12" } },
          { ipBlock: { cidr: "192.168.0.0/16" } },
        ],
        ports: [{ protocol: "TCP", port: 10250 }],
      },
      {
        to: expect.arrayContaining([{ ipBlock: { cidr: `${MOCK_DO_API_SERVER_IP}/32` } }]),
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
    expect(JSON.stringify(spec)).not.toContain("0.0.0.0/0");
  });

  test("DOKS (Cilium): a CiliumNetworkPolicy for the nodes and the API server entities, well-formed", () => {
    const cnps = inNs("dev").filter((r) => kindOf(r) === "CiliumNetworkPolicy");
    expect(cnps.map(nameOf)).toEqual(["metrics-server-cilium"]);
    expect(ciliumPolicyErrors(cnps[0].inputs)).toEqual([]);
    const spec = cnps[0].inputs.spec as Obj;
    expect(spec.egress.map((e: Obj) => [e.toEntities, e.toPorts[0].ports.map((p: Obj) => p.port)])).toEqual([
      [["host", "remote-node"], ["10250"]],
      [["kube-apiserver"], ["443", "6443"]],
    ]);
    expect(spec.ingress[0]).toEqual({
      fromEntities: ["kube-apiserver", "host", "remote-node"],
      toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }],
    });
  });

  test("the release waits for its namespace and every one of its policies", () => {
    const release = releases("dev")[0];
    const deps = (release.dependencies ?? []).map((urn) => byUrn("dev", urn)).filter((r) => r !== undefined);
    expect(deps.map((r) => `${kindOf(r!)}/${nameOf(r!)}`).sort()).toEqual([
      "CiliumNetworkPolicy/metrics-server-cilium",
      `Namespace/${NS}`,
      "NetworkPolicy/allow-dns-egress",
      "NetworkPolicy/default-deny",
      "NetworkPolicy/metrics-server",
    ]);
  });

  test("LKE: the API server's address from apiEndpoints in the policy, and no Cilium policy", () => {
    expect(releases("lke")).toHaveLength(1);
    expect(JSON.stringify(policy("lke"))).toContain(`${MOCK_LKE_API_SERVER_IP}/32`);
    expect(inNs("lke").filter((r) => kindOf(r) === "CiliumNetworkPolicy")).toEqual([]);
  });

  test("kind (existing cluster): --kubelet-insecure-tls when the stack sets it, no Cilium policy", () => {
    expect((releases("kind")[0].inputs.values as Obj).args).toEqual(["--kubelet-insecure-tls"]);
    expect(inNs("kind").filter((r) => kindOf(r) === "CiliumNetworkPolicy")).toEqual([]);
  });

  test("no HPA in the stack (local): nothing installed", () => {
    expect(releases("local")).toEqual([]);
    expect(inNs("local")).toEqual([]);
  });

  test("mode existing: the cluster's own metrics-server is used; nothing installed", () => {
    expect(releases("existing")).toEqual([]);
    expect(inNs("existing")).toEqual([]);
  });

  test("every object in its namespace is schema-valid and holds the hardening checklist", () => {
    for (const run of ["dev", "lke", "kind"]) {
      const objects = inNs(run).filter((r) => kindOf(r) !== "CiliumNetworkPolicy");
      expect(objects.map(schemaError).filter((e) => e !== undefined)).toEqual([]);
      expect(
        policyViolations(runs.get(run)!.resources, { secretValues: runs.get(run)!.secretValues }),
      ).toEqual([]);
    }
  });

  test("the capacity model counts its pod (the program's requests) in its namespace", () => {
    const { stack, resources: all } = runs.get("dev")!;
    const report = capacityFromRun("dev", stack.values, { resources: all });
    const ms = report.inventory.workloads.filter((w) => w.namespace === NS);
    expect(ms).toEqual([
      expect.objectContaining({
        kind: "Deployment",
        name: "metrics-server",
        podsMin: 1,
        podsMax: 1,
        source: "chart values",
        pod: expect.objectContaining({ requests: { cpuMillis: 100, memoryBytes: 200 * 2 ** 20 } }),
      }),
    ]);
  });
});
