#!/usr/bin/env bash
# Installs what the image scripts use, from Debian: mmdebstrap (root filesystems from packages),
# umoci (OCI images without a daemon or registry), jq (the OCI index), the Debian archive keyring
# (signatures of the package lists). Idempotent: installs nothing when all are there.
set -euo pipefail

needed=()
command -v mmdebstrap >/dev/null || needed+=(mmdebstrap)
command -v umoci >/dev/null || needed+=(umoci)
command -v jq >/dev/null || needed+=(jq)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || needed+=(debian-archive-keyring)

if [ "${#needed[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "images: missing ${needed[*]}; run as root (mmdebstrap also needs root to chroot)" >&2
    exit 1
fi
echo "images: installing ${needed[*]} from Debian" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
