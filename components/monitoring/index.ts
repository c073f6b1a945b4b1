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
import { CILIUM_API_VERSION, CILIUM_KIND } from "../specs/cilium";
import { standardLabels } from "../specs/labels";
import { ALERTMANAGER_CONFIG_KEY, renderAlertmanagerConfig } from "./alertmanager";
import { DASHBOARD_LABEL, allDashboards } from "./dashboards";
import { grafanaIngressAnnotations, grafanaIngressSpec } from "./grafana-ingress";
import { GRAFANA_LOGIN_SECRET, GRAFANA_LOGIN_SECRET_KEY } from "./grafana-login";
import type { GrafanaLoginSecrets } from "../../config/grafana-login";
import { grafanaSidecarRules } from "./grafana-role";
import { MONITOR_LABELS, podMonitors } from "./monitors";
import { SMTP_PORTS, monitoringCiliumPolicies, monitoringNetworkPolicies } from "./network-policies";
import { renderAlertGroups } from "./rules";
import {
  ALERTMANAGER_CONFIG_SECRET,
  CHART_NAME,
  CHART_REPO,
  GRAFANA_ADMIN_PASSWORD_KEY,
  GRAFANA_ADMIN_SECRET,
  GRAFANA_ADMIN_USER_KEY,
  GRAFANA_SIDECAR_ROLE,
  RELEASE_NAME,
  buildHelmValues,
} from "./values";
import type { Environment } from "../../config/environment";
import type { MonitoringNamespaces } from "../../config/platform";
import type { PodPlacement } from "../specs/placement";

export interface MonitoringArgs {
  /** Provider of the target cluster; every Kubernetes resource uses it. */
  readonly provider: k8s.Provider;
  readonly namespaces: MonitoringNamespaces;
  /** Validated `botfleet:monitoring`. */
  readonly config: MonitoringConfig;
  /** Resolved secret `botfleet:alerting`; without a receiver the stack deploys with a warning. */
  readonly alerting?: Secretify<AlertingConfig>;
  /** Resolved secret `botfleet:grafanaLogin`: required (by the config loader) when `config.login` is set. */
  readonly grafanaLogin?: Secretify<GrafanaLoginSecrets>;
  readonly environment: Environment;
  /** The stack's credentials; Grafana's admin password is `grafana-admin`. */
  readonly credentials: Credentials;
  /** Protect the Helm release from deletion. @default environment === "prod" */
  readonly protect?: boolean;
  /** Node and in-VPC API server addresses Prometheus may reach. @default the private ranges */
  readonly clusterCidrs?: readonly string[];
  /**
   * The API server's address as the cluster resource reports it ("x.x.x.x/32"): known on the first `up`.
   * A non-empty `config.apiServerCidrs` replaces it. @default []
   */
  readonly apiServerCidrs?: pulumi.Input<readonly string[]>;
  /**
   * Warn when, once the cluster exists, no API server address is known: pass true where the endpoint is
   * public and only an `ipBlock` can allow it (LKE). @default false
   */
  readonly warnMissingApiServerCidrs?: boolean;
  /**
   * The cluster enforces policies with Cilium (DOKS): add CiliumNetworkPolicies for the node scrapes, the
   * API server and the operator's webhook, which Cilium never matches by `ipBlock`. @default false
   */
  readonly cilium?: boolean;
  /** Node selector and tolerations onto the stack's monitoring pool (specs/placement.ts). @default anywhere */
  readonly placement?: PodPlacement;
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
    // The stack's override wins; otherwise the address the cloud reported when it created the cluster.
    const apiServerCidrs: pulumi.Output<readonly string[]> =
      args.config.apiServerCidrs.length > 0
        ? pulumi.output(args.config.apiServerCidrs)
        : pulumi.output(args.apiServerCidrs ?? []);
    if (args.warnMissingApiServerCidrs ?? false) {
      apiServerCidrs.apply((cidrs) => {
        const warning = missingApiServerCidrsWarning(cidrs);
        if (warning !== undefined) void pulumi.log.warn(warning, this);
      });
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

    // Grafana reads the OAuth client secret from this Secret through an env var (values.ts envValueFrom).
    const grafanaLogin: pulumi.Resource[] = [];
    if (args.config.login !== undefined) {
      if (args.grafanaLogin === undefined)
        throw new Error(
          "monitoring.login is set but botfleet:grafanaLogin is missing (the config loader requires it)",
        );
      grafanaLogin.push(
        new k8s.core.v1.Secret(
          `${name}-grafana-login`,
          {
            metadata: meta("grafana", GRAFANA_LOGIN_SECRET),
            type: "Opaque",
            stringData: { [GRAFANA_LOGIN_SECRET_KEY]: args.grafanaLogin.clientSecret },
          },
          child,
        ),
      );
    }

    // The chart's RoleBinding points at it (rbac.useExistingRole): it must exist before Grafana starts.
    const grafanaRole = new k8s.rbac.v1.Role(
      `${name}-grafana-sidecar`,
      { metadata: meta("grafana", GRAFANA_SIDECAR_ROLE), rules: grafanaSidecarRules() },
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

    // Every allow the chart's pods need exists before Helm starts them (its admission hook Jobs included):
    // under the namespace's default deny an atomic install would otherwise time out and roll back.
    const ingress = args.config.ingress;
    const tls = args.config.ingress?.enabled === true;
    // CertificateExpiringSoon needs cert-manager's metrics: scraped only where it issues Grafana's certificate.
    const certManagerNamespace = tls ? args.config.ingress?.certManagerNamespace : undefined;
    const receiverPorts = args.alerting?.email !== undefined ? SMTP_PORTS : [];
    const policiesFor = (cidrs: readonly string[]) =>
      monitoringNetworkPolicies({
        namespaces: args.namespaces,
        ingressControllerNamespace: ingress?.enabled ? ingress.controllerNamespace : undefined,
        grafanaLogin: args.config.login !== undefined,
        receiverPorts,
        clusterCidrs: args.clusterCidrs,
        apiServerCidrs: cidrs,
        certManagerNamespace,
      });
    // Which policies exist never depends on the address; only their rules do (resolved on the first `up`).
    const resolvedPolicies = apiServerCidrs.apply(policiesFor);
    const policies: pulumi.Resource[] = policiesFor([]).map(
      ({ name: policyName }) =>
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${policyName}`,
          {
            metadata: meta("network", policyName),
            spec: resolvedPolicies.apply((all) => all.find((p) => p.name === policyName)!.spec),
          },
          child,
        ),
    );
    if (args.cilium ?? false) {
      for (const p of monitoringCiliumPolicies()) {
        policies.push(
          new k8s.apiextensions.CustomResource(
            `${name}-${p.name}`,
            {
              apiVersion: CILIUM_API_VERSION,
              kind: CILIUM_KIND,
              metadata: meta("network", p.name),
              spec: p.spec,
            },
            child,
          ),
        );
      }
    }

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
        values: buildHelmValues({
          config: args.config,
          environment: args.environment,
          namespace: ns,
          nodeExporterNamespace: args.namespaces.nodeExporter,
          placement: args.placement,
        }),
      },
      {
        ...child,
        dependsOn: [grafanaAdmin, ...grafanaLogin, alertmanagerConfig, grafanaRole, ...policies],
        protect: args.protect ?? args.environment === "prod",
      },
    );

    const afterRelease = { ...child, dependsOn: [release] };
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
