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
started_cluster=false
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
    bash scripts/cluster.sh up
    started_cluster=true
    trap 'bash scripts/cluster.sh down' EXIT
fi
eval "$(bash scripts/cluster.sh env)"
status=0
"$@" || status=$?
if $started_cluster; then
    trap - EXIT
    bash scripts/cluster.sh down
fi
exit "$status"
