#!/usr/bin/env bash
# Builds the real-engine suite's tools from Go modules at pinned versions and caches them by version:
#   pulumi + our Node.js language host   (e2e/tools/pulumi, version of @pulumi/pulumi in package.json)
#   pulumi-resource-kubernetes           (e2e/tools/pulumi-kubernetes, version of @pulumi/kubernetes)
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd   (e2e/tools/kubernetes)
#   kwok, kwok-stages (its default stages) (e2e/tools/kwok)
# Each set lands in $BOTFLEET_E2E_CACHE/<set>-<version>-<hash of its build files>/bin; a warm run finds
# them and builds nothing. $BOTFLEET_E2E_CACHE/bin holds links to the current ones (what the tests use).
# Needs only `go` and the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=${BOTFLEET_E2E_CACHE:-$HOME/.cache/botfleet/e2e}
mkdir -p "$cache/bin"
rm -rf "$cache"/*.tmp # what an interrupted build left

npm_version() { node -p "require('./package.json').dependencies['$1']"; }
pulumi_version=$(npm_version @pulumi/pulumi)
k8s_provider_version=$(npm_version @pulumi/kubernetes)
kube_version=v1.34.4 # e2e/tools/kubernetes/go.mod
kwok_version=v0.8.0  # e2e/tools/kwok/go.mod

# The go.mod files must pin what package.json says: a bump of the npm package without its tool fails here.
grep -q "github.com/pulumi/pulumi/pkg/v3 v$pulumi_version\b" e2e/tools/pulumi/go.mod ||
  { echo "e2e/tools/pulumi/go.mod does not pin pkg/v3 v$pulumi_version (@pulumi/pulumi in package.json)" >&2; exit 1; }
grep -q "github.com/pulumi/pulumi-kubernetes/sdk/v4 v$k8s_provider_version\b" e2e/tools/pulumi-kubernetes/go.mod ||
  { echo "e2e/tools/pulumi-kubernetes/go.mod does not pin sdk/v4 v$k8s_provider_version (@pulumi/kubernetes)" >&2; exit 1; }

# hash_of DIR: a short digest of a tool module's own files, so a change to our build glue rebuilds it.
hash_of() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12); }

# build SET VERSION DIR CMD...: runs CMD in DIR with $out set to a fresh folder, unless SET is cached.
build() {
  local set=$1 version=$2 dir=$3
  shift 3
  local target="$cache/$set-$version-$(hash_of "$dir")"
  if [ -f "$target/.complete" ]; then
    echo "e2e tools: $set $version cached ($target)"
  else
    echo "e2e tools: building $set $version ..."
    local started=$SECONDS
    rm -rf "$target.tmp" && mkdir -p "$target.tmp/bin"
    (cd "$dir" && out="$target.tmp/bin" && "$@")
    touch "$target.tmp/.complete" && rm -rf "$target" && mv "$target.tmp" "$target"
    echo "e2e tools: built $set $version in $((SECONDS - started)) s"
  fi
  for bin in "$target"/bin/*; do ln -sfn "$bin" "$cache/bin/$(basename "$bin")"; done
}

build_pulumi() {
  local v=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
  go build -trimpath -ldflags "-s -w -X $v=v$pulumi_version" -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go build -trimpath -ldflags "-s -w -X main.Version=$pulumi_version" -o "$out/pulumi-language-nodejs" ./language-nodejs
}

build_k8s_provider() {
  # The provider's main package embeds files that its `go generate` writes beside it, and the module cache
  # is read-only (and -overlay may not replace files in it): so its main package is built from a copy in a
  # scratch module with this folder's go.mod/go.sum, the embedded files written there by gen-embed.
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  local src scratch
  src=$(go list -m -f '{{.Dir}}' "$mod")/cmd/pulumi-resource-kubernetes
  scratch=$(mktemp -d)
  cp go.mod go.sum "$scratch/" && mkdir "$scratch/provider" && cp "$src/main.go" "$scratch/provider/"
  go run ./gen-embed "$src" "$k8s_provider_version" "$scratch/provider"
  (cd "$scratch" && go build -trimpath -ldflags "-s -w -X $mod/pkg/version.Version=$k8s_provider_version" \
    -o "$out/pulumi-resource-kubernetes" ./provider)
  rm -rf "$scratch"
}

build_kubernetes() {
  local v=k8s.io/component-base/version minor=${kube_version#v1.}
  minor=${minor%%.*}
  go build -trimpath -ldflags "-s -w -X $v.gitVersion=$kube_version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
    -o "$out/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl ./etcd
}

build_kwok() {
  go build -trimpath -ldflags "-s -w" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok
  go build -trimpath -ldflags "-s -w" -o "$out/kwok-stages" ./stages
}

build pulumi "v$pulumi_version" e2e/tools/pulumi build_pulumi
build pulumi-kubernetes "v$k8s_provider_version" e2e/tools/pulumi-kubernetes build_k8s_provider
build kubernetes "$kube_version" e2e/tools/kubernetes build_kubernetes
build kwok "$kwok_version" e2e/tools/kwok build_kwok
echo "e2e tools: ready in $cache/bin"
