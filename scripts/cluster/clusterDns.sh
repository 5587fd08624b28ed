# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, CACHE, NODE_IP, COREDNS_VERSION...: set by the parts sourced before it
# The cluster's DNS: CoreDNS (built from Go modules by scripts/toolchain/kubernetes.sh) on the host,
# on the node's address, behind the Service kube-system/kube-dns at a fixed ClusterIP, as on a
# kubeadm cluster; the kubelet gives Pods that address (clusterDNS) and the cluster's domain.
# Names outside the cluster get NXDOMAIN: nothing is forwarded off the machine.
# Sourced by scripts/cluster.sh after controlPlane.sh, network.sh and componentCredentials.sh.

COREDNS_BIN="${CACHE}/bin/coredns-v${COREDNS_VERSION}"
COREDNS_DIR="${DIR}/node/coredns"
CLUSTER_DOMAIN="cluster.local"
# The tenth address of the Services' range, as kubeadm picks it.
CLUSTER_DNS_IP="198.18.1.10"
COREDNS_READY="${NODE_IP}:8181"

coredns_config() {
  cat <<CONF
${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${NODE_IP}
    errors
    ready ${COREDNS_READY}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${COREDNS_DIR}/kubeconfig local
        pods insecure
    }
    cache 30
}
.:53 {
    bind ${NODE_IP}
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
CONF
}

# What CoreDNS may read (the kubernetes plugin's list and watch), and the Service Pods reach it
# by: no selector, its one endpoint the node's address.
cluster_dns_objects() {
  cat <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: webserver-sidecar:coredns }
rules:
- { apiGroups: [""], resources: [services, pods, namespaces], verbs: [list, watch] }
- { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: webserver-sidecar:coredns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webserver-sidecar:coredns }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: webserver-sidecar:coredns }]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: { k8s-app: kube-dns, kubernetes.io/name: CoreDNS }
spec:
  clusterIP: ${CLUSTER_DNS_IP}
  ports:
  - { name: dns, port: 53, protocol: UDP, targetPort: 53 }
  - { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-node
  namespace: kube-system
  labels:
    kubernetes.io/service-name: kube-dns
    endpointslice.kubernetes.io/managed-by: webserver-sidecar
addressType: IPv4
endpoints:
- { addresses: ["${NODE_IP}"], conditions: { ready: true }, nodeName: ${NODE_NAME} }
ports:
- { name: dns, port: 53, protocol: UDP }
- { name: dns-tcp, port: 53, protocol: TCP }
YAML
}

cluster_dns_up() {
  [[ -x "${COREDNS_BIN}/coredns" ]] || die "no coredns in ${COREDNS_BIN} (scripts/toolchain/kubernetes.sh builds it)"
  cluster_dns_objects | kubectl apply -f - >/dev/null
  component_kubeconfig "${COREDNS_DIR}" webserver-sidecar:coredns
  coredns_config >"${COREDNS_DIR}/Corefile"
  process_running coredns || start_process coredns "${COREDNS_BIN}/coredns" -conf "${COREDNS_DIR}/Corefile"
  wait_until "CoreDNS" curl -fsS "http://${COREDNS_READY}/ready"
}

cluster_dns_down() {
  stop_process coredns
}
