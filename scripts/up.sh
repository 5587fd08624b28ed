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
if configured kubeconfig || configured context || [[ -n "${KUBECONFIG:-}" ]] || [[ -f "$HOME/.kube/config" ]]; then
    echo "up: deploying to the cluster the dev stack's config / kubeconfig points at"
else
    echo "up: no cluster configured: starting the local control plane (scripts/cluster.sh)"
    bash scripts/cluster.sh up
    eval "$(bash scripts/cluster.sh env)"
fi

# --refresh: the local cluster starts empty each time; refreshing first makes `up` recreate what is gone.
pulumi up --yes --refresh --skip-preview --stack dev
echo
echo "up: pod names: $(pulumi stack output podNames --stack dev --json | tr -d '\n ')"
cat <<EOF2
up: look at them with the project's kubectl:
  eval "\$(bash scripts/toolchain.sh env)"${KUBECONFIG:+ && export KUBECONFIG=$KUBECONFIG}
  kubectl get pods -n $(pulumi stack output namespace --stack dev)
  kubectl logs webserver -c sidecar-container -n $(pulumi stack output namespace --stack dev)
EOF2
