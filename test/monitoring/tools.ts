import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI (promtool, amtool) and returns its exit code and output; never throws on a non-zero exit. */
export function run(cmd: string, args: string[], cwd?: string): RunResult {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error)
    throw new Error(
      `${cmd} could not run (install Debian's prometheus / prometheus-alertmanager): ${r.error.message}`,
    );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
}
