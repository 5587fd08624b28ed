#!/usr/bin/env bash
# Builds Pulumi's YAML language host, pulumi-language-yaml, from Go modules (the module proxy is the
# only source), at PULUMI_YAML_VERSION from versions.env:
#   github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml  -> $CACHE/bin/pulumi-<PULUMI_VERSION>/
# beside the CLI, where a stock Pulumi install has its bundled language hosts (the CLI looks there,
# and warns about one found elsewhere on PATH), as pulumi/cli.sh does for the Node.js host. YAML
# programs, such as examples/yaml, need nothing else: the YAML host has no SDK to install.
# Idempotent: a binary already built is only checked (its module version, from its build info).
# Cold: a few minutes on 2 cores (its own module graph: pulumi pkg/sdk v3.206.0); 33 s with the
# module and build caches warm.
#
# Usage: scripts/toolchain/pulumiYaml.sh    build it unless built
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain

module=github.com/pulumi/pulumi-yaml
version="v${PULUMI_YAML_VERSION}"
dir="${CACHE}/bin/pulumi-${PULUMI_VERSION}"
bin="${dir}/pulumi-language-yaml"
[[ $# -eq 0 ]] || { echo "usage: scripts/toolchain/pulumiYaml.sh" >&2; exit 2; }

use_go_environment

# built_from_pin BIN: whether BIN was built from pulumi-yaml at $version. The host has no
# --version flag (it reports its version to the engine over gRPC), so its build info is read.
built_from_pin() {
  go version -m "$1" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+${module}[[:space:]]+${version}([[:space:]]|$)"
}

# A host of another version (an older pin) is rebuilt, not used.
if [[ -x "${bin}" ]] && built_from_pin "${bin}"; then
  log "pulumi-language-yaml ${version} cached"
  exit 0
fi

mkdir -p "${CACHE}/bin"
# One builder at a time per cache (Go's own caches are safe to share with the other scripts).
exec 9>"${CACHE}/.pulumiYaml.sh.lock"
flock 9
log "building pulumi-language-yaml ${version} (a few minutes on 2 cores, the first time) ..."
mkdir -p "${dir}"
# Built into a scratch directory and moved in whole: a build that stops half way leaves nothing.
tmp="$(mktemp -d "${dir}/.build.XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
# `go install module/cmd@version` builds in the host's own module graph (its go.mod and go.sum; no
# replace directives). The -X stamp is the version the host reports to the engine.
GOBIN="${tmp}" go install -trimpath -ldflags "-s -w -X ${module}/pkg/version.Version=${version}" \
  "${module}/cmd/pulumi-language-yaml@${version}" || die "go install ${module}/cmd/pulumi-language-yaml@${version} failed"
built_from_pin "${tmp}/pulumi-language-yaml" || die "the built pulumi-language-yaml is not ${module} ${version}: $(go version -m "${tmp}/pulumi-language-yaml")"
mv -f "${tmp}/pulumi-language-yaml" "${bin}"
log "built pulumi-language-yaml ${version} into ${dir}"
