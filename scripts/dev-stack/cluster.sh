# shellcheck shell=bash
# Which cluster the dev stack deploys to, as scripts/dev-stack.sh decides it before anything is
# installed, and the walkthrough it prints afterwards. Sourced; uses nothing that macOS's bash 3.2 lacks.

# Succeeds when the stack's config file, KUBECONFIG or ~/.kube/config names a cluster, and sets
# CLUSTER to a description of it for messages. Reads files only: no stack, no backend needed.
#   find_named_cluster STACK
find_named_cluster() {
    local config_file key value context
    config_file=$(stack_file "$1")
    for key in webserver-sidecar:context webserver-sidecar:kubeconfig kubernetes:context kubernetes:kubeconfig; do
        value=$( { grep "^[[:space:]]*$key:" "$config_file" 2>/dev/null || true; } | head -n 1 | sed "s/^[[:space:]]*$key:[[:space:]]*//")
        if [[ -n "$value" ]]; then
            CLUSTER="the cluster $config_file names ($key: $value)"
            return 0
        fi
    done
    if is_project_local_kubeconfig; then
        # `eval "$(bash scripts/cluster.sh env)"` (the walkthrough's first step) points KUBECONFIG
        # at the project's own local cluster: that is no cluster of the user's.
        return 1
    elif [[ -n "${KUBECONFIG:-}" ]]; then
        CLUSTER="KUBECONFIG=$KUBECONFIG"
    elif [[ -f "$HOME/.kube/config" ]]; then
        CLUSTER="$HOME/.kube/config"
    else
        return 1
    fi
    # The context it would use, when there is a kubectl to ask.
    context=$(kubectl config current-context 2>/dev/null || true)
    [[ -z "$context" ]] || CLUSTER="context $context of $CLUSTER"
}

# True when KUBECONFIG is the kubeconfig of the project's local cluster, as `scripts/cluster.sh env`
# exports it (with WEBSERVER_SIDECAR_CLUSTER_DIR beside it).
is_project_local_kubeconfig() {
    [[ -n "${WEBSERVER_SIDECAR_CLUSTER_DIR:-}" && "${KUBECONFIG:-}" == "$WEBSERVER_SIDECAR_CLUSTER_DIR/kubeconfig" ]]
}

# Prints the stack's Pod names and the tutorial's walkthrough commands for where it went.
#   print_walkthrough STACK LOCAL_CLUSTER(true|false)
print_walkthrough() {
    local namespace ns_flag="" setup
    namespace=$(pulumi stack output namespace --stack "$1")
    # The tutorial's commands as written, with -n only when the Pod is not in "default".
    [[ "$namespace" == default ]] || ns_flag=" -n $namespace"
    if $2; then
        setup="eval \"\$(bash scripts/cluster.sh env)\"    # the project's kubectl, pointed at the local cluster"
    else
        setup="# your kubectl, with the same kubeconfig"
    fi
    echo
    log "pod names: $(pulumi stack output podNames --stack "$1" --json | tr -d '\n ')"
    cat <<EOT
$COMMAND: the tutorial's walkthrough:
  $setup
  kubectl get pods$ns_flag
  kubectl logs webserver -c sidecar-container$ns_flag
  kubectl logs webserver -c nginx-container$ns_flag
  kubectl port-forward pod/webserver 8080:80$ns_flag &
  curl http://localhost:8080
EOT
}
