#!/usr/bin/env bash
# Runs the rollout benchmark on the local cluster's real node (a few minutes with the defaults):
#   npm run bench:rollout [-- --repeats 2 --seconds 10]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/with-local-cluster.sh node -r ts-node/register/transpile-only bench/rollout.ts "$@"
echo "bench: wrote bench/results/rollout.md and bench/results/rollout.json"
