#!/usr/bin/env bash
# Runs the shipping benchmark and draws its plot: npm run bench:shipping [-- options of bench/shipping.ts]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-local-pod.sh
venv="${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
    echo "bench: installing matplotlib into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r bench/requirements.txt
fi
node --max-old-space-size=12288 -r ts-node/register/transpile-only bench/shipping.ts "$@"
"$venv/bin/python" bench/plotLatency.py bench/results/shipping.json bench/results/shipping-latency.png
echo "bench: wrote bench/results/shipping.md and bench/results/shipping-latency.png"
