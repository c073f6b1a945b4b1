/**
 * What may change about a volume claim between two deployments. A claim grows in place (its storage
 * class must allow expansion; the API server's PersistentVolumeClaimResize admission refuses it
 * otherwise, at preview, since the provider dry-runs every update). It never shrinks (API validation
 * refuses a request below the claim's capacity) and never changes class (`spec.storageClassName` is
 * immutable, and the provider would plan a replacement that fails half-way). Those two are refused here,
 * before anything is changed, against what the last deployment recorded in the `volumeClaims` output.
 */
import { parseQuantity } from "./capacity/quantities";

/** One claim as deployed: the stack output `volumeClaims` maps `<namespace>/<name>` to these. */
export interface ClaimRecord {
  /** Requested size, a Kubernetes quantity ("10Gi"). */
  readonly storage: string;
  /** Absent: the cluster's default class. */
  readonly storageClassName?: string;
}

export type ClaimRecords = Readonly<Record<string, ClaimRecord>>;

/** The config keys that set a claim's size and class, for the messages (`bots[ft-live].storage`). */
export interface ClaimKeys {
  readonly storage: string;
  readonly storageClass: string;
}

/** Where the README explains the manual procedures. */
export const VOLUME_PROCEDURE = 'README "Day-2: volumes" (shrink or move a volume by hand)';

/**
 * The problem with deploying `next` over `previous` for the claim `<namespace>/<name>`, or undefined
 * when the change is allowed (no previous record, same values, or a larger size).
 */
export function claimChangeProblem(
  claim: string,
  keys: ClaimKeys,
  previous: ClaimRecord | undefined,
  next: ClaimRecord,
): string | undefined {
  if (previous === undefined) return undefined;
  if ((previous.storageClassName ?? "") !== (next.storageClassName ?? "")) {
    const from = previous.storageClassName ?? "(the cluster default)";
    const to = next.storageClassName ?? "(the cluster default)";
    return (
      `botfleet:${keys.storageClass}: ${from} -> ${to} would replace volume claim ${claim}; a claim's ` +
      `storage class is fixed when it is made. Set ${keys.storageClass} back to ${from}, or move the ` +
      `data to a new volume by hand: ${VOLUME_PROCEDURE}`
    );
  }
  const before = parseQuantity(previous.storage);
  const after = parseQuantity(next.storage);
  if (before !== undefined && after !== undefined && after < before)
    return (
      `botfleet:${keys.storage}: ${next.storage} is smaller than the ${previous.storage} volume claim ` +
      `${claim} holds; a claim never shrinks. Set ${keys.storage} to ${previous.storage} or more, or ` +
      `move the data to a smaller volume by hand: ${VOLUME_PROCEDURE}`
    );
  return undefined;
}
