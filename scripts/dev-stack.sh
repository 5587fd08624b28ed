#!/usr/bin/env bash
# Runs Pulumi on a stack with what this machine already has, building only what is missing:
#   - the `pulumi` on PATH, with your own PULUMI_HOME, login and backend; the project's toolchain
#     CLI (built from Go modules) only when there is none;
#   - the cluster your kubeconfig (KUBECONFIG, ~/.kube/config) or the stack's config names; the
#     project's local cluster (scripts/cluster.sh) only when none is named;
#   - your Pulumi backend; local file state in this clone (.pulumi/) only when none is configured.
# Against a cluster it did not start, `up` shows the preview and asks; with no terminal to ask on,
# it refuses unless given --yes. On the project's local cluster it deploys unattended.
#
#   bash scripts/dev-stack.sh up [--yes] [--stack NAME]   # the README's one command (scripts/up.sh)
#   bash scripts/dev-stack.sh preview [--stack NAME]      # what would change (npm run preview)
#
# The stack: --stack NAME, else the one selected with `pulumi stack select` (when a `pulumi` on PATH
# and its backend log so), else `dev`, the local flow's.
#
# Runs on macOS's bash 3.2 as long as nothing is missing; the fallbacks (the toolchain, the local
# cluster) need Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=dev-stack/common.sh
source scripts/dev-stack/common.sh
# shellcheck source-path=SCRIPTDIR source=dev-stack/cluster.sh
source scripts/dev-stack/cluster.sh
# shellcheck source-path=SCRIPTDIR source=dev-stack/pulumi.sh
source scripts/dev-stack/pulumi.sh

usage() { die "usage: scripts/dev-stack.sh up [--yes] [--stack NAME] | preview [--stack NAME]"; }
COMMAND="${1:-}"
[[ "$COMMAND" == up || "$COMMAND" == preview ]] || usage
# shellcheck disable=SC2034 # read by log and die (scripts/lib/common.sh): messages start with the command
LOG_PREFIX=$COMMAND
shift
STACK=""
yes=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --yes) [[ "$COMMAND" == up ]] || usage; yes=true ;;
        --stack) [[ $# -ge 2 && -n "$2" ]] || usage; STACK=$2; shift ;;
        --stack=?*) STACK=${1#--stack=} ;;
        *) usage ;;
    esac
    shift
done
[[ -n "$STACK" ]] || STACK=$(selected_stack)
log "stack: $STACK"

# Decided first, from the environment and files alone, so that a refusal leaves nothing behind.
local_cluster=true
if find_named_cluster "$STACK"; then
    local_cluster=false
    log "cluster: $CLUSTER"
    if [[ "$COMMAND" == up ]] && ! $yes && ! is_interactive; then
        die "refusing to deploy to $CLUSTER unseen: there is no terminal to show the preview and ask on. Run it in a terminal (it shows the preview and asks), or pass --yes to deploy without asking; \`npm run preview\` only shows what would change. Nothing was created."
    fi
elif [[ "$(uname -s)" != Linux ]]; then
    die "no cluster is named by KUBECONFIG, ~/.kube/config or $(stack_file "$STACK"), and the project's local cluster runs on Linux only: point KUBECONFIG at a cluster (kind, minikube, Docker Desktop, a cloud cluster)"
fi

require_node
install_npm_packages
use_pulumi
use_backend
if $local_cluster; then
    log "no cluster of yours is named by KUBECONFIG, ~/.kube/config or $(stack_file "$STACK"): starting the project's local cluster (scripts/cluster.sh up). The first time, it builds Kubernetes from Go modules (tens of minutes on 2 cores, cached in ~/.cache/webserver-sidecar)."
    bash scripts/cluster.sh up
    eval "$(bash scripts/cluster.sh env)"
fi
if $local_cluster || [[ "${PULUMI_BACKEND_URL:-}" == "file://$PWD/.pulumi" ]]; then
    use_settings_file "$STACK" copy
else
    use_settings_file "$STACK" own
fi
ensure_stack "$STACK"
if $local_cluster; then
    # Nothing can be pulled on the local node: its stand-in images, built from Debian packages.
    pulumi config set webserver-sidecar:nginxImage "$WEBSERVER_SIDECAR_NGINX_IMAGE" --stack "$STACK" "${SETTINGS_FLAGS[@]}"
    pulumi config set webserver-sidecar:sidecarImage "$WEBSERVER_SIDECAR_PYTHON_IMAGE" --stack "$STACK" "${SETTINGS_FLAGS[@]}"
    log "images: the local node's stand-ins, $WEBSERVER_SIDECAR_NGINX_IMAGE and $WEBSERVER_SIDECAR_PYTHON_IMAGE (in $SETTINGS)"
fi

if [[ "$COMMAND" == preview ]]; then
    # --refresh: compare with what the cluster holds, not with what the last `up` left in the state.
    exec pulumi preview --refresh --diff --stack "$STACK" "${SETTINGS_FLAGS[@]+"${SETTINGS_FLAGS[@]}"}"
fi

# --refresh: the local cluster starts empty each time; refreshing first makes `up` recreate what is
# gone, and on any cluster it compares with what is really there.
if $local_cluster; then
    pulumi up --yes --refresh --skip-preview --stack "$STACK" "${SETTINGS_FLAGS[@]+"${SETTINGS_FLAGS[@]}"}"
elif $yes; then
    pulumi up --yes --refresh --stack "$STACK" "${SETTINGS_FLAGS[@]+"${SETTINGS_FLAGS[@]}"}" # still prints the preview, in the log
else
    pulumi up --refresh --stack "$STACK" "${SETTINGS_FLAGS[@]+"${SETTINGS_FLAGS[@]}"}" # shows the preview and asks
fi
print_walkthrough "$STACK" "$local_cluster"
