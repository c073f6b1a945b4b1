/** The pods Helm releases render that the program never sees as objects: estimates and chart values. */
import { type VolumeDemand, type WorkloadDemand, asRecord, int } from "./inventory";
import { type TolerationLike, readPlacement } from "./placement";
import { type ContainerLike, podResources } from "./pods";
import { parseQuantity } from "./quantities";

const r = (cpu: string, memory: string, cpuLimit?: string, memoryLimit?: string) => ({
  requests: { cpu, memory },
  limits: { ...(cpuLimit ? { cpu: cpuLimit } : {}), ...(memoryLimit ? { memory: memoryLimit } : {}) },
});

/**
 * Per-container estimates for kube-prometheus-stack pods whose resources the program leaves at the
 * chart default (`resources: {}` in the chart's values.yaml, so the scheduler would charge nothing,
 * although they do use the node). Values set by the program's Helm values always win.
 *
 * Sources:
 * - config reloader sidecar/init of Prometheus and Alertmanager: prometheus-operator's defaults,
 *   `--config-reloader-cpu-request` 10m, `--config-reloader-memory-request` 50Mi, limits the same
 *   (operator CLI reference; CHANGELOG 0.65, #5539 lowered the CPU request from 100m to 10m).
 * - node-exporter 102m/180Mi (limits 250m/180Mi), kube-state-metrics 10m/190Mi, Prometheus 400Mi,
 *   Alertmanager 4m/100Mi, Grafana 100m/100Mi, operator 100m/100Mi: the component defaults of
 *   prometheus-operator/kube-prometheus (jsonnet/kube-prometheus/components/*.libsonnet).
 * - Grafana's k8s-sidecar containers (dashboards, datasources): 10m/64Mi each, our estimate; the
 *   chart sets none.
 */
export const KPS_ESTIMATES = {
  configReloader: r("10m", "50Mi", "10m", "50Mi"),
  prometheus: r("0", "400Mi"),
  alertmanager: r("4m", "100Mi", "100m", "100Mi"),
  grafana: r("100m", "100Mi", "200m", "200Mi"),
  grafanaSidecar: r("10m", "64Mi"),
  operator: r("100m", "100Mi", "200m", "200Mi"),
  kubeStateMetrics: r("10m", "190Mi", "100m", "250Mi"),
  nodeExporter: r("102m", "180Mi", "250m", "180Mi"),
} as const;

/**
 * The CRD upgrade hook Job (crds.upgradeJob): one pod, busybox as init container then kubectl, each with
 * `crds.upgradeJob.resources`. It runs before every install, upgrade and rollback, while every other pod of
 * the release still runs, so the namespace's quota must hold it on top of them: counted like a running pod.
 * Estimate when the values set none: the chart sets none (`resources: {}`), so the LimitRange's defaults.
 */
export const CRDS_UPGRADE_ESTIMATE = r("100m", "128Mi", undefined, "256Mi");

function pick(values: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = values;
  for (const p of path) cur = asRecord(cur)[p];
  return cur;
}

/** Resources from the values at `path` when the program set requests there, else the estimate. */
function chartContainer(
  values: Record<string, unknown>,
  path: string[],
  estimate: ContainerLike["resources"],
) {
  const set = asRecord(pick(values, path));
  const fromValues = Object.keys(asRecord(set.requests)).length > 0;
  return { resources: fromValues ? (set as ContainerLike["resources"]) : estimate, fromValues };
}

/** The pods and volumes a kube-prometheus-stack release renders, from the values the program set. */
export function kubePrometheusStack(
  namespace: string,
  release: string,
  values: Record<string, unknown>,
): { workloads: WorkloadDemand[]; volumes: VolumeDemand[] } {
  const workloads: WorkloadDemand[] = [];
  const volumes: VolumeDemand[] = [];
  const enabled = (path: string[], byDefault = true) => {
    const v = pick(values, path);
    return typeof v === "boolean" ? v : byDefault;
  };
  const add = (
    name: string,
    containers: { resources?: ContainerLike["resources"]; fromValues: boolean }[],
    pods: number,
    extra: {
      kind?: string;
      note?: string;
      namespace?: string;
      perNode?: boolean;
      inits?: ContainerLike[];
      claimsPerPod?: number;
      sharedClaims?: string[];
      /** Where the pod's nodeSelector and tolerations are in the values. */
      placementAt?: string[];
      defaultTolerations?: TolerationLike[];
    } = {},
  ) => {
    const pod = podResources({ containers, initContainers: extra.inits ?? [] });
    workloads.push({
      kind: extra.kind ?? (extra.perNode ? "DaemonSet" : "Pod"),
      namespace: extra.namespace ?? namespace,
      name: `${release}-${name}`,
      podsMin: pods,
      podsMax: pods,
      perNode: extra.perNode ?? false,
      pod,
      source: containers.every((c) => c.fromValues) ? "chart values" : "estimate",
      note: extra.note ?? "helm chart",
      ...(extra.claimsPerPod ? { claimsPerPod: extra.claimsPerPod } : {}),
      ...(extra.sharedClaims?.length ? { sharedClaims: extra.sharedClaims } : {}),
      placement: readPlacement(
        extra.placementAt === undefined ? {} : pick(values, extra.placementAt),
        extra.defaultTolerations,
      ),
    });
  };
  const reloader = { resources: KPS_ESTIMATES.configReloader, fromValues: false };
  /** Records the claim template's volumes; returns the claims each pod attaches (0 or 1). */
  const claim = (name: string, spec: unknown, count: number): number => {
    const size = parseQuantity(
      pick(asRecord(spec), ["volumeClaimTemplate", "spec", "resources", "requests", "storage"]),
    );
    if (size === undefined) return 0;
    volumes.push({ namespace, name: `${release}-${name}`, bytes: size, count, source: "chart values" });
    return 1;
  };

  if (enabled(["prometheus", "enabled"])) {
    const spec = ["prometheus", "prometheusSpec"];
    const replicas = int(pick(values, [...spec, "replicas"]), 1);
    const claimsPerPod = claim("prometheus", pick(values, [...spec, "storageSpec"]), replicas);
    add(
      "prometheus",
      [chartContainer(values, [...spec, "resources"], KPS_ESTIMATES.prometheus), reloader],
      replicas,
      { inits: [reloader], claimsPerPod, placementAt: spec },
    );
  }
  if (enabled(["alertmanager", "enabled"])) {
    const spec = ["alertmanager", "alertmanagerSpec"];
    const replicas = int(pick(values, [...spec, "replicas"]), 1);
    const claimsPerPod = claim("alertmanager", pick(values, [...spec, "storage"]), replicas);
    add(
      "alertmanager",
      [chartContainer(values, [...spec, "resources"], KPS_ESTIMATES.alertmanager), reloader],
      replicas,
      { inits: [reloader], claimsPerPod, placementAt: spec },
    );
  }
  if (enabled(["grafana", "enabled"])) {
    const sidecars = ["dashboards", "datasources"].filter((s) =>
      enabled(["grafana", "sidecar", s, "enabled"]),
    );
    const sidecar = chartContainer(values, ["grafana", "sidecar", "resources"], KPS_ESTIMATES.grafanaSidecar);
    // The chart's persistence is one claim its Deployment's pods share.
    const persistence = asRecord(pick(values, ["grafana", "persistence"]));
    const size = parseQuantity(persistence.size);
    const persisted = persistence.enabled === true && size !== undefined;
    if (persisted)
      volumes.push({ namespace, name: `${release}-grafana`, bytes: size, count: 1, source: "chart values" });
    add(
      "grafana",
      [
        chartContainer(values, ["grafana", "resources"], KPS_ESTIMATES.grafana),
        ...sidecars.map(() => sidecar),
      ],
      int(pick(values, ["grafana", "replicas"]), 1),
      {
        placementAt: ["grafana"],
        ...(persisted ? { sharedClaims: [`${namespace}/${release}-grafana`] } : {}),
      },
    );
  }
  if (enabled(["prometheusOperator", "enabled"]))
    add(
      "operator",
      [chartContainer(values, ["prometheusOperator", "resources"], KPS_ESTIMATES.operator)],
      1,
      { placementAt: ["prometheusOperator"] },
    );
  if (enabled(["kubeStateMetrics", "enabled"]))
    add(
      "kube-state-metrics",
      [chartContainer(values, ["kube-state-metrics", "resources"], KPS_ESTIMATES.kubeStateMetrics)],
      int(pick(values, ["kube-state-metrics", "replicas"]), 1),
      { placementAt: ["kube-state-metrics"] },
    );
  if (enabled(["nodeExporter", "enabled"])) {
    // The sub-chart's namespaceOverride moves the DaemonSet out of the release namespace.
    const override = pick(values, ["prometheus-node-exporter", "namespaceOverride"]);
    add(
      "node-exporter",
      [chartContainer(values, ["prometheus-node-exporter", "resources"], KPS_ESTIMATES.nodeExporter)],
      1,
      // The node-exporter chart's default (prometheus-node-exporter 4.56.1 values.yaml): every NoSchedule taint.
      {
        perNode: true,
        placementAt: ["prometheus-node-exporter"],
        defaultTolerations: [{ operator: "Exists", effect: "NoSchedule" }],
        ...(typeof override === "string" && override !== "" ? { namespace: override } : {}),
      },
    );
  }
  if (enabled(["crds", "upgradeJob", "enabled"], false)) {
    const job = chartContainer(values, ["crds", "upgradeJob", "resources"], CRDS_UPGRADE_ESTIMATE);
    add("crds-upgrade", [job], 1, {
      kind: "Job",
      inits: [job],
      note: "helm hook: runs alongside the release's pods on install, upgrade and rollback",
    });
  }
  return { workloads, volumes };
}

/**
 * The official metrics-server chart's own defaults (charts/metrics-server/values.yaml at tag
 * metrics-server-helm-chart-3.13.1): `resources.requests` 100m / 200Mi, no limits; the optional
 * addon-resizer ("nanny") sidecar 40m / 25Mi, limits the same.
 */
export const METRICS_SERVER_ESTIMATES = {
  metricsServer: r("100m", "200Mi"),
  addonResizer: r("40m", "25Mi", "40m", "25Mi"),
} as const;

/** The metrics-server pod(s) a release renders: `replicas` of them, with the values' resources. */
export function metricsServerChart(
  namespace: string,
  release: string,
  values: Record<string, unknown>,
): WorkloadDemand {
  const main = chartContainer(values, ["resources"], METRICS_SERVER_ESTIMATES.metricsServer);
  const containers = [main];
  if (pick(values, ["addonResizer", "enabled"]) === true)
    containers.push(
      chartContainer(values, ["addonResizer", "resources"], METRICS_SERVER_ESTIMATES.addonResizer),
    );
  const replicas = int(pick(values, ["replicas"]), 1);
  return {
    kind: "Deployment",
    namespace,
    name: release,
    podsMin: replicas,
    podsMax: replicas,
    perNode: false,
    pod: podResources({ containers }),
    source: containers.every((c) => c.fromValues) ? "chart values" : "estimate",
    note: "helm chart",
    placement: readPlacement(values),
  };
}
