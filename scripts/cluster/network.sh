# shellcheck shell=bash
# The Pods' network: one Linux bridge with the node's address, and a CNI config (bridge +
# host-local + loopback, Debian's containernetworking-plugins) that puts each Pod on it.
#
# Addresses come from 198.18.0.0/15, the range reserved for benchmarking (RFC 2544): never routed,
# so it collides with no network the host or its user has, and nothing here reaches beyond the
# machine (no NAT, no default route off the bridge). The bridge's own address is the node's
# InternalIP: the kubelet refuses a loopback node IP, and the API server dials it for logs, exec
# and port-forward. Pods get one route besides their subnet's: the Services' range, through the
# node, where kube-proxy rewrites it; no default route, so nothing they send leaves the machine.
# Sourced by scripts/cluster.sh after lib.sh (SERVICE_CIDR: controlPlane.sh, sourced later, before any call).

BRIDGE="wss0"
POD_SUBNET="198.18.0.0/24"
NODE_IP="198.18.0.1"
CNI_BIN_DIR="/usr/lib/cni"
CNI_CONF_DIR="${DIR}/node/cni/net.d"
CNI_IPAM_DIR="${DIR}/node/cni/ipam"
# Where the Pods route through their node besides their own subnet: the Services' range, and the
# other node's Pods when there are two (secondNode.sh adds its subnet before network_up).
POD_ROUTES=()

# Creates the bridge with the node's address (idempotent) and writes the CNI config.
network_up() {
  for plugin in bridge host-local loopback; do
    [[ -x "${CNI_BIN_DIR}/${plugin}" ]] || die "CNI plugin ${CNI_BIN_DIR}/${plugin} missing (apt-get install containernetworking-plugins)"
  done
  if ! ip link show "${BRIDGE}" >/dev/null 2>&1; then
    log "creating bridge ${BRIDGE} (${NODE_IP} on ${POD_SUBNET})"
    ip link add "${BRIDGE}" type bridge
  fi
  ip addr replace "${NODE_IP}/${POD_SUBNET#*/}" dev "${BRIDGE}"
  ip link set "${BRIDGE}" up
  # ClusterIPs through the bridge, from the node's address: kube-proxy's rules rewrite them to a
  # Pod's, and an address no Service holds stays on this machine instead of taking the default route.
  ip route replace "${SERVICE_CIDR}" dev "${BRIDGE}" src "${NODE_IP}"
  # Pod-to-Pod packets cross the bridge without being routed: iptables must still see them, for
  # kube-proxy's rewriting (a Pod reaching a Service whose endpoint is on the same bridge) and for
  # kube-router's NetworkPolicy chains. hostSysctls.sh puts it back on `down`.
  printf 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
  write_cni_config
}

# The CNI config of the node (NODE_IP's bridge, POD_SUBNET): bridge, host-local and loopback.
write_cni_config() {
  local routes="" route
  for route in "${SERVICE_CIDR}" "${POD_ROUTES[@]}"; do
    routes+="${routes:+, }{ \"dst\": \"${route}\" }"
  done
  mkdir -p "${CNI_CONF_DIR}" "${CNI_IPAM_DIR}"
  cat >"${CNI_CONF_DIR}/10-webserver-sidecar.conflist" <<CONF
{
  "cniVersion": "1.0.0",
  "name": "webserver-sidecar",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${BRIDGE}",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "${POD_SUBNET}", "gateway": "${NODE_IP}" }]],
        "routes": [${routes}],
        "dataDir": "${CNI_IPAM_DIR}"
      }
    },
    { "type": "loopback" }
  ]
}
CONF
}

# Removes the bridge (its veths go with the Pods' namespaces) and the address leases.
network_down() {
  if ip link show "${BRIDGE}" >/dev/null 2>&1; then
    log "removing bridge ${BRIDGE}"
    ip link delete "${BRIDGE}" || log "could not remove bridge ${BRIDGE}"
  fi
  rm -rf "${CNI_IPAM_DIR}"
}
