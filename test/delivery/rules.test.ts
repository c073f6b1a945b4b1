import { validate as validateKubernetesModel } from "./k8s-validate";
import {
  environmentOf,
  evaluate,
  fromHarness,
  isDigestImage,
  isPinnedImage,
  K,
  PolicyResource,
  resourceRules,
  RuleContext,
  stackOfUrn,
  stackRules,
} from "../../policy/rules";
import { PRIVATE_AND_METADATA_CIDRS as PACK_PRIVATE_CIDRS } from "../../policy/network";
import { PRIVATE_AND_METADATA_CIDRS } from "../../components/specs/network";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited as free-form JSON
type Json = any;

const dev: RuleContext = { environment: "dev" };
const prod: RuleContext = { environment: "prod" };

// ---------------------------------------------------------------- compliant fixtures

const securityContext = () => ({
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
});

const container = (name = "bot") => ({
  name,
  // Pinned by digest, as prod requires (prod-images-by-digest); a stand-in digest.
  image: `hummingbot/hummingbot:version-2.5.0@sha256:${"a".repeat(64)}`,
  ports: [{ name: "metrics", containerPort: 9090 }],
  env: [
    { name: "LOG_LEVEL", value: "info" },
    { name: "EXCHANGE_API_KEY", valueFrom: { secretKeyRef: { name: "btc-bot", key: "apiKey" } } },
    { name: "API_KEY_FILE", value: "/secrets/apiKey" },
  ],
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  securityContext: securityContext(),
  readinessProbe: { httpGet: { path: "/ready", port: "metrics" }, periodSeconds: 10 },
  livenessProbe: { httpGet: { path: "/health", port: 9090 }, periodSeconds: 20 },
});

const podSpec = () => ({
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
  initContainers: [{ ...container("copy-config"), readinessProbe: undefined, livenessProbe: undefined }],
  containers: [container()],
  volumes: [
    { name: "conf", configMap: { name: "btc-bot" } },
    { name: "data", emptyDir: {} },
  ],
});

const botLabels = (workload: string) => ({
  "app.kubernetes.io/name": "hummingbot",
  "app.kubernetes.io/instance": "btc-bot",
  "botfleet.io/workload": workload,
});

const trader = (): PolicyResource => ({
  type: K.statefulSet,
  name: "btc-bot",
  props: {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "btc-bot", namespace: "botfleet-bots", labels: botLabels("trader") },
    spec: {
      replicas: 1,
      serviceName: "btc-bot",
      selector: { matchLabels: { "app.kubernetes.io/instance": "btc-bot" } },
      template: { metadata: { labels: botLabels("trader") }, spec: podSpec() },
    },
  },
});

const service = (): PolicyResource => ({
  type: K.deployment,
  name: "signals",
  props: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "signals", namespace: "botfleet-bots" },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/instance": "signals" } },
      template: {
        metadata: { labels: { "app.kubernetes.io/instance": "signals", "botfleet.io/workload": "service" } },
        spec: {
          ...podSpec(),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { "app.kubernetes.io/instance": "signals" } },
            },
          ],
        },
      },
    },
  },
});

const hpa = (target = "signals", kind = "Deployment"): PolicyResource => ({
  type: K.hpaV2,
  name: "signals",
  props: {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "signals", namespace: "botfleet-bots" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind, name: target },
      minReplicas: 2,
      maxReplicas: 6,
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  },
});

const pdb = (
  instance = "signals",
  spec: Record<string, unknown> = { maxUnavailable: 1 },
): PolicyResource => ({
  type: K.pdb,
  name: `${instance}-pdb`,
  props: {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: instance, namespace: "botfleet-bots" },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/instance": instance } },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      ...spec,
    },
  },
});

const liveLabels = () => ({ ...botLabels("trader"), "botfleet.io/mode": "live" });

/** A live trader as the fleet renders it: OnDelete, its pods kept off the autoscaler's scale-down. */
const liveTrader = (): PolicyResource =>
  mutate(trader(), (p) => {
    p.metadata.labels = liveLabels();
    p.spec.updateStrategy = { type: "OnDelete" };
    p.spec.template.metadata.labels = liveLabels();
    p.spec.template.metadata.annotations = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" };
  });

const liveTraderPdb = (): PolicyResource =>
  mutate(pdb("btc-bot", { maxUnavailable: 0 }), (p) => (p.metadata.labels = liveLabels()));

const namespace = (name: string): PolicyResource => ({
  type: K.namespace,
  name,
  props: {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
  },
});

const defaultDeny = (ns: string): PolicyResource => ({
  type: K.networkPolicy,
  name: `${ns}-default-deny`,
  props: {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny", namespace: ns },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  },
});

/** The trader's governing Service: headless, so each pod gets a stable DNS name. */
const headless = (): PolicyResource => ({
  type: K.service,
  name: "btc-bot",
  props: {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "btc-bot", namespace: "botfleet-bots" },
    spec: { clusterIP: "None", selector: { "app.kubernetes.io/instance": "btc-bot" } },
  },
});

const goodStack = (): PolicyResource[] => [
  namespace("botfleet-bots"),
  defaultDeny("botfleet-bots"),
  trader(),
  headless(),
  service(),
  hpa(),
  pdb(),
];

/** Deep copy, then edit: each failing case starts from a compliant resource. */
function mutate(r: PolicyResource, edit: (props: Json) => void): PolicyResource {
  const props = structuredClone(r.props);
  edit(props);
  return { ...r, props };
}

const ruleMessages = (rule: string, r: PolicyResource, ctx = dev): string[] => {
  const found = resourceRules.find((x) => x.name === rule);
  if (found === undefined) throw new Error(`no rule ${rule}`);
  return found.check(r, ctx);
};

const stackMessages = (rule: string, resources: PolicyResource[], ctx = dev): string[] => {
  const found = stackRules.find((x) => x.name === rule);
  if (found === undefined) throw new Error(`no stack rule ${rule}`);
  return found.check(resources, ctx).map((f) => `${f.resource.name}: ${f.message}`);
};

// ---------------------------------------------------------------- tests

describe("compliant fixtures", () => {
  test("are valid Kubernetes objects (kubernetes-models)", () => {
    for (const r of goodStack()) expect(validateKubernetesModel(r.props)).toEqual([]);
  });

  test("the schema check itself rejects a malformed object", () => {
    const broken = mutate(trader(), (p) => (p.spec.replicas = "one"));
    expect(validateKubernetesModel(broken.props)).not.toEqual([]);
  });

  test("produce no violation from any rule", () => {
    expect(evaluate(goodStack(), prod)).toEqual([]);
  });
});

type ResourceCase = [rule: string, edit: (p: Json) => void, expected: string];
const inTemplate = (edit: (spec: Json) => void) => (p: Json) => edit(p.spec.template.spec);
const inMain = (edit: (c: Json) => void) => inTemplate((spec) => edit(spec.containers[0]));
const inInit = (edit: (c: Json) => void) => inTemplate((spec) => edit(spec.initContainers[0]));

describe("workload rules (failing resource -> exact message)", () => {
  const cases: ResourceCase[] = [
    [
      "pod-run-as-non-root",
      inTemplate((s) => {
        delete s.securityContext.runAsNonRoot;
        delete s.containers[0].securityContext.runAsNonRoot;
      }),
      'container "bot": runAsNonRoot must be true, got nothing',
    ],
    [
      "pod-run-as-non-root",
      inInit((c) => (c.securityContext.runAsUser = 0)),
      'initContainer "copy-config": runAsUser must be a numeric non-zero uid, got 0',
    ],
    [
      "no-privilege-escalation",
      inInit((c) => delete c.securityContext.allowPrivilegeEscalation),
      'initContainer "copy-config": allowPrivilegeEscalation must be false, got nothing',
    ],
    [
      "no-privilege-escalation",
      inMain((c) => (c.securityContext.privileged = true)),
      'container "bot": privileged must not be true',
    ],
    [
      "drop-all-capabilities",
      inMain((c) => (c.securityContext.capabilities.drop = ["NET_RAW"])),
      'container "bot": capabilities.drop must include "ALL", got ["NET_RAW"]',
    ],
    [
      "drop-all-capabilities",
      inMain((c) => (c.securityContext.capabilities.add = ["NET_BIND_SERVICE", "SYS_ADMIN"])),
      'container "bot": only NET_BIND_SERVICE may be added, got ["SYS_ADMIN"]',
    ],
    [
      "seccomp-runtime-default",
      inMain((c) => (c.securityContext.seccompProfile = { type: "Unconfined" })),
      'container "bot": seccompProfile.type must be RuntimeDefault, got "Unconfined"',
    ],
    [
      "read-only-root-filesystem",
      inMain((c) => (c.securityContext.readOnlyRootFilesystem = false)),
      'container "bot": readOnlyRootFilesystem must be true, got false',
    ],
    [
      "host-access-and-volumes",
      inTemplate((s) => (s.hostNetwork = true)),
      "pod: hostNetwork must not be true",
    ],
    [
      "host-access-and-volumes",
      inTemplate((s) => s.volumes.push({ name: "docker", hostPath: { path: "/var/run" } })),
      'volume "docker": type hostPath is not allowed',
    ],
    [
      "host-access-and-volumes",
      inMain((c) => (c.ports[0].hostPort = 9090)),
      'container "bot": hostPort must not be set, got 9090',
    ],
    [
      "resources-requests-limits",
      inMain((c) => (c.resources = { requests: { cpu: "1" } })),
      'container "bot": resources must set requests.memory, limits.memory',
    ],
    [
      "pinned-images",
      inMain((c) => (c.image = "hummingbot/hummingbot:latest")),
      'container "bot": image must be pinned to a tag other than latest or a sha256 digest, got "hummingbot/hummingbot:latest"',
    ],
    [
      "pinned-images",
      inInit((c) => (c.image = "busybox")),
      'initContainer "copy-config": image must be pinned to a tag other than latest or a sha256 digest, got "busybox"',
    ],
    [
      "no-literal-secret-env",
      inMain((c) => c.env.push({ name: "REDIS_PASSWORD", value: "ChangeM3Pl34se" })),
      'container "bot": env REDIS_PASSWORD has a literal value; use valueFrom.secretKeyRef or a secret file',
    ],
    [
      "no-service-account-token",
      inTemplate((s) => delete s.automountServiceAccountToken),
      "pod: automountServiceAccountToken must be false, got nothing",
    ],
    ["probes", inMain((c) => delete c.readinessProbe), 'container "bot": readinessProbe is required'],
    [
      "probes",
      inMain((c) => (c.readinessProbe = structuredClone(c.livenessProbe))),
      'container "bot": readinessProbe and livenessProbe must differ (a failing liveness restarts the pod)',
    ],
    [
      "probes",
      inMain((c) => (c.livenessProbe.httpGet.port = 8080)),
      'container "bot": livenessProbe targets port 8080, which the container does not declare',
    ],
    [
      "trader-is-statefulset-singleton",
      (p) => (p.spec.replicas = 2),
      "trader StatefulSet must have replicas 1 (duplicate orders otherwise), got 2",
    ],
  ];

  test.each(cases)("%s: %s", (rule, edit, expected) => {
    const bad = mutate(trader(), edit);
    expect(ruleMessages(rule, trader())).toEqual([]);
    expect(ruleMessages(rule, bad)).toEqual([expected]);
  });

  test("a trader as a Deployment is refused", () => {
    const asDeployment = mutate(
      service(),
      (p) => (p.spec.template.metadata.labels["botfleet.io/workload"] = "trader"),
    );
    expect(ruleMessages("trader-is-statefulset-singleton", asDeployment)).toEqual([
      "trader workloads must be a StatefulSet with replicas 1, got Deployment",
    ]);
  });

  test("Jobs and CronJobs need no probes", () => {
    const cron: PolicyResource = {
      type: K.cronJob,
      name: "rebalance",
      props: {
        spec: {
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  ...podSpec(),
                  containers: [{ ...container(), readinessProbe: undefined, livenessProbe: undefined }],
                },
              },
            },
          },
        },
      },
    };
    expect(ruleMessages("probes", cron)).toEqual([]);
    // ... but every other rule still reaches into the CronJob's pod template.
    const unpinned = mutate(
      cron,
      (p) => (p.spec.jobTemplate.spec.template.spec.containers[0].image = "bot:latest"),
    );
    expect(ruleMessages("pinned-images", unpinned)).toHaveLength(1);
  });
});

describe("single-resource rules", () => {
  test("ConfigMap with a secret-like key is refused; ordinary keys pass", () => {
    const cm = (data: Record<string, string>): PolicyResource => ({ type: K.configMap, props: { data } });
    expect(
      ruleMessages("no-secrets-in-configmaps", cm({ "conf_global.yml": "x", password_file: "/s/p" })),
    ).toEqual([]);
    expect(ruleMessages("no-secrets-in-configmaps", cm({ exchange_secret: "abc" }))).toEqual([
      'ConfigMap key "exchange_secret" looks like a secret; put it in a Secret',
    ]);
  });

  test("ServiceAccount must not automount its token", () => {
    expect(
      ruleMessages("no-service-account-token", {
        type: K.serviceAccount,
        props: { automountServiceAccountToken: false },
      }),
    ).toEqual([]);
    expect(ruleMessages("no-service-account-token", { type: K.serviceAccount, props: {} })).toEqual([
      "ServiceAccount: automountServiceAccountToken must be false, got nothing",
    ]);
  });

  test("LoadBalancer Service needs the allow annotation", () => {
    const lb = (annotations?: Record<string, string>): PolicyResource => ({
      type: K.service,
      props: {
        metadata: { name: "api", annotations },
        spec: { type: "LoadBalancer", ports: [{ port: 443 }] },
      },
    });
    expect(
      ruleMessages("no-unannotated-load-balancer", lb({ "botfleet.io/allow-load-balancer": "true" })),
    ).toEqual([]);
    expect(
      ruleMessages("no-unannotated-load-balancer", {
        type: K.service,
        props: { spec: { type: "ClusterIP" } },
      }),
    ).toEqual([]);
    expect(ruleMessages("no-unannotated-load-balancer", lb())).toEqual([
      'Service type LoadBalancer requires annotation botfleet.io/allow-load-balancer: "true"',
    ]);
  });

  test.each<[string, (p: Json) => void, string[]]>([
    ["min 1", (p) => (p.spec.minReplicas = 1), ["minReplicas must be >= 2, got 1"]],
    ["max == min", (p) => (p.spec.maxReplicas = 2), ["maxReplicas must be > minReplicas (2), got 2"]],
    [
      "no stabilization",
      (p) => delete p.spec.behavior,
      ["behavior.scaleDown.stabilizationWindowSeconds must be > 0, got nothing"],
    ],
  ])("HPA %s is refused", (_case, edit, expected) => {
    expect(ruleMessages("hpa-sane", hpa())).toEqual([]);
    expect(ruleMessages("hpa-sane", mutate(hpa(), edit))).toEqual(expected);
  });

  test("autoscaling/v1 HPA is refused", () => {
    expect(
      ruleMessages("hpa-sane", { ...hpa(), type: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler" }),
    ).toEqual([
      "HorizontalPodAutoscaler must be autoscaling/v2, got kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    ]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "maxUnavailable 0",
      { maxUnavailable: 0 },
      [
        "maxUnavailable must allow a disruption, got 0 (only a live trader's PDB, labelled botfleet.io/workload: trader and botfleet.io/mode: live, may set 0)",
      ],
    ],
    [
      "minAvailable 100%",
      { maxUnavailable: undefined, minAvailable: "100%" },
      ['minAvailable "100%" blocks every disruption'],
    ],
    [
      "no eviction policy",
      { maxUnavailable: 1, unhealthyPodEvictionPolicy: "IfHealthyBudget" },
      ['unhealthyPodEvictionPolicy must be AlwaysAllow, got "IfHealthyBudget"'],
    ],
  ])("PDB %s is refused", (_case, spec, expected) => {
    expect(ruleMessages("pdb-sane", pdb())).toEqual([]);
    expect(ruleMessages("pdb-sane", pdb("signals", spec))).toEqual(expected);
  });

  test("a live trader's PDB may allow no disruption (maxUnavailable 0), and only it", () => {
    const livePdb = liveTraderPdb();
    expect(ruleMessages("pdb-sane", livePdb)).toEqual([]);
    // The labels are what make it a live trader's: a paper trader's is refused as any other.
    const paper = mutate(livePdb, (p) => (p.metadata.labels["botfleet.io/mode"] = "paper"));
    expect(ruleMessages("pdb-sane", paper)).toEqual([
      "maxUnavailable must allow a disruption, got 0 (only a live trader's PDB, labelled botfleet.io/workload: trader and botfleet.io/mode: live, may set 0)",
    ]);
    expect(
      ruleMessages(
        "pdb-sane",
        mutate(livePdb, (p) => (p.spec.maxUnavailable = "0%")),
      ),
    ).toEqual([
      'maxUnavailable must allow a disruption, got "0%" (only a live trader\'s PDB, labelled botfleet.io/workload: trader and botfleet.io/mode: live, may set 0)',
    ]);
  });
});

describe("stack rules", () => {
  test("HPA targeting a trader StatefulSet is refused", () => {
    const stack = [...goodStack(), { ...hpa("btc-bot", "StatefulSet"), name: "trader-hpa" }];
    expect(stackMessages("hpa-targets-existing-non-trader", stack)).toEqual([
      "trader-hpa: HPA must never scale trader workload StatefulSet/btc-bot (duplicate orders)",
    ]);
  });

  test("HPA targeting an autonamed Deployment by its live name finds it", () => {
    const autonamed = mutate(service(), (p) => delete p.metadata.name);
    const stack = [...goodStack().filter((r) => r.type !== K.deployment), autonamed];
    expect(
      stackMessages("hpa-targets-existing-non-trader", [
        ...stack.filter((r) => r.type !== K.hpaV2),
        hpa("signals-3f9a1c2b"),
      ]),
    ).toEqual([]);
    expect(
      stackMessages("hpa-targets-existing-non-trader", [
        ...stack.filter((r) => r.type !== K.hpaV2),
        hpa("signalsx-3f9a1c2b"),
      ]),
    ).toHaveLength(1);
  });

  test("HPA targeting nothing is refused", () => {
    const stack = [...goodStack().filter((r) => r.type !== K.hpaV2), hpa("ghost")];
    expect(stackMessages("hpa-targets-existing-non-trader", stack)).toEqual([
      "signals: scaleTargetRef Deployment/ghost does not name a workload in namespace botfleet-bots",
    ]);
  });

  test("HPA-scaled Deployment with spec.replicas is refused", () => {
    const stack = goodStack().map((r) =>
      r.type === K.deployment ? mutate(r, (p) => (p.spec.replicas = 3)) : r,
    );
    expect(stackMessages("hpa-scaled-without-replicas", stack)).toEqual([
      "signals: Deployment scaled by an HPA must not set spec.replicas, got 3",
    ]);
  });

  test("replicated workload without a PDB is refused", () => {
    const stack = goodStack().filter((r) => r.type !== K.pdb);
    expect(stackMessages("pdb-coverage", stack)).toEqual([
      "signals: workload signals runs under an HPA but no PodDisruptionBudget selects its pods",
    ]);
    const fixed = [
      ...stack
        .filter((r) => r.type !== K.hpaV2)
        .map((r) => (r.type === K.deployment ? mutate(r, (p) => (p.spec.replicas = 2)) : r)),
    ];
    expect(stackMessages("pdb-coverage", fixed)).toEqual([
      "signals: workload signals runs 2 replicas but no PodDisruptionBudget selects its pods",
    ]);
  });

  test("a PDB that blocks draining a singleton (paper) trader is refused; maxUnavailable 1 is fine", () => {
    expect(stackMessages("pdb-coverage", [...goodStack(), pdb("btc-bot")])).toEqual([]);
    expect(
      stackMessages("pdb-coverage", [
        ...goodStack(),
        pdb("btc-bot", { maxUnavailable: undefined, minAvailable: 1 }),
      ]),
    ).toEqual([
      "btc-bot-pdb: PDB on singleton btc-bot blocks node drains; use maxUnavailable: 1 (only a live trader's may block them)",
    ]);
  });

  // Under OnDelete any eviction of a live trader's pod applies its staged template: its PDB blocks drains
  // on purpose and its pods keep the autoscaler off their node (issue 12, item 5).
  test("a live trader has a maxUnavailable-0 PDB and safe-to-evict false; without them it is refused", () => {
    const stack = (...extra: PolicyResource[]) => [
      ...goodStack().filter((r) => r.type !== K.statefulSet),
      ...extra,
    ];
    expect(stackMessages("pdb-coverage", stack(liveTrader(), liveTraderPdb()))).toEqual([]);
    const unannotated = mutate(liveTrader(), (p) => delete p.spec.template.metadata.annotations);
    expect(stackMessages("pdb-coverage", stack(unannotated))).toEqual([
      "btc-bot: live trader btc-bot needs a PodDisruptionBudget with maxUnavailable: 0: a drain would evict it and apply its staged (OnDelete) template unannounced",
      'btc-bot: live trader btc-bot\'s pod template needs annotation cluster-autoscaler.kubernetes.io/safe-to-evict: "false", got nothing: the cluster autoscaler would scale its node down',
    ]);
    // A budget that lets a drain evict it is no protection.
    expect(stackMessages("pdb-coverage", stack(liveTrader(), pdb("btc-bot")))).toEqual([
      "btc-bot: live trader btc-bot needs a PodDisruptionBudget with maxUnavailable: 0: a drain would evict it and apply its staged (OnDelete) template unannounced",
    ]);
  });

  test("a blocking PDB over a replicated workload is refused, even one labelled as a live trader's", () => {
    const onService = mutate(liveTraderPdb(), (p) => {
      p.spec.selector.matchLabels = { "app.kubernetes.io/instance": "signals" };
    });
    expect(stackMessages("pdb-coverage", [...goodStack(), onService])).toEqual([
      "btc-bot-pdb: PDB on replicated workload signals (at least 2 pods) allows no disruption; use maxUnavailable: 1",
    ]);
  });

  test("a namespace without default-deny is refused, also one only used by a workload", () => {
    const stack = goodStack().filter((r) => r.type !== K.networkPolicy);
    expect(stackMessages("default-deny-per-namespace", stack)).toEqual([
      "botfleet-bots: namespace botfleet-bots has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress+Egress, no rules)",
    ]);
    const elsewhere = mutate(trader(), (p) => (p.metadata.namespace = "botfleet-data"));
    expect(stackMessages("default-deny-per-namespace", [...goodStack(), elsewhere])).toEqual([
      "btc-bot: namespace botfleet-data has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress+Egress, no rules)",
    ]);
  });

  test("a policy that allows something, or only Ingress, is not a default-deny", () => {
    const allowing = mutate(
      defaultDeny("botfleet-bots"),
      (p) => (p.spec.egress = [{ ports: [{ port: 53, protocol: "UDP" }] }]),
    );
    const ingressOnly = mutate(defaultDeny("botfleet-bots"), (p) => (p.spec.policyTypes = ["Ingress"]));
    for (const np of [allowing, ingressOnly]) {
      const stack = [...goodStack().filter((r) => r.type !== K.networkPolicy), np];
      expect(stackMessages("default-deny-per-namespace", stack)).toHaveLength(1);
    }
  });
});

describe("cloud rules", () => {
  const doCluster = (props: Record<string, unknown>): PolicyResource => ({
    type: K.doCluster,
    name: "cluster",
    props: {
      region: "fra1",
      version: "1.33.1-do.0",
      nodePool: { name: "system", size: "s-2vcpu-4gb", nodeCount: 2 },
      ...props,
    },
  });

  test("DigitalOcean: prod requires ha, dev does not", () => {
    expect(ruleMessages("digitalocean-cluster", doCluster({ ha: true }), prod)).toEqual([]);
    expect(ruleMessages("digitalocean-cluster", doCluster({}), dev)).toEqual([]);
    expect(ruleMessages("digitalocean-cluster", doCluster({ ha: false }), prod)).toEqual([
      "ha must be true in a prod stack, got false",
    ]);
  });

  test("DigitalOcean: an autoscaling default pool needs 1 <= min <= max", () => {
    const bad = doCluster({
      ha: true,
      nodePool: { name: "system", size: "s-2vcpu-4gb", autoScale: true, minNodes: 3, maxNodes: 2 },
    });
    expect(ruleMessages("digitalocean-cluster", bad, prod)).toEqual([
      "nodePool max must be >= min (3), got 2",
    ]);
  });

  test.each<[string, Record<string, unknown>, RuleContext, string[]]>([
    ["autoscaling 1..4", { autoScale: true, minNodes: 1, maxNodes: 4 }, prod, []],
    ["fixed in dev", { nodeCount: 2 }, dev, []],
    [
      "fixed in prod",
      { nodeCount: 2 },
      prod,
      ["node pool: autoScale must be true in a prod stack, got nothing"],
    ],
    ["min 0", { autoScale: true, minNodes: 0, maxNodes: 3 }, dev, ["node pool min must be >= 1, got 0"]],
    [
      "min > max",
      { autoScale: true, minNodes: 5, maxNodes: 3 },
      prod,
      ["node pool max must be >= min (5), got 3"],
    ],
  ])("DigitalOcean node pool %s", (_case, props, ctx, expected) => {
    expect(
      ruleMessages(
        "digitalocean-node-pool",
        { type: K.doNodePool, props: { clusterId: "c", size: "s-4vcpu-8gb", ...props } },
        ctx,
      ),
    ).toEqual(expected);
  });

  test("Linode: prod requires an HA control plane; autoscaler bounds checked everywhere", () => {
    const lke = (props: Record<string, unknown>): PolicyResource => ({
      type: K.lkeCluster,
      props: {
        label: "botfleet",
        region: "eu-central",
        k8sVersion: "1.33",
        pools: [{ type: "g6-standard-2", count: 3, autoscaler: { min: 2, max: 5 } }],
        ...props,
      },
    });
    expect(ruleMessages("linode-cluster", lke({ controlPlane: { highAvailability: true } }), prod)).toEqual(
      [],
    );
    expect(ruleMessages("linode-cluster", lke({}), dev)).toEqual([]);
    expect(ruleMessages("linode-cluster", lke({}), prod)).toEqual([
      "controlPlane.highAvailability must be true in a prod stack, got nothing",
    ]);
    expect(
      ruleMessages(
        "linode-cluster",
        lke({ pools: [{ type: "g6-standard-2", count: 1, autoscaler: { min: 0, max: 0 } }] }),
        dev,
      ),
    ).toEqual(["pools[0].autoscaler min must be >= 1, got 0"]);
  });
});

describe("more checklist rules (docs/hardening.md)", () => {
  test("a NodePort Service is refused; ClusterIP passes", () => {
    const svc = (type: string): PolicyResource => ({
      type: K.service,
      name: "api",
      props: { metadata: { name: "api", namespace: "botfleet-bots" }, spec: { type } },
    });
    expect(ruleMessages("no-node-port", svc("NodePort"))).toEqual([
      "Service type NodePort is not allowed: it opens the port on every node",
    ]);
    expect(ruleMessages("no-node-port", svc("ClusterIP"))).toEqual([]);
  });

  test("StatefulSet claims need a size and Retain/Retain; a set without claims passes", () => {
    expect(ruleMessages("statefulset-claims-retained", trader())).toEqual([]);
    const unsized = mutate(trader(), (p) => {
      p.spec.volumeClaimTemplates = [{ metadata: { name: "data" }, spec: { resources: { requests: {} } } }];
    });
    expect(ruleMessages("statefulset-claims-retained", unsized)).toEqual([
      'volumeClaimTemplate "data" must request a storage size',
      "persistentVolumeClaimRetentionPolicy must be Retain/Retain, got nothing",
    ]);
    const retained = mutate(unsized, (p) => {
      p.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "1Gi";
      p.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Retain", whenScaled: "Retain" };
    });
    expect(ruleMessages("statefulset-claims-retained", retained)).toEqual([]);
  });

  test("a CronJob that may overlap, start late for ever, keep a TTL or restart Always is refused", () => {
    const cron = (spec: Json, job: Json, restartPolicy?: string): PolicyResource => ({
      type: K.cronJob,
      name: "rebalance",
      props: {
        spec: {
          schedule: "@daily",
          ...spec,
          jobTemplate: { spec: { ...job, template: { spec: { ...podSpec(), restartPolicy } } } },
        },
      },
    });
    expect(
      ruleMessages(
        "cronjob-never-overlaps",
        cron({ concurrencyPolicy: "Forbid", startingDeadlineSeconds: 300 }, {}, "Never"),
      ),
    ).toEqual([]);
    expect(
      ruleMessages("cronjob-never-overlaps", cron({}, { ttlSecondsAfterFinished: 10 }, "Always")),
    ).toEqual([
      "concurrencyPolicy must be Forbid (a second run trades twice), got nothing",
      "startingDeadlineSeconds must be set",
      "jobTemplate must not set ttlSecondsAfterFinished, got 10",
      'restartPolicy must be OnFailure or Never, got "Always"',
    ]);
  });
});

describe("selector, network policy, RBAC and redis-cli rules", () => {
  test("a selector that does not match its own pod template is refused", () => {
    expect(ruleMessages("selector-matches-template", trader())).toEqual([]);
    const off = mutate(
      trader(),
      (p) => (p.spec.selector.matchLabels = { "app.kubernetes.io/instance": "eth-bot" }),
    );
    expect(ruleMessages("selector-matches-template", off)).toEqual([
      expect.stringMatching(/^selector .*eth-bot.* does not match the pod template's labels/),
    ]);
  });

  const policy = (egress: Json[]): PolicyResource => ({
    type: K.networkPolicy,
    name: "db-out",
    props: { metadata: { name: "db-out", namespace: "botfleet-data" }, spec: { podSelector: {}, egress } },
  });

  test("an egress rule with no peers and no ports, or DNS to anywhere, is refused", () => {
    expect(
      ruleMessages("egress-rules-scoped", policy([{}, { ports: [{ protocol: "UDP", port: 53 }] }])),
    ).toEqual([
      "egress[0] has no peers and no ports: it allows everything",
      "egress[1] allows DNS to anywhere; send it to kube-dns only",
    ]);
    const dns = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] };
    expect(ruleMessages("egress-rules-scoped", policy([{ ...dns, ports: [{ port: 53 }] }]))).toEqual([]);
  });

  test("internet egress must except the private and metadata ranges, the same list the components use", () => {
    expect(PACK_PRIVATE_CIDRS).toEqual(PRIVATE_AND_METADATA_CIDRS);
    expect(
      ruleMessages("internet-egress-excepts-private", policy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }])),
    ).toEqual([
      "egress[0] to 0.0.0.0/0 must except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16",
    ]);
    const excepted = { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_AND_METADATA_CIDRS] } }] };
    expect(ruleMessages("internet-egress-excepts-private", policy([excepted]))).toEqual([]);
  });

  test("RBAC: wildcards, reading Secrets, exec and cluster-admin bindings are refused", () => {
    const role = (rules: Json[]): PolicyResource => ({
      type: K.role,
      name: "r",
      props: { metadata: { name: "r", namespace: "botfleet-bots" }, rules },
    });
    expect(
      ruleMessages(
        "rbac-least-privilege",
        role([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
      ),
    ).toEqual([expect.stringMatching(/reads Secrets or execs\/attaches into pods$/)]);
    expect(
      ruleMessages("rbac-least-privilege", role([{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }])),
    ).toEqual([expect.stringMatching(/uses a wildcard$/)]);
    expect(
      ruleMessages("rbac-least-privilege", role([{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }])),
    ).toEqual([]);
    const binding: PolicyResource = {
      type: K.clusterRoleBinding,
      name: "b",
      props: { roleRef: { kind: "ClusterRole", name: "cluster-admin" } },
    };
    expect(ruleMessages("rbac-least-privilege", binding)).toEqual(["must never bind cluster-admin"]);
  });

  test("redis-cli with -a is refused; REDISCLI_AUTH passes", () => {
    const probe = (command: string[]) =>
      mutate(trader(), (p) => (p.spec.template.spec.containers[0].readinessProbe = { exec: { command } }));
    expect(ruleMessages("redis-cli-password-from-env", probe(["redis-cli", "-a", "pw", "ping"]))).toEqual([
      'container "bot": redis-cli must read the password from REDISCLI_AUTH, not -a (it shows in ps)',
    ]);
    expect(ruleMessages("redis-cli-password-from-env", probe(["redis-cli", "ping"]))).toEqual([]);
  });
});

describe("probes on native sidecars and database rules", () => {
  test("an init container that keeps running (restartPolicy Always) needs probes like any container", () => {
    const sidecar = mutate(
      trader(),
      (p) => (p.spec.template.spec.initContainers[0].restartPolicy = "Always"),
    );
    expect(ruleMessages("probes", sidecar)).toEqual([
      'initContainer "copy-config": readinessProbe is required',
      'initContainer "copy-config": livenessProbe is required',
    ]);
    expect(ruleMessages("probes", trader())).toEqual([]);
  });

  const db = (name: string, component: string, spec: Json = {}, pod: Json = {}): PolicyResource => {
    const labels = { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": component };
    return {
      type: K.statefulSet,
      name,
      props: {
        metadata: { name, namespace: "botfleet-data" },
        spec: {
          serviceName: "postgres-headless",
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "postgres", image: "postgres:17.2" }], ...pod },
          },
          ...spec,
        },
      },
    };
  };

  test("a Postgres server pod must start in order, chown on mismatch only, and probe pg_isready on 127.0.0.1", () => {
    expect(ruleMessages("postgres-pod", db("pg", "primary", { podManagementPolicy: "Parallel" }))).toEqual([
      'podManagementPolicy must be OrderedReady, got "Parallel"',
      "fsGroupChangePolicy must be OnRootMismatch, got nothing",
      "/tmp needs an emptyDir (read-only root filesystem)",
      "/var/run/postgresql needs an emptyDir (read-only root filesystem)",
      "readiness and liveness probes must run pg_isready -h 127.0.0.1",
      "a startupProbe must cover WAL replay",
    ]);
    const probe = { exec: { command: ["pg_isready", "-q", "-h", "127.0.0.1"] } };
    const good = db(
      "pg",
      "primary",
      {},
      {
        securityContext: { fsGroupChangePolicy: "OnRootMismatch" },
        containers: [
          {
            name: "postgres",
            image: "postgres:17.2",
            volumeMounts: [{ mountPath: "/tmp" }, { mountPath: "/var/run/postgresql" }],
            readinessProbe: probe,
            livenessProbe: { ...probe, periodSeconds: 20 },
            startupProbe: probe,
          },
        ],
      },
    );
    expect(ruleMessages("postgres-pod", good)).toEqual([]);
    expect(ruleMessages("postgres-pod", db("pg-backup", "backup"))).toEqual([]);
  });

  test("required anti-affinity once a database has two pods, even across StatefulSets", () => {
    expect(stackMessages("database-anti-affinity", [db("pg-primary", "primary")])).toEqual([]);
    expect(
      stackMessages("database-anti-affinity", [db("pg-primary", "primary"), db("pg-replica", "replica")]),
    ).toEqual([
      "pg-primary: postgres runs 2 pods: each needs required hostname anti-affinity",
      "pg-replica: postgres runs 2 pods: each needs required hostname anti-affinity",
    ]);
  });
});

describe("helpers", () => {
  test.each<[string, boolean]>([
    ["hummingbot/hummingbot:version-2.5.0", true],
    [`ghcr.io/acme/bot@sha256:${"a".repeat(64)}`, true],
    ["localhost:5000/bot:1.2", true],
    ["localhost:5000/bot", false],
    ["redis", false],
    ["redis:latest", false],
    [`bot@sha256:${"a".repeat(63)}`, false],
  ])("isPinnedImage(%s) = %s", (image, pinned) => expect(isPinnedImage(image)).toBe(pinned));

  test.each<[string, boolean]>([
    [`hummingbot/hummingbot:version-2.5.0@sha256:${"a".repeat(64)}`, true],
    [`ghcr.io/acme/bot@sha256:${"a".repeat(64)}`, true],
    ["hummingbot/hummingbot:version-2.5.0", false],
    [`bot@sha256:${"a".repeat(64)}@sha256:${"b".repeat(64)}`, false],
    [`bot@sha256:${"A".repeat(64)}`, false],
  ])("isDigestImage(%s) = %s", (image, pinned) => expect(isDigestImage(image)).toBe(pinned));

  test("prod-images-by-digest: a tag is refused in prod only, in every container of every workload", () => {
    const tagged = mutate(trader(), (p) => {
      p.spec.template.spec.containers[0].image = "hummingbot/hummingbot:version-2.5.0";
      p.spec.template.spec.initContainers[0].image = "busybox:1.37.0";
    });
    expect(ruleMessages("prod-images-by-digest", tagged, prod)).toEqual([
      'initContainer "copy-config": prod runs images pinned by digest only (<repo>:<tag>@sha256:<64 hex>), got "busybox:1.37.0"; promotion pins them (scripts/promote.ts, README "Prod images")',
      'container "bot": prod runs images pinned by digest only (<repo>:<tag>@sha256:<64 hex>), got "hummingbot/hummingbot:version-2.5.0"; promotion pins them (scripts/promote.ts, README "Prod images")',
    ]);
    expect(ruleMessages("prod-images-by-digest", tagged, dev)).toEqual([]);
    expect(ruleMessages("prod-images-by-digest", trader(), prod)).toEqual([]);
  });

  test("environment from policy config, else from the stack name in the URN", () => {
    expect(stackOfUrn("urn:pulumi:prod::botfleet::kubernetes:apps/v1:StatefulSet::btc")).toBe("prod");
    expect(environmentOf("acme/prod")).toBe("prod");
    expect(environmentOf("eu-production")).toBe("prod");
    expect(environmentOf("product")).toBe("dev");
    expect(environmentOf("dev", "prod")).toBe("prod");
  });

  test("evaluate() reports rule, resource and message; fromHarness adapts mock records", () => {
    const r = fromHarness({
      type: K.doCluster,
      name: "cluster",
      inputs: { ha: false, nodePool: { nodeCount: 2 } },
    });
    expect(evaluate([r], prod)).toEqual([
      {
        rule: "digitalocean-cluster",
        type: K.doCluster,
        name: "cluster",
        urn: undefined,
        message: "ha must be true in a prod stack, got false",
      },
    ]);
  });
});
