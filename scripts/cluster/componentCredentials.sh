# shellcheck shell=bash
# shellcheck disable=SC2154 # CLUSTER_CA_CERT, CLUSTER_CA_KEY: set by controlPlane.sh, sourced before it
# A client identity from the cluster's CA for each node component that watches the API server
# (kube-proxy, CoreDNS, kube-router): its own key, certificate and kubeconfig, so RBAC grants each
# only what it needs. Sourced by scripts/cluster.sh after controlPlane.sh.
#
#   component_kubeconfig DIRECTORY USER [GROUP]
#       writes DIRECTORY/client.key, DIRECTORY/client.crt (CN=USER, O=GROUP) and DIRECTORY/kubeconfig
component_kubeconfig() {
  local dir="$1" user="$2" group="${3:-}" subject
  mkdir -p "${dir}"
  # Kept while it still chains to the cluster's CA (each new control plane makes a new one).
  if ! openssl verify -CAfile "${CLUSTER_CA_CERT}" "${dir}/client.crt" >/dev/null 2>&1; then
    subject="/CN=${user}"
    [[ -z "${group}" ]] || subject="/O=${group}${subject}"
    # The key readable by its owner only, as the kubeconfig that names it.
    (umask 077 && openssl req -new -newkey rsa:2048 -nodes -keyout "${dir}/client.key" -out "${dir}/client.csr" \
      -subj "${subject}" 2>/dev/null)
    openssl x509 -req -in "${dir}/client.csr" -CA "${CLUSTER_CA_CERT}" -CAkey "${CLUSTER_CA_KEY}" \
      -CAcreateserial -days 365 -out "${dir}/client.crt" \
      -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n') 2>/dev/null
    rm -f "${dir}/client.csr"
  fi
  write_private "${dir}/kubeconfig" <<CONF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${NODE_API_SERVER:-$(cluster_server)}
    certificate-authority: ${CLUSTER_CA_CERT}
users:
- name: ${user}
  user:
    client-certificate: ${dir}/client.crt
    client-key: ${dir}/client.key
contexts:
- name: local
  context: { cluster: local, user: ${user} }
current-context: local
CONF
}
