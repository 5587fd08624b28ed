#!/usr/bin/env bash
# The project's own local cluster, for a machine that has none (and for our tests): a control
# plane started by kwokctl from our binaries, and one real node: a kubelet running Pods in
# containerd with runc, on a bridge network, with kube-proxy, CoreDNS and kube-router's
# NetworkPolicy firewall; and, when asked, metrics-server and Traefik (the route controller). Linux and root only. See scripts/cluster/*.sh, one file per component.
#
# Usage: scripts/cluster.sh up [--add-ons] [--nodes 1|2]
#                                    build what is missing, start everything (no-op when healthy);
#                                    with --add-ons also metrics-server and Traefik (the tests'
#                                    autoscaling and routes need them; the dev stack does not), added
#                                    to a cluster that is up without them; with --nodes 2 a second
#                                    node (scripts/cluster/secondNode.sh), from a cluster that is down
#        scripts/cluster.sh down     stop everything `up` started and remove what it made on the host
#                                    (bridge, mounts, cgroups, network namespaces, sysctls, iptables
#                                    chains and ipsets); repeatable
#        scripts/cluster.sh status   show each component; exit 0 only when the cluster is healthy
#        scripts/cluster.sh env      print `export KUBECONFIG=... PATH=...` for eval
#        scripts/cluster.sh lose-second-node | restore-second-node
#                                    the second node lost as a failed machine is (its link down, its
#                                    processes and containers killed), and brought back
#        scripts/cluster.sh stop-kubelet | start-kubelet
#                                    stop or start the node's kubelet alone, as a node upgrade or a
#                                    kubelet crash would; the Pods' containers keep running in
#                                    containerd (the fault tests use it)
#
# State lives in ${WEBSERVER_SIDECAR_CLUSTER_DIR:-~/.cache/webserver-sidecar/cluster}; the host
# keeps nothing of it after `down`. One cluster per machine: the node's bridge and kubelet port are
# fixed.
set -euo pipefail
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/debianPackages.sh
source "${script_dir}/lib/debianPackages.sh"
for part in lib hostSysctls hostFirewall network controlPlane componentCredentials apiRelay clusterDns images containerd \
  kubelet kubeProxy networkPolicy secondNode metricsServer traefik inspect leftovers; do
  # shellcheck source=/dev/null
  source "${script_dir}/cluster/${part}.sh"
done

# One command at a time changes the cluster: holds the lock until the script exits.
lock_cluster() {
  exec 8>"${DIR}/.lock"
  flock 8
}

require_second_node() {
  [[ "$(cluster_nodes)" == 2 ]] || die "the cluster has no second node: scripts/cluster.sh up --nodes 2"
}

healthy() {
  control_plane_healthy && process_running coredns && process_running containerd && process_running kubelet \
    && process_running kube-proxy && process_running kube-router && node_ready \
    && { [[ "$(cluster_nodes)" == 1 ]] || { process_running api-relay && second_node_healthy; }; }
}

# The add-ons: metrics-server on the host, and Traefik's Deployment Ready.
add_ons_running() {
  process_running metrics-server && process_running api-relay \
    && [[ "$(kubectl get deployment traefik -n "${TRAEFIK_NAMESPACE}" -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" == 1 ]]
}

add_ons_up() {
  metrics_server_up
  traefik_up
}

# On a failed `up`: show the end of the logs, then take down whatever was started.
on_up_failure() {
  local rc=$?
  trap - EXIT
  if ((rc != 0)); then
    local name
    for name in api-relay metrics-server node-2-kube-router node-2-kube-proxy node-2-kubelet node-2-containerd \
      kube-router kube-proxy kubelet containerd coredns kwokctl; do
      [[ -f "${LOGS}/${name}.log" ]] || continue
      log "last lines of ${LOGS}/${name}.log:"
      tail -n 15 "${LOGS}/${name}.log" | sed 's/^/    /' >&2
    done
    log "up failed; taking down what was started (logs stay in ${LOGS})"
    cmd_down
  fi
  exit "${rc}"
}

cmd_up() {
  local add_ons=false nodes=1
  while (($# > 0)); do
    case "$1" in
      --add-ons) add_ons=true; shift ;;
      --nodes)
        [[ "${2:-}" == 1 || "${2:-}" == 2 ]] || die "--nodes: got '${2:-}'; allowed: 1 | 2"
        nodes="$2"; shift 2 ;;
      *) die "unknown option '$1' of up (allowed: --add-ons, --nodes 1|2)" ;;
    esac
  done
  mkdir -p "${DIR}" "${LOGS}"
  lock_cluster
  if healthy && ((nodes > $(cluster_nodes))); then
    die "the cluster is up with $(cluster_nodes) node; --nodes ${nodes} needs it started so: scripts/cluster.sh down, then up --nodes ${nodes}"
  fi
  if healthy; then
    if ${add_ons} && ! add_ons_running; then
      log "up without its add-ons: adding metrics-server and Traefik"
      bash "${script_dir}/toolchain/clusterAddOns.sh"
      add_ons_up
    fi
    log "already up; kubeconfig ${KUBECONFIG_FILE}"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "the local node needs root (containerd, runc, network namespaces, cgroups)"
  # The node's network, and what the scripts use, from Debian (its runtime is built, below).
  install_debian_packages cluster \
    containernetworking-plugins=/usr/lib/cni/bridge iproute2=ip iptables=iptables-save ipset=ipset openssl=openssl curl=curl socat=socat
  bash "${script_dir}/toolchain/kubernetes.sh"
  if ${add_ons}; then bash "${script_dir}/toolchain/clusterAddOns.sh"; fi
  images_build
  local started_at=${SECONDS}
  trap on_up_failure EXIT
  save_host_sysctls
  note_host_firewall
  # With two nodes, each node's Pods route the other's subnet through their node.
  # shellcheck disable=SC2034 # read by network.sh
  if ((nodes == 2)); then POD_ROUTES=("${SECOND_NODE_SUBNET}"); else rm -f "${NODES_FILE}"; fi
  network_up
  control_plane_up
  cluster_dns_up
  containerd_up
  images_import
  kubelet_up
  kube_proxy_up
  network_policy_up
  if ((nodes == 2)); then second_node_up; fi
  if ${add_ons}; then add_ons_up; fi
  wait_until "ServiceAccount default/default" kubectl get serviceaccount default --namespace default
  trap - EXIT
  local with_add_ons=""
  if ${add_ons}; then with_add_ons=", metrics-server v${METRICS_SERVER_VERSION}, Traefik v${TRAEFIK_VERSION}"; fi
  local second_node=""
  if ((nodes == 2)); then second_node=" and ${SECOND_NODE_NAME}"; fi
  log "up in $((SECONDS - started_at)) s: node ${NODE_NAME}${second_node} Ready (kubelet and kube-proxy v${KUBERNETES_VERSION}, containerd v${CONTAINERD_VERSION} with runc v${RUNC_VERSION}, CoreDNS v${COREDNS_VERSION}, kube-router v${KUBE_ROUTER_VERSION} firewall${with_add_ons}), context ${CONTEXT}, kubeconfig ${KUBECONFIG_FILE}"
}

cmd_down() {
  mkdir -p "${DIR}"
  lock_cluster
  # Pods first, the kubelet's way (each container's preStop, SIGTERM, grace period), while the
  # API server and the kubelet are both still there to do it.
  if control_plane_healthy && process_running kubelet; then
    kubectl delete pods --all --all-namespaces --wait=true --timeout=60s >/dev/null 2>&1 \
      || log "some Pods did not stop within 60 s; removing them through the runtime"
  fi
  second_node_down
  metrics_server_down
  api_relay_down
  network_policy_down
  kube_proxy_down
  kubelet_down
  containerd_down
  remove_pod_cgroups
  cluster_dns_down
  network_down
  control_plane_down
  restore_host_sysctls
  restore_host_firewall
  report_leftovers || die "down left the above on the host"
  rm -f "${PIDS}" "${KUBECONFIG_FILE}"
  log "down"
}

# The kubelet alone, without what `down` also removes (Pod mounts, cgroups): those belong to
# containers that keep running while it is away.
cmd_stop_kubelet() {
  lock_cluster
  process_running kubelet || die "the kubelet is not running"
  stop_process kubelet
}

cmd_start_kubelet() {
  lock_cluster
  { control_plane_healthy && process_running containerd; } || die "the cluster is not up: scripts/cluster.sh up"
  kubelet_up
}

# The second node lost and brought back (secondNode.sh), for the node-loss test.
cmd_lose_second_node() {
  lock_cluster
  require_second_node
  second_node_lose
}

cmd_restore_second_node() {
  lock_cluster
  require_second_node
  second_node_restore
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  stop-kubelet) cmd_stop_kubelet ;;
  start-kubelet) cmd_start_kubelet ;;
  lose-second-node) cmd_lose_second_node ;;
  restore-second-node) cmd_restore_second_node ;;
  *)
    echo "usage: $0 up [--add-ons] [--nodes 1|2]|down|status|env|stop-kubelet|start-kubelet|lose-second-node|restore-second-node" >&2
    exit 2
    ;;
esac
