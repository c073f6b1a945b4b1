/**
 * The chart's CRD upgrade hook and what each chart service account may read, under Pulumi's mocks: the values
 * the Release receives, the Job's pod as kube-prometheus-stack 88.5.3 renders it from them, the network
 * policies that select it, the Grafana sidecar's Role, and the quota room the hook needs.
 */
import * as pulumi from "@pulumi/pulumi";
import { selects } from "../../policy/network";
import { testCredentials } from "../support/credentials";
import { COMPONENT_ONLY, policyViolations, type Recorded } from "../support/policy";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A recorded resource whose inputs the assertions walk freely. */
interface Rec extends Recorded {
  readonly inputs: Obj;
}
const registered: Rec[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
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
const { monitoringSchema } = require("../../config/monitoring") as typeof import("../../config/monitoring");
const { platformSchema } = require("../../config/platform") as typeof import("../../config/platform");
const upgrade =
  require("../../components/monitoring/crds-upgrade") as typeof import("../../components/monitoring/crds-upgrade");
const { GRAFANA_SIDECAR_ROLE } =
  require("../../components/monitoring/values") as typeof import("../../components/monitoring/values");
const { kubePrometheusStack } = require("../../lib/capacity") as typeof import("../../lib/capacity");
const { quotaProblems } = require("../../lib/quota") as typeof import("../../lib/quota");
/* eslint-enable @typescript-eslint/no-require-imports */

const platform = platformSchema.parse({});
const NAMESPACES = platform.namespaces;
const config = monitoringSchema.parse({});

async function settled(): Promise<void> {
  let last = -1;
  while (last !== registered.length) {
    last = registered.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ofType = (suffix: string) => registered.filter((r) => r.type.endsWith(suffix));
/** The value at a dotted path ("grafana.rbac"). */
const at = (v: unknown, path: string): Obj[string] =>
  path.split(".").reduce<Obj | undefined>((o, k) => o?.[k], v as Obj);

/**
 * The hook Job as charts/crds/templates/upgrade/job.yaml (tag kube-prometheus-stack-88.5.3) renders it from
 * `crds.upgradeJob` values: its image expressions, the shared resources and security contexts, podLabels
 * as the pod template's only labels. Enough of the template for the policy pack's pod rules.
 */
function renderedJob(job: Obj): Rec {
  const b = job.image.busybox;
  const k = job.image.kubectl;
  const busybox = `${b.registry}/${b.repository}:${b.tag}${job.image.sha ? `@sha256:${b.sha}` : ""}`;
  const kubectl = `${k.registry}/${k.repository}:${k.tag}${k.sha ? `@sha256:${k.sha}` : ""}`;
  const container = (name: string, image: string) => ({
    name,
    image,
    imagePullPolicy: name === "busybox" ? b.pullPolicy : k.pullPolicy,
    resources: job.resources,
    securityContext: job.containerSecurityContext,
    env: Object.entries(job.env ?? {}).map(([n, v]) => ({ name: n, value: String(v) })),
    volumeMounts: [{ mountPath: "/tmp/", name: "tmp" }, ...(job.extraVolumeMounts ?? [])],
  });
  return {
    type: "kubernetes:batch/v1:Job",
    name: "kps-crds-upgrade",
    inputs: {
      metadata: { name: "kps-crds-upgrade", namespace: NAMESPACES.monitoring },
      spec: {
        backoffLimit: 3,
        template: {
          metadata: { labels: job.podLabels },
          spec: {
            automountServiceAccountToken: job.automountServiceAccountToken,
            serviceAccountName: "kps-crds-upgrade",
            initContainers: [container("busybox", busybox)],
            containers: [container("kubectl", kubectl)],
            volumes: [
              { name: "tmp", emptyDir: {} },
              { name: "crds", configMap: { name: "kps-crds-upgrade" } },
              ...(job.extraVolumes ?? []),
            ],
            restartPolicy: "OnFailure",
            securityContext: job.podSecurityContext,
          },
        },
      },
    },
  };
}

describe("chart permissions and the CRD upgrade hook (mocks)", () => {
  let values: Obj;

  beforeAll(async () => {
    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
    const m = new Monitoring("mon", {
      provider,
      namespaces: NAMESPACES,
      config,
      credentials: testCredentials(),
      environment: "prod",
      cilium: true,
    });
    await new Promise((r) => m.urn.apply(r));
    await settled();
    values = ofType(":Release")[0].inputs.values as Obj;
  });

  test("the CRD upgrade hook is on, with pinned images, the configured resources and restricted contexts", () => {
    const job = at(values, "crds.upgradeJob");
    expect(job.enabled).toBe(true);
    expect(job.forceConflicts).toBe(true);
    expect(job.image.busybox).toMatchObject({ registry: "docker.io", tag: "1.37.0" });
    // No digest we could not check at its source; job.yaml appends one only when `image.sha` is set.
    expect([job.image.sha, job.image.busybox.sha]).toEqual(["", ""]);
    expect(job.image.kubectl).toMatchObject({ registry: "registry.k8s.io", repository: "kubectl" });
    expect(job.image.kubectl.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(job.resources).toEqual(config.resources.crdsUpgrade);
    expect(job.podSecurityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(job.containerSecurityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(job.podLabels).toEqual(upgrade.CRDS_UPGRADE_POD_LABELS);
  });

  test("the Job's pod as the chart renders it passes the policy pack; without the contexts it does not", () => {
    const job = at(values, "crds.upgradeJob");
    const rendered = renderedJob(job);
    const spec = rendered.inputs.spec.template.spec;
    expect(spec.initContainers[0].image).toBe("docker.io/library/busybox:1.37.0");
    expect(spec.containers[0].image).toBe(`registry.k8s.io/kubectl:${upgrade.KUBECTL_IMAGE.tag}`);
    // templates/upgrade/serviceaccount.yaml
    const account: Recorded = {
      type: "kubernetes:core/v1:ServiceAccount",
      name: "kps-crds-upgrade",
      inputs: {
        metadata: { name: "kps-crds-upgrade", namespace: NAMESPACES.monitoring },
        automountServiceAccountToken: job.serviceAccount.automountServiceAccountToken,
      },
    };
    expect(policyViolations([rendered, account], { skip: COMPONENT_ONLY })).toEqual([]);
    // kubectl finds the token, CA and namespace where in-cluster clients look for them.
    const token = spec.volumes.find((v: Obj) => v.projected !== undefined);
    expect(token.projected.sources.map((src: Obj) => Object.keys(src)[0])).toEqual([
      "serviceAccountToken",
      "configMap",
      "downwardAPI",
    ]);
    expect(spec.containers[0].volumeMounts).toContainEqual({
      name: token.name,
      mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
      readOnly: true,
    });

    const bare = renderedJob({ ...job, containerSecurityContext: undefined, podSecurityContext: undefined });
    expect(policyViolations([bare], { skip: COMPONENT_ONLY }).length).toBeGreaterThan(2);
    const floating = renderedJob({
      ...job,
      image: { ...job.image, sha: "", busybox: { ...job.image.busybox, tag: "latest" } },
    });
    expect(policyViolations([floating], { skip: COMPONENT_ONLY }).join("\n")).toMatch(/busybox:latest/);
  });

  test("the Job's pods reach the API server (NetworkPolicy and Cilium) and nothing else of their own", () => {
    const podLabels = at(values, "crds.upgradeJob.podLabels") as Record<string, string>;
    const inMonitoring = ofType("networking.k8s.io/v1:NetworkPolicy").filter(
      (p) => p.inputs.metadata.namespace === NAMESPACES.monitoring,
    );
    const selecting = inMonitoring.filter((p) => selects(p.inputs.spec.podSelector, podLabels));
    // The namespace-wide allow (same namespace) and the API server egress; none to the internet.
    expect(selecting.map((p) => p.inputs.metadata.name).sort()).toEqual([
      "monitoring-same-namespace",
      "monitoring-same-namespace-ingress",
      "operator-apiserver-egress",
    ]);
    const apiserver = selecting.find((p) => p.inputs.metadata.name === "operator-apiserver-egress")!;
    expect(apiserver.inputs.spec.policyTypes).toEqual(["Egress"]);
    const ports = apiserver.inputs.spec.egress.flatMap((e: Obj) => e.ports.map((p: Obj) => p.port));
    expect([...new Set(ports)].sort()).toEqual([443, 6443]);

    const cilium = ofType("CiliumNetworkPolicy")
      .map((c) => c.inputs)
      .filter((c) => selects(c.spec.endpointSelector, podLabels));
    expect(cilium.map((c) => c.metadata.name)).toEqual(["operator-apiserver-cilium"]);
    expect(cilium[0].spec.egress).toEqual([expect.objectContaining({ toEntities: ["kube-apiserver"] })]);
  });

  test("the quota holds the hook on top of every running pod, and a quota without that room is refused", () => {
    const kps = kubePrometheusStack(NAMESPACES.monitoring, "kps", values);
    const hook = kps.workloads.find((w) => w.name === "kps-crds-upgrade")!;
    expect(hook).toMatchObject({ kind: "Job", namespace: NAMESPACES.monitoring, podsMax: 1 });
    // busybox runs before kubectl: the pod needs one container's requests, 50m / 128Mi.
    expect(hook.pod.requests).toEqual({ cpuMillis: 50, memoryBytes: 128 * 2 ** 20 });
    const inventory = { workloads: kps.workloads, volumes: kps.volumes, loadBalancers: [], unreadable: [] };
    expect(quotaProblems(inventory, platform, 3)).toEqual([]);

    // Exactly the pods the release keeps running: the hook's pod is one too many.
    const running = kps.workloads.filter((w) => w.namespace === NAMESPACES.monitoring && w !== hook).length;
    const tight = {
      ...platform,
      quotas: { ...platform.quotas, monitoring: { ...platform.quotas.monitoring, pods: running } },
    };
    expect(quotaProblems(inventory, tight, 3)).toEqual([
      `botfleet:platform.quotas.monitoring.pods: namespace ${NAMESPACES.monitoring} needs ${running + 1} pods (HPAs at max), more than the quota's ${running}; raise it or shrink the fleet`,
    ]);
  });

  test("Grafana's sidecar reads ConfigMaps of the monitoring namespace only, through our Role", () => {
    expect(at(values, "grafana.rbac")).toEqual({ namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE });
    expect(at(values, "grafana.sidecar.dashboards.searchNamespace")).toEqual([NAMESPACES.monitoring]);
    expect(at(values, "grafana.sidecar.dashboards.resource")).toBe("configmap");
    expect(at(values, "grafana.sidecar.datasources.resource")).toBe("configmap");
    const roles = ofType("rbac.authorization.k8s.io/v1:Role");
    expect(roles.map((r) => r.inputs.metadata)).toEqual([
      expect.objectContaining({ name: GRAFANA_SIDECAR_ROLE, namespace: NAMESPACES.monitoring }),
    ]);
    expect(roles[0].inputs.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    ]);
    expect(ofType(":ClusterRole")).toEqual([]);
    // The chart's RoleBinding names the Role: it exists before the release.
    expect(JSON.stringify(roles[0].inputs)).not.toMatch(/secrets/);
  });

  test("kube-state-metrics has no Secret collector; the operator watches its namespaces only", () => {
    expect(at(values, "kube-state-metrics.collectorsExclude")).toEqual(["secrets"]);
    expect(at(values, "kube-state-metrics.collectors")).toBeUndefined();
    expect(at(values, "prometheusOperator.namespaces")).toEqual({
      releaseNamespace: true,
      additional: [NAMESPACES.nodeExporter],
    });
  });

  test("node-exporter runs in its own namespace; monitoring pods need no root (Grafana's chown init is off)", () => {
    expect(at(values, "prometheus-node-exporter.namespaceOverride")).toBe(NAMESPACES.nodeExporter);
    expect(NAMESPACES.nodeExporter).not.toBe(NAMESPACES.monitoring);
    expect(at(values, "grafana.initChownData.enabled")).toBe(false);
    const kps = kubePrometheusStack(NAMESPACES.monitoring, "kps", values);
    expect(kps.workloads.find((w) => w.name === "kps-node-exporter")?.namespace).toBe(
      NAMESPACES.nodeExporter,
    );
  });
});
