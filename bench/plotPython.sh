#!/usr/bin/env bash
# Prints the python that draws the benchmarks' plots, after making sure it has matplotlib
# (bench/requirements.txt, in a venv in the project's cache).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib/common.sh
source scripts/lib/common.sh bench
venv="${CACHE}/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
    echo "bench: installing matplotlib into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r bench/requirements.txt >&2
fi
echo "$venv/bin/python"
