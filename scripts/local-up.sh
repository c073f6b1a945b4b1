#!/usr/bin/env bash
# Deploys the `local` stack to an existing cluster (kind by default) with a local Pulumi backend.
#   PULUMI_CONFIG_PASSPHRASE=... npm run local:up
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "local-up: $*" >&2; exit 1; }

command -v pulumi >/dev/null 2>&1 || fail "the Pulumi CLI is not on PATH; install it from https://www.pulumi.com/docs/install/"
command -v kubectl >/dev/null 2>&1 || fail "kubectl is not on PATH"
[ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ] || [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] ||
  fail "set PULUMI_CONFIG_PASSPHRASE (it encrypts this stack's secrets in Pulumi.local.yaml)"

context="${BOTFLEET_KUBE_CONTEXT:-kind-botfleet}"
if ! kubectl config get-contexts -o name | grep -qx "$context"; then
  command -v kind >/dev/null 2>&1 || fail "no kube context $context and no kind on PATH; create a cluster or set BOTFLEET_KUBE_CONTEXT"
  kind create cluster --name "${context#kind-}"
fi

[ -d node_modules ] || npm ci
# A local file backend for this script only: the user's global `pulumi login` is left as it is.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://${HOME}/.pulumi}"
pulumi stack select --create local
# Every generated password derives from the stack's secret seed: give the stack one when it has none.
# `pulumi config --json` shows a secret as {"secret": true} without its value; the new seed goes through
# a pipe (never an argument, a variable or the terminal).
seed_state=$(pulumi config --json --stack local | node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    const seed = JSON.parse(text || "{}")["botfleet:credentialSeed"];
    process.stdout.write(seed !== undefined && (seed.secret || seed.value) ? "set" : "missing");
  });')
if [ "$seed_state" = missing ]; then
  node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' |
    pulumi config set --secret botfleet:credentialSeed --stack local
  echo "local-up: set a generated botfleet:credentialSeed (secret) on the local stack"
fi
# Pulumi.local.yaml names kind-botfleet; point it elsewhere only when asked to.
if [ -n "${BOTFLEET_KUBE_CONTEXT:-}" ]; then
  pulumi config set --path cluster.kubeconfig.context "$context" --stack local
fi
pulumi up --stack local --yes
