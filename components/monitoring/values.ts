/**
 * Helm values for kube-prometheus-stack. Pure, and free of secrets: credentials reach the chart only as
 * names of Secrets the component creates (Grafana admin, Alertmanager config). Every path set here must
 * be in CHART_VALUE_PATHS (tested).
 */
import { bytes } from "../../config/common";
import type { ComponentResources, MonitoringConfig } from "../../config/monitoring";
import { crdsUpgradeJobValues } from "./crds-upgrade";
import { DASHBOARD_LABEL, PROMETHEUS_DATASOURCE } from "./dashboards";
import type { Environment } from "../../config/environment";
import { EVERY_TAINT, type PodPlacement } from "../specs/placement";
import { grafanaIni, grafanaLoginEnv } from "./grafana-login";

export const RELEASE_NAME = "kps";
export const CHART_REPO = "https://prometheus-community.github.io/helm-charts";
export const CHART_NAME = "kube-prometheus-stack";

/** Names of the Secrets the component creates and the chart consumes. */
export const GRAFANA_ADMIN_SECRET = "botfleet-grafana-admin";
export const GRAFANA_ADMIN_USER_KEY = "admin-user";
export const GRAFANA_ADMIN_PASSWORD_KEY = "admin-password";
export const ALERTMANAGER_CONFIG_SECRET = "botfleet-alertmanager-config";
/** The Role the component creates for Grafana's sidecars (ConfigMaps of the monitoring namespace only). */
export const GRAFANA_SIDECAR_ROLE = "botfleet-grafana-sidecar";

/** The Grafana Service the chart creates (`<release>-grafana`, port 80). */
export const GRAFANA_SERVICE = `${RELEASE_NAME}-grafana`;

export interface ValuesArgs {
  readonly config: MonitoringConfig;
  readonly environment: Environment;
  /** The release's namespace (`platform.namespaces.monitoring`): the one the sidecar and operator watch. */
  readonly namespace: string;
  /** The privileged namespace node-exporter runs in (`platform.namespaces.nodeExporter`). */
  readonly nodeExporterNamespace: string;
  /** Node selector and tolerations onto the stack's monitoring pool (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
}

/** Grafana's public URL when the ingress is on ("https://<host>/"): OAuth redirects come back to it. */
export function grafanaRootUrl(config: MonitoringConfig): string | undefined {
  return config.ingress?.enabled === true ? `https://${config.ingress.host}/` : undefined;
}

function resources(r: ComponentResources) {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

function claimTemplate(size: string, storageClass: string | undefined) {
  return {
    volumeClaimTemplate: {
      spec: {
        ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: size } },
      },
    },
  };
}

/** Share of the Prometheus PVC the TSDB may fill before the oldest blocks go (WAL and compaction need the rest). */
export const RETENTION_SIZE_SHARE = 0.85;

/**
 * Size-based retention for a PVC of `storage` ("100Gi" -> "87040MB"). Prometheus' units are powers of two
 * (1MB = 1024KB), the same as the quantity's "Mi"/"Gi"; whole MB match the operator's ByteSize pattern.
 */
export function retentionSize(storage: string): string {
  return `${Math.floor((bytes(storage) * RETENTION_SIZE_SHARE) / 2 ** 20)}MB`;
}

export function buildHelmValues(args: ValuesArgs): Record<string, unknown> {
  const c = args.config;
  const placement = args.placement ?? {};
  // In prod the monitoring PVCs outlive an uninstall: history and silences survive a botched upgrade.
  const retainPvcs =
    args.environment === "prod" ? { whenDeleted: "Retain", whenScaled: "Retain" } : undefined;
  return {
    // Helm never upgrades CRDs: the chart's hook Job applies them before every install, upgrade and rollback.
    crds: { enabled: true, upgradeJob: crdsUpgradeJobValues(c.resources.crdsUpgrade) },
    defaultRules: { create: true },
    // node-exporter needs hostNetwork, hostPID and hostPath, which only `privileged` admits: it runs in a
    // namespace of its own so the monitoring namespace can stay `restricted` (charts/prometheus-node-exporter
    // templates/_helpers.tpl at prometheus-node-exporter-4.56.1: namespaceOverride moves the DaemonSet,
    // its Service, ServiceAccount and ServiceMonitor).
    nodeExporter: { enabled: true },
    // A DaemonSet: it must run under every taint, a dedicated pool's included (the chart tolerates NoSchedule only).
    "prometheus-node-exporter": { namespaceOverride: args.nodeExporterNamespace, tolerations: EVERY_TAINT },
    // Managed control planes (DOKS, LKE) and kind do not expose these: their scrapes would fail and
    // KubeControllerManagerDown, KubeSchedulerDown, KubeProxyDown and the etcd alerts would fire forever.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    alertmanager: {
      enabled: true,
      alertmanagerSpec: {
        // The chart must not render its own (null-routed) config Secret; ours is the only config.
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
        storage: claimTemplate(c.storage.alertmanager, c.storageClass),
        resources: resources(c.resources.alertmanager),
        ...placement,
        ...(retainPvcs ? { persistentVolumeClaimRetentionPolicy: retainPvcs } : {}),
      },
    },
    prometheus: {
      prometheusSpec: {
        retention: c.retention,
        // Whichever limit is hit first wins: a full volume would stop Prometheus, and with it every alert.
        retentionSize: retentionSize(c.storage.prometheus),
        storageSpec: claimTemplate(c.storage.prometheus, c.storageClass),
        resources: resources(c.resources.prometheus),
        ...placement,
        ...(retainPvcs ? { persistentVolumeClaimRetentionPolicy: retainPvcs } : {}),
        // Select rules and monitors by the `release: kps` label (ours carry it), not every object in the cluster.
        ruleSelectorNilUsesHelmValues: true,
        serviceMonitorSelectorNilUsesHelmValues: true,
        podMonitorSelectorNilUsesHelmValues: true,
      },
    },
    prometheusOperator: {
      resources: resources(c.resources.operator),
      ...placement,
      // `--namespaces=<monitoring>,<node-exporter>`: the operator watches only where our Prometheus,
      // Alertmanager, rules and monitors live (templates/prometheus-operator/deployment.yaml), and its
      // admission webhooks match only those namespaces (admission-webhooks/*WebhookConfiguration.yaml).
      // Its ClusterRole stays cluster-wide: clusterrole.yaml at 88.5.3 has no namespaced variant.
      namespaces: { releaseNamespace: true, additional: [args.nodeExporterNamespace] },
    },
    "kube-state-metrics": {
      resources: resources(c.resources.kubeStateMetrics),
      ...placement,
      // No `secrets` collector, so its ClusterRole gets no rule on Secrets (kube-state-metrics-8.4.0
      // templates/role.yaml adds one only for an active `secrets` collector; _helpers.tpl subtracts this).
      collectorsExclude: ["secrets"],
    },
    grafana: {
      enabled: true,
      defaultDashboardsTimezone: "utc",
      // Sign-in: each person through the identity provider when `login` is set; `admin` is break-glass.
      "grafana.ini": grafanaIni({ login: c.login, rootUrl: grafanaRootUrl(c) }),
      ...(c.login !== undefined ? { envValueFrom: grafanaLoginEnv(c.login) } : {}),
      admin: {
        existingSecret: GRAFANA_ADMIN_SECRET,
        userKey: GRAFANA_ADMIN_USER_KEY,
        passwordKey: GRAFANA_ADMIN_PASSWORD_KEY,
      },
      persistence: {
        enabled: true,
        type: "pvc",
        size: c.storage.grafana,
        accessModes: ["ReadWriteOnce"],
        ...(c.storageClass !== undefined ? { storageClassName: c.storageClass } : {}),
      },
      // A ReadWriteOnce volume cannot attach to the new pod while the old one holds it.
      deploymentStrategy: { type: "Recreate" },
      // The chart's init-chown-data runs as root with CHOWN and DAC_OVERRIDE, which `restricted` refuses;
      // the pod's fsGroup (472) already makes the volume Grafana's.
      initChownData: { enabled: false },
      // A Role and RoleBinding in the monitoring namespace, not a ClusterRole reading every ConfigMap and
      // Secret (grafana-12.11.1 templates/clusterrole.yaml renders only when rbac.namespaced is false). The
      // chart's own Role would read the namespace's Secrets too (templates/role.yaml): ours reads ConfigMaps.
      rbac: { namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE },
      resources: resources(c.resources.grafana),
      ...placement,
      // The component creates the Ingress itself (TLS via cert-manager, validated like every object).
      ingress: { enabled: false },
      sidecar: {
        dashboards: {
          enabled: true,
          label: Object.keys(DASHBOARD_LABEL)[0],
          labelValue: Object.values(DASHBOARD_LABEL)[0],
          // Our dashboards are ConfigMaps in the monitoring namespace; the chart's `NAMESPACE` env var.
          searchNamespace: [args.namespace],
          resource: "configmap",
        },
        // kube-prometheus-stack's datasource is a ConfigMap in the release namespace (its default).
        datasources: { uid: PROMETHEUS_DATASOURCE.uid, resource: "configmap" },
      },
    },
  };
}
