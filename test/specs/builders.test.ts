/** Pure spec builders: no mocks, no engine. */
import { parse } from "yaml";
import { bytes, cpuMillis, isPinnedImage } from "../../config/common";
import { allowedKeys, editDistance, suggest } from "../../config/format";
import { clusterSchema } from "../../config/cluster";
import { CATALOGS } from "../../config/catalog";
import { decodeBase64Kubeconfig, doctlExecKubeconfig } from "../../components/cluster/kubeconfig";
import { poolNodeLabels, poolScaling, POOL_LABEL } from "../../components/cluster/labels";
import { selectorLabels, standardLabels } from "../../components/specs/labels";
import { limitRangeSpec, podSecurityLabels, resourceQuotaSpec } from "../../components/specs/namespace";
import {
  defaultDenySpec,
  dnsEgressSpec,
  internetPeer,
  podsInNamespace,
  PRIVATE_AND_METADATA_CIDRS,
} from "../../components/specs/network";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../components/specs/security";

describe("quantities and images", () => {
  test.each([
    ["250m", 250],
    ["2", 2000],
    ["0.5", 500],
  ])("cpu %s = %d millicores", (q, m) => expect(cpuMillis(q)).toBe(m));

  test.each([
    ["512Mi", 512 * 2 ** 20],
    ["8Gi", 8 * 2 ** 30],
    ["1G", 1e9],
    ["100", 100],
  ])("bytes %s", (q, n) => expect(bytes(q)).toBe(n));

  test.each([
    ["hummingbot/hummingbot:version-2.5.0", true],
    ["freqtradeorg/freqtrade:2025.6", true],
    ["registry.example.com:5000/team/bot:1.2.3", true],
    [`ghcr.io/x/y@sha256:${"a".repeat(64)}`, true],
    ["redis", false],
    ["redis:latest", false],
    ["registry.example.com:5000/team/bot", false],
    ["bad image:1.0", false],
  ])("isPinnedImage(%s) = %s", (image, pinned) => expect(isPinnedImage(image)).toBe(pinned));
});

describe("typo hints", () => {
  test("edit distance", () => {
    expect(editDistance("minNode", "minNodes")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
  test("suggests the near key, not a far one", () => {
    expect(suggest("minNode", ["name", "minNodes", "maxNodes"])).toBe("minNodes");
    expect(suggest("zzzzzz", ["name", "minNodes"])).toBeUndefined();
  });
  test("allowedKeys walks through arrays and defaults", () => {
    expect(allowedKeys(clusterSchema, ["pools", 0])).toEqual([
      "name",
      "size",
      "minNodes",
      "maxNodes",
      "role",
      "dedicated",
      "labels",
      "taints",
    ]);
    expect(allowedKeys(clusterSchema, ["maintenance"])).toEqual(["day", "startTime"]);
  });
});

describe("cloud catalog", () => {
  test.each(Object.entries(CATALOGS))("%s sizes have capacity and a price", (_cloud, catalog) => {
    for (const size of Object.values(catalog.sizes)) {
      expect(size.vcpu).toBeGreaterThan(0);
      expect(size.memoryGiB).toBeGreaterThan(0);
      expect(size.monthlyUsd).toBeGreaterThan(0);
    }
    expect(new Set(catalog.regions).size).toBe(catalog.regions.length);
  });
});

describe("kubeconfigs", () => {
  test("the DOKS kubeconfig for people runs doctl's exec credential and holds no credential", () => {
    const config = parse(
      doctlExecKubeconfig({
        clusterName: "c1",
        clusterId: "0b9c3f0e-1d2a-4c5b-9e8f-7a6b5c4d3e2f",
        server: "https://c1.example",
        caCertificateBase64: "Q0E=",
      }),
    );
    expect(config).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "c1", cluster: { server: "https://c1.example", "certificate-authority-data": "Q0E=" } },
      ],
      users: [
        {
          name: "c1-doctl",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "doctl",
              // doctl's command line, as `doctl kubernetes cluster kubeconfig save` writes it.
              args: "kubernetes cluster kubeconfig exec-credential --version=v1beta1 0b9c3f0e-1d2a-4c5b-9e8f-7a6b5c4d3e2f".split(
                " ",
              ),
            },
          },
        },
      ],
      contexts: [{ name: "c1", context: { cluster: "c1", user: "c1-doctl" } }],
      "current-context": "c1",
    });
  });
  test("LKE's base64 kubeconfig decodes; garbage is refused", () => {
    expect(decodeBase64Kubeconfig(Buffer.from("apiVersion: v1\nkind: Config\n").toString("base64"))).toMatch(
      /^apiVersion: v1/,
    );
    expect(() => decodeBase64Kubeconfig(Buffer.from("nope").toString("base64"))).toThrow(/did not decode/);
  });
});

describe("node pools", () => {
  test("pool labels carry the pool name", () => {
    expect(poolNodeLabels({ name: "bots", labels: { tier: "x" } })).toEqual({
      tier: "x",
      [POOL_LABEL]: "bots",
    });
  });
  test("a pool autoscales only when it may grow", () => {
    expect(poolScaling({ minNodes: 2, maxNodes: 6 })).toEqual({ autoscale: true, min: 2, max: 6 });
    expect(poolScaling({ minNodes: 2, maxNodes: 2 })).toEqual({ autoscale: false, min: 2, max: 2 });
  });
});

describe("labels and security contexts", () => {
  test("standard labels; the selector is their stable subset", () => {
    const labels = standardLabels({ name: "redis", instance: "cache", component: "primary" }, { extra: "1" });
    const selector = selectorLabels({ name: "redis", instance: "cache" });
    expect(labels).toMatchObject({
      "app.kubernetes.io/part-of": "botfleet",
      "app.kubernetes.io/managed-by": "pulumi",
      extra: "1",
    });
    for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
  });
  test("restricted contexts", () => {
    expect(restrictedPodSecurityContext(999)).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(restrictedContainerSecurityContext(1000)).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(() => restrictedPodSecurityContext(0)).toThrow(/non-zero/);
  });
});

describe("namespaces and network policies", () => {
  test("Pod Security labels enforce the level, audit and warn at restricted", () => {
    expect(podSecurityLabels("privileged")).toEqual({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });
  test("quota and container defaults from config", () => {
    const quota = resourceQuotaSpec({
      requestsCpu: "2",
      requestsMemory: "4Gi",
      limitsMemory: "8Gi",
      storage: "10Gi",
      pods: 5,
      persistentVolumeClaims: 3,
    });
    expect(quota.hard).toMatchObject({
      "requests.cpu": "2",
      pods: "5",
      persistentvolumeclaims: "3",
      "services.loadbalancers": "0",
    });
    expect(
      limitRangeSpec({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } }).limits,
    ).toEqual([
      { type: "Container", defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { memory: "128Mi" } },
    ]);
  });
  test("default deny, DNS to kube-dns only, internet minus private ranges", () => {
    expect(defaultDenySpec()).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect((dnsEgressSpec().egress as unknown[])[0]).toMatchObject({
      to: [{ podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    });
    expect(internetPeer()).toEqual({ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_AND_METADATA_CIDRS } });
    expect(PRIVATE_AND_METADATA_CIDRS).toContain("169.254.0.0/16");
    expect(podsInNamespace("ns", { a: "b" })).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ns" } },
      podSelector: { matchLabels: { a: "b" } },
    });
  });
});
