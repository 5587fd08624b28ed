#!/usr/bin/env bash
# Builds the local cluster's optional add-ons from Go modules, for `scripts/cluster.sh up --add-ons`
# (the test command asks for them; the README's main command does not, since the dev stack uses
# neither):
#   metrics-server: the metrics API HorizontalPodAutoscalers read (scripts/cluster/metricsServer.sh)
#   traefik: the route controller for Ingress and Gateway API routes (scripts/cluster/traefik.sh),
#            and the Gateway API's CRDs beside it
# into $CACHE/bin/<tool>-<ver>/. Versions come from versions.env. Idempotent, like kubernetes.sh:
# a cold build is about ten minutes on 2 cores (Traefik is most of it), a warm one two `version` calls.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain
use_go_environment
# shellcheck source-path=SCRIPTDIR source=../lib/goTools.sh
source "${script_dir}/../lib/goTools.sh"

mkdir -p "${CACHE}/bin"
# One builder at a time per cache, as in kubernetes.sh.
exec 9>"${CACHE}/.clusterAddOns.sh.lock"
flock 9

# The version is stamped where `metrics-server --version` reads it (client-go's version package, as
# its Makefile's VERSION_LDFLAGS do).
go_install_tool "${CACHE}/bin/metrics-server-v${METRICS_SERVER_VERSION}" metrics-server \
  "sigs.k8s.io/metrics-server/cmd/metrics-server@v${METRICS_SERVER_VERSION}" "-X k8s.io/client-go/pkg/version.gitVersion=v${METRICS_SERVER_VERSION}" \
  "v${METRICS_SERVER_VERSION}" --version
# Traefik's go.mod has replace directives, which `go install` refuses: built from its source.
go_build_module_tool "${CACHE}/bin/traefik-v${TRAEFIK_VERSION}" traefik "github.com/traefik/traefik/v3@v${TRAEFIK_VERSION}" cmd/traefik \
  "-X github.com/traefik/traefik/v3/pkg/version.Version=${TRAEFIK_VERSION}" "${TRAEFIK_VERSION}" version
# The Gateway API's CRDs, from its module (Traefik's build has it in the module cache already).
go mod download "sigs.k8s.io/gateway-api@v${GATEWAY_API_VERSION}"
