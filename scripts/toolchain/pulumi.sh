#!/usr/bin/env bash
# Builds the Pulumi CLI, its Node.js language host and the Pulumi Kubernetes provider plugin from Go
# modules (the Go module proxy is the only source: no GitHub, no get.pulumi.com), then installs the
# plugin into PULUMI_HOME with `pulumi plugin install --file`, so nothing is ever downloaded at run time.
#
# Idempotent: each binary is built only if absent from the cache, the plugin is installed only if
# `pulumi plugin ls` does not show it yet. A warm run takes seconds.
#
#   CACHE=${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}
#   $CACHE/go/mod, $CACHE/go/build          GOMODCACHE / GOCACHE (shared with kubernetes.sh)
#   $CACHE/src/...                          generated wrapper modules and the writable provider copy
#   $CACHE/bin/pulumi-<PULUMI_VERSION>/     pulumi, pulumi-language-nodejs
#   $CACHE/bin/pulumi-kubernetes-<PULUMI_KUBERNETES_VERSION>/   pulumi-resource-kubernetes
#   ${PULUMI_HOME:-$CACHE/pulumi-home}      the plugin is installed here
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: error: %s\n' "$*" >&2; exit 1; }

CACHE=${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}
mkdir -p "$CACHE/go/mod" "$CACHE/go/build" "$CACHE/src" "$CACHE/bin"

# --- Go environment -------------------------------------------------------------------------------
export GOTOOLCHAIN=local            # never download a Go toolchain
export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build"
export CGO_ENABLED=0
# -mod=mod: the wrapper modules below are generated without a go.sum; go adds each module's hash
# as it resolves it. Those hashes are still verified: sum.golang.org is reachable through the module
# proxy (GET $GOPROXY/sumdb/sum.golang.org/supported answers 200), so GOSUMDB stays at its default
# and GONOSUMDB/GONOSUMCHECK/GOPRIVATE/GOINSECURE are deliberately NOT set: the proxy here is a
# curated mirror, and the checksum database is what proves it serves the same bytes as upstream.
# If a machine ever cannot reach the sumdb, fix the proxy rather than turning verification off.
# -buildvcs=false: the sources come from module zips (no VCS metadata to stamp).
export GOFLAGS="-mod=mod -buildvcs=false"

# --- Pins that are not in versions.env ------------------------------------------------------------
# github.com/pulumi/pulumi-kubernetes/provider/v4 has no semver tags: it is only reachable by the
# pseudo-version of a release commit, and the module proxy here serves only some of them.
# Release tag v4.25.0 = commit f47bc2d6f1996444d11c12b4ef083b82585f7c07 (committed 2026-01-15T03:34:56Z).
# (v4.26.0 ... v4.32.0 release commits, and everything after v4.25.0 we could identify, answer
# "403 This module version is not available".)
case "$PULUMI_KUBERNETES_VERSION" in
  4.25.0) k8s_provider_modver=v4.0.0-20260115033456-f47bc2d6f199 ;;
  *) k8s_provider_modver=${PULUMI_KUBERNETES_PROVIDER_MODVER:-} ;;
esac
[ -n "$k8s_provider_modver" ] || die "no known provider/v4 pseudo-version for pulumi-kubernetes $PULUMI_KUBERNETES_VERSION (set PULUMI_KUBERNETES_PROVIDER_MODVER=v4.0.0-<utc-commit-time>-<sha12> of its release tag)"

# The Node.js language host. Since pulumi v3.69.0 it is its own untagged module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the module proxy here
# answers 403 for every version of it (even @v/list). The last releases that shipped it inside
# github.com/pulumi/pulumi/sdk/v3 (package sdk/v3/nodejs/cmd/pulumi-language-nodejs) are on the proxy;
# v3.68.0 is the newest. The CLI still speaks to such an older host: GetRequiredPackages falls back
# to GetRequiredPlugins, Run still gets program/pwd, and @pulumi/pulumi's cmd/run still takes the same
# --monitor/--engine/... flags. It is stamped with its own version, not PULUMI_VERSION.
LANGHOST_SDK_VERSION=3.68.0

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

# new_wrapper DIR: a fresh directory holding only a generated go.mod (content on stdin).
new_wrapper() {
  local dir=$1
  rm -rf "$dir"
  mkdir -p "$dir"
  cat >"$dir/go.mod"
}

go_line="go $(go env GOVERSION | sed 's/^go//')"

# mod_info MODULE@VERSION FIELD: downloads a module and prints one field (Dir, GoMod) of
# `go mod download -json`.
mod_info() {
  (cd "$CACHE/src" && go mod download -json "$1") | sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\$/\1/p"
}

# --- pulumi CLI -----------------------------------------------------------------------------------
# pkg/v3's go.mod replaces sdk/v3 => ../sdk and atotto/clipboard => tgummerer/clipboard, so
# `go install pkg@version` refuses it; a wrapper module requires pkg and sdk at the same version and
# repeats pkg's non-local replace directives (read from pkg's own go.mod, so a new pin keeps working).
if [ -x "$pulumi_bin/pulumi" ]; then
  log "pulumi v$PULUMI_VERSION cached"
else
  log "building pulumi v$PULUMI_VERSION ..."
  pkg_gomod=$(mod_info "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" GoMod)
  [ -f "$pkg_gomod" ] || die "cannot fetch github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION from the module proxy"
  # "replace X => Y vN" directives (single-line or in a block) whose target is a module, not a path.
  pkg_replaces=$(awk '
    /^replace[[:space:]]*[(]/ { blk = 1; next }
    blk && /^[)]/ { blk = 0; next }
    {
      line = $0
      if (!blk) { if (line !~ /^replace[[:space:]]/) next; sub(/^replace[[:space:]]+/, "", line) }
      sub(/^[[:space:]]+/, "", line); sub(/[[:space:]]*\/\/.*$/, "", line)
      if (split(line, side, /[[:space:]]*=>[[:space:]]*/) != 2 || side[2] ~ /^[.\/]/) next
      print "replace " line
    }' "$pkg_gomod")
  w="$CACHE/src/pulumi-cli-$PULUMI_VERSION"
  new_wrapper "$w" <<EOF
module toolchain.local/pulumi-cli

$go_line

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

$pkg_replaces
EOF
  go_build "$w" "$pulumi_bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  got=$(PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_bin/pulumi" version)
  [ "$got" = "v$PULUMI_VERSION" ] || { rm -f "$pulumi_bin/pulumi"; die "pulumi version says '$got', expected v$PULUMI_VERSION (wrong -X path?)"; }
  log "built pulumi $got"
fi

# --- pulumi-language-nodejs -----------------------------------------------------------------------
if [ -x "$pulumi_bin/pulumi-language-nodejs" ] && [ "$(cat "$pulumi_bin/.pulumi-language-nodejs.version" 2>/dev/null)" = "v$LANGHOST_SDK_VERSION" ]; then
  log "pulumi-language-nodejs v$LANGHOST_SDK_VERSION cached"
else
  log "building pulumi-language-nodejs v$LANGHOST_SDK_VERSION (from github.com/pulumi/pulumi/sdk/v3) ..."
  w="$CACHE/src/pulumi-language-nodejs-$LANGHOST_SDK_VERSION"
  new_wrapper "$w" <<EOF
module toolchain.local/pulumi-language-nodejs

$go_line

require github.com/pulumi/pulumi/sdk/v3 v$LANGHOST_SDK_VERSION
EOF
  go_build "$w" "$pulumi_bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_SDK_VERSION"
  echo "v$LANGHOST_SDK_VERSION" >"$pulumi_bin/.pulumi-language-nodejs.version"
fi

# --- pulumi-resource-kubernetes -------------------------------------------------------------------
# cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which
# its generate.go derives from schema.json / terraform-mapping.json (both in the module zip). The
# module cache is read-only, so the provider module is copied out, with sdk/v4 beside it for the
# provider's own `replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk`.
if [ -x "$k8s_bin/pulumi-resource-kubernetes" ]; then
  log "pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION cached"
else
  log "building pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION (provider/v4@$k8s_provider_modver) ..."
  provider_src=$(mod_info "github.com/pulumi/pulumi-kubernetes/provider/v4@$k8s_provider_modver" Dir)
  sdk_src=$(mod_info "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_KUBERNETES_VERSION" Dir)
  if [ ! -d "$provider_src" ] || [ ! -d "$sdk_src" ]; then die "could not download the provider/sdk modules"; fi
  src="$CACHE/src/pulumi-kubernetes-$PULUMI_KUBERNETES_VERSION"
  rm -rf "$src"
  mkdir -p "$src"
  cp -R "$provider_src" "$src/provider"
  cp -R "$sdk_src" "$src/sdk"
  chmod -R u+w "$src"
  (cd "$src/provider/cmd/pulumi-resource-kubernetes" && VERSION="$PULUMI_KUBERNETES_VERSION" go run ./generate.go)
  go_build "$src/provider" "$k8s_bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION"
  log "built pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION"
fi

# --- install the plugin into PULUMI_HOME (no download) --------------------------------------------
pulumi_offline() {
  PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true "$pulumi_bin/pulumi" "$@"
}
if pulumi_offline plugin ls | awk -v v="$PULUMI_KUBERNETES_VERSION" '$1=="kubernetes" && $2=="resource" && $3==v {f=1} END {exit !f}'; then
  log "plugin resource kubernetes v$PULUMI_KUBERNETES_VERSION already installed in $PULUMI_HOME"
else
  log "installing plugin resource kubernetes v$PULUMI_KUBERNETES_VERSION into $PULUMI_HOME ..."
  pulumi_offline plugin install resource kubernetes "$PULUMI_KUBERNETES_VERSION" --file "$k8s_bin/pulumi-resource-kubernetes"
fi

log "pulumi bin dir:            $pulumi_bin"
log "pulumi-kubernetes bin dir: $k8s_bin"
log "PULUMI_HOME:               $PULUMI_HOME"
