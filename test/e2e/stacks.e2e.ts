/**
 * Every shipped stack file under the real Pulumi CLI: the CLI accepts its config (project config
 * rules the mock engine never applies), the secrets the program asks for are set with the exact
 * commands it prints, and the program's own validation passes. Without a cloud account or a cluster
 * the run then stops where it first needs one, and that, not config, is what stops it.
 */
import * as fs from "fs";
import * as path from "path";
import { missingSecrets, setSecrets } from "./support/secrets";
import { REPO, Workspace } from "./support/pulumi";

const STACKS = fs
  .readdirSync(REPO)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

/** What each stack reaches first that does not exist here. */
const FIRST_OUTSIDE_NEED: Record<string, RegExp> = {
  dev: /digitalocean/i,
  prod: /digitalocean/i,
  "dev-lke": /linode/i,
  // kind-botfleet (its kubeconfig context) does not exist on a CI machine.
  local: /kind-botfleet|context|kubeconfig|cluster/i,
};

let ws: Workspace;
beforeAll(() => {
  ws = Workspace.create();
});
afterAll(() => ws?.remove());

test("the suite knows every stack file", () => {
  expect(STACKS).toEqual(Object.keys(FIRST_OUTSIDE_NEED).sort());
});

describe.each(STACKS)("stack %s under the real CLI", (stack) => {
  test("config accepted, secrets set with the program's own commands, the program's checks pass", async () => {
    fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(ws.project, `Pulumi.${stack}.yaml`));
    ws.cli(["stack", "init", stack, "--secrets-provider", "passphrase"]).check();

    const first = await ws.run(["preview", "--stack", stack]);
    expect(first.code).not.toBe(0);
    // The CLI's project-config validation ran first and passed: the program itself ran and spoke.
    expect(first.output).not.toMatch(/is missing configuration value/);
    const missing = missingSecrets(first.output);
    const fakes = setSecrets(ws, stack, missing);
    // The stack file holds every one of them encrypted.
    const stackFile = ws.readStackFile(stack);
    for (const value of Object.values(fakes)) expect(stackFile).not.toContain(value);

    const second = await ws.run(["preview", "--stack", stack]);
    expect(second.code).not.toBe(0);
    expect(second.output).not.toMatch(/is missing configuration value|the stack config has \d+ problem/);
    expect(second.output).toMatch(
      new RegExp(`botfleet: stack ${stack}: config, capacity and quotas check out`),
    );
    expect(second.output).toMatch(FIRST_OUTSIDE_NEED[stack]);
    for (const value of Object.values(fakes)) expect(second.output).not.toContain(value);
  });
});
