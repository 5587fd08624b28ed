#!/usr/bin/env bash
# The project's own local cluster, for a machine that has none (and for our tests): a control
# plane started by kwokctl from our binaries, and one real node: a kubelet running Pods in
# containerd with runc, on a bridge network, with kube-proxy, CoreDNS and kube-router's
# NetworkPolicy firewall; and, when asked, metrics-server and Traefik (the route controller). Linux and root only. See scripts/cluster/*.sh, one file per component.
#
# Usage: scripts/cluster.sh up [--add-ons]
#                                    build what is missing, start everything (no-op when healthy);
#                                    with --add-ons also metrics-server and Traefik (the tests'
#                                    autoscaling and routes need them; the dev stack does not), added
#                                    to a cluster that is up without them
#        scripts/cluster.sh down     stop everything `up` started and remove what it made on the host
#                                    (bridge, mounts, cgroups, network namespaces, sysctls, iptables
#                                    chains and ipsets); repeatable
#        scripts/cluster.sh status   show each component; exit 0 only when the cluster is healthy
#        scripts/cluster.sh env      print `export KUBECONFIG=... PATH=...` for eval
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
for part in lib hostSysctls hostFirewall network controlPlane componentCredentials clusterDns images containerd \
  kubelet kubeProxy networkPolicy metricsServer traefik inspect; do
  # shellcheck source=/dev/null
  source "${script_dir}/cluster/${part}.sh"
done

healthy() {
  control_plane_healthy && process_running coredns && process_running containerd && process_running kubelet \
    && process_running kube-proxy && process_running kube-router && node_ready
}

# The add-ons' host processes (Traefik itself is a Deployment, whose relay to the API server is one).
add_ons_running() {
  process_running metrics-server && process_running api-relay
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
    for name in api-relay metrics-server kube-router kube-proxy kubelet containerd coredns kwokctl; do
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
  local add_ons=false
  case "${1:-}" in
    "") ;;
    --add-ons) add_ons=true ;;
    *) die "unknown option '$1' of up (allowed: --add-ons)" ;;
  esac
  mkdir -p "${DIR}" "${LOGS}"
  exec 8>"${DIR}/.lock"
  flock 8
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
  network_up
  control_plane_up
  cluster_dns_up
  containerd_up
  images_import
  kubelet_up
  kube_proxy_up
  network_policy_up
  if ${add_ons}; then add_ons_up; fi
  wait_until "ServiceAccount default/default" kubectl get serviceaccount default --namespace default
  trap - EXIT
  local with_add_ons=""
  if ${add_ons}; then with_add_ons=", metrics-server v${METRICS_SERVER_VERSION}, Traefik v${TRAEFIK_VERSION}"; fi
  log "up in $((SECONDS - started_at)) s: node ${NODE_NAME} Ready (kubelet and kube-proxy v${KUBERNETES_VERSION}, containerd v${CONTAINERD_VERSION} with runc v${RUNC_VERSION}, CoreDNS v${COREDNS_VERSION}, kube-router v${KUBE_ROUTER_VERSION} firewall${with_add_ons}), context ${CONTEXT}, kubeconfig ${KUBECONFIG_FILE}"
}

cmd_down() {
  mkdir -p "${DIR}"
  exec 8>"${DIR}/.lock"
  flock 8
  # Pods first, the kubelet's way (each container's preStop, SIGTERM, grace period), while the
  # API server and the kubelet are both still there to do it.
  if control_plane_healthy && process_running kubelet; then
    kubectl delete pods --all --all-namespaces --wait=true --timeout=60s >/dev/null 2>&1 \
      || log "some Pods did not stop within 60 s; removing them through the runtime"
  fi
  traefik_down
  metrics_server_down
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
  rm -f "${PIDS}" "${KUBECONFIG_FILE}"
  log "down"
}

# The kubelet alone, without what `down` also removes (Pod mounts, cgroups): those belong to
# containers that keep running while it is away.
cmd_stop_kubelet() {
  exec 8>"${DIR}/.lock"
  flock 8
  process_running kubelet || die "the kubelet is not running"
  stop_process kubelet
}

cmd_start_kubelet() {
  exec 8>"${DIR}/.lock"
  flock 8
  { control_plane_healthy && process_running containerd; } || die "the cluster is not up: scripts/cluster.sh up"
  kubelet_up
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  stop-kubelet) cmd_stop_kubelet ;;
  start-kubelet) cmd_start_kubelet ;;
  *)
    echo "usage: $0 up [--add-ons]|down|status|env|stop-kubelet|start-kubelet" >&2
    exit 2
    ;;
esac
