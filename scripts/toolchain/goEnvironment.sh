# shellcheck shell=bash
# Sourced by the toolchain's build scripts (after they set CACHE): their logging, and the Go
# environment every build shares. Builds use only the Go module proxy and this machine's Go.
log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

export GOTOOLCHAIN=local                 # never download a Go toolchain
export GOMODCACHE="${CACHE}/go/mod"
export GOCACHE="${CACHE}/go/build"
# The sum database is reached through the module proxy (it serves /sumdb/), so the default GOSUMDB
# stays on: every module is checked against sum.golang.org.
export GOFLAGS="-buildvcs=false"        # module zips carry no VCS metadata to stamp
export CGO_ENABLED=0

command -v go >/dev/null || die "go is not on PATH"
