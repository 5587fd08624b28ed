# shellcheck shell=bash
# shellcheck disable=SC2034 # it rebinds the variables the node-level parts read
# shellcheck disable=SC2154 # DIR, NODE_IP, POD_SUBNET, SERVICE_CIDR, BRIDGE...: set by the parts sourced before it
# The second node (`cluster.sh up --nodes 2`): its own kubelet, containerd, kube-proxy and
# kube-router firewall, registered to the same control plane, in a network namespace of its own
# joined to the host by a veth pair, the way kind separates its nodes, with no container engine.
# It runs the same code as the first node (containerd.sh, kubelet.sh, kubeProxy.sh,
# networkPolicy.sh) with the same settings, through second_node_context, which rebinds in a
# subshell what differs: name, addresses, directories, process names and network namespace.
#
#   host (first node)                               network namespace webserver-sidecar-node-2
#   wss0 198.18.0.1/24 (Pods 198.18.0.0/24)         wss0 198.18.2.1/24 (Pods 198.18.2.0/24)
#   wss-node2 198.18.3.1/30  <-- veth pair -->      eth0 198.18.3.2/30
#   route 198.18.2.0/24 via 198.18.3.2              route 198.18.0.0/24 via 198.18.3.1
#
# Each node's Pods route the other's subnet through their own node, like the Services' range: still
# nothing but the reserved benchmarking range, so nothing leaves the machine. The second node's
# components dial the API server through the relay on the first node's address (apiRelay.sh).
#
# It registers with the taint webserver-sidecar/second-node:NoSchedule: the tests that read a
# Pod's files on the node do so through the first node's host paths, so only Pods that tolerate the
# taint (the tests of spread, drain, cross-node traffic and node loss) are placed on it.
# Sourced by scripts/cluster.sh after every node-level part.

# The first node's Pods' subnet (network.sh), before any rebinding.
FIRST_NODE_SUBNET="${POD_SUBNET}"
SECOND_NODE_NAME="webserver-sidecar-node-2"
SECOND_NODE_NETNS="webserver-sidecar-node-2"
SECOND_NODE_DIR="${DIR}/node-2"
SECOND_NODE_IP="198.18.2.1"
SECOND_NODE_SUBNET="198.18.2.0/24"
SECOND_NODE_TAINT="webserver-sidecar/second-node"
# The veth pair: its host end, and both ends' addresses on their own /30.
SECOND_NODE_LINK="wss-node2"
SECOND_NODE_LINK_HOST_IP="198.18.3.1"
SECOND_NODE_LINK_NODE_IP="198.18.3.2"
# Its Pods' cgroups go under this one in each hierarchy, beside the first node's kubepods.
SECOND_NODE_CGROUP="webserver-sidecar-node-2"
# Records that this cluster has two nodes, for `status` and a later `up` (written by second_node_up).
NODES_FILE="${DIR}/nodes"
# Records that `ip netns add` made /run/netns (a mount), for second_node_down to remove it again.
NETNS_DIR_MADE="${DIR}/run-netns-made"

cluster_nodes() {
  if [[ -f "${NODES_FILE}" ]]; then cat "${NODES_FILE}"; else echo 1; fi
}

# Rebinds what the node-level parts read to the second node's. Call it in a subshell only.
second_node_context() {
  NODE_API_SERVER="$(api_relay_server)"  # on the first node's address: NODE_IP is still its
  NODE_NAME="${SECOND_NODE_NAME}"
  NODE_IP="${SECOND_NODE_IP}"
  POD_SUBNET="${SECOND_NODE_SUBNET}"
  # The first node's Pods, and the host's end of the veth (what the host dials a Pod here from).
  POD_ROUTES=("${FIRST_NODE_SUBNET}" "${SECOND_NODE_LINK_HOST_IP}/32")
  NODE_PROCESS_PREFIX="node-2-"
  NODE_NETNS="${SECOND_NODE_NETNS}"
  KUBELET_DIR="${SECOND_NODE_DIR}/kubelet"
  POD_LOGS_DIR="${SECOND_NODE_DIR}/pod-logs"
  KUBELET_CGROUP_ROOT="/${SECOND_NODE_CGROUP}"
  KUBELET_REGISTER_TAINT="${SECOND_NODE_TAINT}"
  CONTAINERD_DIR="${SECOND_NODE_DIR}/containerd"
  CONTAINERD_SOCK="${CONTAINERD_DIR}/containerd.sock"
  CONTAINERD_STATE="/run/webserver-sidecar/containerd-node-2"
  SHIM_SOCKET_DIR_MADE="${SECOND_NODE_DIR}/run-containerd-made"
  CNI_CONF_DIR="${SECOND_NODE_DIR}/cni/net.d"
  CNI_IPAM_DIR="${SECOND_NODE_DIR}/cni/ipam"
  KUBE_PROXY_DIR="${SECOND_NODE_DIR}/kube-proxy"
  KUBE_PROXY_HEALTHZ="${SECOND_NODE_IP}:10256"
  KUBE_ROUTER_DIR="${SECOND_NODE_DIR}/kube-router"
}

# The namespace, the veth pair, the node's bridge and the routes both ways; then its CNI config.
second_node_network_up() {
  if [[ ! -e "/run/netns/${SECOND_NODE_NETNS}" ]]; then
    [[ -d /run/netns ]] || touch "${NETNS_DIR_MADE}"
    ip netns add "${SECOND_NODE_NETNS}"
  fi
  local ns=(ip -n "${SECOND_NODE_NETNS}")
  if ! ip link show "${SECOND_NODE_LINK}" >/dev/null 2>&1; then
    log "joining ${SECOND_NODE_NAME}'s network namespace to the host (${SECOND_NODE_LINK})"
    ip link add "${SECOND_NODE_LINK}" type veth peer name eth0 netns "${SECOND_NODE_NETNS}"
  fi
  ip addr replace "${SECOND_NODE_LINK_HOST_IP}/30" dev "${SECOND_NODE_LINK}"
  ip link set "${SECOND_NODE_LINK}" up
  "${ns[@]}" link set lo up
  "${ns[@]}" addr replace "${SECOND_NODE_LINK_NODE_IP}/30" dev eth0
  "${ns[@]}" link set eth0 up
  "${ns[@]}" link show "${BRIDGE}" >/dev/null 2>&1 || "${ns[@]}" link add "${BRIDGE}" type bridge
  "${ns[@]}" addr replace "${SECOND_NODE_IP}/${SECOND_NODE_SUBNET#*/}" dev "${BRIDGE}"
  "${ns[@]}" link set "${BRIDGE}" up
  # The first node's Pods and addresses (its API relay, CoreDNS, metrics-server) through the host;
  # ClusterIPs through the bridge, where this node's kube-proxy rewrites them, as on the first.
  "${ns[@]}" route replace "${FIRST_NODE_SUBNET}" via "${SECOND_NODE_LINK_HOST_IP}"
  "${ns[@]}" route replace "${SERVICE_CIDR}" dev "${BRIDGE}" src "${SECOND_NODE_IP}"
  ip route replace "${SECOND_NODE_SUBNET}" via "${SECOND_NODE_LINK_NODE_IP}"
  # The namespace's own sysctls (a new one starts with the kernel's defaults): it routes between its
  # bridge and the veth, and iptables sees its bridged packets, as network.sh sets on the host.
  in_node_netns sh -c 'printf 1 >/proc/sys/net/ipv4/ip_forward && printf 1 >/proc/sys/net/bridge/bridge-nf-call-iptables'
  write_cni_config
}

# The cgroup its kubelet's cgroupRoot names, in each hierarchy (the kubelet requires it to exist).
second_node_cgroups_up() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    mkdir -p "${hierarchy}${SECOND_NODE_CGROUP}"
  done
}

second_node_up() {
  api_relay_up
  (
    second_node_context
    second_node_network_up
    second_node_cgroups_up
    containerd_up
    images_import
    kubelet_up
    kube_proxy_up
    network_policy_up
  )
  echo 2 >"${NODES_FILE}"
}

second_node_healthy() {
  (
    second_node_context
    process_running containerd && process_running kubelet && process_running kube-proxy && process_running kube-router && node_ready
  )
}

# Stops its components (Pods are gone by now: cmd_down deleted them through the API), then removes
# its mounts, cgroups, state, network namespace (with the veth pair and both routes) and files.
second_node_down() {
  [[ -f "${NODES_FILE}" || -e "/run/netns/${SECOND_NODE_NETNS}" || -d "${SECOND_NODE_DIR}" ]] || return 0
  (
    second_node_context
    network_policy_down
    kube_proxy_down
    kubelet_down
    containerd_down
  )
  remove_cgroups "${SECOND_NODE_CGROUP}"
  if [[ -e "/run/netns/${SECOND_NODE_NETNS}" ]]; then
    log "removing ${SECOND_NODE_NAME}'s network namespace"
    ip netns delete "${SECOND_NODE_NETNS}" || log "could not remove the network namespace ${SECOND_NODE_NETNS}"
  fi
  ip link delete "${SECOND_NODE_LINK}" 2>/dev/null || true
  ip route delete "${SECOND_NODE_SUBNET}" 2>/dev/null || true  # the blackhole of a lost node
  if [[ -f "${NETNS_DIR_MADE}" ]] && [[ -z "$(ls -A /run/netns 2>/dev/null)" ]]; then
    # `ip netns add` made /run/netns a mount point of its own: put the host back as it was.
    while grep -q ' /run/netns ' /proc/self/mountinfo; do umount /run/netns 2>/dev/null || break; done
    rmdir /run/netns 2>/dev/null || true
  fi
  rm -f "${NETNS_DIR_MADE}" "${NODES_FILE}"
  rm -rf "${SECOND_NODE_DIR}/cni"
}

# The second node lost, as a machine that fails is: its link to the host goes down (the API server
# and the first node can no longer reach it), and every process of it is killed at once, its
# Pods' containers (the processes in its cgroup) included. Its Node object stays, and goes NotReady
# once the node lifecycle controller misses its heartbeats.
second_node_lose() {
  log "losing ${SECOND_NODE_NAME}: its link down, its components and containers killed"
  ip link set "${SECOND_NODE_LINK}" down
  # The link's route goes with it: without this one, the host would send the node's addresses to its
  # default route, off the machine.
  ip route replace blackhole "${SECOND_NODE_SUBNET}"
  (
    second_node_context
    kill_process kubelet
    kill_process kube-proxy
    kill_process kube-router
    kill_process containerd
    local pid
    for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address ${CONTAINERD_SOCK}" || true); do
      kill -KILL "${pid}" 2>/dev/null || true
    done
  )
  local pids=()
  mapfile -t pids < <(find "/sys/fs/cgroup/pids/${SECOND_NODE_CGROUP}" -name cgroup.procs -exec cat {} + 2>/dev/null || true)
  ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true
}

# The second node back after second_node_lose: its link up, its components started again (the
# kubelet then finds its Pods' containers gone, and the API server's view of them).
second_node_restore() {
  images_build  # finds the images built by up (the sandbox image's name is containerd's config)
  (
    second_node_context
    # up's network setup, idempotent: the link up again, and the route in place of the blackhole.
    second_node_network_up
    containerd_up
    kubelet_up
    kube_proxy_up
    network_policy_up
  )
}
