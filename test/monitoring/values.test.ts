import { CHART_VALUE_PATHS, unknownValuePaths, valuePaths } from "../../components/monitoring/chart-values";
import * as path from "path";
import {
  ALERTMANAGER_CONFIG_SECRET,
  GRAFANA_ADMIN_SECRET,
  buildHelmValues,
  retentionSize,
} from "../../components/monitoring/values";
import { monitoringSchema } from "../../config/monitoring";
import { removeDir, run, tempDir } from "./tools";

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
const NS = { namespace: "botfleet-monitoring", nodeExporterNamespace: "botfleet-node-exporter" };
const variants = [
  ["defaults, dev", buildHelmValues({ config: monitoringSchema.parse({}), environment: "dev", ...NS })],
  ["storage class + ingress, prod", buildHelmValues({ config: full, environment: "prod", ...NS })],
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
      prometheus: { prometheusSpec: { retentionSiz: "1" } },
      kubeEtcd: { enabld: false },
    };
    expect(unknownValuePaths(values).sort()).toEqual([
      "grafana.adminPassword",
      "kubeEtcd.enabld",
      "prometheus.prometheusSpec.retentionSiz",
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
      // Keys that would carry a credential; references to existing Secrets are the allowed form, and the
      // token automount switch only as the boolean false.
      const key = p.slice(p.lastIndexOf(".") + 1);
      if (/password|token|secret|webhook|routing|api_?url|apikey/i.test(key)) {
        const switchedOff = key === "automountServiceAccountToken" && at(values, p) === false;
        expect({
          p,
          allowed:
            switchedOff ||
            ["existingSecret", "configSecret", "useExistingSecret", "passwordKey"].includes(key),
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

  test.each(variants)(
    "%s: control-plane scrapes (and their always-firing alerts) are off on managed clusters",
    (_label, values) => {
      for (const component of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
        expect({ component, enabled: at(values, `${component}.enabled`) }).toEqual({
          component,
          enabled: false,
        });
      }
      expect(CHART_VALUE_PATHS).toEqual(
        expect.arrayContaining([
          "kubeControllerManager.enabled",
          "kubeScheduler.enabled",
          "kubeEtcd.enabled",
          "kubeProxy.enabled",
          "prometheus.prometheusSpec.retentionSize",
        ]),
      );
    },
  );
});

describe("size-based retention", () => {
  let dir: string | undefined;
  beforeAll(() => (dir = tempDir("botfleet-retention-")));
  afterAll(() => removeDir(dir));

  /** Starts Prometheus with the flag and a missing config file: only a bad flag fails before the config load. */
  const prometheusFlagError = (size: string): string | undefined => {
    const r = run("prometheus", [
      `--storage.tsdb.retention.size=${size}`,
      `--config.file=${path.join(dir!, "missing.yml")}`,
      `--storage.tsdb.path=${path.join(dir!, "data")}`,
      "--web.listen-address=127.0.0.1:0",
    ]);
    const out = r.stdout + r.stderr;
    const parseError = /Error parsing commandline arguments.*/.exec(out);
    if (parseError) return parseError[0];
    // The flags parsed: Prometheus got as far as the (missing) config file.
    expect(out).toMatch(/Error loading config/);
    return undefined;
  };
  // The Prometheus CRD's ByteSize pattern (prometheus-operator), which the operator's API server validation applies.
  const BYTE_SIZE = /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;

  test("about 85% of the PVC, in whole MB (Prometheus MB are MiB)", () => {
    expect(retentionSize("50Gi")).toBe("43520MB");
    expect(retentionSize("100Gi")).toBe("87040MB");
    expect(retentionSize("2Gi")).toBe("1740MB");
    expect(retentionSize("1Ti")).toBe("891289MB");
  });

  test("the values carry it, derived from the configured storage", () => {
    expect(at(variants[0][1], "prometheus.prometheusSpec.retentionSize")).toBe("43520MB");
    const big = buildHelmValues({
      config: monitoringSchema.parse({ storage: { prometheus: "100Gi" }, retention: "30d" }),
      environment: "prod",
      ...NS,
    });
    expect(at(big, "prometheus.prometheusSpec.retentionSize")).toBe("87040MB");
    expect(at(big, "prometheus.prometheusSpec.retention")).toBe("30d");
  });

  test("Prometheus itself and the operator's ByteSize pattern accept the format; a bad unit is refused", () => {
    for (const storage of ["2Gi", "50Gi", "100Gi", "1Ti"]) {
      const size = retentionSize(storage);
      expect({ size, operator: BYTE_SIZE.test(size), prometheus: prometheusFlagError(size) }).toEqual({
        size,
        operator: true,
        prometheus: undefined,
      });
    }
    // The check can fail: a Kubernetes-style quantity is not a Prometheus size.
    expect(BYTE_SIZE.test("43520Mi")).toBe(false);
    expect(prometheusFlagError("43520Mi")).toMatch(/unknown unit/);
  });
});
