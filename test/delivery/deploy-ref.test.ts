import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/check-deploy-ref.sh");

/** A real git repository: one commit on main (also as origin/main), one on an unmerged branch. */
function repo(): { dir: string; onMain: string; offMain: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-ref-"));
  const git = (...args: string[]) => {
    const res = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args], {
      cwd: dir,
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`git ${args.join(" ")}: ${res.stderr}`);
    return res.stdout.trim();
  };
  git("init", "-q", "-b", "main");
  git("commit", "-q", "--allow-empty", "-m", "reviewed");
  const onMain = git("rev-parse", "HEAD");
  git("update-ref", "refs/remotes/origin/main", onMain);
  git("switch", "-q", "-c", "feature");
  git("commit", "-q", "--allow-empty", "-m", "not reviewed");
  return { dir, onMain, offMain: git("rev-parse", "HEAD") };
}

function check(dir: string, env: Record<string, string>) {
  const res = spawnSync("bash", [SCRIPT], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}`.trim() };
}

describe("scripts/check-deploy-ref.sh (the ref check of every job with deploy credentials)", () => {
  let r: ReturnType<typeof repo>;
  beforeAll(() => {
    r = repo();
  });
  afterAll(() => fs.rmSync(r.dir, { recursive: true, force: true }));

  test("main passes", () => {
    expect(check(r.dir, { GITHUB_REF: "refs/heads/main", GITHUB_SHA: r.onMain })).toEqual({
      status: 0,
      out: "ref check: refs/heads/main",
    });
  });

  test("any other branch fails", () => {
    expect(check(r.dir, { GITHUB_REF: "refs/heads/feature", GITHUB_SHA: r.offMain })).toEqual({
      status: 1,
      out: "::error::ref refs/heads/feature: deploy credentials are only for main or a protected v* tag; run the workflow from main",
    });
  });

  test("a protected v* tag on a commit of main passes", () => {
    const res = check(r.dir, {
      GITHUB_REF: "refs/tags/v1.2.0",
      GITHUB_REF_PROTECTED: "true",
      GITHUB_SHA: r.onMain,
    });
    expect(res).toEqual({ status: 0, out: `ref check: refs/tags/v1.2.0 (${r.onMain} is on main)` });
  });

  test("an unprotected tag fails, and so does a protected one on an unmerged commit", () => {
    expect(
      check(r.dir, { GITHUB_REF: "refs/tags/v1.2.0", GITHUB_REF_PROTECTED: "false", GITHUB_SHA: r.onMain })
        .out,
    ).toBe(
      '::error::ref refs/tags/v1.2.0: tag is not protected; add a tag ruleset for v* (README "Repository setup") and tag again',
    );
    expect(
      check(r.dir, { GITHUB_REF: "refs/tags/v1.2.1", GITHUB_REF_PROTECTED: "true", GITHUB_SHA: r.offMain }),
    ).toEqual({
      status: 1,
      out: `::error::ref refs/tags/v1.2.1: commit ${r.offMain} is not on main; tag a commit of main`,
    });
  });

  test("a tag not matching v* and a missing GITHUB_REF fail", () => {
    expect(check(r.dir, { GITHUB_REF: "refs/tags/release", GITHUB_SHA: r.onMain }).status).toBe(1);
    const missing = check(r.dir, { GITHUB_SHA: r.onMain });
    expect(missing.status).not.toBe(0);
    expect(missing.out).toContain("GITHUB_REF is not set");
  });
});
