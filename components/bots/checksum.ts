/** What rolls a bot: the digest of what its pod reads at start. */
import { checksum } from "../specs/checksum";

/**
 * A stable digest of what the pod reads at start: its config files, its scripts and the data layer's
 * connection settings. A change rolls pods that opt in and marks a live trader's pending revision.
 */
export function configChecksum(
  data: Record<string, string>,
  scripts: Record<string, string> = {},
  dataClients: Record<string, string> = {},
): string {
  return checksum(data, scripts, dataClients);
}
