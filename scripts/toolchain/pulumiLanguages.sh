#!/usr/bin/env bash
# What Pulumi Python and Go programs need here, for the examples in those languages (examples/python,
# examples/go, docs/languages.md):
#   pulumi-language-python (v3.68.0) and its exec shim,
#   pulumi-language-go (PULUMI_GO_LANGHOST_VERSION)     -> $CACHE/bin/pulumi-<PULUMI_VERSION>/, beside the CLI
#   sdkgen, the SDK generator (scripts/toolchain/sdkgen/main.go, codegen of pulumi v<PULUMI_VERSION>)
#                                                        -> $CACHE/bin/pulumi-sdkgen-<PULUMI_VERSION>/
#   a virtualenv with the Pulumi and Kubernetes Python SDKs, pinned in pulumi-python-requirements.txt
#                                                        -> $CACHE/venv/pulumi-python-<PULUMI_VERSION>/
# The language hosts are the newest the module proxy serves, from github.com/pulumi/pulumi/sdk/v3
# like the Node.js one (pulumi/cli.sh; versions.env says why Go's is older). CLI 3.248.0 asks them
# to generate SDKs, which they cannot (GeneratePackage: "not implemented", hence sdkgen), and does
# not pass the Python host the virtualenv option (the program runs with the virtualenv's bin/ first
# on PATH).
# Idempotent: each part is built or installed only when missing or of another version. Cold: the
# hosts and sdkgen are mostly in the Go build cache once the CLI is built (seconds to a minute);
# the virtualenv is ~15 s of pip from PyPI.
#
# Usage: scripts/toolchain/pulumiLanguages.sh               build and install what is missing
#        scripts/toolchain/pulumiLanguages.sh --print-dirs  print the sdkgen and virtualenv directories (no build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain
# shellcheck source-path=SCRIPTDIR source=../lib/debianPackages.sh
source "${script_dir}/../lib/debianPackages.sh"
# Only for LANGHOST_SDK_VERSION, the language hosts' version (it defines functions, runs nothing).
# shellcheck source-path=SCRIPTDIR source=pulumi/cli.sh
source "${script_dir}/pulumi/cli.sh"

pulumi_bin="${CACHE}/bin/pulumi-${PULUMI_VERSION}"
sdkgen_bin="${CACHE}/bin/pulumi-sdkgen-${PULUMI_VERSION}"
venv="${CACHE}/venv/pulumi-python-${PULUMI_VERSION}"
requirements="${script_dir}/pulumi-python-requirements.txt"

if [[ "${1:-}" == "--print-dirs" ]]; then
  printf '%s\n%s\n' "${sdkgen_bin}" "${venv}"
  exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: scripts/toolchain/pulumiLanguages.sh [--print-dirs]" >&2; exit 2; }

use_go_environment
install_debian_packages toolchain jq=jq # reads `go mod download -json` and `go mod edit -json`
# -mod=mod: the wrapper modules are generated without a go.sum (as in pulumi.sh); hashes are still
# checked against the sum database.
export GOFLAGS="-mod=mod ${GOFLAGS}"
mkdir -p "${pulumi_bin}" "${sdkgen_bin}" "${CACHE}/src" "${CACHE}/venv"
exec 9>"${CACHE}/.pulumiLanguages.sh.lock"
flock 9

# wrapper DIR MODULE REQUIRE...: a fresh module DIR (only a go.mod) requiring each MODULE@VERSION.
wrapper() {
  local dir=$1 module=$2 requirement
  shift 2
  rm -rf "${dir}"
  mkdir -p "${dir}"
  (cd "${dir}" && go mod init "${module}" 2>/dev/null && go mod edit -go="$(go env GOVERSION | sed 's/^go//')") \
    || die "could not write ${dir}/go.mod"
  for requirement in "$@"; do
    (cd "${dir}" && go mod edit "${requirement}") || die "go mod edit ${requirement} failed in ${dir}"
  done
}

# build DIR OUT PKG LDFLAGS: go build into a temporary name, then rename (no half-written binary).
build() {
  local dir=$1 out=$2 pkg=$3 ldflags=$4 tmp
  tmp="$(dirname "${out}")/.$(basename "${out}").tmp.$$"
  (cd "${dir}" && nice go build -trimpath -ldflags "-s -w ${ldflags}" -o "${tmp}" "${pkg}") || { rm -f "${tmp}"; die "go build ${pkg} failed"; }
  mv -f "${tmp}" "${out}"
}

# The Python language host and its exec shim (a Python script the host runs the program with).
stamp="${pulumi_bin}/.pulumi-language-python.version"
if [[ -x "${pulumi_bin}/pulumi-language-python" && -x "${pulumi_bin}/pulumi-language-python-exec" && "$(cat "${stamp}" 2>/dev/null)" == "v${LANGHOST_SDK_VERSION}" ]]; then
  log "pulumi-language-python v${LANGHOST_SDK_VERSION} cached"
else
  log "building pulumi-language-python v${LANGHOST_SDK_VERSION} (from github.com/pulumi/pulumi/sdk/v3) ..."
  dir="${CACHE}/src/pulumi-language-python-${LANGHOST_SDK_VERSION}"
  wrapper "${dir}" toolchain.local/pulumi-language-python -require="github.com/pulumi/pulumi/sdk/v3@v${LANGHOST_SDK_VERSION}"
  build "${dir}" "${pulumi_bin}/pulumi-language-python" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${LANGHOST_SDK_VERSION}"
  sdk_dir="$(cd "${dir}" && go list -m -f '{{.Dir}}' "github.com/pulumi/pulumi/sdk/v3")"
  install -m 0755 "${sdk_dir}/python/cmd/pulumi-language-python-exec" "${pulumi_bin}/pulumi-language-python-exec"
  echo "v${LANGHOST_SDK_VERSION}" >"${stamp}"
fi

# The Go language host: it builds the program with the go on PATH, then runs it.
stamp="${pulumi_bin}/.pulumi-language-go.version"
if [[ -x "${pulumi_bin}/pulumi-language-go" && "$(cat "${stamp}" 2>/dev/null)" == "v${PULUMI_GO_LANGHOST_VERSION}" ]]; then
  log "pulumi-language-go v${PULUMI_GO_LANGHOST_VERSION} cached"
else
  log "building pulumi-language-go v${PULUMI_GO_LANGHOST_VERSION} (from github.com/pulumi/pulumi/sdk/v3) ..."
  dir="${CACHE}/src/pulumi-language-go-${PULUMI_GO_LANGHOST_VERSION}"
  wrapper "${dir}" toolchain.local/pulumi-language-go -require="github.com/pulumi/pulumi/sdk/v3@v${PULUMI_GO_LANGHOST_VERSION}"
  build "${dir}" "${pulumi_bin}/pulumi-language-go" github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_GO_LANGHOST_VERSION}"
  echo "v${PULUMI_GO_LANGHOST_VERSION}" >"${stamp}"
fi

# sdkgen: a wrapper module holding main.go, requiring pkg/v3 and sdk/v3 at the CLI's version with
# pkg's own module replaces (as pulumi/cli.sh builds the CLI), so its packages are the CLI's.
sdkgen_stamp="${sdkgen_bin}/.sdkgen.sha256"
sdkgen_sum="$(sha256sum "${script_dir}/sdkgen/main.go" | cut -d' ' -f1)"
if [[ -x "${sdkgen_bin}/sdkgen" && "$(cat "${sdkgen_stamp}" 2>/dev/null)" == "${sdkgen_sum}" ]]; then
  log "sdkgen (pulumi v${PULUMI_VERSION}'s codegen) cached"
else
  log "building sdkgen with pulumi v${PULUMI_VERSION}'s codegen (long on 2 cores unless the CLI's build is cached) ..."
  dir="${CACHE}/src/pulumi-sdkgen-${PULUMI_VERSION}"
  pkg_gomod="$(cd "${CACHE}/src" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v${PULUMI_VERSION}" | jq -r '.GoMod // empty')"
  [[ -f "${pkg_gomod}" ]] || die "cannot fetch github.com/pulumi/pulumi/pkg/v3@v${PULUMI_VERSION} from the module proxy"
  mapfile -t replaces < <(go mod edit -json "${pkg_gomod}" | jq -r '.Replace[]? | select(.New.Version != null)
    | "-replace=\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=\(.New.Path)@\(.New.Version)"')
  wrapper "${dir}" toolchain.local/sdkgen -require="github.com/pulumi/pulumi/pkg/v3@v${PULUMI_VERSION}" \
    -require="github.com/pulumi/pulumi/sdk/v3@v${PULUMI_VERSION}" "${replaces[@]}"
  cp "${script_dir}/sdkgen/main.go" "${dir}/main.go"
  build "${dir}" "${sdkgen_bin}/sdkgen" . ""
  echo "${sdkgen_sum}" >"${sdkgen_stamp}"
fi

# The virtualenv, made in place (a virtualenv cannot be moved), its stamp written last.
venv_sum="$(sha256sum "${requirements}" | cut -d' ' -f1)"
if [[ -x "${venv}/bin/python" && "$(cat "${venv}/.installed" 2>/dev/null)" == "${venv_sum}" ]]; then
  log "Python virtualenv with pulumi ${PULUMI_VERSION} cached"
else
  log "installing pulumi ${PULUMI_VERSION} and pulumi-kubernetes ${PULUMI_KUBERNETES_VERSION} from PyPI into ${venv} ..."
  # Debian's python3, which the pins were resolved for (as pythonTool.sh does), with its venv module.
  if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
    [[ "$(id -u)" -eq 0 ]] || die "python3-venv is missing; install it (apt-get install python3-venv) or run as root"
    log "installing python3-venv from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  rm -rf "${venv}"
  /usr/bin/python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "${requirements}" \
    || die "pip install -r ${requirements} failed"
  echo "${venv_sum}" >"${venv}/.installed"
fi
