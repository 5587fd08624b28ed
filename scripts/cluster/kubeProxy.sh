# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, NODE_IP, POD_SUBNET, NODE_NAME, K8S_BIN...: set by the parts sourced before it
# The node's Service proxy: kube-proxy v${KUBERNETES_VERSION} (built by scripts/toolchain/kubernetes.sh
# with the kubelet), in iptables mode, so that a Service's ClusterIP answers from the node and from
# Pods, and a NodePort on the node's address. Its chains are removed on `down` with the kubelet's
# (hostFirewall.sh). Sourced by scripts/cluster.sh after kubelet.sh and componentCredentials.sh.

KUBE_PROXY_DIR="${DIR}/node/kube-proxy"
KUBE_PROXY_HEALTHZ="${NODE_IP}:10256"

kube_proxy_config() {
  cat <<CONF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
# iptables: the default on Linux, and it works on this kernel through iptables-nft (Debian's
# iptables 1.8.9); the nftables mode would also need Debian's nft, for nothing this node shows.
mode: iptables
clientConnection:
  kubeconfig: ${KUBE_PROXY_DIR}/kubeconfig
hostnameOverride: ${NODE_NAME}
# Its listeners on the node's bridge address only, like the kubelet's.
bindAddress: ${NODE_IP}
healthzBindAddress: ${KUBE_PROXY_HEALTHZ}
metricsBindAddress: ${NODE_IP}:10249
# Traffic to a ClusterIP from outside the Pods' subnet (the node itself) is masqueraded, so the
# reply comes back through the node.
clusterCIDR: ${POD_SUBNET}
detectLocalMode: ClusterCIDR
# NodePorts on the node's address only: not on the host's other interfaces, nor on 127.0.0.1
# (which would need the host's route_localnet).
nodePortAddresses: ["${NODE_IP}/32"]
iptables:
  localhostNodePorts: false
# Root here lacks CAP_SYS_RESOURCE (NODE.md): the default -999 would only fail.
oomScoreAdj: 0
# Leave the host's conntrack sysctls as they are (0: do not set): down has nothing to restore.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
CONF
}

kube_proxy_up() {
  [[ -x "${K8S_BIN}/kube-proxy" ]] || die "no kube-proxy in ${K8S_BIN} (scripts/toolchain/kubernetes.sh builds it)"
  # system:kube-proxy is bound to the built-in ClusterRole system:node-proxier.
  component_kubeconfig "${KUBE_PROXY_DIR}" system:kube-proxy
  kube_proxy_config >"${KUBE_PROXY_DIR}/config.yaml"
  process_running kube-proxy || start_process kube-proxy "${K8S_BIN}/kube-proxy" \
    --config="${KUBE_PROXY_DIR}/config.yaml" --v=2
  wait_until "kube-proxy" curl -fsS "http://${KUBE_PROXY_HEALTHZ}/healthz"
}

# Its rules go with the other KUBE- chains (restore_host_firewall), once nothing re-adds them.
kube_proxy_down() {
  stop_process kube-proxy
}
