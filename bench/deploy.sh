#!/usr/bin/env bash
# Runs the deploy benchmark against the local cluster's real node and draws its plot:
#   npm run bench:deploy [-- --repeats 3 --instances 1,5,10]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/with-local-cluster.sh node -r ts-node/register/transpile-only bench/deploy.ts "$@"
"$(bash bench/plotPython.sh)" bench/plotDeploy.py bench/results/deploy.json bench/results/deploy-scaling.png
echo "bench: wrote bench/results/deploy.md and bench/results/deploy-scaling.png"
