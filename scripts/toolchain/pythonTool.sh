#!/usr/bin/env bash
# Installs a Python tool of the project's (checkov, the IaC scanner; ruff, the shipper's linter)
# from PyPI into a virtualenv of Debian's python3:
#   $CACHE/venv/<tool>-<version>/bin/<tool>
# at <TOOL>_VERSION (versions.env), with every dependency at the exact version in
# <tool>-requirements.txt beside this script. Idempotent: once a virtualenv is complete it holds a
# stamp (the requirements' checksum), and a warm run only compares it (well under a second). A
# changed requirements file, or an install that stopped half way, reinstalls from scratch.
#
# Usage: scripts/toolchain/pythonTool.sh TOOL              install unless installed
#        scripts/toolchain/pythonTool.sh TOOL --print-bin  print the tool's path (no install)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain

usage="usage: scripts/toolchain/pythonTool.sh checkov|ruff [--print-bin]"
tool="${1:-}"
case "${tool}" in
  checkov) version="${CHECKOV_VERSION}" ;;
  ruff) version="${RUFF_VERSION}" ;;
  *) echo "${usage}" >&2; exit 2 ;;
esac
venv="${CACHE}/venv/${tool}-${version}"
requirements="${script_dir}/${tool}-requirements.txt"

if [[ "${2:-}" == "--print-bin" ]]; then
  printf '%s\n' "${venv}/bin/${tool}"
  exit 0
fi
[[ $# -eq 1 ]] || { echo "${usage}" >&2; exit 2; }

grep -qx "${tool}==${version}" "${requirements}" \
  || die "${requirements} does not pin ${tool}==${version}: regenerate it (see its header)"
stamp="$(sha256sum "${requirements}" | cut -d' ' -f1)"
installed() { [[ -x "${venv}/bin/${tool}" && "$(cat "${venv}/.installed" 2>/dev/null)" == "${stamp}" ]]; }
if installed; then
  log "${tool} ${version} cached"
  exit 0
fi

mkdir -p "${CACHE}/venv"
# One installer at a time per tool and cache: a second caller waits, then finds the stamp.
exec 9>"${CACHE}/venv/.${tool}.lock"
flock 9
if installed; then
  log "${tool} ${version} cached"
  exit 0
fi

# Debian's python3, not whichever python3 is first on PATH: the pins were resolved for it.
python=/usr/bin/python3
if ! "${python}" -c 'import ensurepip, venv' 2>/dev/null; then
  [[ "$(id -u)" -eq 0 ]] || die "python3-venv is missing; install it (apt-get install python3-venv) or run as root"
  log "installing python3-venv from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi

log "installing ${tool} ${version} from PyPI into ${venv} ..."
# A virtualenv cannot be moved once made (its scripts name its path), so it is made in place and
# the stamp, written last, is what marks it complete.
rm -rf "${venv}"
"${python}" -m venv "${venv}"
"${venv}/bin/pip" install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "${requirements}" \
  || die "pip install -r ${requirements} failed"
out="$("${venv}/bin/${tool}" --version 2>&1)" || die "${tool} --version failed: ${out}"
# checkov prints its version alone, ruff "ruff <version>".
[[ "${out}" == "${version}" || "${out}" == "${tool} ${version}" ]] || die "${tool} --version reports ${out}, not ${version}"
printf '%s\n' "${stamp}" >"${venv}/.installed"
log "installed ${tool} ${version}"
