/**
 * The monitoring stack: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, operator) from a pinned
 * chart, plus the fleet's alert rules, PodMonitors, dashboards, alert routing and network policies.
 * Thin: every object is built by a pure function in this folder.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Secretify } from "../../config/common";
import {
  durationSeconds,
  missingApiServerCidrsWarning,
  noReceiverWarning,
  type AlertingConfig,
  type MonitoringConfig,
} from "../../config/monitoring";
import type { Credentials } from "../../lib/credentials";
import { standardLabels } from "../specs/labels";
import { ALERTMANAGER_CONFIG_KEY, renderAlertmanagerConfig } from "./alertmanager";
import { DASHBOARD_LABEL, allDashboards } from "./dashboards";
import { grafanaIngressAnnotations, grafanaIngressSpec } from "./grafana-ingress";
import { MONITOR_LABELS, podMonitors } from "./monitors";
import { SMTP_PORTS, monitoringNetworkPolicies } from "./network-policies";
import { renderAlertGroups } from "./rules";
import {
  ALERTMANAGER_CONFIG_SECRET,
  CHART_NAME,
  CHART_REPO,
  GRAFANA_ADMIN_PASSWORD_KEY,
  GRAFANA_ADMIN_SECRET,
  GRAFANA_ADMIN_USER_KEY,
  RELEASE_NAME,
  buildHelmValues,
} from "./values";

export interface MonitoringArgs {
  /** Provider of the target cluster; every Kubernetes resource uses it. */
  readonly provider: k8s.Provider;
  readonly namespaces: { readonly bots: string; readonly data: string; readonly monitoring: string };
  /** Validated `botfleet:monitoring`. */
  readonly config: MonitoringConfig;
  /** Resolved secret `botfleet:alerting`; without a receiver the stack deploys with a warning. */
  readonly alerting?: Secretify<AlertingConfig>;
  readonly environment: "dev" | "staging" | "prod" | "local";
  /** The stack's credentials; Grafana's admin password is `grafana-admin`. */
  readonly credentials: Credentials;
  /** Protect the Helm release from deletion. @default environment === "prod" */
  readonly protect?: boolean;
  /** Node and in-VPC API server addresses Prometheus may reach. @default the private ranges */
  readonly clusterCidrs?: readonly string[];
  /**
   * The API server endpoint when it is public (e.g. the DOKS endpoint IP as "x.x.x.x/32").
   * @default config.apiServerCidrs
   */
  readonly apiServerCidrs?: readonly string[];
  /**
   * Warn (once) when no API server CIDR is set: pass true where the endpoint is public (DigitalOcean, Linode).
   * @default false
   */
  readonly warnMissingApiServerCidrs?: boolean;
}

export class Monitoring extends pulumi.ComponentResource {
  /** The kube-prometheus-stack release (undefined when monitoring is disabled). */
  readonly release?: k8s.helm.v3.Release;
  /** Grafana admin password, derived from the seed (secret). */
  readonly grafanaAdminPassword?: pulumi.Output<string>;
  /** https URL of Grafana when the ingress is enabled. */
  readonly grafanaUrl?: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:monitoring:Monitoring", name, {}, opts);
    if (!args.config.enabled) {
      this.registerOutputs({});
      return;
    }
    const warning = noReceiverWarning(args.alerting);
    if (warning !== undefined) pulumi.log.warn(warning, this);
    const apiServerCidrs = args.apiServerCidrs ?? args.config.apiServerCidrs;
    const apiServerWarning = missingApiServerCidrsWarning(apiServerCidrs);
    if ((args.warnMissingApiServerCidrs ?? false) && apiServerWarning !== undefined) {
      pulumi.log.warn(apiServerWarning, this);
    }

    const child = { parent: this, provider: args.provider };
    const ns = args.namespaces.monitoring;
    const meta = (component: string, objectName: string, extra: Record<string, string> = {}) => ({
      name: objectName,
      namespace: ns,
      labels: standardLabels({ name: "monitoring", instance: name, component }, extra),
    });

    const password = args.credentials.get("grafana-admin");
    const grafanaAdmin = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: meta("grafana", GRAFANA_ADMIN_SECRET),
        type: "Opaque",
        stringData: { [GRAFANA_ADMIN_USER_KEY]: "admin", [GRAFANA_ADMIN_PASSWORD_KEY]: password },
      },
      child,
    );

    // Unwraps the secret leaves; the rendered YAML stays a secret Output and lands only in stringData.
    const alerting = pulumi.output(args.alerting ?? {}) as pulumi.Output<AlertingConfig>;
    const alertmanagerConfig = new k8s.core.v1.Secret(
      `${name}-alertmanager-config`,
      {
        metadata: meta("alertmanager", ALERTMANAGER_CONFIG_SECRET),
        type: "Opaque",
        stringData: { [ALERTMANAGER_CONFIG_KEY]: pulumi.secret(alerting.apply(renderAlertmanagerConfig)) },
      },
      child,
    );

    const release = new k8s.helm.v3.Release(
      `${name}-kps`,
      {
        name: RELEASE_NAME,
        chart: CHART_NAME,
        version: args.config.chartVersion,
        repositoryOpts: { repo: CHART_REPO },
        namespace: ns,
        createNamespace: false,
        // Roll back a failed upgrade instead of leaving a half-applied monitoring stack.
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        values: buildHelmValues({ config: args.config, environment: args.environment }),
      },
      {
        ...child,
        dependsOn: [grafanaAdmin, alertmanagerConfig],
        protect: args.protect ?? args.environment === "prod",
      },
    );

    const afterRelease = { ...child, dependsOn: [release] };
    const tls = args.config.ingress?.enabled === true;
    // CertificateExpiringSoon needs cert-manager's metrics: scraped only where it issues Grafana's certificate.
    const certManagerNamespace = tls ? args.config.ingress?.certManagerNamespace : undefined;
    new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: meta("rules", "botfleet-alerts", MONITOR_LABELS),
        spec: {
          groups: renderAlertGroups({
            namespaces: args.namespaces,
            backupMaxAgeSeconds: durationSeconds(args.config.backupMaxAge),
            runbookBaseUrl: args.config.runbookBaseUrl,
            tls,
          }),
        },
      },
      afterRelease,
    );
    for (const m of podMonitors(args.namespaces, certManagerNamespace)) {
      new k8s.apiextensions.CustomResource(
        `${name}-${m.name}`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: meta("scrape", m.name, MONITOR_LABELS),
          spec: m.spec,
        },
        afterRelease,
      );
    }

    for (const d of allDashboards({ namespaces: args.namespaces })) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${d.uid}`,
        {
          metadata: meta("dashboard", `dashboard-${d.uid}`, DASHBOARD_LABEL),
          data: { [`${d.uid}.json`]: JSON.stringify(d) },
        },
        child,
      );
    }

    const ingress = args.config.ingress;
    const receiverPorts = args.alerting?.email !== undefined ? SMTP_PORTS : [];
    for (const p of monitoringNetworkPolicies({
      namespaces: args.namespaces,
      ingressControllerNamespace: ingress?.enabled ? ingress.controllerNamespace : undefined,
      receiverPorts,
      clusterCidrs: args.clusterCidrs,
      apiServerCidrs,
      certManagerNamespace,
    })) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${p.name}`,
        { metadata: meta("network", p.name), spec: p.spec },
        child,
      );
    }

    if (ingress?.enabled) {
      new k8s.networking.v1.Ingress(
        `${name}-grafana`,
        {
          metadata: { ...meta("grafana", "grafana"), annotations: grafanaIngressAnnotations(ingress) },
          spec: grafanaIngressSpec(ingress),
        },
        afterRelease,
      );
      this.grafanaUrl = `https://${ingress.host}`;
    }

    this.release = release;
    this.grafanaAdminPassword = password;
    this.registerOutputs({
      release: release.status,
      grafanaAdminPassword: password,
      grafanaUrl: this.grafanaUrl,
    });
  }
}
