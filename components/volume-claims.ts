/**
 * Registers a StatefulSet with its claims declared as resources of their own (see
 * specs/volume-claims.ts for why), each checked against what the last deployment made of it.
 *
 * - The claims exist before the StatefulSet (dependsOn), so its controller uses them.
 * - The StatefulSet ignores `spec.volumeClaimTemplates`: a size edit never replaces it.
 * - A claim is never deleted by Pulumi (`retainOnDelete`): removing a bot or scaling a set down leaves
 *   its volume, as the StatefulSets' Retain policies always did.
 * - A claim's registration waits for the check: a shrink or a class change fails the preview with the
 *   config key and the procedure, and never reaches the API server.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  claimChangeProblem,
  type ClaimKeys,
  type ClaimRecord,
  type ClaimRecords,
} from "../lib/volume-claim-changes";
import { statefulSetClaims } from "./specs/volume-claims";

/** On every claim: the config key that sizes it, for whoever finds it with kubectl. */
export const SIZE_KEY_ANNOTATION = "botfleet.io/size-key";

/** The claims of one deployment: what the last one recorded, and what this one declares. */
export class VolumeClaimLedger {
  private readonly declared: Record<string, ClaimRecord> = {};

  /** @param previous the `volumeClaims` output of the last deployment; undefined on the first. */
  constructor(readonly previous: pulumi.Input<ClaimRecords | undefined> = undefined) {}

  /** `<namespace>/<name>` to size and class, for the stack output `volumeClaims`. */
  get records(): ClaimRecords {
    return { ...this.declared };
  }

  /** Records a claim; resolves to `value` once the claim may be deployed, fails with the problem if not. */
  check<T>(key: string, keys: ClaimKeys, claim: ClaimRecord, value: T): pulumi.Output<T> {
    this.declared[key] = claim;
    return pulumi.output(this.previous).apply((previous) => {
      const problem = claimChangeProblem(key, keys, previous?.[key], claim);
      if (problem !== undefined) throw new Error(problem);
      return value;
    });
  }
}

export interface StatefulSetWithClaimsArgs {
  /** How many ordinals have claims: the StatefulSet's replicas, or 1 for a stopped trader. */
  readonly ordinals: number;
  readonly keys: ClaimKeys;
  readonly ledger: VolumeClaimLedger;
  /** Protect the claims too (prod's data layer). @default false */
  readonly protect?: boolean;
}

/**
 * One claim as a resource: kept on delete, registered once the ledger's check passes.
 * @param claim a plain PersistentVolumeClaim (name, namespace and spec.resources.requests.storage set)
 */
export function checkedClaim(
  name: string,
  claim: k8s.types.input.core.v1.PersistentVolumeClaim,
  args: { readonly keys: ClaimKeys; readonly ledger: VolumeClaimLedger; readonly protect?: boolean },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.PersistentVolumeClaim {
  const meta = claim.metadata as { name: string; namespace: string; annotations?: Record<string, string> };
  const spec = claim.spec as { storageClassName?: string; resources: { requests: { storage: string } } };
  const record: ClaimRecord = {
    storage: spec.resources.requests.storage,
    ...(spec.storageClassName === undefined ? {} : { storageClassName: spec.storageClassName }),
  };
  const key = `${meta.namespace}/${meta.name}`;
  const sizeKey = args.ledger.check(key, args.keys, record, args.keys.storage);
  return new k8s.core.v1.PersistentVolumeClaim(
    name,
    { ...claim, metadata: { ...meta, annotations: { ...meta.annotations, [SIZE_KEY_ANNOTATION]: sizeKey } } },
    { ...opts, retainOnDelete: true, protect: args.protect },
  );
}

/** The StatefulSet `sts` (a pure builder's output) and its claims; returns the StatefulSet. */
export function statefulSetWithClaims(
  name: string,
  sts: k8s.types.input.apps.v1.StatefulSet,
  args: StatefulSetWithClaimsArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.StatefulSet {
  const claimOpts = { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn };
  const claims = statefulSetClaims(sts, args.ordinals).map((claim) =>
    checkedClaim(`${name}-${(claim.metadata as { name: string }).name}`, claim, args, claimOpts),
  );
  return new k8s.apps.v1.StatefulSet(name, sts, {
    ...opts,
    dependsOn: [...toArray(opts.dependsOn), ...claims],
    ignoreChanges: [...(opts.ignoreChanges ?? []), "spec.volumeClaimTemplates"],
  });
}

function toArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (d === undefined) return [];
  return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}
