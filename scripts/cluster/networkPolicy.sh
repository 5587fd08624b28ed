# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, CACHE, NODE_NAME, SERVICE_CIDR, KUBE_ROUTER_VERSION...: set by the parts sourced before it
# NetworkPolicy enforcement on the node: kube-router's firewall alone (no router, no service proxy:
# the bridge plugin and kube-proxy do those jobs here), built from Go modules by
# scripts/toolchain/kubernetes.sh. It turns each NetworkPolicy into iptables chains (KUBE-ROUTER-*,
# KUBE-POD-FW-*, KUBE-NWPLCY-*) and ipsets (KUBE-SRC-*, KUBE-DST-*), which hostFirewall.sh removes
# on `down`. Why kube-router: docs/local-cluster.md.
# Sourced by scripts/cluster.sh after controlPlane.sh, network.sh and componentCredentials.sh.

KUBE_ROUTER_BIN="${CACHE}/bin/kube-router-v${KUBE_ROUTER_VERSION}"
KUBE_ROUTER_DIR="${DIR}/node/kube-router"

# What its controllers read: the official DaemonSet's ClusterRole, less what only the router and
# the service proxy use.
network_policy_objects() {
  cat <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: webserver-sidecar:kube-router }
rules:
- { apiGroups: [""], resources: [namespaces, pods, services, nodes, endpoints], verbs: [get, list, watch] }
- { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch] }
- { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: webserver-sidecar:kube-router }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webserver-sidecar:kube-router }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: webserver-sidecar:kube-router }]
YAML
}

# True once its first full sync has hooked the built-in chains.
network_policy_synced() {
  in_node_netns iptables -t filter -S FORWARD 2>/dev/null | grep -q -- '-j KUBE-ROUTER-FORWARD'
}

network_policy_up() {
  [[ -x "${KUBE_ROUTER_BIN}/kube-router" ]] || die "no kube-router in ${KUBE_ROUTER_BIN} (scripts/toolchain/kubernetes.sh builds it)"
  network_policy_objects | kubectl apply -f - >/dev/null
  component_kubeconfig "${KUBE_ROUTER_DIR}" webserver-sidecar:kube-router
  # --health-port=0: its health server would listen on every address of the host.
  process_running kube-router || start_process kube-router "${KUBE_ROUTER_BIN}/kube-router" \
    --kubeconfig="${KUBE_ROUTER_DIR}/kubeconfig" \
    --hostname-override="${NODE_NAME}" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --service-cluster-ip-range="${SERVICE_CIDR}" \
    --enable-ipv4=true --enable-ipv6=false \
    --health-port=0 --metrics-port=0 \
    --v=1
  wait_until "kube-router's firewall" network_policy_synced
}

# Its chains and ipsets go with the other KUBE- ones (restore_host_firewall), once nothing re-adds them.
network_policy_down() {
  stop_process kube-router
}
