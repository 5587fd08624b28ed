#!/usr/bin/env bash
# Runs the shipping benchmark and draws its plot: npm run bench:shipping [-- options of bench/shipping.ts]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-local-pod.sh
node --max-old-space-size=12288 -r ts-node/register/transpile-only bench/shipping.ts "$@"
"$(bash bench/plotPython.sh)" bench/plotLatency.py bench/results/shipping.json bench/results/shipping-latency.png
echo "bench: wrote bench/results/shipping.md and bench/results/shipping-latency.png"
