#!/usr/bin/env bash
# Builds the Pulumi CLI, its Node.js language host and the Pulumi Kubernetes provider plugin from Go
# modules (the Go module proxy is the only source: no GitHub, no get.pulumi.com), then installs the
# plugin into PULUMI_HOME with `pulumi plugin install --file`, so nothing is ever downloaded at run time.
# The parts: pulumi/cli.sh (the CLI and the language host), pulumi/kubernetesProvider.sh (the provider).
#
# Idempotent: each binary is built only if absent from the cache, the plugin is installed only if
# `pulumi plugin ls` does not show it yet. A warm run takes seconds.
#
#   $CACHE/go/mod, $CACHE/go/build          GOMODCACHE / GOCACHE (shared with kubernetes.sh)
#   $CACHE/src/...                          generated wrapper modules and the writable provider copy
#   $CACHE/bin/pulumi-<PULUMI_VERSION>/     pulumi, pulumi-language-nodejs
#   $CACHE/bin/pulumi-kubernetes-<PULUMI_KUBERNETES_VERSION>/   pulumi-resource-kubernetes
#   ${PULUMI_HOME:-$CACHE/pulumi-home}      the plugin is installed here
# ($CACHE: scripts/lib/common.sh.)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh" toolchain
# shellcheck source=../lib/debianPackages.sh
source "$here/../lib/debianPackages.sh"
# shellcheck source=pulumi/cli.sh
source "$here/pulumi/cli.sh"
# shellcheck source=pulumi/kubernetesProvider.sh
source "$here/pulumi/kubernetesProvider.sh"

use_go_environment
# -mod=mod: the wrapper modules below are generated without a go.sum; go adds each module's hash
# as it resolves it. Those hashes are still verified against sum.golang.org (common.sh: GOSUMDB is
# left at its default), which is what proves the proxy serves the same bytes as upstream.
export GOFLAGS="-mod=mod ${GOFLAGS}"
install_debian_packages toolchain jq=jq # reads `go mod download -json` and `go mod edit -json`
mkdir -p "$CACHE/go/mod" "$CACHE/go/build" "$CACHE/src" "$CACHE/bin"

pulumi_bin="$CACHE/bin/pulumi-$PULUMI_VERSION"
k8s_bin="$CACHE/bin/pulumi-kubernetes-$PULUMI_KUBERNETES_VERSION"
export PULUMI_HOME=${PULUMI_HOME:-$CACHE/pulumi-home}
mkdir -p "$pulumi_bin" "$k8s_bin" "$PULUMI_HOME"

# One run at a time per cache (Go's own caches are safe to share with kubernetes.sh).
exec 9>"$CACHE/.pulumi.sh.lock"
flock 9

tmpfiles=()
cleanup() { [ ${#tmpfiles[@]} -eq 0 ] || rm -rf "${tmpfiles[@]}"; }
trap cleanup EXIT

# go_build DIR OUT PKG LDFLAGS: builds PKG from module DIR into a temporary name, then renames, so
# an interrupted build never leaves a half-written binary behind.
go_build() {
  local dir=$1 out=$2 pkg=$3 ldflags=$4 tmp
  tmp="$(dirname "$out")/.$(basename "$out").tmp.$$"
  tmpfiles+=("$tmp")
  (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp" "$pkg")
  mv -f "$tmp" "$out"
}

# new_wrapper DIR MODULE EDIT...: a fresh directory holding only a go.mod for MODULE, at this Go's
# version, with the `go mod edit` flags EDIT... (-require=..., -replace=...) applied.
new_wrapper() {
  local dir=$1 module=$2
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && go mod init "$module" 2>/dev/null && go mod edit -go="$(go env GOVERSION | sed 's/^go//')" "$@") \
    || die "could not write $dir/go.mod (go mod init, go mod edit)"
}

# mod_info MODULE@VERSION FIELD: downloads a module and prints one field (Dir, GoMod) of
# `go mod download -json`.
mod_info() {
  (cd "$CACHE/src" && go mod download -json "$1") | jq -r --arg field "$2" '.[$field] // empty'
}

build_pulumi_cli
build_language_host
build_kubernetes_provider
install_kubernetes_plugin

log "pulumi bin dir:            $pulumi_bin"
log "pulumi-kubernetes bin dir: $k8s_bin"
log "PULUMI_HOME:               $PULUMI_HOME"
