# shellcheck shell=bash
# shellcheck disable=SC2154 # k8s_bin, pulumi_bin, log, die, go_build, mod_info: set by pulumi.sh, which sources this file
# Part of scripts/toolchain/pulumi.sh (sourced): the Pulumi Kubernetes provider plugin.
#
#   build_kubernetes_provider    $k8s_bin/pulumi-resource-kubernetes at PULUMI_KUBERNETES_VERSION, unless built
#   install_kubernetes_plugin    installs it into PULUMI_HOME (no download), unless installed

# github.com/pulumi/pulumi-kubernetes/provider/v4 has no semver tags: it is only reachable by the
# pseudo-version of a release commit, and the module proxy here serves only some of them.
# Release tag v4.25.0 = commit f47bc2d6f1996444d11c12b4ef083b82585f7c07 (committed 2026-01-15T03:34:56Z).
# (v4.26.0 ... v4.32.0 release commits, and everything after v4.25.0 we could identify, answer
# "403 This module version is not available".)
provider_module_version() {
  case "$PULUMI_KUBERNETES_VERSION" in
    4.25.0) echo v4.0.0-20260115033456-f47bc2d6f199 ;;
    *) [ -n "${PULUMI_KUBERNETES_PROVIDER_MODVER:-}" ] \
         || die "no known provider/v4 pseudo-version for pulumi-kubernetes $PULUMI_KUBERNETES_VERSION (set PULUMI_KUBERNETES_PROVIDER_MODVER=v4.0.0-<utc-commit-time>-<sha12> of its release tag)"
       echo "$PULUMI_KUBERNETES_PROVIDER_MODVER" ;;
  esac
}

# cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which
# its generate.go derives from schema.json / terraform-mapping.json (both in the module zip). The
# module cache is read-only, so the provider module is copied out, with sdk/v4 beside it for the
# provider's own `replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk`.
build_kubernetes_provider() {
  if [ -x "$k8s_bin/pulumi-resource-kubernetes" ]; then
    log "pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION cached"
    return 0
  fi
  local modver provider_src sdk_src src
  modver=$(provider_module_version)
  log "building pulumi-resource-kubernetes v$PULUMI_KUBERNETES_VERSION (provider/v4@$modver) ..."
  provider_src=$(mod_info "github.com/pulumi/pulumi-kubernetes/provider/v4@$modver" Dir)
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
}

install_kubernetes_plugin() {
  local offline=(env PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true "$pulumi_bin/pulumi")
  if "${offline[@]}" plugin ls | awk -v v="$PULUMI_KUBERNETES_VERSION" '$1=="kubernetes" && $2=="resource" && $3==v {f=1} END {exit !f}'; then
    log "plugin resource kubernetes v$PULUMI_KUBERNETES_VERSION already installed in $PULUMI_HOME"
  else
    log "installing plugin resource kubernetes v$PULUMI_KUBERNETES_VERSION into $PULUMI_HOME ..."
    "${offline[@]}" plugin install resource kubernetes "$PULUMI_KUBERNETES_VERSION" --file "$k8s_bin/pulumi-resource-kubernetes"
  fi
}
