/**
 * The policy pack itself, end to end: policy/index.ts is started the way the Pulumi CLI starts it (it
 * prints its gRPC port), and the test speaks the engine's Analyzer protocol to it. This proves the
 * @pulumi/policy wrapping (names, mandatory enforcement, resource and stack rules) and not only ./rules.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports -- untyped generated protobuf code, loaded from policy/node_modules */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { resourceRules, stackRules } from "../../policy/rules";

const POLICY = path.resolve(__dirname, "../../policy");
// The pack's own copies: protobuf classes must be the instances @pulumi/pulumi's generated code uses.
const PULUMI = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [POLICY] }));
const load = (id: string, from: string): any => require(require.resolve(id, { paths: [from] }));

const grpc = load("@grpc/grpc-js", PULUMI);
const analyzerGrpc = load("@pulumi/pulumi/proto/analyzer_grpc_pb.js", POLICY);
const analyzerPb = load("@pulumi/pulumi/proto/analyzer_pb.js", POLICY);
const { Struct } = load("google-protobuf/google/protobuf/struct_pb.js", PULUMI);
const { Empty } = load("google-protobuf/google/protobuf/empty_pb.js", PULUMI);

let pack: ChildProcess | undefined;
let client: any;

beforeAll(async () => {
  pack = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "index.ts"], {
    cwd: POLICY,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    pack?.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    pack?.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    pack?.on("exit", (code) => reject(new Error(`policy pack exited ${code}: ${err}`)));
  });
  client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  pack?.kill("SIGKILL");
});

const call = <T>(method: string, req: unknown): Promise<T> =>
  new Promise((resolve, reject) =>
    client[method](req, (e: Error | null, res: T) => (e ? reject(e) : resolve(res))),
  );

const URN = (type: string, name: string) => `urn:pulumi:prod::botfleet::${type}::${name}`;

function options() {
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setCustomtimeouts(new analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
  return opts;
}

function analyzeRequest(type: string, name: string, props: Record<string, unknown>) {
  const req = new analyzerPb.AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(URN(type, name));
  req.setProperties(Struct.fromJavaScript(props));
  req.setOptions(options());
  return req;
}

const diagnostics = (res: any) =>
  res.getDiagnosticsList().map((d: any) => ({
    policy: d.getPolicyname(),
    level: d.getEnforcementlevel(),
    message: d.getMessage(),
  }));

const MANDATORY = analyzerPb.EnforcementLevel.MANDATORY;

describe("policy pack over the Analyzer protocol", () => {
  test("declares every rule, all mandatory", async () => {
    const info: any = await call("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("botfleet-hardening");
    const policies = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
    const names = [...resourceRules, ...stackRules].map((r) => r.name);
    expect(policies).toEqual(names.map((n) => [n, MANDATORY]));
  });

  test("a prod DigitalOcean cluster without HA is a mandatory violation; with HA it passes", async () => {
    const type = "digitalocean:index/kubernetesCluster:KubernetesCluster";
    const bad = diagnostics(
      await call("analyze", analyzeRequest(type, "cluster", { ha: false, nodePool: { nodeCount: 2 } })),
    );
    expect(bad).toEqual([
      {
        policy: "digitalocean-cluster",
        level: MANDATORY,
        message: expect.stringContaining("ha must be true in a prod stack, got false"),
      },
    ]);
    const good = diagnostics(
      await call("analyze", analyzeRequest(type, "cluster", { ha: true, nodePool: { nodeCount: 2 } })),
    );
    expect(good).toEqual([]);
  });

  test("a trader Deployment with an unpinned image trips several rules", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "btc", namespace: "botfleet-bots" },
      spec: {
        template: {
          metadata: { labels: { "botfleet.io/workload": "trader" } },
          spec: { containers: [{ name: "bot", image: "hummingbot/hummingbot:latest" }] },
        },
      },
    };
    const found = diagnostics(
      await call("analyze", analyzeRequest("kubernetes:apps/v1:Deployment", "btc", deployment)),
    );
    const policies = new Set(found.map((d: { policy: string }) => d.policy));
    for (const p of [
      "trader-is-statefulset-singleton",
      "pinned-images",
      "pod-run-as-non-root",
      "probes",
      "resources-requests-limits",
    ])
      expect(policies).toContain(p);
  });

  test("stack rules run over the whole stack: an HPA on a trader is refused", async () => {
    const resource = (type: string, name: string, props: Record<string, unknown>) => {
      const r = new analyzerPb.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(URN(type, name));
      r.setProperties(Struct.fromJavaScript(props));
      r.setOptions(options());
      return r;
    };
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList([
      resource("kubernetes:apps/v1:StatefulSet", "btc", {
        metadata: { name: "btc", namespace: "botfleet-bots" },
        spec: { replicas: 1, template: { metadata: { labels: { "botfleet.io/workload": "trader" } } } },
      }),
      resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "btc-hpa", {
        metadata: { name: "btc", namespace: "botfleet-bots" },
        spec: { scaleTargetRef: { kind: "StatefulSet", name: "btc" }, minReplicas: 2, maxReplicas: 4 },
      }),
    ]);
    const found = diagnostics(await call("analyzeStack", req));
    expect(found).toContainEqual({
      policy: "hpa-targets-existing-non-trader",
      level: MANDATORY,
      message: expect.stringContaining("HPA must never scale trader workload StatefulSet/btc"),
    });
  });
});
