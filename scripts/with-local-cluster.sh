#!/usr/bin/env bash
# Runs a command against the project's local cluster: starts it first if it is not up (and then
# stops it afterwards), with the toolchain's and the cluster's environment exported.
#
#   bash scripts/with-local-cluster.sh COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/toolchain.sh build
eval "$(bash scripts/toolchain.sh env)"
bash scripts/setup-test-tools.sh
# shellcheck source=lib/localCluster.sh
source scripts/lib/localCluster.sh
use_local_cluster with-local-cluster
status=0
"$@" || status=$?
release_local_cluster
exit "$status"
