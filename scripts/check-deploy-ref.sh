#!/usr/bin/env bash
# Refuses to go on unless the run is for main or a protected v* tag whose commit is on main: the first step
# of every job that holds prod (or dev) deploy credentials. The environment's deployment-branch rule is the
# real gate (a workflow dispatched on another branch runs that branch's copy of this file); this step makes
# a wrong dispatch fail loudly, and keeps a tag set on an unmerged commit from reaching prod.
#   GITHUB_REF, GITHUB_REF_PROTECTED, GITHUB_SHA (set by GitHub Actions); needs the full history of main
#   (actions/checkout with fetch-depth: 0) for a tag.
set -euo pipefail

fail() {
  echo "::error::$1" >&2
  exit 1
}

ref="${GITHUB_REF:?GITHUB_REF is not set}"
sha="${GITHUB_SHA:?GITHUB_SHA is not set}"
case "$ref" in
refs/heads/main)
  echo "ref check: $ref"
  ;;
refs/tags/v*)
  [ "${GITHUB_REF_PROTECTED:-false}" = "true" ] ||
    fail "ref $ref: tag is not protected; add a tag ruleset for v* (README \"Repository setup\") and tag again"
  git merge-base --is-ancestor "$sha" refs/remotes/origin/main ||
    fail "ref $ref: commit $sha is not on main; tag a commit of main"
  echo "ref check: $ref ($sha is on main)"
  ;;
*)
  fail "ref $ref: deploy credentials are only for main or a protected v* tag; run the workflow from main"
  ;;
esac
