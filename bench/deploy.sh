#!/usr/bin/env bash
# Runs the deploy benchmark against the local cluster and draws its plot:
#   npm run bench:deploy [-- --repeats 3 --instances 1,10,50]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/toolchain.sh build
eval "$(bash scripts/toolchain.sh env)"
started_cluster=false
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
    bash scripts/cluster.sh up
    started_cluster=true
    trap 'bash scripts/cluster.sh down' EXIT
fi
eval "$(bash scripts/cluster.sh env)"
node -r ts-node/register/transpile-only bench/deploy.ts "$@"
"$(bash bench/plotPython.sh)" bench/plotDeploy.py bench/results/deploy.json bench/results/deploy-scaling.png
echo "bench: wrote bench/results/deploy.md and bench/results/deploy-scaling.png"
if $started_cluster; then trap - EXIT; bash scripts/cluster.sh down; fi
