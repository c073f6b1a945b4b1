/**
 * The commit the last successful `pulumi up` of a stack ran from, so the promotion's approval can show the
 * code that changed since:
 *
 *   pulumi stack history --stack prod --json > history.json
 *   ts-node scripts/last-deploy.ts history.json      # prints the commit, or nothing
 *
 * `pulumi stack history --json` is a list of updates `{ version, kind, result, environment, ... }`
 * (pulumi/pulumi pkg/cmd/pulumi/stack/stack_history.go `updateInfoJSON`); the CLI records the checkout's
 * HEAD in `environment["git.head"]` when it runs inside a git repository (pkg/backend/updates.go `GitHead`).
 */
import * as fs from "fs";

const COMMIT = /^[0-9a-f]{40}$/;

/** The `git.head` of the newest succeeded `update` (by version) in a stack's history; undefined if none. */
export function lastDeployedCommit(history: unknown): string | undefined {
  if (!Array.isArray(history)) throw new Error("stack history must be a JSON list of updates");
  const deployed = history
    .filter((u): u is Record<string, unknown> => typeof u === "object" && u !== null)
    .filter((u) => u.kind === "update" && u.result === "succeeded" && typeof u.version === "number")
    .map((u) => ({
      version: u.version as number,
      head: (u.environment as Record<string, unknown>)?.["git.head"],
    }))
    .filter((u): u is { version: number; head: string } => typeof u.head === "string" && COMMIT.test(u.head))
    .sort((a, b) => b.version - a.version);
  return deployed[0]?.head;
}

if (require.main === module) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error("usage: last-deploy.ts <pulumi stack history --json output>");
    process.exitCode = 2;
  } else {
    const commit = lastDeployedCommit(JSON.parse(fs.readFileSync(file, "utf8")));
    if (commit !== undefined) console.log(commit);
  }
}
