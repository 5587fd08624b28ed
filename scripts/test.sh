#!/usr/bin/env bash
# Sets up everything the tests need on a fresh clone, then runs every test.
# This is the README's test command, and .ci/run runs exactly it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "test: installing npm packages (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

echo "test: type-checking"
npx tsc --noEmit -p .

echo "test: unit tests (pure and Pulumi mocks)"
npx mocha 'test/*.test.ts'

echo "test: log shipping in a local Pod (real nginx, the sidecar's real command; needs root)"
bash scripts/setup-local-pod.sh
npx mocha 'test/localPod/*.test.ts'
