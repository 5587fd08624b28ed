#!/usr/bin/env bash
# Sets up everything the tests need on a fresh clone, then runs every test.
# This is the README's test command, and .ci/run runs exactly it.
#
# Needs root (the local cluster's node: containerd, runc, cgroups, a bridge; apt-get). Builds the
# toolchain on first use (about 15 minutes on 2 cores) and reuses it from ~/.cache/webserver-sidecar.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/localCluster.sh
source scripts/lib/localCluster.sh

# Runs one mocha suite, adding its counts to the totals printed at the end.
passed=0 pending=0
log_file=$(mktemp)
run_mocha() {
    npx mocha "$@" 2>&1 | tee "$log_file"
    local status=${PIPESTATUS[0]}
    [[ "$status" -eq 0 ]] || exit "$status"
    passed=$((passed + $(sed -n 's/^ *\([0-9]*\) passing.*/\1/p' "$log_file" | tail -1)))
    pending=$((pending + $(sed -n 's/^ *\([0-9]*\) pending.*/\1/p' "$log_file" | tail -1 | grep . || echo 0)))
}

echo "test: installing npm packages (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

echo "test: type-checking"
npm run -s build

echo "test: GitHub workflows (actionlint, with shellcheck on their run: scripts)"
bash scripts/toolchain/linters.sh
bash scripts/toolchain/checkov.sh
command -v shellcheck >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; }
"$(bash scripts/toolchain/linters.sh --print-dirs | head -1)/actionlint"
echo "test: actionlint found nothing in $(ls .github/workflows | tr '\n' ' ')"

echo "test: shellcheck on the scripts (warnings and errors)"
shellcheck -x -S warning scripts/*.sh scripts/*/*.sh scripts/toolchain/pulumi-analyzer-policy bench/*.sh .ci/run

echo "test: unit tests (pure and Pulumi mocks)"
run_mocha 'test/*.test.ts'

echo "test: toolchain (Pulumi CLI, Kubernetes control plane and kubelet, built from Go modules)"
bash scripts/toolchain.sh build
eval "$(bash scripts/toolchain.sh env)"

use_local_cluster test
bash scripts/setup-test-tools.sh

echo "test: the local images under runc alone, as the Pod runs them (test/images/verify.sh)"
bash test/images/verify.sh | tee "$log_file"
passed=$((passed + $(grep -c '^verify: ok:' "$log_file")))

echo "test: the policy pack's npm packages (policy/)"
(cd policy && npm ci --no-audit --no-fund --loglevel=error)

echo "test: end-to-end on the local cluster's real node (pulumi preview/up/destroy, log shipping, the walkthrough, the policy pack and the manifest linters)"
run_mocha --timeout 600000 'test/integration/*.test.ts'

release_local_cluster

echo "test: ${passed} passed, 0 failed, ${pending} skipped"
