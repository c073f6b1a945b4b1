/**
 * The nightly drift verdict over `pulumi preview --refresh --json`: drift is any step that is not
 * `same`, except the Kubernetes provider's `kubeconfig` on DigitalOcean, which is a fresh short-lived
 * cluster credential on every run by design (components/cluster/digitalocean.ts) and so always differs,
 * and the program's read of its own stack's outputs (a StackReference, index.ts).
 *
 *   pulumi preview --refresh --json --stack dev > preview.json
 *   npx ts-node --transpile-only scripts/drift-check.ts preview.json
 * Exit 0: no drift. Exit 1: each drifted step on its own line ("<op> <urn> (<changed properties>)").
 */
import * as fs from "fs";

/** One step of `pulumi preview --json` (sdk/go/common/apitype: PreviewDigest.Steps). */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly diffReasons?: readonly string[];
}

const KUBERNETES_PROVIDER = /[:$]pulumi:providers:kubernetes::/;
const REFRESHED_EVERY_RUN = new Set(["kubeconfig"]);

/** True for the provider update that only carries the run's fresh cluster credential. */
const isFreshCredential = (s: PreviewStep): boolean =>
  s.op === "update" &&
  KUBERNETES_PROVIDER.test(s.urn) &&
  (s.diffReasons ?? []).length > 0 &&
  (s.diffReasons ?? []).every((p) => REFRESHED_EVERY_RUN.has(p));

/** The program's read of its own last outputs (index.ts: the volume claims' record): no change. */
const isSelfReference = (s: PreviewStep): boolean =>
  s.op === "read" && /[:$]pulumi:pulumi:StackReference::/.test(s.urn);

/** The drifted steps, as lines; empty when the stack matches its program. */
export function driftFindings(preview: { steps?: readonly PreviewStep[] }): string[] {
  return (preview.steps ?? [])
    .filter((s) => s.op !== "same" && !isFreshCredential(s) && !isSelfReference(s))
    .map((s) => `${s.op} ${s.urn}${s.diffReasons?.length ? ` (${s.diffReasons.join(", ")})` : ""}`);
}

if (require.main === module) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error("usage: drift-check.ts <pulumi preview --json output>");
    process.exit(2);
  }
  const findings = driftFindings(JSON.parse(fs.readFileSync(file, "utf8")));
  for (const f of findings) console.log(`drift: ${f}`);
  if (findings.length === 0) console.log("drift: none");
  process.exit(findings.length === 0 ? 0 : 1);
}
