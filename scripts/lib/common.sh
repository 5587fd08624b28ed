# shellcheck shell=bash
# What every script of the project shares, defined here once: its messages, the cache directory,
# and the Go environment of the builds. Sourced; uses nothing that macOS's bash 3.2 lacks.
#
#   source scripts/lib/common.sh PREFIX
#   log MESSAGE...        one line on stderr: "PREFIX: MESSAGE"
#   die MESSAGE...        log "error: MESSAGE", then exit 1
#   $CACHE                where builds, images, venvs and the local cluster are kept:
#                         $WEBSERVER_SIDECAR_CACHE, else ~/.cache/webserver-sidecar
#   use_go_environment    exports the Go settings every build shares, and checks that go is on PATH

LOG_PREFIX="${1:-webserver-sidecar}"
log() { printf '%s: %s\n' "${LOG_PREFIX}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck disable=SC2034 # used by the scripts that source this file
CACHE="${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}"

# Builds use only the Go module proxy and this machine's Go.
use_go_environment() {
    export GOTOOLCHAIN=local            # never download a Go toolchain
    export GOMODCACHE="${CACHE}/go/mod"
    export GOCACHE="${CACHE}/go/build"
    # The sum database is reached through the module proxy (it serves /sumdb/), so GOSUMDB stays at
    # its default: every module is checked against sum.golang.org. GONOSUMDB, GOPRIVATE and
    # GOINSECURE are deliberately not set; if a machine cannot reach the sumdb, fix the proxy.
    export GOFLAGS="-buildvcs=false"    # module zips carry no VCS metadata to stamp
    export CGO_ENABLED=0
    command -v go >/dev/null || die "go is not on PATH"
}
