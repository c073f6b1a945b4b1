/**
 * The real Pulumi CLI on a copy of this project: a file backend and the passphrase secrets provider in a
 * temporary folder, the plugins built by e2e/build-tools.sh installed with `pulumi plugin install
 * --file`, and nothing downloaded (automatic plugin acquisition is off, so a plugin we did not build
 * is an error, not a download attempt).
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tool } from "./control-plane";

export const REPO = path.resolve(__dirname, "..", "..", "..");
/** The passphrase of every e2e stack: a throwaway, like every secret value the suite sets. */
export const PASSPHRASE = "e2e-passphrase-not-a-secret";

/** What the program needs at run time; tests, benches and docs stay behind. */
const PROJECT_FILES = [
  "Pulumi.yaml",
  "index.ts",
  "program.ts",
  "tsconfig.json",
  "package.json",
  "config",
  "components",
  "lib",
  "files",
  "policy",
];

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A plugin built from Go modules: `pulumi plugin install resource <name> <version> --file <bin>`. */
export interface BuiltPlugin {
  readonly name: string;
  readonly version: string;
  readonly binary: string;
}

export function builtPlugins(): BuiltPlugin[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  return [
    {
      name: "kubernetes",
      version: pkg.dependencies["@pulumi/kubernetes"],
      binary: tool("pulumi-resource-kubernetes"),
    },
  ];
}

export class Workspace {
  readonly root: string;
  readonly project: string;
  readonly home: string;
  readonly state: string;

  private constructor(root: string) {
    this.root = root;
    this.project = path.join(root, "project");
    this.home = path.join(root, "pulumi-home");
    this.state = path.join(root, "state");
  }

  /** A fresh project copy with the built plugins installed and a logged-in file backend. */
  static create(): Workspace {
    const ws = new Workspace(fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-e2e-")));
    fs.mkdirSync(ws.project);
    fs.mkdirSync(ws.state);
    for (const entry of PROJECT_FILES) {
      fs.cpSync(path.join(REPO, entry), path.join(ws.project, entry), {
        recursive: true,
        filter: (src) => !src.includes(`${path.sep}node_modules`),
      });
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(ws.project, "node_modules"));
    // The policy pack is an npm workspace: its packages are hoisted to the root node_modules, and
    // whatever could not be hoisted sits in policy/node_modules.
    const policyModules = path.join(REPO, "policy", "node_modules");
    if (fs.existsSync(policyModules)) {
      fs.symlinkSync(policyModules, path.join(ws.project, "policy", "node_modules"));
    }
    // Only the CLI and the language host on PATH: a provider found on PATH would be used instead of
    // the installed plugin (with a warning), which is not how users run it.
    fs.mkdirSync(path.join(ws.root, "bin"));
    for (const name of ["pulumi", "pulumi-language-nodejs"])
      fs.symlinkSync(tool(name), path.join(ws.root, "bin", name));
    for (const p of builtPlugins()) {
      ws.cli(["plugin", "install", "resource", p.name, p.version, "--file", p.binary]).check();
    }
    ws.cli(["login", `file://${ws.state}`]).check();
    return ws;
  }

  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    // Only what the CLI needs: no cloud tokens or Pulumi settings from the developer's shell leak in.
    for (const key of ["HOME", "USER", "TMPDIR", "LANG", "TZ"])
      if (process.env[key]) env[key] = process.env[key];
    return {
      ...env,
      PATH: `${path.join(this.root, "bin")}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      PULUMI_HOME: this.home,
      PULUMI_BACKEND_URL: `file://${this.state}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
    };
  }

  /** Runs the CLI synchronously in the project folder (config, stack commands). */
  cli(args: readonly string[], input?: string): CliRun {
    try {
      const stdout = execFileSync(tool("pulumi"), ["--non-interactive", ...args], {
        cwd: this.project,
        env: this.env(),
        input,
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
        maxBuffer: 512 * 1024 * 1024,
      });
      return new CliRun(args, { code: 0, stdout, stderr: "" });
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string };
      return new CliRun(args, { code: e.status ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" });
    }
  }

  /** Runs a long CLI command (preview, up, destroy) without blocking the event loop. */
  async run(args: readonly string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(tool("pulumi"), ["--non-interactive", ...args], {
        cwd: this.project,
        env: this.env(),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve(new CliRun(args, { code: code ?? 1, stdout, stderr })));
    });
  }

  /** Writes a stack file into the project copy (the CLI reads and updates it there, never in the repo). */
  writeStackFile(stack: string, yaml: string): void {
    fs.writeFileSync(path.join(this.project, `Pulumi.${stack}.yaml`), yaml);
  }

  readStackFile(stack: string): string {
    return fs.readFileSync(path.join(this.project, `Pulumi.${stack}.yaml`), "utf8");
  }

  remove(): void {
    if (process.env.BOTFLEET_E2E_KEEP === undefined) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export class CliRun implements RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    readonly args: readonly string[],
    result: RunResult,
  ) {
    this.code = result.code;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }

  get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  /** Throws with the command's output unless it exited 0. */
  check(): this {
    if (this.code !== 0) {
      throw new Error(`pulumi ${this.args.join(" ")} exited ${this.code}:\n${this.output.slice(-6000)}`);
    }
    return this;
  }
}

/** The steps of `pulumi preview --json`: URN, operation and the resource type. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly diffReasons?: readonly string[];
  readonly replaceReasons?: readonly string[];
}

export function previewSteps(run: CliRun): PreviewStep[] {
  run.check();
  const json = JSON.parse(run.stdout) as {
    steps?: { op: string; urn: string; diffReasons?: string[]; replaceReasons?: string[] }[];
  };
  return (json.steps ?? []).map((s) => {
    const parts = s.urn.split("::");
    return {
      op: s.op,
      urn: s.urn,
      type: parts[2]?.split("$").pop() ?? "",
      name: parts[3] ?? "",
      diffReasons: s.diffReasons,
      replaceReasons: s.replaceReasons,
    };
  });
}
