#!/usr/bin/env bash
# Installs checkov (the IaC scanner, from PyPI) into a virtualenv of Debian's python3:
#   $CACHE/venv/checkov-<version>/bin/checkov
# at CHECKOV_VERSION (versions.env), with every dependency at the exact version in
# checkov-requirements.txt. Idempotent: once a virtualenv is complete it holds a stamp (the
# requirements' checksum), and a warm run only compares it (well under a second). A changed
# requirements file, or an install that stopped half way, reinstalls from scratch.
#
# Usage: scripts/toolchain/checkov.sh              install unless installed
#        scripts/toolchain/checkov.sh --print-bin  print the checkov binary's path (no install)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain
venv="${CACHE}/venv/checkov-${CHECKOV_VERSION}"
requirements="${script_dir}/checkov-requirements.txt"


if [[ "${1:-}" == "--print-bin" ]]; then
  printf '%s\n' "${venv}/bin/checkov"
  exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: scripts/toolchain/checkov.sh [--print-bin]" >&2; exit 2; }

grep -qx "checkov==${CHECKOV_VERSION}" "${requirements}" \
  || die "checkov-requirements.txt does not pin checkov==${CHECKOV_VERSION}: regenerate it (see its header)"
stamp="$(sha256sum "${requirements}" | cut -d' ' -f1)"
if [[ -x "${venv}/bin/checkov" && "$(cat "${venv}/.installed" 2>/dev/null)" == "${stamp}" ]]; then
  log "checkov ${CHECKOV_VERSION} cached"
  exit 0
fi

mkdir -p "${CACHE}/venv"
# One installer at a time per cache: a second caller waits, then finds the stamp.
exec 9>"${CACHE}/venv/.checkov.lock"
flock 9
if [[ -x "${venv}/bin/checkov" && "$(cat "${venv}/.installed" 2>/dev/null)" == "${stamp}" ]]; then
  log "checkov ${CHECKOV_VERSION} cached"
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

log "installing checkov ${CHECKOV_VERSION} from PyPI into ${venv} ..."
# A virtualenv cannot be moved once made (its scripts name its path), so it is made in place and
# the stamp, written last, is what marks it complete.
rm -rf "${venv}"
"${python}" -m venv "${venv}"
"${venv}/bin/pip" install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "${requirements}" \
  || die "pip install -r ${requirements} failed"
out="$("${venv}/bin/checkov" --version 2>&1)" || die "checkov --version failed: ${out}"
[[ "${out}" == "${CHECKOV_VERSION}" ]] || die "checkov --version reports ${out}, not ${CHECKOV_VERSION}"
printf '%s\n' "${stamp}" >"${venv}/.installed"
log "installed checkov ${CHECKOV_VERSION}"
