import { CHART_VALUE_PATHS, unknownValuePaths, valuePaths } from "../../components/monitoring/chart-values";
import {
  ALERTMANAGER_CONFIG_SECRET,
  GRAFANA_ADMIN_SECRET,
  buildHelmValues,
} from "../../components/monitoring/values";
import { monitoringSchema } from "../../config/monitoring";

/** The value at a dotted path ("grafana.admin.existingSecret"). */
const at = (values: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], values);

const full = monitoringSchema.parse({
  storageClass: "do-block-storage",
  ingress: {
    enabled: true,
    host: "grafana.example.com",
    clusterIssuer: "letsencrypt-prod",
    email: "ops@example.com",
  },
});
const variants = [
  ["defaults, dev", buildHelmValues({ config: monitoringSchema.parse({}), environment: "dev" })],
  ["storage class + ingress, prod", buildHelmValues({ config: full, environment: "prod" })],
] as const;

describe("kube-prometheus-stack values", () => {
  test.each(variants)("%s: every value path is in the checked list", (_label, values) => {
    expect(unknownValuePaths(values)).toEqual([]);
    expect(valuePaths(values).length).toBeGreaterThan(25);
  });

  test("a path outside the list is reported (the check can fail)", () => {
    const values = {
      ...variants[0][1],
      grafana: { adminPassword: "x" },
      prometheus: { prometheusSpec: { retentionSize: "1" } },
    };
    expect(unknownValuePaths(values).sort()).toEqual([
      "grafana.adminPassword",
      "prometheus.prometheusSpec.retentionSize",
    ]);
    // Inside a Kubernetes-object subtree any key is fine; next to it, not.
    expect(unknownValuePaths({ prometheusOperator: { resources: { limits: { memory: "1Gi" } } } })).toEqual(
      [],
    );
    expect(unknownValuePaths({ prometheusOperator: { resourcesX: 1 } })).toEqual([
      "prometheusOperator.resourcesX",
    ]);
  });

  test("the list itself has no duplicates", () => {
    expect(new Set(CHART_VALUE_PATHS).size).toBe(CHART_VALUE_PATHS.length);
  });

  test.each(variants)("%s: no secret in values, only names of Secrets", (_label, values) => {
    const text = JSON.stringify(values);
    for (const p of valuePaths(values)) {
      // Keys that would carry a credential; references to existing Secrets are the allowed form.
      const key = p.slice(p.lastIndexOf(".") + 1);
      if (/password|token|secret|webhook|routing|api_?url|apikey/i.test(key)) {
        expect({
          p,
          allowed: ["existingSecret", "configSecret", "useExistingSecret", "passwordKey"].includes(key),
        }).toEqual({
          p,
          allowed: true,
        });
      }
    }
    expect(text).not.toMatch(/hooks\.slack\.com|api\.telegram\.org|events\.pagerduty\.com|prom-operator/);
    expect(at(values, "grafana.admin.existingSecret")).toBe(GRAFANA_ADMIN_SECRET);
    expect(at(values, "alertmanager.alertmanagerSpec.configSecret")).toBe(ALERTMANAGER_CONFIG_SECRET);
    expect(at(values, "alertmanager.alertmanagerSpec.useExistingSecret")).toBe(true);
  });

  test("retention, PVC sizes, storage class and resources come from config", () => {
    const v = variants[1][1];
    expect(at(v, "prometheus.prometheusSpec.retention")).toBe("15d");
    expect(at(v, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec")).toEqual({
      storageClassName: "do-block-storage",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "50Gi" } },
    });
    expect(
      at(v, "alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage"),
    ).toBe("5Gi");
    expect(at(v, "grafana.persistence")).toMatchObject({
      enabled: true,
      size: "5Gi",
      storageClassName: "do-block-storage",
    });
    expect(at(v, "prometheus.prometheusSpec.resources")).toEqual({
      requests: { cpu: "500m", memory: "2Gi" },
      limits: { memory: "4Gi" },
    });
    // Prod keeps PVCs when the StatefulSets go; dev does not.
    expect(at(v, "prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy")).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(
      at(variants[0][1], "prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy"),
    ).toBeUndefined();
    expect(
      at(variants[0][1], "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName"),
    ).toBeUndefined();
  });

  test("the dashboard sidecar looks for the label our ConfigMaps carry", () => {
    const g = at(variants[0][1], "grafana");
    expect(at(g, "sidecar.dashboards")).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
    });
    expect(at(g, "sidecar.datasources.uid")).toBe("prometheus");
  });
});
