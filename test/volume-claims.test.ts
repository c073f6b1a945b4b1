/** Claims declared apart from their StatefulSet, and what may change about them between deployments. */
import * as pulumi from "@pulumi/pulumi";
import { claimChangeProblem } from "../lib/volume-claim-changes";
import { VolumeClaimLedger } from "../components/volume-claims";
import { PATCH_FORCE_ANNOTATION, statefulSetClaims } from "../components/specs/volume-claims";

const keys = { storage: "bots[ft-live].storage", storageClass: "bots[ft-live].storageClass" };
const claim = "botfleet-bots/state-ft-live-0";

describe("claimChangeProblem", () => {
  test("a first deployment, the same values and a larger size are allowed", () => {
    expect(claimChangeProblem(claim, keys, undefined, { storage: "5Gi" })).toBeUndefined();
    expect(claimChangeProblem(claim, keys, { storage: "5Gi" }, { storage: "5Gi" })).toBeUndefined();
    expect(claimChangeProblem(claim, keys, { storage: "5Gi" }, { storage: "5120Mi" })).toBeUndefined();
    expect(claimChangeProblem(claim, keys, { storage: "5Gi" }, { storage: "20Gi" })).toBeUndefined();
  });

  test("a smaller size is refused with the key, both sizes, the claim and the procedure", () => {
    const problem = claimChangeProblem(claim, keys, { storage: "10Gi" }, { storage: "5Gi" });
    expect(problem).toBe(
      "botfleet:bots[ft-live].storage: 5Gi is smaller than the 10Gi volume claim botfleet-bots/state-ft-live-0 " +
        "holds; a claim never shrinks. Set bots[ft-live].storage to 10Gi or more, or move the data to a " +
        'smaller volume by hand: README "Day-2: volumes" (shrink or move a volume by hand)',
    );
    // Units are compared as quantities, not as text.
    expect(claimChangeProblem(claim, keys, { storage: "1Gi" }, { storage: "1000Mi" })).toMatch(
      /never shrinks/,
    );
  });

  test("any class change is refused, to or from the cluster default included", () => {
    const fast = { storage: "5Gi", storageClassName: "fast" };
    expect(claimChangeProblem(claim, keys, fast, { storage: "5Gi", storageClassName: "slow" })).toMatch(
      /^botfleet:bots\[ft-live\]\.storageClass: fast -> slow would replace volume claim .*Set bots\[ft-live\]\.storageClass back to fast/,
    );
    expect(claimChangeProblem(claim, keys, { storage: "5Gi" }, fast)).toMatch(
      /\(the cluster default\) -> fast would replace/,
    );
    expect(claimChangeProblem(claim, keys, fast, { storage: "5Gi" })).toMatch(
      /fast -> \(the cluster default\)/,
    );
  });
});

describe("statefulSetClaims", () => {
  const sts = {
    apiVersion: "apps/v1" as const,
    kind: "StatefulSet" as const,
    metadata: { name: "redis", namespace: "botfleet-data" },
    spec: {
      selector: { matchLabels: { app: "redis" } },
      serviceName: "redis",
      template: {},
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: { app: "redis" } },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
        },
      ],
    },
  };

  test("one claim per ordinal, named as the StatefulSet controller names them, with the template's spec", () => {
    const claims = statefulSetClaims(sts, 3);
    expect(claims.map((c) => (c.metadata as { name: string }).name)).toEqual([
      "data-redis-0",
      "data-redis-1",
      "data-redis-2",
    ]);
    for (const c of claims) {
      expect(c.metadata).toMatchObject({
        namespace: "botfleet-data",
        labels: { app: "redis" },
        annotations: { [PATCH_FORCE_ANNOTATION]: "true" },
      });
      expect(c.spec).toEqual(sts.spec.volumeClaimTemplates[0].spec);
    }
  });

  test("no templates, no claims; a template without a name is an error", () => {
    expect(statefulSetClaims({ ...sts, spec: { ...sts.spec, volumeClaimTemplates: [] } }, 1)).toEqual([]);
    const unnamed = { ...sts, spec: { ...sts.spec, volumeClaimTemplates: [{ spec: {} }] } };
    expect(() => statefulSetClaims(unnamed, 1)).toThrow(/claim template of StatefulSet redis has no name/);
  });
});

describe("VolumeClaimLedger", () => {
  const keysOf = (bot: string) => ({
    storage: `bots[${bot}].storage`,
    storageClass: `bots[${bot}].storageClass`,
  });
  const settle = (o: pulumi.Output<unknown>) =>
    (o as unknown as { promise(): Promise<unknown> }).promise().then(
      (v) => ({ ok: v }),
      (e: Error) => ({ error: e.message }),
    );

  test("records every claim; allowed ones resolve; one refusal names every problem of the round", async () => {
    const refusals: string[][] = [];
    const ledger = new VolumeClaimLedger(
      pulumi.output({
        "ns/state-a-0": { storage: "2Gi" },
        "ns/state-b-0": { storage: "2Gi", storageClassName: "fast" },
        "ns/state-c-0": { storage: "1Gi" },
      }),
      // A refusal that returns (the real ones throw or exit), so the round's outcome can be read.
      (problems) => {
        refusals.push([...problems]);
        return `refused ${problems.length}` as never;
      },
    );
    const results = await Promise.all([
      settle(ledger.check("ns/state-a-0", keysOf("a"), { storage: "1Gi" }, "a")),
      settle(ledger.check("ns/state-b-0", keysOf("b"), { storage: "2Gi" }, "b")),
      settle(ledger.check("ns/state-c-0", keysOf("c"), { storage: "3Gi" }, "c")),
    ]);
    expect(results).toEqual([{ ok: "refused 2" }, { ok: "refused 2" }, { ok: "c" }]);
    expect(refusals[0]).toEqual([
      expect.stringMatching(
        /^botfleet:bots\[a\]\.storage: 1Gi is smaller than the 2Gi volume claim ns\/state-a-0/,
      ),
      expect.stringMatching(
        /^botfleet:bots\[b\]\.storageClass: fast -> \(the cluster default\) would replace/,
      ),
    ]);
    expect(ledger.records).toEqual({
      "ns/state-a-0": { storage: "1Gi" },
      "ns/state-b-0": { storage: "2Gi" },
      "ns/state-c-0": { storage: "3Gi" },
    });
  });

  test("no record of a last deployment: every claim may be made", async () => {
    const ledger = new VolumeClaimLedger(undefined, () => "refused" as never);
    expect(await settle(ledger.check("ns/x", keysOf("x"), { storage: "1Gi" }, "x"))).toEqual({ ok: "x" });
  });
});
