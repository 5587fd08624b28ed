# shellcheck shell=bash
# Building a pinned Go program into the cache, for the toolchain's scripts (kubernetes.sh, linters.sh).
# Sourced after scripts/lib/common.sh (log, die) and use_go_environment.
#
#   check_version BIN EXPECTED ARGS...
#       fails unless `BIN ARGS...` succeeds and the first line it prints contains EXPECTED
#   go_install_tool DIR NAME PACKAGE@VERSION LDFLAGS EXPECTED ARGS...
#       builds DIR/NAME with `go install PACKAGE@VERSION` unless it is there, then checks it with
#       check_version (so a cached binary of another version is caught too)
#   go_build_module_tool DIR NAME MODULE@VERSION PACKAGES LDFLAGS EXPECTED ARGS...
#       the same for a module whose go.mod has replace directives, which `go install` refuses: its
#       source from the module proxy, built as the main module (`go build ./PACKAGE...` in a copy).
#       PACKAGES is one package or several, space-separated, built together into DIR (each binary
#       named after its package's directory); NAME is the one whose version is checked. Build tags
#       come from GO_BUILD_TAGS, cgo from CGO_ENABLED, as go reads them.

check_version() {
    local bin="$1" expected="$2" out
    shift 2
    out="$("${bin}" "$@" 2>&1)" || die "$(basename "${bin}") $*: exited non-zero: ${out}"
    [[ "$(head -n 1 <<<"${out}")" == *"${expected}"* ]] || die "$(basename "${bin}") $* does not report ${expected}: ${out}"
}

# True, once its version is checked, when DIR/NAME is already built: the start of both builders.
tool_cached() {
    local dir="$1" name="$2" version="$3" expected="$4"
    shift 4
    [[ -x "${dir}/${name}" ]] || return 1
    check_version "${dir}/${name}" "${expected}" "$@"
    log "${name} ${version} cached"
}

# Checks the binary NAME a builder left in its scratch directory TMP, and moves it, and any other
# binary built with it, into DIR: the end of both builders. Built into a scratch directory and moved
# in whole, NAME last (tool_cached looks for it), a build that stops half way leaves nothing.
install_built_tool() {
    local tmp="$1" dir="$2" name="$3" version="$4" expected="$5" built
    shift 5
    [[ -x "${tmp}/${name}" ]] || { rm -rf "${tmp}"; die "the build of ${name} ${version} produced no ${name}"; }
    check_version "${tmp}/${name}" "${expected}" "$@"
    for built in "${tmp}"/*; do
        [[ -f "${built}" && -x "${built}" && "${built}" != "${tmp}/${name}" ]] && mv -f "${built}" "${dir}/"
    done
    mv -f "${tmp}/${name}" "${dir}/${name}"
    rm -rf "${tmp}"
    log "built ${name} ${version} into ${dir}"
}

go_install_tool() {
    local dir="$1" name="$2" package_at_version="$3" ldflags="$4" expected="$5" tmp
    shift 5
    tool_cached "${dir}" "${name}" "${package_at_version#*@}" "${expected}" "$@" && return 0
    log "building ${name} ${package_at_version#*@} ..."
    mkdir -p "${dir}"
    tmp="$(mktemp -d "${dir}/.build.XXXXXX")"
    # `go install module/cmd@version` builds in the tool's own module graph (its go.mod and go.sum).
    GOBIN="${tmp}" go install -trimpath -ldflags "-s -w ${ldflags}" "${package_at_version}" \
        || { rm -rf "${tmp}"; die "go install ${package_at_version} failed"; }
    install_built_tool "${tmp}" "${dir}" "${name}" "${package_at_version#*@}" "${expected}" "$@"
}

go_build_module_tool() {
    local dir="$1" name="$2" module_at_version="$3" packages="$4" ldflags="$5" expected="$6" tmp source package
    shift 6
    tool_cached "${dir}" "${name}" "${module_at_version#*@}" "${expected}" "$@" && return 0
    log "building ${name} ${module_at_version#*@} from its module's source ..."
    mkdir -p "${dir}"
    tmp="$(mktemp -d "${dir}/.build.XXXXXX")"
    source="$(go mod download -json "${module_at_version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" \
        || { rm -rf "${tmp}"; die "go mod download ${module_at_version} failed"; }
    [[ -d "${source}" ]] || { rm -rf "${tmp}"; die "go mod download ${module_at_version} gave no source directory"; }
    # The module cache is read-only: the build runs in a copy, with its go.mod and go.sum as released.
    cp -r "${source}" "${tmp}/src" && chmod -R u+w "${tmp}/src"
    local package_paths=()
    for package in ${packages}; do
        package_paths+=("./${package}")
    done
    (cd "${tmp}/src" && go build -trimpath -tags "${GO_BUILD_TAGS:-}" -ldflags "-s -w ${ldflags}" -o "${tmp}/" "${package_paths[@]}") \
        || { rm -rf "${tmp}"; die "go build of ${packages} in ${module_at_version} failed"; }
    install_built_tool "${tmp}" "${dir}" "${name}" "${module_at_version#*@}" "${expected}" "$@"
}
