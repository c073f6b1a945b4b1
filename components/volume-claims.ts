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

/**
 * On every claim: what sizes it, for whoever finds it with kubectl (`redis.storage`, `bots[ft-live].storage`:
 * a bot by name, since its index moves when another bot is removed and the claim must not change then).
 */
export const SIZE_KEY_ANNOTATION = "botfleet.io/size-key";

/**
 * What to do with the problems of the claims checked together (every claim's check runs when the last
 * deployment's record resolves). Must not return normally into the deployment.
 */
export type RefuseClaims = (problems: readonly string[]) => never;

/** The default: an Error with every problem, one per line (what tests under the mock engine catch). */
export const throwClaimProblems: RefuseClaims = (problems) => {
  throw new Error(problems.join("\n"));
};

/** The claims of one deployment: what the last one recorded, and what this one declares. */
export class VolumeClaimLedger {
  private readonly declared: Record<string, ClaimRecord> = {};
  private readonly problems: string[] = [];

  /**
   * @param previous the `volumeClaims` output of the last deployment; undefined on the first.
   * @param refuse called once with every problem found in one round of checks. @default throwClaimProblems
   */
  constructor(
    readonly previous: pulumi.Input<ClaimRecords | undefined> = undefined,
    private readonly refuse: RefuseClaims = throwClaimProblems,
  ) {}

  /** `<namespace>/<name>` to size and class, for the stack output `volumeClaims`. */
  get records(): ClaimRecords {
    return { ...this.declared };
  }

  /** Records a claim; resolves to `value` once the claim may be deployed, refuses with the problems if not. */
  check<T>(key: string, keys: ClaimKeys, claim: ClaimRecord, value: T): pulumi.Output<T> {
    this.declared[key] = claim;
    return pulumi.output(this.previous).apply(async (previous) => {
      const problem = claimChangeProblem(key, keys, previous?.[key], claim);
      if (problem === undefined) return value;
      this.problems.push(problem);
      // The other claims' checks run on the same resolved record first: the refusal names them all.
      await new Promise((resolve) => setImmediate(resolve));
      return this.refuse([...this.problems]);
    });
  }
}

export interface ClaimArgs {
  /** The config keys named in the check's messages. */
  readonly keys: ClaimKeys;
  readonly ledger: VolumeClaimLedger;
  /** The {@link SIZE_KEY_ANNOTATION} value when it must not follow `keys.storage`. @default keys.storage */
  readonly sizedBy?: string;
  /** Protect the claims too (prod's data layer). @default false */
  readonly protect?: boolean;
}

export interface StatefulSetWithClaimsArgs extends ClaimArgs {
  /** How many ordinals have claims: the StatefulSet's replicas, or 1 for a stopped trader. */
  readonly ordinals: number;
}

/**
 * One claim as a resource: kept on delete, registered once the ledger's check passes.
 * @param claim a plain PersistentVolumeClaim (name, namespace and spec.resources.requests.storage set)
 */
export function checkedClaim(
  name: string,
  claim: k8s.types.input.core.v1.PersistentVolumeClaim,
  args: ClaimArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.PersistentVolumeClaim {
  const meta = claim.metadata as { name: string; namespace: string; annotations?: Record<string, string> };
  const spec = claim.spec as { storageClassName?: string; resources: { requests: { storage: string } } };
  const record: ClaimRecord = {
    storage: spec.resources.requests.storage,
    ...(spec.storageClassName === undefined ? {} : { storageClassName: spec.storageClassName }),
  };
  const key = `${meta.namespace}/${meta.name}`;
  const sizeKey = args.ledger.check(key, args.keys, record, args.sizedBy ?? args.keys.storage);
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
