#!/usr/bin/env bash
# Runs Pulumi on the dev stack with local file state (no cloud account), after setting everything
# up. It targets the cluster that the dev stack's config or kubectl's defaults point at
# ($KUBECONFIG, ~/.kube/config); when none of them names a cluster, the project's local control
# plane (scripts/cluster.sh), started here, with the local kubelet running its Pods for real.
#
#   bash scripts/dev-stack.sh up         # the README's main command (scripts/up.sh)
#   bash scripts/dev-stack.sh preview    # what a pull request would change (npm run preview)
#   KUBECONFIG=~/.kube/staging bash scripts/dev-stack.sh preview
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:-}"
case "$command" in
    up | preview) ;;
    *) echo "usage: scripts/dev-stack.sh up|preview" >&2; exit 2 ;;
esac

echo "$command: installing npm packages (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
bash scripts/toolchain.sh build
eval "$(bash scripts/toolchain.sh env)"

# Local file state in the clone, and an empty passphrase for the dev stack's (absent) secrets;
# both can be overridden from the environment.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p .pulumi
pulumi stack select dev --create >/dev/null

configured() { pulumi config get "webserver-sidecar:$1" >/dev/null 2>&1; }
local_cluster=false
if configured kubeconfig || configured context || [[ -n "${KUBECONFIG:-}" ]] || [[ -f "$HOME/.kube/config" ]]; then
    echo "$command: using the cluster the dev stack's config / kubeconfig points at"
else
    echo "$command: no cluster configured: starting the local control plane (scripts/cluster.sh)"
    local_cluster=true
    bash scripts/cluster.sh up
    eval "$(bash scripts/cluster.sh env)"
fi

if [[ "$command" == preview ]]; then
    # --refresh: compare with what the cluster holds, not with what the last `up` left in the state.
    exec pulumi preview --refresh --diff --stack dev
fi

# --refresh: the local cluster starts empty each time; refreshing first makes `up` recreate what is gone.
pulumi up --yes --refresh --skip-preview --stack dev
namespace=$(pulumi stack output namespace --stack dev)
# The tutorial's commands as written, with -n only when the Pod is not in "default".
ns_flag=""
[[ "$namespace" == default ]] || ns_flag=" -n $namespace"
echo
echo "up: pod names: $(pulumi stack output podNames --stack dev --json | tr -d '\n ')"
if $local_cluster; then
    setup="eval \"\$(bash scripts/cluster.sh env)\"    # the project's kubectl, pointed at the local cluster"
else
    setup="eval \"\$(bash scripts/toolchain.sh env)\"  # the project's kubectl (or use your own)"
fi
cat <<EOF2
up: the tutorial's walkthrough:
  $setup
  kubectl get pods$ns_flag
  kubectl logs webserver -c sidecar-container$ns_flag
  kubectl logs webserver -c nginx-container$ns_flag
  kubectl port-forward pod/webserver 8080:80$ns_flag &
  curl http://localhost:8080
EOF2
