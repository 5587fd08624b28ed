#!/usr/bin/env bash
# Builds Pulumi's YAML language host, pulumi-language-yaml, from Go modules (the module proxy is the
# only source), at PULUMI_YAML_VERSION from versions.env:
#   github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml  -> $CACHE/bin/pulumi-yaml-v<ver>/
# The CLI finds a language host on PATH (scripts/toolchain.sh env puts this directory there); YAML
# programs, such as examples/yaml, need nothing else: the YAML host has no SDK to install.
# Idempotent: a binary already built is only checked (its module version, from its build info).
# Cold: a few minutes on 2 cores (its own module graph: pulumi pkg/sdk v3.206.0).
#
# Usage: scripts/toolchain/pulumiYaml.sh               build it unless built
#        scripts/toolchain/pulumiYaml.sh --print-dir   print its directory (no build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain

module=github.com/pulumi/pulumi-yaml
version="v${PULUMI_YAML_VERSION}"
dir="${CACHE}/bin/pulumi-yaml-${version}"
bin="${dir}/pulumi-language-yaml"

if [[ "${1:-}" == "--print-dir" ]]; then
  printf '%s\n' "${dir}"
  exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: scripts/toolchain/pulumiYaml.sh [--print-dir]" >&2; exit 2; }

use_go_environment

# check_built BIN: fails unless BIN was built from pulumi-yaml at $version. The host has no
# --version flag (it reports its version to the engine over gRPC), so its build info is read.
check_built() {
  local info
  info="$(go version -m "$1")" || die "go version -m $1 failed"
  grep -Eq "^[[:space:]]+mod[[:space:]]+${module}[[:space:]]+${version}([[:space:]]|$)" <<<"${info}" \
    || die "$1 is not ${module} ${version}: ${info}"
}

if [[ -x "${bin}" ]]; then
  check_built "${bin}"
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
check_built "${tmp}/pulumi-language-yaml"
mv -f "${tmp}/pulumi-language-yaml" "${bin}"
log "built pulumi-language-yaml ${version} into ${dir}"
