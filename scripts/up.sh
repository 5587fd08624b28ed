#!/usr/bin/env bash
# The README's main command: sets up everything, then runs `pulumi up` on the dev stack with local
# file state (no cloud account). It deploys where the dev stack's config or kubectl's defaults point
# ($KUBECONFIG, ~/.kube/config); when none of them names a cluster, it starts the project's local
# control plane (scripts/cluster.sh) and deploys there.
#
#   bash scripts/up.sh                      # dev stack, state in .pulumi/ of this clone
#   KUBECONFIG=~/.kube/staging bash scripts/up.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "up: installing npm packages (npm ci)"
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
    echo "up: deploying to the cluster the dev stack's config / kubeconfig points at"
else
    echo "up: no cluster configured: starting the local control plane (scripts/cluster.sh)"
    local_cluster=true
    bash scripts/cluster.sh up
    eval "$(bash scripts/cluster.sh env)"
    # kwok only fakes the Pods' status: the local kubelet runs their containers for real, so that
    # kubectl logs and port-forward show a live nginx and its shipped logs.
    bash scripts/local-kubelet.sh start
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
