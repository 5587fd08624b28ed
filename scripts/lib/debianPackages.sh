# shellcheck shell=bash
# Installs Debian packages that are missing, for the Linux-only fallback (the local cluster, its
# images, the tests' load tools). Sourced; one function.
#
#   install_debian_packages WHO PACKAGE=PROBE...
# PROBE is a command name, or an absolute path that must exist. Installs each PACKAGE whose probe
# fails; does nothing (and needs no root) when every probe succeeds.
install_debian_packages() {
    local who=$1 pair package probe
    shift
    local needed=()
    for pair in "$@"; do
        package=${pair%%=*}
        probe=${pair#*=}
        if [[ "$probe" == /* ]]; then
            [[ -e "$probe" ]] || needed+=("$package")
        else
            command -v "$probe" >/dev/null || needed+=("$package")
        fi
    done
    ((${#needed[@]} == 0)) && return 0
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "$who: missing ${needed[*]}; run as root to install them from Debian" >&2
        return 1
    fi
    echo "$who: installing ${needed[*]} from Debian" >&2
    apt-get update -qq
    # No init system here: a package's service is never started; the scripts start what they need.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
}
