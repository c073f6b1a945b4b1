/**
 * scripts/local-up.sh with fake `pulumi` and `kubectl` on PATH: a stack without a credential seed gets a
 * generated one through a pipe, one with a seed keeps it, and no seed is ever printed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/local-up.sh");

/** Runs the script; `configJson` is what `pulumi config --json` answers. Returns the fake CLI's log. */
function localUp(configJson: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-up-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "pulumi.log");
  fs.writeFileSync(path.join(dir, "config.json"), configJson);
  // Logs each call's arguments, and for `config set` without a value what arrived on stdin.
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/usr/bin/env bash
echo "ARGS $*" >> "${log}"
if [ "$1 $2" = "config --json" ]; then cat "${dir}/config.json"; exit 0; fi
if [ "$1 $2 $3 $4" = "config set --secret botfleet:credentialSeed" ]; then echo "STDIN $(cat)" >> "${log}"; fi
exit 0
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "kubectl"), `#!/usr/bin/env bash\necho kind-botfleet\n`, { mode: 0o755 });
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...result, calls };
}

test("a stack without a seed gets a generated one through a pipe, never printed", () => {
  // The project default ("") is what a new stack shows.
  const run = localUp(JSON.stringify({ "botfleet:credentialSeed": { value: "", secret: false } }));
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const set = run.calls.indexOf("ARGS config set --secret botfleet:credentialSeed --stack local");
  expect(set).toBeGreaterThan(-1);
  const seed = run.calls[set + 1].replace(/^STDIN /, "");
  expect(seed).toMatch(/^[A-Za-z0-9+/]{43}=$/); // 32 random bytes in base64
  expect(run.stdout).not.toContain(seed);
  expect(run.stdout).toContain(
    "local-up: set a generated botfleet:credentialSeed (secret) on the local stack",
  );
  // Set before the update that needs it.
  expect(run.calls.indexOf("ARGS up --stack local --yes")).toBeGreaterThan(set);
});

test("a stack with a seed keeps it", () => {
  const run = localUp(JSON.stringify({ "botfleet:credentialSeed": { secret: true } }));
  expect(run.status).toBe(0);
  expect(run.calls.filter((c) => c.startsWith("ARGS config set"))).toEqual([]);
  expect(run.calls).toContain("ARGS up --stack local --yes");
});
