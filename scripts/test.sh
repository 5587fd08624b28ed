#!/usr/bin/env bash
# Sets up everything the tests need on a fresh clone, then runs every test.
# This is the README's test command, and .ci/run runs exactly it.
#
# Needs root (the local cluster's node: containerd, runc, cgroups, a bridge; apt-get). Builds the
# toolchain on first use (tens of minutes on 2 cores) and reuses it from the cache
# (WEBSERVER_SIDECAR_CACHE, else ~/.cache/webserver-sidecar).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
source scripts/lib/common.sh test
# shellcheck source=lib/debianPackages.sh
source scripts/lib/debianPackages.sh
# shellcheck source=lib/localCluster.sh
source scripts/lib/localCluster.sh

# Runs one mocha suite and adds its counts (test/reporters/specWithCounts.ts) to the totals.
passed=0 skipped=0
counts_file=$(mktemp)
run_mocha() {
    npx mocha --reporter ./test/reporters/specWithCounts.ts --reporter-option "counts=${counts_file}" "$@"
    passed=$((passed + $(jq .passed "${counts_file}")))
    skipped=$((skipped + $(jq .skipped "${counts_file}")))
}

log "installing npm packages (npm ci; the provider plugin comes from the toolchain, so no install scripts)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# nginx: the shipper's fast tests run Debian's nginx on loopback (test/helpers/localNginx.ts), and
# Debian's nginx -t judges the server-block corpus (test/serverConfigDifferential.test.ts).
install_debian_packages test jq=jq nginx=/usr/sbin/nginx

log "linters (npm run lint: tsc, eslint, shellcheck, ruff, Markdown links, actionlint)"
npm run -s lint

log "unit tests (pure, Pulumi mocks, and the shipper on real files)"
run_mocha 'test/*.test.ts'

log "toolchain (Pulumi CLI, Kubernetes control plane and kubelet, built from Go modules)"
bash scripts/toolchain.sh build
eval "$(bash scripts/toolchain.sh env)"
bash scripts/toolchain/pythonTool.sh checkov

# With its add-ons (the autoscaling and routes tests need metrics-server and Traefik) and its second
# node (the tests of spread, drain, cross-node traffic and node loss).
use_local_cluster test --add-ons --nodes 2
bash scripts/setup-test-tools.sh

log "the local images under runc alone, as the Pod runs them (test/images/verify.sh)"
verify_log=$(mktemp)
bash test/images/verify.sh | tee "${verify_log}"
passed=$((passed + $(grep -c '^verify: ok:' "${verify_log}")))

log "the policy pack's npm packages (policy/)"
(cd policy && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

log "end-to-end on the local cluster's real node (pulumi preview/up/destroy, log shipping, the walkthrough, the policy pack and the manifest linters)"
run_mocha --timeout 600000 'test/integration/*.test.ts'

release_local_cluster

echo "test: ${passed} passed, 0 failed, ${skipped} skipped"
