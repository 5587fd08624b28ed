# shellcheck shell=bash
# The node's kubelet (built by scripts/toolchain/kubernetes.sh at KUBERNETES_VERSION): it registers
# the node, runs Pods through containerd's CRI, and serves logs, exec and port-forward to the API
# server over TLS. Its settings are in kubelet_config below, each with its reason.
# Sourced by scripts/cluster.sh after lib.sh, network.sh, containerd.sh, controlPlane.sh and clusterDns.sh.

NODE_NAME="webserver-sidecar-node"
KUBELET_DIR="${DIR}/node/kubelet"
POD_LOGS_DIR="${DIR}/node/pod-logs"
KUBELET_PORT=10250
# The second node's (secondNode.sh): the cgroup its Pods' cgroups go under, beside the first's
# kubepods, and the taint it registers with. Unset for the first node.
KUBELET_CGROUP_ROOT=""
KUBELET_REGISTER_TAINT=""

# shellcheck source=kubeletCredentials.sh
source "$(dirname "${BASH_SOURCE[0]}")/kubeletCredentials.sh"

kubelet_config() {
  cat <<CONF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The host has cgroup v1 (NODE.md); 1.36 refuses it unless told, and has no systemd to delegate to.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
# Every listener on the node's bridge address, none on the host's other interfaces.
address: ${NODE_IP}
port: ${KUBELET_PORT}
healthzBindAddress: ${NODE_IP}
healthzPort: 10248
readOnlyPort: 0
tlsCertFile: ${KUBELET_DIR}/pki/serving.crt
tlsPrivateKeyFile: ${KUBELET_DIR}/pki/serving.key
# Only the API server (a client certificate from the cluster's CA) may use the kubelet's API, and
# only for what RBAC grants it.
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${CLUSTER_CA_CERT} }
authorization:
  mode: Webhook
# Root here lacks CAP_SYS_RESOURCE: the kubelet's default -999 would only fail and be logged.
oomScoreAdj: 0
# The kubelet sets a few host sysctls; scripts/cluster/hostSysctls.sh puts them back on down.
protectKernelDefaults: false
podLogsDir: ${POD_LOGS_DIR}
resolvConf: /etc/resolv.conf
# Pods resolve Services' names through the cluster's DNS (clusterDns.sh), at kube-dns's ClusterIP.
clusterDomain: ${CLUSTER_DOMAIN}
clusterDNS: [${CLUSTER_DNS_IP}]
# Eviction is what enforces an emptyDir's sizeLimit: check often, so a test sees it in seconds.
evictionPressureTransitionPeriod: 10s
# The eviction manager sees an emptyDir's usage from the kubelet's periodic du (default every
# minute): every few seconds, so a volume past its sizeLimit is evicted in seconds.
volumeStatsAggPeriod: 5s
# Container logs big enough to hold a benchmark's whole output: the default 10Mi would be rotated
# (and older files compressed) while a test still reads it.
containerLogMaxSize: 2Gi
containerLogMaxFiles: 2
# Disk thresholds relative to a shared development disk: evict Pods only when it is really full,
# and never garbage-collect the locally built images (they cannot be pulled back).
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "2%"
  imagefs.available: "2%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
CONF
  [[ -z "${KUBELET_CGROUP_ROOT}" ]] || printf 'cgroupRoot: %s\n' "${KUBELET_CGROUP_ROOT}"
  [[ -z "${KUBELET_REGISTER_TAINT}" ]] || printf 'registerWithTaints: [{ key: %s, effect: NoSchedule }]\n' "${KUBELET_REGISTER_TAINT}"
}

kubelet_up() {
  [[ -x "${K8S_BIN}/kubelet" ]] || die "no kubelet in ${K8S_BIN} (scripts/toolchain/kubernetes.sh builds it)"
  mkdir -p "${KUBELET_DIR}" "${POD_LOGS_DIR}"
  kubelet_certificates
  kubelet_kubeconfig | write_private "${KUBELET_DIR}/kubeconfig"
  kubelet_config >"${KUBELET_DIR}/config.yaml"
  process_running kubelet || start_process kubelet "${K8S_BIN}/kubelet" \
    --config="${KUBELET_DIR}/config.yaml" \
    --kubeconfig="${KUBELET_DIR}/kubeconfig" \
    --root-dir="${KUBELET_DIR}/root" \
    --cert-dir="${KUBELET_DIR}/pki" \
    --hostname-override="${NODE_NAME}" \
    --node-ip="${NODE_IP}" \
    --v=2
  wait_until "node ${NODE_NAME} Ready" node_ready
}

node_ready() {
  [[ "$(kubectl get node "${NODE_NAME}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

# Stops the kubelet, then removes the mounts under its root directory (Pod volumes).
kubelet_down() {
  stop_process kubelet
  unmount_below "${KUBELET_DIR}/root"
}

# Removes the cgroups the kubelet made for Pods (kubepods under each hierarchy): after containerd
# has stopped, so that no container still running (a Pod whose namespace was being deleted when
# `down` began) keeps one.
remove_pod_cgroups() {
  remove_cgroups kubepods
}

# Removes a top-level cgroup NAME and everything below it, in each hierarchy.
remove_cgroups() {
  local name="$1" hierarchy deadline=$((SECONDS + 10))
  for hierarchy in /sys/fs/cgroup/*/; do
    # Depth first: a cgroup can only be removed once its children are. Containers that were just
    # killed may take a moment to leave theirs.
    while [[ -d "${hierarchy}${name}" ]]; do
      find "${hierarchy}${name}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [[ -d "${hierarchy}${name}" ]] || break
      if ((SECONDS >= deadline)); then
        log "could not remove ${hierarchy}${name} (processes left in it?)"
        break
      fi
      sleep 0.5
    done
  done
}
