# shellcheck shell=bash
# shellcheck disable=SC2154 # pulumi_bin, log, die, go_build, new_wrapper, mod_info: set by pulumi.sh, which sources this file
# Part of scripts/toolchain/pulumi.sh (sourced): the Pulumi CLI and its Node.js language host.
#
#   build_pulumi_cli       $pulumi_bin/pulumi at PULUMI_VERSION, unless built
#   build_language_host    $pulumi_bin/pulumi-language-nodejs at LANGHOST_SDK_VERSION, unless built

# The Node.js language host. Since pulumi v3.69.0 it is its own untagged module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the module proxy here
# answers 403 for every version of it (even @v/list). The last releases that shipped it inside
# github.com/pulumi/pulumi/sdk/v3 (package sdk/v3/nodejs/cmd/pulumi-language-nodejs) are on the proxy;
# v3.68.0 is the newest. The CLI still speaks to such an older host: GetRequiredPackages falls back
# to GetRequiredPlugins, Run still gets program/pwd, and @pulumi/pulumi's cmd/run still takes the same
# --monitor/--engine/... flags. It is stamped with its own version, not PULUMI_VERSION.
LANGHOST_SDK_VERSION=3.68.0

# pkg/v3's go.mod replaces sdk/v3 => ../sdk and atotto/clipboard => tgummerer/clipboard, so
# `go install pkg@version` refuses it; a wrapper module requires pkg and sdk at the same version and
# repeats pkg's replace directives whose target is a module, not a path (read from pkg's own go.mod,
# so a new pin keeps working).
build_pulumi_cli() {
  if [ -x "$pulumi_bin/pulumi" ]; then
    log "pulumi v$PULUMI_VERSION cached"
    return 0
  fi
  log "building pulumi v$PULUMI_VERSION ..."
  local pkg_gomod replaces got
  pkg_gomod=$(mod_info "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" GoMod)
  [ -f "$pkg_gomod" ] || die "cannot fetch github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION from the module proxy"
  mapfile -t replaces < <(go mod edit -json "$pkg_gomod" | jq -r '.Replace[]? | select(.New.Version != null)
    | "-replace=\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=\(.New.Path)@\(.New.Version)"')
  new_wrapper "$CACHE/src/pulumi-cli-$PULUMI_VERSION" toolchain.local/pulumi-cli \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    "${replaces[@]}"
  go_build "$CACHE/src/pulumi-cli-$PULUMI_VERSION" "$pulumi_bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  got=$(PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_bin/pulumi" version)
  [ "$got" = "v$PULUMI_VERSION" ] || { rm -f "$pulumi_bin/pulumi"; die "pulumi version says '$got', expected v$PULUMI_VERSION (wrong -X path?)"; }
  log "built pulumi $got"
}

build_language_host() {
  local stamp="$pulumi_bin/.pulumi-language-nodejs.version"
  if [ -x "$pulumi_bin/pulumi-language-nodejs" ] && [ "$(cat "$stamp" 2>/dev/null)" = "v$LANGHOST_SDK_VERSION" ]; then
    log "pulumi-language-nodejs v$LANGHOST_SDK_VERSION cached"
    return 0
  fi
  log "building pulumi-language-nodejs v$LANGHOST_SDK_VERSION (from github.com/pulumi/pulumi/sdk/v3) ..."
  new_wrapper "$CACHE/src/pulumi-language-nodejs-$LANGHOST_SDK_VERSION" toolchain.local/pulumi-language-nodejs \
    -require="github.com/pulumi/pulumi/sdk/v3@v$LANGHOST_SDK_VERSION"
  go_build "$CACHE/src/pulumi-language-nodejs-$LANGHOST_SDK_VERSION" "$pulumi_bin/pulumi-language-nodejs" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_SDK_VERSION"
  echo "v$LANGHOST_SDK_VERSION" >"$stamp"
}
