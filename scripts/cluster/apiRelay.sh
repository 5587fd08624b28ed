# shellcheck shell=bash
# shellcheck disable=SC2154 # NODE_IP, KWOK_CLUSTER_DIR: set by the parts sourced before it
# The API server on the first node's address, for what cannot reach its loopback listener
# (controlPlane.sh): Pods (Traefik) and the second node's components, in their own network
# namespace. A TCP relay (socat) forwards bytes alone, so TLS and each client's credentials go end
# to end; the API server's certificate names the node's address, which they dial.
# Sourced by scripts/cluster.sh after controlPlane.sh and network.sh.

# The API server's port, from our kubeconfig's server URL.
api_server_port() {
  local server
  server="$(cluster_server)"
  printf '%s\n' "${server##*:}"
}

# The API server's URL through the relay.
api_relay_server() {
  printf 'https://%s:%s\n' "${NODE_IP}" "$(api_server_port)"
}

api_relay_up() {
  local port
  port="$(api_server_port)"
  # The certificate must name the node's address, which the relay's clients dial.
  openssl x509 -in "${KWOK_CLUSTER_DIR}/pki/admin.crt" -noout -ext subjectAltName | grep -q "IP Address:${NODE_IP}\b" \
    || die "the API server's certificate does not name ${NODE_IP}: clients of the relay could not verify it"
  process_running api-relay || start_process api-relay "$(command -v socat)" \
    "TCP-LISTEN:${port},bind=${NODE_IP},reuseaddr,fork" "TCP:127.0.0.1:${port}"
}

api_relay_down() {
  stop_process api-relay
}
