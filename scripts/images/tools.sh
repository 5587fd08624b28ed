#!/usr/bin/env bash
# Installs what the image scripts use, from Debian: mmdebstrap (root filesystems from packages),
# umoci (OCI images without a daemon or registry), jq (the OCI index), the Debian archive keyring
# (signatures of the package lists). Idempotent: installs nothing when all are there.
set -euo pipefail
# shellcheck source=../lib/debianPackages.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/debianPackages.sh"
install_debian_packages images mmdebstrap=mmdebstrap umoci=umoci jq=jq \
    debian-archive-keyring=/usr/share/keyrings/debian-archive-keyring.gpg
