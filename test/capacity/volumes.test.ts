/**
 * Block volume attachments as the fourth scarce thing: the catalog's per-node limits, the claims each pod
 * attaches, and the verdicts they drive (refused at max nodes, autoscaling beyond min nodes).
 */
import { CATALOGS, DOKS_VOLUMES_PER_NODE, lkeVolumesPerNode } from "../../config/catalog";
import {
  assessCapacity,
  capacityMarkdown,
  fleetAmount,
  inventoryOf,
  kubePrometheusStack,
  type RecordedResource,
} from "../../lib/capacity";
import { DEV_DO, cluster, devCluster } from "./clusters";

const DEV_LKE = devCluster("linode", { system: "g6-standard-2", bots: "g6-standard-6" }, 2);

const podSpec = (volumes: unknown[] = []) => ({
  containers: [
    {
      name: "c",
      image: "x:1",
      resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "32Mi" } },
    },
  ],
  volumes,
});
const template = (name: string, storage = "1Gi") => ({
  metadata: { name },
  spec: { resources: { requests: { storage } } },
});

/** A small trader: one pod (0 when stopped) with a 1Gi `state` claim template. */
const trader = (name: string, opts: { replicas?: number; templates?: number; ns?: string } = {}) =>
  ({
    type: "kubernetes:apps/v1:StatefulSet",
    name,
    props: {
      metadata: { name, namespace: opts.ns ?? "botfleet-bots" },
      spec: {
        replicas: opts.replicas ?? 1,
        template: { spec: podSpec() },
        volumeClaimTemplates: Array.from({ length: opts.templates ?? 1 }, (_, i) =>
          template(i === 0 ? "state" : `extra${i}`),
        ),
      },
    },
  }) satisfies RecordedResource;
const traders = (n: number, stopped = 0) =>
  Array.from({ length: n }, (_, i) => trader(`t${i}`, { replicas: i < stopped ? 0 : 1 }));

const claim = (name: string, ns = "botfleet-bots"): RecordedResource => ({
  type: "kubernetes:core/v1:PersistentVolumeClaim",
  name,
  props: { metadata: { name, namespace: ns }, spec: { resources: { requests: { storage: "2Gi" } } } },
});
const cronJob = (name: string, claimName: string, suspend = false): RecordedResource => ({
  type: "kubernetes:batch/v1:CronJob",
  name,
  props: {
    metadata: { name, namespace: "botfleet-bots" },
    spec: {
      suspend,
      jobTemplate: {
        spec: { template: { spec: podSpec([{ name: "state", persistentVolumeClaim: { claimName } }]) } },
      },
    },
  },
});

describe("catalog: published per-node attachment limits", () => {
  test("DOKS: the DigitalOcean CSI driver's 7 for every size", () => {
    expect(DOKS_VOLUMES_PER_NODE).toBe(7);
    for (const size of Object.values(CATALOGS.digitalocean.sizes))
      expect(CATALOGS.digitalocean.volumesPerNode(size)).toBe(7);
  });
  test.each([
    // memory GiB, Linode CSI driver max attachments (8..64 by GiB), minus boot + swap disks
    [1, 6],
    [4, 6],
    [8, 6],
    [16, 14],
    [32, 30],
    [64, 62],
    [192, 62],
  ])("LKE: %i GiB of memory attaches %i volumes", (memoryGiB, want) => {
    expect(lkeVolumesPerNode({ memoryGiB })).toBe(want);
  });
  test("LKE: the catalog's sizes follow their memory", () => {
    const sizes = CATALOGS.linode.sizes;
    expect(CATALOGS.linode.volumesPerNode(sizes["g6-standard-2"])).toBe(6);
    expect(CATALOGS.linode.volumesPerNode(sizes["g6-standard-6"])).toBe(14);
    expect(CATALOGS.linode.volumesPerNode(sizes["g6-dedicated-16"])).toBe(30);
  });
});

describe("inventory: the volumes each pod attaches", () => {
  test("claim templates attach per pod; a stopped trader's claim exists but attaches to no node", () => {
    const inv = inventoryOf([trader("a", { templates: 2 }), trader("b", { replicas: 0 })]);
    expect(inv.workloads.map((w) => [w.name, w.claimsPerPod, w.podsMin])).toEqual([
      ["a", 2, 1],
      ["b", 1, 0],
    ]);
    expect(inv.volumes.map((v) => [v.name, v.count])).toEqual([
      ["state-a", 1],
      ["extra1-a", 1],
      ["state-b", 1],
    ]);
    expect(fleetAmount(inv.workloads, "min").volumes).toBe(2);
  });
  test("replicas of a StatefulSet with claims are distinct pods, each with its own volume", () => {
    const inv = inventoryOf([trader("redis", { replicas: 3 })]);
    expect(fleetAmount(inv.workloads, "max").volumes).toBe(3);
  });
  test("a CronJob's existing claim attaches once while it runs; suspended, never; shared, once", () => {
    const running = inventoryOf([claim("dl-data"), cronJob("dl", "dl-data"), cronJob("dl2", "dl-data")]);
    expect(running.workloads.map((w) => w.sharedClaims)).toEqual([
      ["botfleet-bots/dl-data"],
      ["botfleet-bots/dl-data"],
    ]);
    expect(fleetAmount(running.workloads, "min").volumes).toBe(1);
    const suspended = inventoryOf([claim("dl-data"), cronJob("dl", "dl-data", true)]);
    expect(fleetAmount(suspended.workloads, "min").volumes).toBe(0);
  });
  test("a generic ephemeral volume attaches with each pod", () => {
    const ephemeral = { name: "s", ephemeral: { volumeClaimTemplate: {} } };
    const deployment: RecordedResource = {
      type: "kubernetes:apps/v1:Deployment",
      name: "w",
      props: { metadata: { name: "w" }, spec: { replicas: 2, template: { spec: podSpec([ephemeral]) } } },
    };
    expect(fleetAmount(inventoryOf([deployment]).workloads, "min").volumes).toBe(2);
  });
  test("kube-prometheus-stack: Prometheus and Alertmanager per replica, Grafana's one shared claim", () => {
    const storage = { volumeClaimTemplate: { spec: { resources: { requests: { storage: "20Gi" } } } } };
    const kps = kubePrometheusStack("mon", "kps", {
      prometheus: { prometheusSpec: { replicas: 2, storageSpec: storage } },
      alertmanager: { alertmanagerSpec: { storage } },
      grafana: { replicas: 2, persistence: { enabled: true, size: "1Gi" } },
    });
    const byName = (n: string) => kps.workloads.find((w) => w.name === `kps-${n}`)!;
    expect(byName("prometheus").claimsPerPod).toBe(1);
    expect(byName("alertmanager").claimsPerPod).toBe(1);
    expect(byName("grafana").sharedClaims).toEqual(["mon/kps-grafana"]);
    expect(byName("operator").claimsPerPod).toBeUndefined();
    expect(fleetAmount(kps.workloads, "min").volumes).toBe(2 + 1 + 1);
  });
  test("an explicit PVC named <template>-<statefulset>-<ordinal> is the template's claim, counted once", () => {
    const inv = inventoryOf([
      trader("t1"),
      claim("state-t1-0"), // the same claim, recorded explicitly
      claim("state-t1-1"), // ordinal beyond the replicas: a claim of its own
      claim("state-t1-0", "elsewhere"), // another namespace
      trader("t2", { replicas: 0 }),
      claim("state-t2-0"), // a stopped trader keeps its one claim
    ]);
    expect(inv.volumes.map((v) => [v.namespace, v.name, v.count])).toEqual([
      ["botfleet-bots", "state-t1", 1],
      ["botfleet-bots", "state-t1-1", 1],
      ["elsewhere", "state-t1-0", 1],
      ["botfleet-bots", "state-t2", 1],
    ]);
  });
});

describe("verdicts: volume attachments beside CPU, memory and pods", () => {
  // DEV_DO: 1 system node + 1-3 bot nodes, 7 volumes each: 14 at min, 28 at max.
  test("dev with 30 small traders with volumes cannot fit even at max nodes", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(30)));
    expect(r.requests.min.cpuMillis).toBe(600); // CPU and memory alone would fit at min nodes
    expect(r.allocatable?.atMin.volumes).toBe(14);
    expect(r.verdict).toBe("cannot-fit");
    expect(r.problems).toEqual([
      "botfleet: the fleet needs 30 volume attachments but the pools attach at most 28 (7 per node) at max nodes (system: 1 x s-2vcpu-4gb, bots: 3 x s-4vcpu-8gb); raise pools[0].maxNodes to 4",
    ]);
  });
  test("the suggested maxNodes is enough: applying it needs autoscaling, not refusal", () => {
    const four = devCluster("digitalocean", { system: "s-2vcpu-4gb", bots: "s-4vcpu-8gb" }, 4);
    const r = assessCapacity({ stack: "dev", cluster: four }, inventoryOf(traders(30)));
    expect([r.verdict, r.allocatable?.atMax.volumes]).toEqual(["needs-autoscaling", 35]);
  });
  test("more volumes than min nodes attach: a warning naming the volumes at min and max", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(20)));
    expect(r.verdict).toBe("needs-autoscaling");
    expect(r.warnings).toEqual([
      "botfleet: the fleet needs 0.4 vCPU and 0.6 GiB of requests (0.4 vCPU and 0.6 GiB with HPAs at max) and 20 volume attachments but the pools give 5.0 vCPU and 8.1 GiB allocatable and 14 volume attachments (7 per node) at min nodes (system: 1 x s-2vcpu-4gb, bots: 1 x s-4vcpu-8gb); the cluster autoscaler must add nodes (at most 12.3 vCPU and 19.5 GiB and 28 volume attachments at max nodes)",
    ]);
  });
  test("stopped traders' claims take no slot: 30 traders, 10 stopped, fit on 3 bot nodes", () => {
    const r = assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(30, 10)));
    expect(r.requests.min.volumes).toBe(20);
    expect(r.verdict).toBe("needs-autoscaling");
    expect(r.problems).toEqual([]);
  });
  test("at most 14 volumes fit at min nodes", () => {
    expect(assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(14))).verdict).toBe("fits");
    expect(assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(15))).verdict).toBe(
      "needs-autoscaling",
    );
  });
  test("LKE: slots follow each size's memory, and a larger size is offered as a fix", () => {
    const r = assessCapacity({ stack: "dev-lke", cluster: DEV_LKE }, inventoryOf(traders(40)));
    expect(r.pools.map((p) => p.perNode.volumes)).toEqual([6, 14]);
    expect(r.problems).toEqual([
      "botfleet: the fleet needs 40 volume attachments but the pools attach at most 34 (6 per g6-standard-2 node, 14 per g6-standard-6 node) at max nodes (system: 1 x g6-standard-2, bots: 2 x g6-standard-6); raise pools[0].maxNodes to 3 or use a larger size",
    ]);
  });
  test("a pod with more claims than any node attaches cannot fit whatever the node count", () => {
    const r = assessCapacity(
      { stack: "dev", cluster: DEV_DO },
      inventoryOf([trader("wide", { templates: 8 })]),
    );
    expect(r.problems).toEqual([
      "botfleet: StatefulSet botfleet-bots/wide attaches 8 volumes per pod but a node attaches at most 7 (7 per node); use fewer claims per pod",
    ]);
  });
  test("existing cluster: volumes are counted, no limit is checked (none is published)", () => {
    const r = assessCapacity(
      { stack: "local", cluster: cluster({ provider: "existing" }) },
      inventoryOf(traders(100)),
    );
    expect(r.requests.min.volumes).toBe(100);
    expect(r.verdict).toBe("unknown");
    expect(r.problems).toEqual([]);
  });
  test("the markdown shows volumes beside vCPU, memory and pods", () => {
    const lines = capacityMarkdown(
      assessCapacity({ stack: "dev", cluster: DEV_DO }, inventoryOf(traders(3))),
    );
    expect(lines).toContain("| fleet requests (HPAs at min) | 0.1 | 0.1 | 3 | 3 |");
    expect(lines).toContain("| allocatable at max nodes | 12.3 | 19.5 | 422 | 28 |");
    expect(lines).toContain("| bots (`pools[0]`) | s-4vcpu-8gb | 1-3 | 3.6 / 5.7 / 106 / 7 |");
  });
});
