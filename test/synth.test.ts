/** The offline synth, run as users and CI run it: a child process writing files. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { loadStack, readStackFile } from "../lib/stackfile";
import { REPO, derivedSecrets } from "./support/stacks";

const SYNTH = [
  path.join(REPO, "node_modules/.bin/ts-node"),
  "--transpile-only",
  path.join(REPO, "scripts/synth.ts"),
];
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test("synth prod writes redacted manifests and a summary", () => {
  const stdout = execFileSync(SYNTH[0], [...SYNTH.slice(1), "prod", "--out", out], {
    cwd: REPO,
    encoding: "utf8",
  });
  expect(stdout).toMatch(/## botfleet stack `prod`: \d+ resources/);
  const dir = path.join(out, "prod");
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
  expect(summary.byType["digitalocean:index/kubernetesCluster:KubernetesCluster"]).toBe(1);
  expect(summary.byNamespace["botfleet-bots"].NetworkPolicy).toBeGreaterThanOrEqual(2);
  const docs = parseAllDocuments(fs.readFileSync(path.join(dir, "all.yaml"), "utf8")).map((d) => d.toJS());
  expect(docs.length).toBe(
    Object.values(summary.byNamespace as Record<string, Record<string, number>>)
      .flatMap(Object.values)
      .reduce((a, b) => a + b, 0),
  );
  expect(docs.every((d) => typeof d.apiVersion === "string" && typeof d.kind === "string")).toBe(true);
  const everything =
    fs.readFileSync(path.join(dir, "all.yaml"), "utf8") +
    fs.readFileSync(path.join(dir, "cloud.yaml"), "utf8") +
    fs.readFileSync(path.join(dir, "outputs.yaml"), "utf8");
  expect(everything).not.toMatch(/FAKESECRET/);
  // The synth's fakes are deterministic: the passwords it derived are these.
  const derived = derivedSecrets(loadStack("prod", readStackFile(REPO, "prod")));
  expect(derived.length).toBeGreaterThan(5);
  expect(derived.filter((value) => everything.includes(value))).toEqual([]);
  expect(fs.readFileSync(path.join(dir, "outputs.yaml"), "utf8")).toMatch(/kubeconfig: <secret>/);
});

test("synth exits non-zero listing every config problem, and writes nothing", () => {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-config-"));
  fs.writeFileSync(
    path.join(configDir, "Pulumi.bad.yaml"),
    "config:\n  botfleet:environment: qa\n  botfleet:cluster:\n    provider: digitalocean\n    region: mars\n    version: '1.33'\n    systemPool: { size: s-2vcpu-4gb, count: 1 }\n    pools: [{ name: bots, size: s-4vcpu-8gb, minNodes: 5, maxNode: 3 }]\n",
  );
  const result = spawnSync(SYNTH[0], [...SYNTH.slice(1), "bad", "--out", out, "--config-dir", configDir], {
    cwd: REPO,
    encoding: "utf8",
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("botfleet:environment: must be one of dev, staging, prod, local");
  expect(result.stderr).toContain(`botfleet:cluster.region: must be a digitalocean region`);
  expect(result.stderr).toContain(`botfleet:cluster.pools[0].maxNode: unknown key; did you mean "maxNodes"?`);
  expect(result.stderr).toContain(`botfleet:cluster.pools[0].maxNodes: is required, got nothing`);
  expect(fs.existsSync(path.join(out, "bad"))).toBe(false);
  fs.rmSync(configDir, { recursive: true, force: true });
});

test("synth refuses an unknown stack", () => {
  const result = spawnSync(SYNTH[0], [...SYNTH.slice(1), "nope", "--out", out], {
    cwd: REPO,
    encoding: "utf8",
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/no Pulumi\.nope\.yaml here \(stacks: .*prod/);
});
