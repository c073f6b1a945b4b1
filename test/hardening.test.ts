/** The hardening checker must fail on the things it exists to catch; otherwise it proves nothing. */
import type { RegisteredResource } from "../lib/mockrun";
import { hardeningViolations } from "./support/hardening";

const namespaces = { bots: "bots", data: "data", monitoring: "mon" };

function k8s(type: string, inputs: Record<string, unknown>): RegisteredResource {
  return {
    type,
    name: "x",
    custom: true,
    inputs,
    redacted: inputs,
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    parent: "",
    provider: "",
  };
}

const goodContainer = {
  name: "app",
  image: "example/app:1.0.0",
  ports: [{ name: "http", containerPort: 8080 }],
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 1000,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
  readinessProbe: { httpGet: { path: "/ready", port: "http" } },
  livenessProbe: { httpGet: { path: "/health", port: "http" } },
};
const labels = { "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "a" };

function deployment(container: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return k8s("kubernetes:apps/v1:Deployment", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "bots" },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [container],
          ...extra,
        },
      },
    },
  });
}

test("a hardened Deployment passes", () => {
  expect(hardeningViolations([deployment(goodContainer)], { namespaces })).toEqual([]);
});

test.each([
  [
    "privilege escalation",
    { securityContext: { ...goodContainer.securityContext, allowPrivilegeEscalation: true } },
    "[2]",
  ],
  ["root", { securityContext: { ...goodContainer.securityContext, runAsUser: 0 } }, "[3]"],
  [
    "capabilities kept",
    { securityContext: { ...goodContainer.securityContext, capabilities: { drop: [] } } },
    "[5]",
  ],
  [
    "SYS_ADMIN added",
    {
      securityContext: {
        ...goodContainer.securityContext,
        capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
      },
    },
    "[5]",
  ],
  [
    "writable root",
    { securityContext: { ...goodContainer.securityContext, readOnlyRootFilesystem: false } },
    "[8]",
  ],
  ["no memory limit", { resources: { requests: { cpu: "1", memory: "1Gi" } } }, "[9]"],
  ["latest image", { image: "example/app:latest" }, "[10]"],
  ["untagged image", { image: "example/app" }, "[10]"],
  ["no liveness probe", { livenessProbe: undefined }, "[11]"],
  ["same probes", { livenessProbe: goodContainer.readinessProbe }, "[11]"],
  ["probe on an undeclared port", { livenessProbe: { httpGet: { path: "/", port: 9999 } } }, "[11]"],
  ["literal password env", { env: [{ name: "DB_PASSWORD", value: "hunter2" }] }, "[30]"],
  ["redis-cli -a", { readinessProbe: { exec: { command: ["redis-cli", "-a", "pw", "ping"] } } }, "[12]"],
])("catches %s", (_name, override, item) => {
  const violations = hardeningViolations([deployment({ ...goodContainer, ...override })], { namespaces });
  expect(violations.some((v) => v.startsWith(item))).toBe(true);
});

test.each([
  ["hostPath volume", { volumes: [{ name: "h", hostPath: { path: "/" } }] }, "[7]"],
  ["host network", { hostNetwork: true }, "[6]"],
  ["token automount", { automountServiceAccountToken: true }, "[29]"],
])("catches pod-level %s", (_name, extra, item) => {
  expect(
    hardeningViolations([deployment(goodContainer, extra)], { namespaces }).some((v) => v.startsWith(item)),
  ).toBe(true);
});

test("catches an HPA-scaled Deployment with replicas, a PDB-less replicated workload and a blocking PDB", () => {
  const dep = deployment(goodContainer);
  (dep.inputs.spec as Record<string, unknown>).replicas = 3;
  const hpa = k8s("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", {
    apiVersion: "autoscaling/v2",
    metadata: { name: "app", namespace: "bots" },
    spec: { scaleTargetRef: { kind: "Deployment", name: "app" }, minReplicas: 1, maxReplicas: 1 },
  });
  const v = hardeningViolations([dep, hpa], { namespaces });
  expect(v).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^\[16\]/),
      expect.stringMatching(/^\[15\] HPA app: needs minReplicas >= 2/),
      expect.stringMatching(/^\[15\] HPA app: needs a scale-down stabilization window/),
    ]),
  );
  const single = deployment(goodContainer);
  const pdb = k8s("kubernetes:policy/v1:PodDisruptionBudget", {
    metadata: { name: "app", namespace: "bots" },
    spec: { selector: { matchLabels: labels }, maxUnavailable: 0, unhealthyPodEvictionPolicy: "AlwaysAllow" },
  });
  expect(hardeningViolations([single, pdb], { namespaces })).toEqual([
    expect.stringMatching(/^\[17\] PDB app: allows no disruption/),
  ]);
  const twoReplicas = deployment(goodContainer);
  (twoReplicas.inputs.spec as Record<string, unknown>).replicas = 2;
  expect(hardeningViolations([twoReplicas], { namespaces })).toEqual([
    expect.stringMatching(/^\[17\] .* 2 replicas need a PodDisruptionBudget/),
    expect.stringMatching(/^\[18\]/),
  ]);
});

test("a live trader must be shielded from drains and the autoscaler; its blocking PDB is not a violation", () => {
  const live = { ...labels, "botfleet.io/workload": "trader", "botfleet.io/mode": "live" };
  const trader = (annotations?: Record<string, string>, podLabels = live) =>
    k8s("kubernetes:apps/v1:StatefulSet", {
      metadata: { name: "a", namespace: "bots" },
      spec: {
        replicas: 1,
        serviceName: "traders",
        selector: { matchLabels: labels },
        updateStrategy: { type: "OnDelete" },
        template: {
          metadata: { labels: podLabels, ...(annotations ? { annotations } : {}) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [goodContainer],
          },
        },
      },
    });
  const headless = k8s("kubernetes:core/v1:Service", {
    metadata: { name: "traders", namespace: "bots" },
    spec: { clusterIP: "None", selector: labels },
  });
  const blocking = k8s("kubernetes:policy/v1:PodDisruptionBudget", {
    metadata: { name: "a", namespace: "bots" },
    spec: { selector: { matchLabels: labels }, maxUnavailable: 0, unhealthyPodEvictionPolicy: "AlwaysAllow" },
  });
  const pinned = { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" };
  const v17 = (rs: RegisteredResource[]) =>
    hardeningViolations(rs, { namespaces }).filter((x) => x.startsWith("[17]"));
  expect(v17([trader(pinned), headless, blocking])).toEqual([]);
  expect(v17([trader(), headless])).toEqual([
    "[17] StatefulSet bots/a: a live trader needs a PodDisruptionBudget with maxUnavailable: 0",
    '[17] StatefulSet bots/a: a live trader\'s pods need cluster-autoscaler.kubernetes.io/safe-to-evict: "false"',
  ]);
  // The same budget on a paper trader blocks drains for nothing.
  expect(v17([trader(undefined, { ...live, "botfleet.io/mode": "paper" }), headless, blocking])).toEqual([
    expect.stringMatching(/^\[17\] PDB a: allows no disruption of StatefulSet bots\/a/),
  ]);
});

test("catches namespaces without default deny or with the wrong Pod Security level, and open internet egress", () => {
  const ns = k8s("kubernetes:core/v1:Namespace", {
    metadata: { name: "data", labels: { "pod-security.kubernetes.io/enforce": "baseline" } },
  });
  const egress = k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
    metadata: { name: "db-out", namespace: "data" },
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
      egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
    },
  });
  expect(hardeningViolations([ns, egress], { namespaces })).toEqual([
    "[1] Namespace data: pod-security enforce must be restricted",
    "[25] Namespace data: needs a default-deny NetworkPolicy for Ingress and Egress",
    "[27] NetworkPolicy db-out: internet egress must except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16",
    "[27] NetworkPolicy db-out: only bots, backups and Alertmanager may reach the internet",
  ]);
});

test("catches StatefulSets without a headless Service or retained claims, and unsafe CronJobs", () => {
  const sts = k8s("kubernetes:apps/v1:StatefulSet", {
    metadata: { name: "db", namespace: "bots" },
    spec: {
      serviceName: "db",
      selector: { matchLabels: labels },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: {} } } }],
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [goodContainer],
        },
      },
    },
  });
  const cron = k8s("kubernetes:batch/v1:CronJob", {
    metadata: { name: "job", namespace: "bots" },
    spec: {
      schedule: "@daily",
      jobTemplate: {
        spec: {
          ttlSecondsAfterFinished: 10,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Always",
              automountServiceAccountToken: false,
              securityContext: { seccompProfile: { type: "RuntimeDefault" } },
              containers: [goodContainer],
            },
          },
        },
      },
    },
  });
  const v = hardeningViolations([sts, cron], { namespaces });
  expect(v).toEqual([
    expect.stringMatching(/^\[19\] StatefulSet bots\/db: serviceName db must name a headless Service/),
    expect.stringMatching(/^\[20\] .*claim data needs a size/),
    expect.stringMatching(/^\[20\] .*Retain\/Retain/),
    expect.stringMatching(/^\[24\] .*concurrencyPolicy must be Forbid/),
    expect.stringMatching(/^\[24\] .*startingDeadlineSeconds/),
    expect.stringMatching(/^\[24\] .*no ttlSecondsAfterFinished/),
    expect.stringMatching(/^\[24\] .*restartPolicy/),
  ]);
});

test("catches a secret value in a ConfigMap and RBAC that reads secrets", () => {
  const cm = k8s("kubernetes:core/v1:ConfigMap", {
    metadata: { name: "cfg", namespace: "bots" },
    data: { "conf.yml": "password: FAKESECRET-0-x" },
  });
  const role = k8s("kubernetes:rbac.authorization.k8s.io/v1:Role", {
    metadata: { name: "r", namespace: "bots" },
    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
  });
  expect(hardeningViolations([cm, role], { namespaces })).toEqual([
    "[29] Role r: must not read secrets or exec/attach",
    "[30] ConfigMap cfg: holds a secret value",
  ]);
});

test("catches a derived password, which has no recognisable prefix, in a ConfigMap", () => {
  const cm = k8s("kubernetes:core/v1:ConfigMap", {
    metadata: { name: "cfg", namespace: "bots" },
    data: { "conf.yml": "password: Xk3v9QpL2mN8rT5wY7zA1bC4dE6fG0hJ" },
  });
  expect(hardeningViolations([cm], { namespaces })).toEqual([]);
  expect(
    hardeningViolations([cm], { namespaces, secretValues: ["Xk3v9QpL2mN8rT5wY7zA1bC4dE6fG0hJ"] }),
  ).toEqual(["[30] ConfigMap cfg: holds a secret value"]);
});

test("requires hard anti-affinity once a database has two pods, even across StatefulSets", () => {
  const db = (name: string, component: string) =>
    k8s("kubernetes:apps/v1:StatefulSet", {
      metadata: { name, namespace: "data" },
      spec: {
        serviceName: "none",
        replicas: 1,
        selector: {
          matchLabels: { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": component },
        },
        template: {
          metadata: {
            labels: { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": component },
          },
          spec: { containers: [] },
        },
      },
    });
  const only = hardeningViolations([db("pg-primary", "primary")], { namespaces }).filter((v) =>
    v.startsWith("[18]"),
  );
  expect(only).toEqual([]);
  const pair = hardeningViolations([db("pg-primary", "primary"), db("pg-replica", "replica")], {
    namespaces,
  });
  expect(pair.filter((v) => v.startsWith("[18]"))).toEqual([
    "[18] StatefulSet data/pg-primary: databases with 2 pods need required hostname anti-affinity",
    "[18] StatefulSet data/pg-replica: databases with 2 pods need required hostname anti-affinity",
  ]);
});
