/**
 * The whole program, for every stack file in the repo, under Pulumi's mock engine: schema-valid
 * Kubernetes objects, the policy pack (docs/hardening.md), no secret outside a Pulumi secret, explicit providers.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { mockDoksToken, REDACTED } from "../lib/mockrun";
import { doctlExecKubeconfig } from "../components/cluster/kubeconfig";
import { manifestOf, synthFiles } from "../lib/synth";
import { readStackFile } from "../lib/stackfile";
import { parseStackConfig } from "../config";
import { ciliumPolicyErrors } from "./support/cilium";
import { isPinnedImage } from "../config/common";
import { policyViolations } from "./support/policy";
import { placeholderReason } from "./support/images";
import {
  isKubernetes,
  isKubernetesObject,
  kindOf,
  nameOf,
  namespaceOf,
  ofKind,
  schemaError,
  type Obj,
} from "./support/k8s";
import { REPO, runConfig, runStackFile, STACKS, type StackRun } from "./support/stacks";

const runs = new Map<string, StackRun>();

beforeAll(async () => {
  // Sequential: the Pulumi runtime is global state.
  for (const stack of STACKS) runs.set(stack, await runStackFile(stack));
});

test("the repo has the dev, prod, local and a Linode stack", () => {
  expect(STACKS).toEqual(expect.arrayContaining(["dev", "prod", "local", "dev-lke"]));
});

describe.each(STACKS)("stack %s", (stack) => {
  const run = () => runs.get(stack)!;

  test("registers Kubernetes objects, each valid against the Kubernetes OpenAPI schema", () => {
    const objects = run().resources.filter(isKubernetesObject);
    expect(objects.length).toBeGreaterThan(10);
    const errors = objects
      .map(schemaError)
      .filter((e) => e !== undefined && !e.startsWith("no kubernetes-models schema"));
    expect(errors).toEqual([]);
  });

  test("every workload waits for the ServiceAccount, ConfigMaps, Secrets and claims its pods use", () => {
    // The API server refuses a pod whose ServiceAccount does not exist yet (the real-engine suite saw
    // the StatefulSet controller's first pod refused when both were created at once).
    const all = run().resources.filter(isKubernetesObject);
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&");
    const registered = (kind: string, ns: string, name: string) =>
      all.find((r) => kindOf(r) === kind && namespaceOf(r) === ns && nameOf(r) === name);
    const missing: string[] = [];
    for (const w of all.filter((r) => ["StatefulSet", "Deployment", "CronJob"].includes(kindOf(r)))) {
      const spec = w.inputs.spec as Obj;
      const pod = (kindOf(w) === "CronJob" ? spec.jobTemplate.spec.template : spec.template).spec as Obj;
      const ns = namespaceOf(w)!;
      const needs: [string, string][] = [["ServiceAccount", pod.serviceAccountName ?? "default"]];
      for (const v of (pod.volumes ?? []) as Obj[]) {
        if (v.configMap) needs.push(["ConfigMap", v.configMap.name]);
        if (v.secret) needs.push(["Secret", v.secret.secretName]);
        if (v.persistentVolumeClaim) needs.push(["PersistentVolumeClaim", v.persistentVolumeClaim.claimName]);
      }
      for (const [kind, name] of needs) {
        const dep = registered(kind, ns, name);
        if (dep === undefined) continue; // not ours (e.g. the data layer's client Secrets, ordered by the fleet's dependsOn)
        const urn = new RegExp(`[:$]${escape(dep.type)}::${escape(dep.name)}$`);
        if (!(w.dependencies ?? []).some((d) => urn.test(d)))
          missing.push(`${kindOf(w)}/${nameOf(w)} -> ${kind}/${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("every built-in Kubernetes kind it registers has a schema to validate against", () => {
    const unvalidated = run()
      .resources.filter(isKubernetesObject)
      .filter((r) => !r.type.startsWith("kubernetes:monitoring.coreos.com/"))
      .filter((r) => !r.type.startsWith("kubernetes:cilium.io/"))
      .map(schemaError)
      .filter((e) => e?.startsWith("no kubernetes-models schema"));
    expect(unvalidated).toEqual([]);
  });

  test("every CiliumNetworkPolicy is well-formed (test/support/cilium.ts)", () => {
    const errors = run()
      .resources.filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy")
      .flatMap((r) => ciliumPolicyErrors(r.inputs).map((e) => `${nameOf(r)}: ${e}`));
    expect(errors).toEqual([]);
  });

  test("holds the hardening checklist (the policy pack's rules, docs/hardening.md)", () => {
    expect(policyViolations(run().resources, { secretValues: run().secretValues })).toEqual([]);
  });

  test("no secret value appears outside a Pulumi secret", () => {
    const { resources, outputs, secretValues: secrets, stack: loaded } = run();
    const received = resources.map((r) => JSON.stringify(r.inputs)).join("\n");
    // The seed reaches the engine not even as a secret: only what is derived from it does.
    const seed = loaded.values["botfleet:credentialSeed"];
    expect(seed).toEqual(expect.any(String));
    expect(received.includes(seed)).toBe(false);
    // The trace is real: every other value it looks for reached the engine (as a secret) somewhere.
    // The cloud account token is for the cloud provider alone: it must not reach any resource at all.
    const accountToken = loaded.values["digitalocean:token"];
    expect(secrets.filter((s) => s !== seed && s !== accountToken && !received.includes(s))).toEqual([]);
    const leaks: string[] = [];
    for (const r of resources) {
      const text = JSON.stringify(r.redacted);
      for (const s of secrets)
        if (text.includes(s)) leaks.push(`${r.type} ${r.name} holds ${s} in plain text`);
    }
    const outputText = JSON.stringify(outputs);
    for (const s of secrets) if (outputText.includes(s)) leaks.push(`stack outputs hold ${s} in plain text`);
    expect(leaks).toEqual([]);
    expect(outputs.kubeconfig).toBe(REDACTED);
  });

  test("no cloud account token reaches a resource's inputs, a kubeconfig or a stack output", () => {
    const { resources, plainOutputs, stack: loaded } = run();
    const tokens = ["digitalocean:token", "linode:token"].flatMap((k) => loaded.values[k] ?? []);
    const onDigitalOcean = resources.some((r) => r.type.startsWith("digitalocean:"));
    // The trace is real: a DigitalOcean stack is given its (fake) account token.
    expect(tokens.length).toBe(onDigitalOcean ? 1 : tokens.length);
    const text = JSON.stringify(resources.map((r) => r.inputs)) + JSON.stringify(plainOutputs);
    expect(tokens.filter((t) => text.includes(t))).toEqual([]);
  });

  test("every container image is pinned by tag or digest and comes from a real publisher", () => {
    const images = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === "object") {
        for (const [k, inner] of Object.entries(v as Obj)) {
          if ((k === "containers" || k === "initContainers") && Array.isArray(inner))
            for (const c of inner as Obj[]) images.add(String(c.image));
          walk(inner);
        }
      }
    };
    run()
      .resources.filter(isKubernetesObject)
      .forEach((r) => walk(r.inputs));
    expect(images.size).toBeGreaterThan(3);
    const bad = [...images].filter((i) => !isPinnedImage(i) || placeholderReason(i) !== undefined);
    expect(bad).toEqual([]);
  });

  test("every Kubernetes resource uses the program's one explicit provider", () => {
    const resources = run().resources;
    const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    // A provider reference is "<provider urn>::<provider id>".
    const onOther = resources
      .filter((r) => isKubernetes(r) && r.type !== "pulumi:providers:kubernetes")
      .filter((r) => !/\$pulumi:providers:kubernetes::cluster-k8s::cluster-k8s-id$/.test(r.provider))
      .map((r) => `${r.type} ${r.name}: ${r.provider || "default provider"}`);
    expect(onOther).toEqual([]);
    expect(providers[0].inputs.clusterIdentifier).toEqual(expect.any(String));
    // ConfigMap and Secret edits update in place instead of delete-then-create (proven for real in
    // test/e2e/local.e2e.ts); the provider passes booleans to its plugin as strings.
    expect(providers[0].inputs).toMatchObject({
      enableServerSideApply: "true",
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
  });

  test("its synth YAML reads back as registered to YAML 1.1 readers (kubectl) and 1.2 readers alike", () => {
    const { resources, outputs } = run();
    const files = new Map(synthFiles(stack, run()).map((f) => [f.path, f.content]));
    // What each file holds, as JSON would carry it (undefined members dropped).
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
    const expected: [string, unknown[]][] = [
      ["all.yaml", resources.filter(isKubernetesObject).map((r) => plain(manifestOf(r)))],
      [
        "cloud.yaml",
        [
          plain(
            resources
              .filter((r) => r.custom && !isKubernetesObject(r))
              .map((r) => ({ type: r.type, name: r.name, protect: r.protect, inputs: r.redacted })),
          ),
        ],
      ],
      ["outputs.yaml", [plain(outputs)]],
    ];
    for (const version of ["1.1", "1.2"] as const) {
      for (const [file, docs] of expected) {
        const read = parseAllDocuments(files.get(file)!, { version }).map((d) => d.toJS());
        expect({ version, file, docs: read }).toEqual({ version, file, docs });
      }
    }
  });

  test("objects of one kind have unique names per namespace", () => {
    const seen = new Set<string>();
    const dupes: string[] = [];
    for (const r of run().resources.filter(isKubernetesObject)) {
      const key = `${kindOf(r)}/${(r.inputs.metadata as Obj)?.namespace ?? ""}/${nameOf(r)}`;
      if (seen.has(key)) dupes.push(key);
      seen.add(key);
    }
    expect(dupes).toEqual([]);
  });
});

describe("cluster modes", () => {
  test("dev: a DigitalOcean cluster with a fixed system pool, autoscaling workload pools, version resolved", () => {
    const { resources } = runs.get("dev")!;
    const [cluster] = resources.filter(
      (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
    );
    expect(cluster.inputs).toMatchObject({
      region: "fra1",
      version: "1.33.1-do.0",
      ha: false,
      autoUpgrade: true,
      surgeUpgrade: true,
      destroyAllAssociatedResources: false,
      nodePool: { name: "system", size: "s-2vcpu-4gb", nodeCount: 1, autoScale: false },
    });
    // Never create-only: a changed minor must reach the cluster (see the day-2 version tests).
    expect(cluster.ignoreChanges).toEqual([]);
    expect(cluster.protect).toBe(false);
    const pools = resources.filter(
      (r) => r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
    );
    expect(pools.map((p) => p.inputs)).toEqual([
      expect.objectContaining({
        name: "bots",
        size: "s-4vcpu-8gb",
        autoScale: true,
        minNodes: 1,
        maxNodes: 3,
      }),
    ]);
    expect(pools[0].ignoreChanges).toEqual(["nodeCount"]);
    expect(resources.some((r) => r.type.startsWith("linode:"))).toBe(false);
  });

  test("prod: HA control plane, deletion protection on the cluster, pools and namespaces", () => {
    const { resources } = runs.get("prod")!;
    const [cluster] = resources.filter(
      (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
    );
    expect(cluster.inputs.ha).toBe(true);
    expect(cluster.protect).toBe(true);
    const pools = resources.filter(
      (r) => r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
    );
    expect(pools).toHaveLength(2);
    expect(pools.every((p) => p.protect)).toBe(true);
    // The fleet's namespaces hold its volumes; metrics-server's holds none and may come and go with it.
    const fleet = Object.values(runs.get("prod")!.outputs.namespaces as Record<string, string>);
    const namespaces = ofKind(resources, "Namespace").filter((n) => fleet.includes(nameOf(n)));
    expect(namespaces).toHaveLength(4);
    expect(namespaces.every((n) => n.protect && n.retainOnDelete)).toBe(true);
    const others = ofKind(resources, "Namespace").filter((n) => !fleet.includes(nameOf(n)));
    expect(others.map(nameOf)).toEqual(["botfleet-metrics-server"]);
    expect(
      resources.filter(
        (r) => kindOf(r) === "PersistentVolumeClaim" && namespaceOf(r) === "botfleet-metrics-server",
      ),
    ).toEqual([]);
  });

  test("DigitalOcean: the provider gets the cluster token issued on this run (secret, expiring), people get a doctl exec kubeconfig with no credential", () => {
    const { resources, plainOutputs } = runs.get("dev")!;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.redacted.kubeconfig).toBe(REDACTED);
    const issued = parse(String(provider.inputs.kubeconfig));
    expect(issued.users[0].user).toEqual({ token: mockDoksToken("botfleet-dev") });
    expect(provider.inputs.clusterIdentifier).toBe("cluster-cluster-id");

    // The builder's own shape is tested in test/specs/builders.test.ts; here: fed the cluster's outputs.
    const human = parse(String(plainOutputs.kubeconfig));
    expect(human).toEqual(
      parse(
        doctlExecKubeconfig({
          clusterName: "botfleet-dev",
          clusterId: "cluster-cluster-id",
          server: "https://cluster-cluster.k8s.ondigitalocean.com",
          caCertificateBase64: Buffer.from("mock-ca").toString("base64"),
        }),
      ),
    );
    expect(String(plainOutputs.kubeconfig)).not.toMatch(/token|client-key|password/);
  });

  test("dev-lke: an LKE cluster with a fixed first pool, autoscaling LkeNodePools, decoded kubeconfig", () => {
    const { resources } = runs.get("dev-lke")!;
    const [cluster] = resources.filter((r) => r.type === "linode:index/lkeCluster:LkeCluster");
    expect(cluster.inputs).toMatchObject({
      label: "botfleet-dev-lke",
      region: "eu-central",
      k8sVersion: "1.33",
      controlPlane: { highAvailability: false },
      pools: [{ type: "g6-standard-2", count: 1 }],
    });
    const pools = resources.filter((r) => r.type === "linode:index/lkeNodePool:LkeNodePool");
    expect(pools.map((p) => p.inputs)).toEqual([
      expect.objectContaining({
        clusterId: 424242,
        type: "g6-standard-4",
        nodeCount: 1,
        autoscaler: { min: 1, max: 3 },
      }),
    ]);
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(String(provider.inputs.kubeconfig)).toMatch(/^apiVersion: v1/);
    expect(provider.redacted.kubeconfig).toBe(REDACTED);
    expect(resources.some((r) => r.type.startsWith("digitalocean:"))).toBe(false);
  });

  test("dev-lke: the LkeNodePools carry the tag the cluster lists in externalPoolTags, so a refresh never makes the cluster own them", async () => {
    const dev = readStackFile(REPO, "dev-lke");
    const cluster = dev["botfleet:cluster"] as Obj;
    const extra = { name: "signals", size: "g6-standard-2", minNodes: 1, maxNodes: 1 };
    const run = await runConfig("dev-lke", {
      ...dev,
      "botfleet:cluster": { ...cluster, pools: [...cluster.pools, extra] },
    });
    const [lke] = run.resources.filter((r) => r.type === "linode:index/lkeCluster:LkeCluster");
    const external: string[] = lke.inputs.externalPoolTags;
    expect(external).toEqual([expect.stringMatching(/^[a-z0-9-]+$/)]);
    const pools = run.resources.filter((r) => r.type === "linode:index/lkeNodePool:LkeNodePool");
    expect(pools.map((p) => p.inputs.type).sort()).toEqual(["g6-standard-2", "g6-standard-4"]);
    const unmarked = pools
      .filter((p) => !(p.inputs.tags as string[]).some((t) => external.includes(t)))
      .map((p) => p.name);
    expect(unmarked).toEqual([]);
    // The cluster's own first pool is the system pool it manages; it is not tagged external.
    expect(lke.inputs.pools).toHaveLength(1);
    expect(JSON.stringify(lke.inputs.pools)).not.toContain(external[0]);
  });

  describe("dev: a Kubernetes version change on a live DOKS cluster (autoUpgrade on)", () => {
    const dev = readStackFile(REPO, "dev");
    const withVersion = (version: string) => ({
      ...dev,
      "botfleet:cluster": { ...(dev["botfleet:cluster"] as Obj), version },
    });
    /** The version the next update sends to DigitalOcean: what the engine diffs against the live one. */
    const planned = async (config: Obj, live: string) => {
      const run = await runConfig("dev", config, true, {
        cloud: { doClusterVersions: { "botfleet-dev": live } },
      });
      const [cluster] = run.resources.filter(
        (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
      );
      // An ignored property keeps its old (live) value: the engine never sends the declared one.
      return cluster.ignoreChanges.includes("version") ? live : cluster.inputs.version;
    };

    test("the next minor (1.33 -> 1.34) reaches the cluster's inputs as that minor's newest patch", async () => {
      expect(dev["botfleet:cluster"]).toMatchObject({ version: "1.33", autoUpgrade: true });
      expect(await planned(withVersion("1.34"), "1.33.4-do.0")).toBe("1.34.1-do.0");
    });

    test("a patch DigitalOcean auto-upgraded to (newer or older than the newest) is no update", async () => {
      // The mock's newest 1.33 patch is 1.33.1-do.0; the live cluster runs another patch of 1.33.
      expect(await planned(dev, "1.33.4-do.0")).toBe("1.33.4-do.0");
      expect(await planned(dev, "1.33.0-do.2")).toBe("1.33.0-do.2");
    });
    // A downgrade or a jump of two minors is refused: test/cluster-version.test.ts.
  });

  test("local: no cloud resources; the provider targets the configured kubeconfig context", () => {
    const { resources } = runs.get("local")!;
    expect(resources.some((r) => r.type.startsWith("digitalocean:") || r.type.startsWith("linode:"))).toBe(
      false,
    );
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs).toMatchObject({
      context: "kind-botfleet",
      clusterIdentifier: "existing/kind-botfleet",
    });
    expect(provider.inputs.kubeconfig).toBeUndefined();
  });
});

describe("platform baseline", () => {
  test("namespaces with Pod Security labels; node-exporter's is the documented privileged exception", () => {
    const namespaces = ofKind(runs.get("dev")!.resources, "Namespace").map((n) => [
      nameOf(n),
      (n.inputs.metadata as Obj).labels["pod-security.kubernetes.io/enforce"],
    ]);
    // The four of the platform, and metrics-server's (dev has a bot service with an HPA).
    expect(namespaces.sort()).toEqual([
      ["botfleet-bots", "restricted"],
      ["botfleet-data", "restricted"],
      ["botfleet-metrics-server", "restricted"],
      ["botfleet-monitoring", "restricted"],
      ["botfleet-node-exporter", "privileged"],
    ]);
  });

  test("each namespace gets default deny, DNS egress to kube-dns on UDP and TCP 53, a quota and container defaults", () => {
    const { resources } = runs.get("prod")!;
    for (const ns of ["botfleet-bots", "botfleet-data", "botfleet-monitoring"]) {
      const inNs = (kind: string) =>
        ofKind(resources, kind).filter((r) => (r.inputs.metadata as Obj).namespace === ns);
      const policies = Object.fromEntries(inNs("NetworkPolicy").map((p) => [nameOf(p), p.inputs.spec]));
      expect(policies["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      expect(policies["allow-dns-egress"].egress[0].ports).toEqual([
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ]);
      expect(inNs("ResourceQuota")).toHaveLength(1);
      expect(inNs("LimitRange")).toHaveLength(1);
    }
    const botsQuota = ofKind(resources, "ResourceQuota").find(
      (q) => (q.inputs.metadata as Obj).namespace === "botfleet-bots",
    )!;
    expect(botsQuota.inputs.spec).toMatchObject({
      hard: { "requests.cpu": "12", "requests.memory": "24Gi", pods: "120" },
    });
  });
});

test("Pulumi.yaml declares every botfleet key the program reads, and no other", () => {
  const project = parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
  const declared = Object.keys(project.config)
    .filter((k) => k.startsWith("botfleet:"))
    .map((k) => k.slice(9))
    .sort();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KNOWN_KEYS } = require("../config");
  expect(declared).toEqual([...KNOWN_KEYS].sort());
  for (const [key, decl] of Object.entries(project.config as Record<string, Obj>)) {
    expect(typeof decl.description).toBe("string");
    // The CLI refuses a stack that lacks a declared key without a default, and refuses a `secret: true`
    // key whose (default) value is not encrypted: only the keys every stack sets go without a default.
    // The seed is required, but an empty default lets the loader, not the CLI, say how to set it.
    if (["botfleet:environment", "botfleet:cluster"].includes(key)) expect(decl.default).toBeUndefined();
    else if (key === "botfleet:credentialSeed") expect(decl.default).toBe("");
    else expect(decl.default).toEqual(key === "botfleet:bots" ? [] : {});
    expect(decl.secret).toBeUndefined();
  }
});

test("the CLI's merged Pulumi.yaml defaults read as absent, and secret sections stay secret-only", () => {
  const project = parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
  const defaults = Object.fromEntries(
    Object.entries(project.config as Record<string, Obj>)
      .filter(([, decl]) => decl.default !== undefined)
      // The CLI hands a string default over as it is, structured ones as JSON.
      .map(([key, decl]) => [
        key,
        typeof decl.default === "string" ? decl.default : JSON.stringify(decl.default),
      ]),
  );
  const base = {
    "botfleet:environment": "local",
    "botfleet:cluster": JSON.stringify({ provider: "existing" }),
  };
  const seed = { "botfleet:credentialSeed": "s".repeat(32) };
  const secretKeys = new Set(Object.keys(seed));
  const config = parseStackConfig({ values: { ...defaults, ...base, ...seed }, secretKeys }, "local");
  const absent = parseStackConfig({ values: { ...base, ...seed }, secretKeys }, "local");
  // Credentials hold Outputs, which compare by identity: compare what they are made of.
  const { credentials, ...rest } = config;
  const { credentials: absentCredentials, ...absentRest } = absent;
  expect(rest).toEqual({ ...absentRest, bots: [] });
  expect(credentials.rotations).toEqual(absentCredentials.rotations);
  // The seed's empty default reads as absent: the loader, not the CLI, says how to set it.
  expect(() =>
    parseStackConfig({ values: { ...defaults, ...base }, secretKeys: new Set() }, "local"),
  ).toThrow(`botfleet:credentialSeed: required secret is missing`);
  // A real plain-text value in a secret section is still refused.
  expect(() =>
    parseStackConfig(
      {
        values: {
          ...defaults,
          ...base,
          ...seed,
          "botfleet:alerting": JSON.stringify({ webhook: { url: "https://x" } }),
        },
        secretKeys,
      },
      "local",
    ),
  ).toThrow(/botfleet:alerting: must be set as a secret/);
});

describe("existing cluster from a kubeconfig file", () => {
  test("gives the provider the file's path and context, never its contents", async () => {
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "kubeconfig-")); // eslint-disable-line @typescript-eslint/no-require-imports
    const file = path.join(dir, "config");
    const token = "kind-admin-token-3b1f";
    fs.writeFileSync(file, `apiVersion: v1\nkind: Config\nusers: [{name: a, user: {token: ${token}}}]\n`);
    const run = await runConfig("kindfile", {
      "botfleet:environment": "local",
      "botfleet:cluster": { provider: "existing", kubeconfig: { path: file, context: "kind-a" } },
    });
    const provider = run.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs.kubeconfig).toBe(file);
    expect(provider.inputs.context).toBe("kind-a");
    expect(provider.inputs.clusterIdentifier).toBe("existing/kind-a");
    // Nothing from the file reaches the engine: not a resource, not the exported kubeconfig.
    const text = JSON.stringify(run.resources.map((r) => r.inputs)) + JSON.stringify(run.plainOutputs);
    expect(text.includes(token)).toBe(false);
    expect(run.plainOutputs.kubeconfig).toBe("");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a missing file is a clear error, before any Kubernetes resource", async () => {
    await expect(
      runConfig("kindfile", {
        "botfleet:environment": "local",
        "botfleet:cluster": { provider: "existing", kubeconfig: { path: "/nonexistent/kubeconfig" } },
      }),
    ).rejects.toThrow(
      'botfleet:cluster.kubeconfig.path: file not found, got "/nonexistent/kubeconfig"; point it at a kubeconfig (kind: "kind get kubeconfig > ~/.kube/kind") or remove it to use the ambient one',
    );
  });
});

test("a data-layer connection change (Redis HA on, another database) rolls the paper bots using it and is a pending revision for live traders", async () => {
  const dev = readStackFile(REPO, "dev");
  const bots = dev["botfleet:bots"] as Obj[];
  // A live trader reading Redis and Postgres: under OnDelete it must show the change without
  // restarting; a paper trader reading Redis rolls.
  const trader = bots.find((b) => b.name === "ft-trend")!;
  const liveTrader = {
    ...trader,
    name: "live-arb",
    paperTrading: false,
    usesRedis: true,
    usesPostgres: true,
  };
  const paperTrader = { ...trader, name: "paper-redis", usesRedis: true };
  const base = { ...dev, "botfleet:bots": [...bots, liveTrader, paperTrader] };
  const changed = {
    ...base,
    "botfleet:redis": { ...(dev["botfleet:redis"] as Obj), ha: true },
    "botfleet:postgres": { ...(dev["botfleet:postgres"] as Obj), database: "fleet" },
  };
  const templates = async (config: Obj) => {
    const run = await runConfig("dev", config);
    const out: Record<string, Obj> = {};
    for (const r of run.resources.filter(isKubernetesObject)) {
      const kind = kindOf(r);
      if (!["StatefulSet", "Deployment", "CronJob"].includes(kind)) continue;
      const spec = r.inputs.spec as Obj;
      out[nameOf(r)] = {
        checksum: (kind === "CronJob" ? spec.jobTemplate.spec.template : spec.template).metadata
          .annotations?.["botfleet.io/config-checksum"],
        updateStrategy: spec.updateStrategy?.type,
      };
    }
    return out;
  };
  const [before, after] = [await templates(base), await templates(changed)];
  const rolled = Object.keys(before)
    .filter((name) => before[name].checksum !== after[name].checksum)
    .sort();
  // Redis's own StatefulSet changes with HA; of the bots, exactly those reading the client Secrets.
  expect(rolled.filter((n) => !n.startsWith("redis") && !n.startsWith("postgres"))).toEqual([
    "live-arb",
    "paper-redis",
    "pnl-report",
  ]);
  expect(after["paper-redis"].updateStrategy).not.toBe("OnDelete");
  expect(after["live-arb"]).toMatchObject({
    updateStrategy: "OnDelete",
    checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
});

test("monitoring off: no Helm release, no Grafana outputs, the rest still hardened", async () => {
  const config = { ...readStackFile(REPO, "dev"), "botfleet:monitoring": { enabled: false } };
  const run = await runConfig("dev", config);
  const releases = run.resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
  // Only metrics-server's, which the HPA of dev's bot service needs whatever monitoring does.
  expect(releases.map((r) => r.inputs.chart)).toEqual(["metrics-server"]);
  expect(run.outputs.grafanaAdminPassword).toBeUndefined();
  expect(run.warnings.filter((w) => w.includes("Undefined value"))).toEqual([]);
  expect(policyViolations(run.resources, { secretValues: run.secretValues })).toEqual([]);
});

test.each(STACKS)(
  "stack %s: every freqtrade bot's strategy exists (shipped in strategyFiles or the seeded SampleStrategy)",
  (stack) => {
    const bots = (readStackFile(REPO, stack)["botfleet:bots"] ?? []) as Obj[];
    const missing = bots
      .filter((b) => b.preset === "freqtrade" && b.workload !== "scheduled")
      .filter((b) => {
        const shipped = Object.keys(b.freqtrade?.strategyFiles ?? {}).map((f) => f.replace(/\.py$/, ""));
        const source = Object.values(b.freqtrade?.strategyFiles ?? {}).join("\n");
        const strategy = b.freqtrade?.strategy;
        return (
          strategy !== "SampleStrategy" &&
          !(shipped.length > 0 && new RegExp(`class ${strategy}\\b`).test(source))
        );
      })
      .map((b) => `${b.name}: ${b.freqtrade?.strategy}`);
    expect(missing).toEqual([]);
  },
);
