#!/usr/bin/env bash
# Builds the project's linters from Go modules (the Go module proxy is the only source: no GitHub
# release downloads), at the versions pinned in versions.env:
#   actionlint   github.com/rhysd/actionlint/cmd/actionlint       -> $CACHE/bin/actionlint-v<ver>/
#   kubeconform  github.com/yannh/kubeconform/cmd/kubeconform     -> $CACHE/bin/kubeconform-v<ver>/
#   kube-linter  golang.stackrox.io/kube-linter/cmd/kube-linter   -> $CACHE/bin/kube-linter-v<ver>/
#   kube-score   github.com/zegl/kube-score/cmd/kube-score        -> $CACHE/bin/kube-score-v<ver>/
# Idempotent: a binary already in its versioned directory is only re-checked (`--version`), so a
# warm run takes well under a second. kubeconform's schemas are not fetched here: see
# scripts/kubeconform-schemas.sh, which generates them from the local API server.
#
# kube-linter is pinned but is not built: the module proxy here refuses its module host
# (golang.stackrox.io/...: 403 "Go module host not permitted"). The script asks the proxy for every
# tool first, reports a refused module as unavailable and skips it (exit status 0); every other
# failure is fatal. It never builds from a source tree fetched some other way.
#
# Usage: scripts/toolchain/linters.sh               build what is missing, verify versions
#        scripts/toolchain/linters.sh --print-dirs  print the binary directories, one per line (no build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain

tools=(actionlint kubeconform kube-linter kube-score)
declare -A version=(
  [actionlint]="v${ACTIONLINT_VERSION}"
  [kubeconform]="v${KUBECONFORM_VERSION}"
  [kube-linter]="v${KUBE_LINTER_VERSION}"
  [kube-score]="v${KUBE_SCORE_VERSION}"
)
declare -A module=(
  [actionlint]="github.com/rhysd/actionlint"
  [kubeconform]="github.com/yannh/kubeconform"
  [kube-linter]="golang.stackrox.io/kube-linter"
  [kube-score]="github.com/zegl/kube-score"
)
# Each tool's main package is cmd/<tool> in its module.
package_of() { printf '%s/cmd/%s\n' "${module[$1]}" "$1"; }
# How each reports its version: the arguments, and the text its first line must contain.
# actionlint reads its module version from the build info; the others are stamped below the way
# their release builds do it (kube-score's goreleaser default drops the "v").
declare -A version_args=(
  [actionlint]="--version"
  [kubeconform]="-v"
  [kube-linter]="version"
  [kube-score]="version"
)
declare -A version_text=(
  [actionlint]="${version[actionlint]}"
  [kubeconform]="${version[kubeconform]}"
  [kube-linter]="${version[kube-linter]}"
  [kube-score]="kube-score version: ${KUBE_SCORE_VERSION},"
)

bin_dir() { printf '%s\n' "${CACHE}/bin/$1-${version[$1]}"; }

if [[ "${1:-}" == "--print-dirs" ]]; then
  for tool in "${tools[@]}"; do bin_dir "${tool}"; done
  exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: scripts/toolchain/linters.sh [--print-dirs]" >&2; exit 2; }

use_go_environment
# shellcheck source-path=SCRIPTDIR source=../lib/goTools.sh
source "${script_dir}/../lib/goTools.sh"
mkdir -p "${CACHE}/bin"

# One builder at a time per cache (Go's own caches are safe to share with the other scripts).
exec 9>"${CACHE}/.linters.sh.lock"
flock 9

# ldflags TOOL: -X stamps for TOOL's version variables.
ldflags() {
  local tool="$1" flags="" time
  case "${tool}" in
    kubeconform) flags+=" -X main.version=${version[kubeconform]}" ;;
    kube-linter) flags+=" -X golang.stackrox.io/kube-linter/internal/version.version=${version[kube-linter]}" ;;
    kube-score)
      # Build date = the release's publication time on the proxy: reproducible, unlike `date`.
      time="$(go list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' \
        "${module[kube-score]}@${version[kube-score]}")" || die "cannot resolve ${module[kube-score]}@${version[kube-score]}"
      flags+=" -X main.version=${KUBE_SCORE_VERSION} -X main.date=${time}"
      ;;
  esac
  printf '%s\n' "${flags}"
}

skipped=()
for tool in "${tools[@]}"; do
  dir="$(bin_dir "${tool}")"
  ver="${version[$tool]}"
  # shellcheck disable=SC2086 # version_args holds the words of the version command
  if [[ ! -x "${dir}/${tool}" ]] && ! err="$(go list -m -json "${module[$tool]}@${ver}" 2>&1 >/dev/null)"; then
    # Asked first, so that a module the proxy refuses is reported as such rather than as a build failure.
    if [[ "${err}" == *"403 Forbidden"* ]]; then
      log "WARNING: ${tool} ${ver} is not available from the module proxy, skipped: ${err##*$'\n'}"
      skipped+=("${tool}")
      continue
    fi
    die "cannot resolve ${module[$tool]}@${ver}: ${err}"
  fi
  # shellcheck disable=SC2086 # version_args holds the words of the version command
  go_install_tool "${dir}" "${tool}" "$(package_of "${tool}")@${ver}" "$(ldflags "${tool}")" "${version_text[$tool]}" ${version_args[$tool]}
done

((${#skipped[@]} == 0)) || log "not built (see warnings above): ${skipped[*]}"
