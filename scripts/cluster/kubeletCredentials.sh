# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, CLUSTER_CA_CERT, NODE_NAME, NODE_IP, KUBELET_DIR...: set by the parts sourced before it
# The kubelet's identity: its certificates from the cluster's CA and the kubeconfig it reaches the
# API server with. Sourced by kubelet.sh.

# A client certificate for the node (system:node:<name> in system:nodes, what the Node authorizer
# expects) and a serving certificate for the node's IP, both from the cluster's CA.
kubelet_certificates() {
  local pki="${KUBELET_DIR}/pki"
  mkdir -p "${pki}"
  # Kept while they still chain to the cluster's CA (each new control plane makes a new one).
  if openssl verify -CAfile "${CLUSTER_CA_CERT}" "${pki}/serving.crt" "${pki}/client.crt" >/dev/null 2>&1; then
    return 0
  fi
  openssl req -new -newkey rsa:2048 -nodes -keyout "${pki}/client.key" -out "${pki}/client.csr" \
    -subj "/O=system:nodes/CN=system:node:${NODE_NAME}" 2>/dev/null
  openssl x509 -req -in "${pki}/client.csr" -CA "${CLUSTER_CA_CERT}" -CAkey "${CLUSTER_CA_KEY}" \
    -CAcreateserial -days 365 -out "${pki}/client.crt" \
    -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n') 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -keyout "${pki}/serving.key" -out "${pki}/serving.csr" \
    -subj "/O=system:nodes/CN=system:node:${NODE_NAME}" 2>/dev/null
  openssl x509 -req -in "${pki}/serving.csr" -CA "${CLUSTER_CA_CERT}" -CAkey "${CLUSTER_CA_KEY}" \
    -CAcreateserial -days 365 -out "${pki}/serving.crt" \
    -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:%s,DNS:%s\n' "${NODE_IP}" "${NODE_NAME}") 2>/dev/null
  rm -f "${pki}"/*.csr
}

kubelet_kubeconfig() {
  cat <<CONF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${NODE_API_SERVER:-$(cluster_server)}
    certificate-authority: ${CLUSTER_CA_CERT}
users:
- name: kubelet
  user:
    client-certificate: ${KUBELET_DIR}/pki/client.crt
    client-key: ${KUBELET_DIR}/pki/client.key
contexts:
- name: kubelet
  context: { cluster: local, user: kubelet }
current-context: kubelet
CONF
}
