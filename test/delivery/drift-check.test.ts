/** The nightly drift verdict: everything but the DigitalOcean provider's fresh credential counts. */
import { driftFindings } from "../../scripts/drift-check";

const provider =
  "urn:pulumi:dev::botfleet::botfleet:cluster:DigitalOcean$pulumi:providers:kubernetes::cluster-k8s";
const claim =
  "urn:pulumi:dev::botfleet::botfleet:data:Redis$kubernetes:core/v1:PersistentVolumeClaim::redis-data-0";

test("no steps, or only `same` ones: no drift", () => {
  expect(driftFindings({})).toEqual([]);
  expect(driftFindings({ steps: [{ op: "same", urn: claim }] })).toEqual([]);
});

test("the program reading its own last outputs is no drift", () => {
  const self = "urn:pulumi:dev::botfleet::pulumi:pulumi:StackReference::organization/botfleet/dev";
  expect(driftFindings({ steps: [{ op: "read", urn: self }] })).toEqual([]);
  expect(driftFindings({ steps: [{ op: "read", urn: claim }] })).toEqual([`read ${claim}`]);
});

test("the provider's kubeconfig alone is the run's fresh credential, not drift", () => {
  expect(driftFindings({ steps: [{ op: "update", urn: provider, diffReasons: ["kubeconfig"] }] })).toEqual(
    [],
  );
});

test("any other change is drift, the provider's other inputs included", () => {
  expect(
    driftFindings({
      steps: [
        { op: "update", urn: provider, diffReasons: ["kubeconfig", "enableServerSideApply"] },
        { op: "update", urn: provider },
        { op: "update", urn: claim, diffReasons: ["spec"] },
        { op: "delete", urn: claim },
      ],
    }),
  ).toEqual([
    `update ${provider} (kubeconfig, enableServerSideApply)`,
    `update ${provider}`,
    `update ${claim} (spec)`,
    `delete ${claim}`,
  ]);
});
