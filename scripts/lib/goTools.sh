# shellcheck shell=bash
# Building a pinned Go program into the cache, for the toolchain's scripts (kubernetes.sh, linters.sh).
# Sourced after scripts/lib/common.sh (log, die) and use_go_environment.
#
#   check_version BIN EXPECTED ARGS...
#       fails unless `BIN ARGS...` succeeds and the first line it prints contains EXPECTED
#   go_install_tool DIR NAME PACKAGE@VERSION LDFLAGS EXPECTED ARGS...
#       builds DIR/NAME with `go install PACKAGE@VERSION` unless it is there, then checks it with
#       check_version (so a cached binary of another version is caught too)

check_version() {
    local bin="$1" expected="$2" out
    shift 2
    out="$("${bin}" "$@" 2>&1)" || die "$(basename "${bin}") $*: exited non-zero: ${out}"
    [[ "$(head -n 1 <<<"${out}")" == *"${expected}"* ]] || die "$(basename "${bin}") $* does not report ${expected}: ${out}"
}

go_install_tool() {
    local dir="$1" name="$2" package_at_version="$3" ldflags="$4" expected="$5" tmp
    shift 5
    if [[ -x "${dir}/${name}" ]]; then
        check_version "${dir}/${name}" "${expected}" "$@"
        log "${name} ${package_at_version#*@} cached"
        return 0
    fi
    log "building ${name} ${package_at_version#*@} ..."
    mkdir -p "${dir}"
    # Built into a scratch directory and moved in whole: a build that stops half way leaves nothing.
    tmp="$(mktemp -d "${dir}/.build.XXXXXX")"
    # `go install module/cmd@version` builds in the tool's own module graph (its go.mod and go.sum).
    GOBIN="${tmp}" go install -trimpath -ldflags "-s -w ${ldflags}" "${package_at_version}" \
        || { rm -rf "${tmp}"; die "go install ${package_at_version} failed"; }
    [[ -x "${tmp}/${name}" ]] || { rm -rf "${tmp}"; die "go install ${package_at_version} produced no ${name}"; }
    check_version "${tmp}/${name}" "${expected}" "$@"
    mv -f "${tmp}/${name}" "${dir}/${name}"
    rm -rf "${tmp}"
    log "built ${name} ${package_at_version#*@} into ${dir}"
}
