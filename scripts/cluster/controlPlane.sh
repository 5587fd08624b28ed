# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are used by the other parts scripts/cluster.sh sources
# The control plane: etcd, kube-apiserver, kube-controller-manager and kube-scheduler, started by
# kwokctl's binary runtime from the binaries scripts/toolchain/kubernetes.sh builds (nothing is
# downloaded), with certificates and an admin kubeconfig of its making. kwok's own fake-node
# controller is disabled: the node here is a real kubelet (scripts/cluster/kubelet.sh).
# Sourced by scripts/cluster.sh after lib.sh and network.sh.

KWOK_CLUSTER="webserver-sidecar"
export KWOK_WORKDIR="${DIR}/kwok"
KWOK_CLUSTER_DIR="${KWOK_WORKDIR}/clusters/${KWOK_CLUSTER}"
CLUSTER_CA_CERT="${KWOK_CLUSTER_DIR}/pki/ca.crt"
CLUSTER_CA_KEY="${KWOK_CLUSTER_DIR}/pki/ca.key"
# ClusterIPs: virtual addresses the API server hands out, which kube-proxy (kubeProxy.sh) routes; in
# the same reserved range as the Pods, clear of it.
SERVICE_CIDR="198.18.1.0/24"

# With no descriptor but 0, 1 and 2 (close_inherited_fds): the components kwokctl starts would
# inherit them, our lock included, and hold them for as long as they run.
kwokctl() { (close_inherited_fds; exec "${KWOK_BIN}/kwokctl" --name "${KWOK_CLUSTER}" "$@"); }

# kwokctl's configuration: our binaries, loopback only, and what the API server needs to reach a
# real kubelet (a client certificate the kubelet trusts, and the CA its serving certificate has).
control_plane_config() {
  cat <<CONF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeVersion: v${KUBERNETES_VERSION}
  etcdVersion: $(cat "${K8S_BIN}/.etcd-version")
  etcdBinary: ${K8S_BIN}/etcd
  kubeApiserverBinary: ${K8S_BIN}/kube-apiserver
  kubeControllerManagerBinary: ${K8S_BIN}/kube-controller-manager
  kubeSchedulerBinary: ${K8S_BIN}/kube-scheduler
  kubectlBinary: ${K8S_BIN}/kubectl
  disable: [kwok-controller]
componentsPatches:
- name: kube-apiserver
  extraArgs:
  - { key: kubelet-client-certificate, value: ${KWOK_CLUSTER_DIR}/pki/admin.crt }
  - { key: kubelet-client-key, value: ${KWOK_CLUSTER_DIR}/pki/admin.key }
  - { key: kubelet-certificate-authority, value: ${CLUSTER_CA_CERT} }
  # Dial the node at its bridge address: its name resolves nowhere.
  - { key: kubelet-preferred-address-types, value: InternalIP }
  - { key: service-cluster-ip-range, value: ${SERVICE_CIDR} }
  # A Pod on a lost node is evicted 30 s after the node is marked NotReady or unreachable (the
  # default toleration's seconds), not 300: the node-loss test's bound stays minutes, not ten.
  - { key: default-not-ready-toleration-seconds, value: "30" }
  - { key: default-unreachable-toleration-seconds, value: "30" }
  # The aggregation layer, for the metrics API (metricsServer.sh): the API server proxies to an
  # APIService's backend with kwokctl's front-proxy client certificate (kwok-admin), and the
  # backend takes the caller's identity from these headers only from that certificate.
  - { key: requestheader-client-ca-file, value: ${CLUSTER_CA_CERT} }
  - { key: requestheader-allowed-names, value: kwok-admin }
  - { key: requestheader-username-headers, value: X-Remote-User }
  - { key: requestheader-group-headers, value: X-Remote-Group }
  - { key: requestheader-extra-headers-prefix, value: X-Remote-Extra- }
  # The backend's endpoint address, not its ClusterIP: the API server runs on the host, outside
  # the Pods' network, where no kube-proxy rule need be relied on.
  - { key: enable-aggregator-routing, value: "true" }
# kwokctl gives the node lifecycle controller 3m20s of missed heartbeats (its fake nodes' pace)
# before a node is NotReady; a real node here gets Kubernetes' own defaults, as on kind or a cloud.
- name: kube-controller-manager
  extraArgs:
  - { key: node-monitor-period, value: 5s }
  - { key: node-monitor-grace-period, value: 50s }
CONF
}

control_plane_up() {
  [[ -x "${KWOK_BIN}/kwokctl" ]] || die "no kwokctl in ${KWOK_BIN} (scripts/toolchain/kubernetes.sh builds it)"
  mkdir -p "${KWOK_WORKDIR}"
  control_plane_config >"${KWOK_WORKDIR}/kwok.yaml"
  if [[ -d "${KWOK_CLUSTER_DIR}" ]]; then
    kwokctl --config "${KWOK_WORKDIR}/kwok.yaml" start cluster --wait "${TIMEOUT}s" >>"${LOGS}/kwokctl.log" 2>&1 \
      || die "kwokctl start cluster failed (${LOGS}/kwokctl.log)"
  else
    log "creating the control plane (kwokctl, binary runtime)"
    kwokctl --config "${KWOK_WORKDIR}/kwok.yaml" create cluster --kubeconfig "${KWOK_WORKDIR}/kubeconfig.merged" \
      --wait "${TIMEOUT}s" >>"${LOGS}/kwokctl.log" 2>&1 || die "kwokctl create cluster failed (${LOGS}/kwokctl.log)"
  fi
  # kwokctl writes its kubeconfigs and keys (the admin's among them) with the default umask: its
  # directory becomes root's alone (every component runs as root).
  chmod -R go-rwx "${KWOK_WORKDIR}"
  # Our kubeconfig: kwokctl's, under the context name tests and scripts know the cluster by.
  # (kubectl rewrites the file in place, keeping its mode: 0600 from write_private.)
  kwokctl get kubeconfig | write_private "${KUBECONFIG_FILE}.tmp"
  "${K8S_BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}.tmp" config rename-context "kwok-${KWOK_CLUSTER}" "${CONTEXT}" >/dev/null
  mv -f "${KUBECONFIG_FILE}.tmp" "${KUBECONFIG_FILE}"
  wait_until "kube-apiserver" kubectl get --raw /readyz
}

# Stops the control plane and forgets its state: every `up` from stopped starts with an empty etcd.
control_plane_down() {
  [[ -d "${KWOK_CLUSTER_DIR}" ]] || return 0
  log "deleting the control plane (kwokctl)"
  kwokctl delete cluster --kubeconfig "${KWOK_WORKDIR}/kubeconfig.merged" >>"${LOGS}/kwokctl.log" 2>&1 \
    || log "kwokctl delete cluster failed (${LOGS}/kwokctl.log)"
}

# The API server's address, as our kubeconfig names it (the kubelet's kubeconfig uses the same).
cluster_server() {
  kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'
}

control_plane_healthy() {
  [[ -f "${KUBECONFIG_FILE}" ]] && kubectl get --raw /readyz >/dev/null 2>&1
}
