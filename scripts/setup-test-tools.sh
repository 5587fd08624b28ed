#!/usr/bin/env bash
# Installs what the end-to-end tests and benchmarks run on the host beside the local cluster:
# wrk (load against a Pod's IP) and curl. Idempotent.
set -euo pipefail
# shellcheck source=lib/debianPackages.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debianPackages.sh"
install_debian_packages test-tools wrk=wrk curl=curl
