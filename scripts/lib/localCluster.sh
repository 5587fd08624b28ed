# shellcheck shell=bash
# Uses the project's local cluster for the length of a script: starts it unless one is already up,
# and stops it at the end only if this script started it (someone else's cluster stays up).
# Sourced from the repository's root; two functions, called in this order:
#
#   use_local_cluster WHO [UP_OPTIONS...]
#                              # starts it if needed (scripts/cluster.sh up UP_OPTIONS, such as
#                              # --add-ons: added to a cluster already up without them, and left
#                              # there), exports its KUBECONFIG and context
#   release_local_cluster      # stops it if use_local_cluster started it
# The cluster is also stopped when the script exits early (an EXIT trap, removed on release).
local_cluster_started=false

use_local_cluster() {
    local who=$1
    shift
    if bash scripts/cluster.sh status >/dev/null 2>&1; then
        echo "${who}: the local cluster is already up: using it"
        bash scripts/cluster.sh up "$@"
    else
        bash scripts/cluster.sh up "$@"
        local_cluster_started=true
        trap 'bash scripts/cluster.sh down' EXIT
    fi
    eval "$(bash scripts/cluster.sh env)"
}

release_local_cluster() {
    if $local_cluster_started; then
        trap - EXIT
        bash scripts/cluster.sh down
        local_cluster_started=false
    fi
}
