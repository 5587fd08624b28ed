# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, CACHE, NODE_IP, CLUSTER_CA_CERT, METRICS_SERVER_VERSION...: set by the parts sourced before it
# The cluster's metrics API (metrics.k8s.io), which HorizontalPodAutoscalers read: metrics-server
# (built from sigs.k8s.io/metrics-server by scripts/toolchain/clusterAddOns.sh) on the host, on the
# node's address, as CoreDNS is (clusterDns.sh). The API server reaches it through the aggregation
# layer: an APIService naming the Service kube-system/metrics-server, whose one endpoint is the
# node's address; it verifies metrics-server's serving certificate against the cluster's CA and
# proves itself with its front-proxy client certificate (controlPlane.sh's requestheader flags).
# metrics-server scrapes the kubelet's /metrics/resource with a client certificate of its own,
# which RBAC lets read nodes' metrics and nothing it does not need.
# Sourced by scripts/cluster.sh after controlPlane.sh, network.sh and componentCredentials.sh.

METRICS_SERVER_BIN="${CACHE}/bin/metrics-server-v${METRICS_SERVER_VERSION}"
METRICS_SERVER_DIR="${DIR}/node/metrics-server"
METRICS_SERVER_PORT=4443
# The name the API server checks the serving certificate for: the APIService's Service.
METRICS_SERVER_HOST="metrics-server.kube-system.svc"

# A serving certificate for the Service's name, from the cluster's CA (which the APIService trusts).
metrics_server_certificate() {
  local dir="${METRICS_SERVER_DIR}"
  # Kept while it still chains to the cluster's CA (each new control plane makes a new one).
  if openssl verify -CAfile "${CLUSTER_CA_CERT}" "${dir}/serving.crt" >/dev/null 2>&1; then
    return 0
  fi
  (umask 077 && openssl req -new -newkey rsa:2048 -nodes -keyout "${dir}/serving.key" -out "${dir}/serving.csr" \
    -subj "/CN=${METRICS_SERVER_HOST}" 2>/dev/null)
  openssl x509 -req -in "${dir}/serving.csr" -CA "${CLUSTER_CA_CERT}" -CAkey "${CLUSTER_CA_KEY}" \
    -CAcreateserial -days 365 -out "${dir}/serving.crt" \
    -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' "${METRICS_SERVER_HOST}") 2>/dev/null
  rm -f "${dir}/serving.csr"
}

# What metrics-server may do (read nodes, their metrics and Pods; check the callers the API server
# forwards: system:auth-delegator and the extension-apiserver-authentication ConfigMap, as its
# own manifests grant), the Service the APIService names, and the APIService.
metrics_server_objects() {
  cat <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: webserver-sidecar:metrics-server }
rules:
- { apiGroups: [""], resources: [nodes/metrics], verbs: [get] }
- { apiGroups: [""], resources: [pods, nodes], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: webserver-sidecar:metrics-server }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webserver-sidecar:metrics-server }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: webserver-sidecar:metrics-server }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "webserver-sidecar:metrics-server:system:auth-delegator" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator" }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: webserver-sidecar:metrics-server }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: webserver-sidecar:metrics-server-auth-reader, namespace: kube-system }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: webserver-sidecar:metrics-server }]
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels: { k8s-app: metrics-server }
spec:
  ports:
  - { name: https, port: 443, protocol: TCP, targetPort: ${METRICS_SERVER_PORT} }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: metrics-server-node
  namespace: kube-system
  labels:
    kubernetes.io/service-name: metrics-server
    endpointslice.kubernetes.io/managed-by: webserver-sidecar
addressType: IPv4
endpoints:
- { addresses: ["${NODE_IP}"], conditions: { ready: true }, nodeName: ${NODE_NAME} }
ports:
- { name: https, port: ${METRICS_SERVER_PORT}, protocol: TCP }
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  labels: { k8s-app: metrics-server }
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: { name: metrics-server, namespace: kube-system, port: 443 }
  caBundle: $(base64 -w0 "${CLUSTER_CA_CERT}")
  groupPriorityMinimum: 100
  versionPriority: 100
YAML
}

metrics_server_up() {
  [[ -x "${METRICS_SERVER_BIN}/metrics-server" ]] || die "no metrics-server in ${METRICS_SERVER_BIN} (scripts/toolchain/clusterAddOns.sh builds it)"
  mkdir -p "${METRICS_SERVER_DIR}"
  component_kubeconfig "${METRICS_SERVER_DIR}" webserver-sidecar:metrics-server
  metrics_server_certificate
  metrics_server_objects | kubectl apply -f - >/dev/null
  # Every 15 s, the shortest resolution metrics-server's own docs recommend, and the autoscaler's
  # own sync period: a test's load shows in the autoscaler's decision within a minute.
  process_running metrics-server || start_process metrics-server "${METRICS_SERVER_BIN}/metrics-server" \
    --kubeconfig "${METRICS_SERVER_DIR}/kubeconfig" \
    --authentication-kubeconfig "${METRICS_SERVER_DIR}/kubeconfig" \
    --authorization-kubeconfig "${METRICS_SERVER_DIR}/kubeconfig" \
    --bind-address "${NODE_IP}" --secure-port "${METRICS_SERVER_PORT}" \
    --tls-cert-file "${METRICS_SERVER_DIR}/serving.crt" --tls-private-key-file "${METRICS_SERVER_DIR}/serving.key" \
    --kubelet-preferred-address-types InternalIP --kubelet-use-node-status-port \
    --kubelet-certificate-authority "${CLUSTER_CA_CERT}" \
    --metric-resolution 15s
  wait_until "the metrics API (metrics-server through the API server)" kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes
}

metrics_server_down() {
  stop_process metrics-server
}
