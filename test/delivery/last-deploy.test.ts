/** scripts/last-deploy.ts: the commit of the last successful `pulumi up`, from `pulumi stack history --json`. */
import { lastDeployedCommit } from "../../scripts/last-deploy";

const sha = (c: string) => c.repeat(40);
/** An entry shaped as pulumi/pulumi pkg/cmd/pulumi/stack/stack_history.go `updateInfoJSON` writes it. */
const update = (version: number, kind: string, result: string, head?: string) => ({
  version,
  kind,
  startTime: "2026-11-30T01:00:00Z",
  message: `run ${version}`,
  environment: head === undefined ? { "exec.kind": "cli" } : { "git.head": head, "git.dirty": "false" },
  config: {},
  result,
});

test("the newest succeeded update wins; previews, refreshes and failed runs do not count", () => {
  const history = [
    update(7, "refresh", "succeeded", sha("f")),
    update(6, "update", "failed", sha("e")),
    update(5, "update", "succeeded", sha("d")),
    update(4, "update", "succeeded", sha("c")),
  ];
  expect(lastDeployedCommit(history)).toBe(sha("d"));
  // Order in the file does not matter: the version does.
  expect(lastDeployedCommit([...history].reverse())).toBe(sha("d"));
});

test("no deploy from a git checkout: nothing to compare against", () => {
  expect(lastDeployedCommit([])).toBeUndefined();
  expect(lastDeployedCommit([update(1, "update", "succeeded")])).toBeUndefined();
  expect(lastDeployedCommit([update(1, "update", "succeeded", "not-a-commit")])).toBeUndefined();
});

test("anything but a list is refused", () => {
  expect(() => lastDeployedCommit({ updates: [] })).toThrow(/JSON list of updates/);
});
