/** Placement as the scheduler reads it, the pool-role config, and capacity checked per set of pools. */
import { clusterSchema } from "../../config/cluster";
import { placementFor, poolTaints } from "../../components/specs/placement";
import { type RecordedResource, assessCapacity, inventoryOf } from "../../lib/capacity";
import {
  eligiblePools,
  poolSetsToCheck,
  readPlacement,
  schedulable,
  tolerates,
} from "../../lib/capacity/placement";
import { cluster } from "./clusters";

const ROLE = "botfleet.io/role";
const base = {
  provider: "digitalocean",
  region: "fra1",
  version: "1.33",
  systemPool: { size: "s-2vcpu-4gb", count: 1 },
};

describe("cluster.pools[].role and dedicated", () => {
  const issues = (pools: unknown[]) => {
    const r = clusterSchema.safeParse({ ...base, pools });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  test("role defaults to general, dedicated to false", () => {
    const c = cluster({ ...base, pools: [{ name: "bots", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 2 }] });
    expect([c.pools[0].role, c.pools[0].dedicated]).toEqual(["general", false]);
  });
  test("an unknown role, a dedicated general pool and a hand-set role label or taint are refused", () => {
    const pool = { name: "p", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 2 };
    expect(issues([{ ...pool, role: "database" }])).toEqual([
      'pools.0.role: must be one of bots, data, monitoring, general (the workload class the pool serves), got "database"',
    ]);
    expect(issues([{ ...pool, dedicated: true }])).toEqual([
      "pools.0.dedicated: needs a role of bots, data, monitoring: a general pool serves no class to reserve it for; remove dedicated or set role",
    ]);
    expect(issues([{ ...pool, role: "data", labels: { [ROLE]: "data" } }])).toEqual([
      `pools.0.labels.${ROLE}: "${ROLE}" is set from role; remove the label and set role`,
    ]);
    expect(
      issues([{ ...pool, role: "data", taints: [{ key: ROLE, value: "data", effect: "NoSchedule" }] }]),
    ).toEqual([
      `pools.0.taints.0.key: "${ROLE}" is set by dedicated: true; remove the taint and set dedicated`,
    ]);
  });
  test("a class selects its pool only when the stack has one, and tolerates it only when dedicated", () => {
    const c = cluster({
      ...base,
      pools: [
        { name: "b", role: "bots", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 2 },
        { name: "d", role: "data", dedicated: true, size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 2 },
      ],
    });
    expect(placementFor(c, "bots")).toEqual({ nodeSelector: { [ROLE]: "bots" } });
    expect(placementFor(c, "data")).toEqual({
      nodeSelector: { [ROLE]: "data" },
      tolerations: [{ key: ROLE, operator: "Equal", value: "data", effect: "NoSchedule" }],
    });
    expect(placementFor(c, "monitoring")).toEqual({});
    expect(poolTaints(c.pools[1])).toEqual([{ key: ROLE, value: "data", effect: "NoSchedule" }]);
    expect(poolTaints(c.pools[0])).toEqual([]);
  });
});

describe("toleration and selector matching", () => {
  const taint = { key: ROLE, value: "data", effect: "NoSchedule" };
  test.each([
    [[{ key: ROLE, operator: "Equal", value: "data", effect: "NoSchedule" }], true],
    [[{ key: ROLE, operator: "Equal", value: "bots", effect: "NoSchedule" }], false],
    [[{ key: ROLE, operator: "Exists" }], true],
    [[{ operator: "Exists" }], true],
    [[{ operator: "Exists", effect: "NoExecute" }], false],
    [[{ key: "other", operator: "Exists" }], false],
    [[], false],
  ])("%j tolerates role=data:NoSchedule: %s", (tolerations, expected) =>
    expect(tolerates(tolerations, taint)).toBe(expected),
  );
  test("a selector needs every label; PreferNoSchedule never keeps a pod off", () => {
    const pool = {
      labels: { [ROLE]: "data", a: "1" },
      taints: [{ key: "x", value: "", effect: "PreferNoSchedule" }],
    };
    expect(schedulable(readPlacement({ nodeSelector: { [ROLE]: "data" } }), pool)).toBe(true);
    expect(schedulable(readPlacement({ nodeSelector: { [ROLE]: "data", b: "2" } }), pool)).toBe(false);
    expect(schedulable(undefined, { labels: {}, taints: [taint] })).toBe(false);
  });
  test("chart defaults apply only when the values set no tolerations", () => {
    const d = [{ operator: "Exists", effect: "NoSchedule" }];
    expect(readPlacement({}, d).tolerations).toEqual(d);
    expect(readPlacement({ tolerations: [] }, d).tolerations).toEqual([]);
  });
  test("pool sets: each distinct set and every union", () => {
    expect(poolSetsToCheck([0b001, 0b010, 0b010, 0b110])).toEqual([0b001, 0b010, 0b011, 0b110, 0b111]);
  });
});

describe("capacity per set of pools", () => {
  const deployment = (
    name: string,
    cpu: string,
    replicas: number,
    spec: Record<string, unknown> = {},
  ): RecordedResource => ({
    type: "kubernetes:apps/v1:Deployment",
    name,
    props: {
      metadata: { name, namespace: "ns" },
      spec: {
        replicas,
        template: {
          spec: { containers: [{ name: "c", resources: { requests: { cpu, memory: "64Mi" } } }], ...spec },
        },
      },
    },
  });
  const pools = (bMax: number, dMax: number) =>
    cluster({
      ...base,
      pools: [
        { name: "b", role: "bots", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: bMax },
        { name: "d", role: "data", dedicated: true, size: "s-4vcpu-8gb", minNodes: 1, maxNodes: dMax },
      ],
    });
  const onData = {
    nodeSelector: { [ROLE]: "data" },
    tolerations: [{ key: ROLE, operator: "Equal", value: "data", effect: "NoSchedule" }],
  };

  test("pods selecting a full pool are refused naming it, though other pools are idle", () => {
    const r = assessCapacity(
      { stack: "t", cluster: pools(6, 1) },
      inventoryOf([deployment("db", "2", 3, onData)]),
    );
    expect(r.verdict).toBe("cannot-fit");
    expect(r.problems).toEqual([
      expect.stringMatching(
        /^botfleet: the pods that run only on pool d \(Deployment ns\/db\) need 6\.0 vCPU of requests but pool d gives at most 3\.\d vCPU allocatable at max nodes \(d: 1 x s-4vcpu-8gb\); raise pools\[1\]\.maxNodes to 2 or use a larger size$/,
      ),
    ]);
    // The same pods without a selector spread over every untainted pool, and fit.
    const free = assessCapacity(
      { stack: "t", cluster: pools(6, 1) },
      inventoryOf([deployment("db", "2", 3)]),
    );
    expect(free.problems).toEqual([]);
  });
  test("unselected pods stay off a dedicated pool: its room does not count for them", () => {
    // 1 system (~1.4 vCPU) + 1 bots node (~3.6 vCPU) at max; the data pool's 2 nodes (~7 vCPU) are not theirs.
    const r = assessCapacity({ stack: "t", cluster: pools(1, 2) }, inventoryOf([deployment("web", "1", 6)]));
    expect(r.problems).toEqual([
      expect.stringContaining("the pods that run only on pools system, b (Deployment ns/web) need 6.0 vCPU"),
    ]);
  });
  test("a pod whose selector matches no pool can never run", () => {
    const r = assessCapacity(
      { stack: "t", cluster: pools(2, 2) },
      inventoryOf([deployment("x", "100m", 1, { nodeSelector: { [ROLE]: "monitoring" } })]),
    );
    expect(r.problems).toEqual([
      expect.stringContaining(
        "Deployment ns/x has nodeSelector {botfleet.io/role: monitoring} and no tolerations, which no pool matches",
      ),
    ]);
  });
  test("a DaemonSet without the taint's toleration costs nothing on the dedicated pool", () => {
    const ds = (tolerations?: unknown[]): RecordedResource => ({
      type: "kubernetes:apps/v1:DaemonSet",
      name: "agent",
      props: {
        metadata: { name: "agent", namespace: "ns" },
        spec: {
          template: {
            spec: {
              containers: [{ name: "c", resources: { requests: { cpu: "500m", memory: "64Mi" } } }],
              ...(tolerations ? { tolerations } : {}),
            },
          },
        },
      },
    });
    const perNode = (t?: unknown[]) =>
      assessCapacity({ stack: "t", cluster: pools(2, 2) }, inventoryOf([ds(t)])).pools.map(
        (p) => p.perNode.cpuMillis,
      );
    const [sys, b, d] = perNode();
    const [sys2, b2, d2] = perNode([{ operator: "Exists" }]);
    expect([sys2, b2]).toEqual([sys, b]);
    expect(d - d2).toBe(500);
    expect(eligiblePools(readPlacement({}), [{ labels: {}, taints: [] }])).toEqual([0]);
  });
});
