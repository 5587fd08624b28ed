#!/usr/bin/env bash
# Runs the shipping benchmark on the local cluster's real node, with the kubelet's CPU weights and
# then with equal ones (each about 12 minutes with the defaults: 3 interleaved rounds of every
# sidecar, 30 s of load each), and draws the latency plot of the first:
#   npm run bench:shipping [-- options of bench/shipping.ts, other than --weights]
set -euo pipefail
cd "$(dirname "$0")/.."
run() { node --max-old-space-size=12288 -r ts-node/register/transpile-only bench/shipping.ts "$@"; }
export -f run
bash scripts/with-local-cluster.sh bash -c 'run "$@" --weights kubelet && run "$@" --weights equal' bench "$@"
"$(bash bench/plotPython.sh)" bench/plotLatency.py bench/results/shipping.json bench/results/shipping-latency.png
echo "bench: wrote bench/results/shipping.md, shipping-equal.md and shipping-latency.png"
