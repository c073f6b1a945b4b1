/** The digest a pod template annotation carries, so a change to what the pod reads at start rolls it. */
import * as crypto from "crypto";

/**
 * A stable sha256 over key/value maps: keys sorted within each map, maps in the order given, so the
 * same content always gives the same digest.
 */
export function checksum(...sources: Readonly<Record<string, string>>[]): string {
  const h = crypto.createHash("sha256");
  for (const src of sources) {
    for (const k of Object.keys(src).sort()) h.update(`${k}\0${src[k]}\0`);
  }
  return h.digest("hex");
}
