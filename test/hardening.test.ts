/**
 * The checks that once lived only in a test-side checker, now policy pack rules (policy/, the one
 * hardening checker; items cite docs/hardening.md). Each must fail on a bad object, pass on every
 * rendered stack, and fail again once a rendered object is broken: it reads what the program renders.
 */
import * as fs from "fs";
import * as path from "path";
import {
  evaluate,
  fromHarness,
  K,
  resourceRules,
  stackRules,
  type PolicyResource,
  type RuleContext,
} from "../policy/rules";
import { selects } from "../policy/network";
import { runStackFile, STACKS, type StackRun } from "./support/stacks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited as free-form JSON
type Json = any;

/** The rules moved from the test-side checker (or widened to what it checked), by checklist item. */
const MOVED: Record<string, number> = {
  "pod-security-enforced": 1,
  "seccomp-runtime-default": 4,
  "hpa-scaled-without-replicas": 16,
  "pdb-coverage": 17,
  "replicated-pods-spread": 18,
  "statefulset-governing-service": 19,
  "internet-egress-only-for-allowed-clients": 27,
  "no-secret-values-outside-secrets": 30,
};

const dev: RuleContext = { environment: "dev" };

/** `name: message` of one rule's findings over some resources. */
const findings = (rule: string, resources: readonly PolicyResource[], ctx = dev): string[] =>
  evaluate(resources, ctx)
    .filter((v) => v.rule === rule)
    .map((v) => `${v.name}: ${v.message}`);

const object = (type: string, name: string, props: Json, namespace = "bots"): PolicyResource => ({
  type,
  name,
  props: { ...props, metadata: { name, namespace, ...(props.metadata ?? {}) } },
});

const labels = { "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "app" };
const container = {
  name: "app",
  securityContext: { seccompProfile: { type: "RuntimeDefault" } },
};
const podSpec = (extra: Json = {}) => ({
  securityContext: { seccompProfile: { type: "RuntimeDefault" } },
  containers: [container],
  ...extra,
});
const workload = (type: string, spec: Json = {}, pod: Json = {}) =>
  object(type, "app", {
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec(pod) },
      ...spec,
    },
  });
const hpa = (kind: string, minReplicas = 2) =>
  object(K.hpaV2, "app", {
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind, name: "app" }, minReplicas, maxReplicas: 5 },
  });
const pdb = (spec: Json) =>
  object(K.pdb, "app", {
    spec: { selector: { matchLabels: labels }, unhealthyPodEvictionPolicy: "AlwaysAllow", ...spec },
  });
const spread = {
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
  ],
};

describe("each moved rule fails on a bad object and passes on a good one", () => {
  test("#1 pod-security-enforced: restricted everywhere; privileged only for node-exporter's namespace", () => {
    const ns = (enforce: string | undefined, component?: string) =>
      object(K.namespace, "ns", {
        metadata: {
          labels: {
            ...(enforce ? { "pod-security.kubernetes.io/enforce": enforce } : {}),
            ...(component ? { "app.kubernetes.io/component": component } : {}),
          },
        },
      });
    const rule = "pod-security-enforced";
    expect(findings(rule, [ns("restricted"), ns("privileged", "nodeExporter")])).toEqual([]);
    expect(findings(rule, [ns("baseline")])).toEqual([
      'ns: label pod-security.kubernetes.io/enforce must be "restricted" (only node-exporter\'s namespace may be "privileged"), got "baseline"',
    ]);
    expect(findings(rule, [ns(undefined)])).toHaveLength(1);
    expect(findings(rule, [ns("privileged", "bots")])).toHaveLength(1);
    expect(findings(rule, [ns("privileged", "monitoring")])).toHaveLength(1);
  });

  test("#4 seccomp-runtime-default: the pod sets RuntimeDefault, not only its containers", () => {
    const noPodProfile = workload(K.deployment, {}, { securityContext: {} });
    expect(findings("seccomp-runtime-default", [workload(K.deployment)])).toEqual([]);
    expect(findings("seccomp-runtime-default", [noPodProfile])).toEqual([
      "app: pod: securityContext.seccompProfile.type must be RuntimeDefault, got nothing",
    ]);
  });

  test("#16 hpa-scaled-without-replicas: any kind an HPA scales, StatefulSets too", () => {
    const sts = workload(K.statefulSet, { replicas: 3 });
    expect(findings("hpa-scaled-without-replicas", [workload(K.statefulSet), hpa("StatefulSet")])).toEqual(
      [],
    );
    expect(findings("hpa-scaled-without-replicas", [sts, hpa("StatefulSet")])).toEqual([
      "app: StatefulSet scaled by an HPA must not set spec.replicas, got 3",
    ]);
  });

  test("#17 pdb-coverage: a minAvailable as large as the HPA's minimum allows no disruption", () => {
    const scaled = [workload(K.deployment, {}, spread), hpa("Deployment", 3)];
    expect(findings("pdb-coverage", [...scaled, pdb({ minAvailable: 2 })])).toEqual([]);
    expect(findings("pdb-coverage", [...scaled, pdb({ minAvailable: 3 })])).toEqual([
      "app: PDB on replicated workload app (at least 3 pods) allows no disruption; use maxUnavailable: 1",
    ]);
  });

  test("#18 replicated-pods-spread: two or more pods (or an HPA's minimum) need anti-affinity or spread", () => {
    const rule = "replicated-pods-spread";
    const antiAffinity = {
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    };
    expect(findings(rule, [workload(K.deployment, { replicas: 2 }, spread)])).toEqual([]);
    expect(findings(rule, [workload(K.deployment, { replicas: 2 }, antiAffinity)])).toEqual([]);
    expect(findings(rule, [workload(K.deployment, { replicas: 1 })])).toEqual([]);
    expect(findings(rule, [workload(K.deployment, { replicas: 2 })])).toEqual([
      "app: workload app runs at least 2 pods but neither podAntiAffinity nor topologySpreadConstraints keeps them apart: one node lost takes them all",
    ]);
    expect(findings(rule, [workload(K.deployment), hpa("Deployment", 2)])).toHaveLength(1);
  });

  test("#19 statefulset-governing-service: serviceName names a headless Service in the namespace", () => {
    const rule = "statefulset-governing-service";
    const sts = workload(K.statefulSet, { serviceName: "app-headless" });
    const service = (clusterIP: string | undefined, namespace = "bots") =>
      object(K.service, "app-headless", { spec: { clusterIP, selector: labels } }, namespace);
    expect(findings(rule, [sts, service("None")])).toEqual([]);
    const missing = [
      'app: serviceName "app-headless" names no headless Service (clusterIP: None) in namespace bots: its pods get no stable DNS names',
    ];
    expect(findings(rule, [sts])).toEqual(missing);
    expect(findings(rule, [sts, service(undefined)])).toEqual(missing);
    expect(findings(rule, [sts, service("None", "elsewhere")])).toEqual(missing);
  });

  test("#27 internet-egress-only-for-allowed-clients: databases never reach the internet", () => {
    const rule = "internet-egress-only-for-allowed-clients";
    const internet = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }];
    const policy = (podSelector: Json, egress: Json = internet) =>
      object(K.networkPolicy, "out", { spec: { podSelector, egress } });
    expect(
      findings(rule, [
        policy({ matchExpressions: [{ key: "botfleet.io/bot", operator: "Exists" }] }),
        policy({
          matchLabels: { "app.kubernetes.io/component": "backup", "app.kubernetes.io/name": "postgres" },
        }),
        policy({ matchLabels: { "app.kubernetes.io/name": "alertmanager" } }),
        policy({ matchLabels: { "app.kubernetes.io/name": "grafana" } }),
        policy({ matchLabels: { "app.kubernetes.io/name": "postgres" } }, [{ to: [{ podSelector: {} }] }]),
      ]),
    ).toEqual([]);
    expect(findings(rule, [policy({ matchLabels: { "app.kubernetes.io/name": "postgres" } })])).toEqual([
      'out: egress to 0.0.0.0/0 from podSelector {"matchLabels":{"app.kubernetes.io/name":"postgres"}}: only bot pods (botfleet.io/bot), backups (app.kubernetes.io/component: backup), Alertmanager (app.kubernetes.io/name: alertmanager), Grafana, to its identity provider (app.kubernetes.io/name: grafana) may reach the internet',
    ]);
    // Everything in a namespace is not "bots": the selector must require the label.
    expect(findings(rule, [policy({})])).toHaveLength(1);
    expect(
      findings(rule, [policy({ matchExpressions: [{ key: "botfleet.io/bot", operator: "DoesNotExist" }] })]),
    ).toHaveLength(1);
  });

  test("#30 no-secret-values-outside-secrets: a Secret's value in a ConfigMap, an env literal or an annotation", () => {
    const rule = "no-secret-values-outside-secrets";
    const password = "Xk3v9QpL2mN8rT5wY7zA";
    const secret = object(K.secret, "db", { stringData: { password, username: "trader-user" } });
    const encoded = object(K.secret, "db", { data: { password: Buffer.from(password).toString("base64") } });
    const config = (text: string) => object(K.configMap, "cfg", { data: { "conf.yml": text } });
    expect(findings(rule, [secret, config("user: trader-user\nport: 5432")])).toEqual([]);
    const leak = [
      'cfg: ConfigMap cfg holds the value of Secret db key "password" in clear; reference the Secret instead',
    ];
    expect(findings(rule, [secret, config(`password: ${password}`)])).toEqual(leak);
    expect(findings(rule, [encoded, config(`password: ${password}`)])).toEqual(leak);
    const env = workload(
      K.deployment,
      {},
      { containers: [{ ...container, env: [{ name: "DSN", value: `pg://u:${password}@db` }] }] },
    );
    expect(findings(rule, [secret, env])).toHaveLength(1);
    // Values the caller knows (fakes, derived passwords) count even when no Secret carries them.
    expect(
      findings(rule, [config("seed: FAKESECRET-seed-123")], {
        ...dev,
        secretValues: ["FAKESECRET-seed-123"],
      }),
    ).toEqual([
      "cfg: ConfigMap cfg holds the value of a secret value the stack was given or derived in clear; reference the Secret instead",
    ]);
    // Too short to tell from ordinary text.
    expect(findings(rule, [config("x: true")], { ...dev, secretValues: ["true"] })).toEqual([]);
  });
});

// ---------------------------------------------------------------- over the rendered stacks

const runs = new Map<string, StackRun>();
beforeAll(async () => {
  for (const stack of STACKS) runs.set(stack, await runStackFile(stack));
}, 120_000);

const rendered = (stack: string): PolicyResource[] => {
  const run = runs.get(stack);
  if (run === undefined) throw new Error(`stack ${stack} did not run`);
  return run.resources.map(fromHarness);
};
const ctxOf = (stack: string): RuleContext => ({
  environment: "dev",
  secretValues: runs.get(stack)?.secretValues,
});

test.each(STACKS)("stack %s: no moved rule finds anything in what the program renders", (stack) => {
  const resources = rendered(stack);
  expect(resources.length).toBeGreaterThan(20);
  for (const rule of Object.keys(MOVED))
    expect({ rule, found: findings(rule, resources, ctxOf(stack)) }).toEqual({ rule, found: [] });
});

/** Deep-copies the first resource `pick` chooses and edits it; throws when nothing matches. */
function breakOne(
  resources: PolicyResource[],
  pick: (r: PolicyResource) => boolean,
  edit: (props: Json) => void,
) {
  const i = resources.findIndex(pick);
  if (i < 0) throw new Error("no rendered object to break");
  const props = structuredClone(resources[i].props);
  edit(props);
  return resources.map((r, j) => (j === i ? { ...r, props } : r));
}

const named = (type: string, name: string) => (r: PolicyResource) =>
  r.type === type && (r.props.metadata as Json)?.name === name;
const podLabelsOf = (r: PolicyResource): Record<string, string> =>
  (r.props.spec as Json)?.template?.metadata?.labels ?? {};

describe("stack dev: breaking one rendered object trips the moved rule", () => {
  const cases: [rule: string, (resources: PolicyResource[]) => PolicyResource[]][] = [
    [
      "pod-security-enforced",
      (rs) =>
        breakOne(
          rs,
          named(K.namespace, "botfleet-data"),
          (p) => (p.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"),
        ),
    ],
    [
      "seccomp-runtime-default",
      (rs) =>
        breakOne(
          rs,
          named(K.statefulSet, "redis"),
          (p) => delete p.spec.template.spec.securityContext.seccompProfile,
        ),
    ],
    [
      "hpa-scaled-without-replicas",
      (rs) => breakOne(rs, named(K.deployment, "signal-api"), (p) => (p.spec.replicas = 2)),
    ],
    [
      "pdb-coverage",
      (rs) => {
        const api = rs.find(named(K.deployment, "signal-api"));
        if (api === undefined) throw new Error("no signal-api");
        const covers = (r: PolicyResource) =>
          r.type === K.pdb && selects((r.props.spec as Json).selector, podLabelsOf(api));
        return breakOne(rs, covers, (p) => {
          delete p.spec.maxUnavailable;
          p.spec.minAvailable = 2;
        });
      },
    ],
    [
      "replicated-pods-spread",
      (rs) =>
        breakOne(rs, named(K.deployment, "signal-api"), (p) => {
          delete p.spec.template.spec.affinity;
          delete p.spec.template.spec.topologySpreadConstraints;
        }),
    ],
    [
      "statefulset-governing-service",
      (rs) => breakOne(rs, named(K.service, "redis-headless"), (p) => delete p.spec.clusterIP),
    ],
    [
      "internet-egress-only-for-allowed-clients",
      (rs) =>
        breakOne(
          rs,
          // A policy with internet egress (the bots' one), given to the database's pods.
          (r) =>
            r.type === K.networkPolicy &&
            JSON.stringify((r.props.spec as Json).egress ?? []).includes('"0.0.0.0/0"'),
          (p) => (p.spec.podSelector = { matchLabels: { "app.kubernetes.io/name": "postgres" } }),
        ),
    ],
    [
      "no-secret-values-outside-secrets",
      (rs) => {
        const auth = rs.find(named(K.secret, "redis-auth"));
        const password = (auth?.props.stringData as Json)?.["admin-password"];
        if (typeof password !== "string") throw new Error("no redis-auth admin-password");
        return breakOne(
          rs,
          (r) => r.type === K.configMap,
          (p) => (p.data = { ...p.data, "leak.conf": `requirepass ${password}` }),
        );
      },
    ],
  ];
  test.each(cases)("%s", (rule, broken) => {
    expect(findings(rule, rendered("dev"), ctxOf("dev"))).toEqual([]);
    expect(findings(rule, broken(rendered("dev")), ctxOf("dev"))).not.toEqual([]);
  });
});

test("every moved rule is in the pack and cites its item in its description", () => {
  for (const [rule, item] of Object.entries(MOVED)) {
    const found = [...resourceRules, ...stackRules].find((r) => r.name === rule);
    const cited = found?.description
      .match(/\(hardening ([\d, ]+)\)/)?.[1]
      .split(", ")
      .map(Number);
    expect({ rule, cited }).toEqual({ rule, cited: expect.arrayContaining([item]) });
  }
});

test("every rule docs/hardening.md names under 'Checked by' is a rule of the pack", () => {
  const text = fs.readFileSync(path.join(__dirname, "../docs/hardening.md"), "utf8");
  const checkedBy = [...text.matchAll(/Checked by:([\s\S]*?)(?=\n\d+\. \*\*|\n## |$)/g)].map((m) => m[1]);
  const named = checkedBy.flatMap((t) => [...t.matchAll(/`([a-z]+(?:-[a-z]+)+)`/g)].map((m) => m[1]));
  const pack = new Set([...resourceRules, ...stackRules].map((r) => r.name));
  expect(named.length).toBeGreaterThan(30);
  expect(named.filter((n) => !pack.has(n))).toEqual([]);
  for (const rule of Object.keys(MOVED)) expect(named).toContain(rule);
});
