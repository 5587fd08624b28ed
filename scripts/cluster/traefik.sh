# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, CACHE, NODE_IP, TRAEFIK_VERSION, GATEWAY_API_VERSION...: set by the parts sourced before it
# The cluster's route controller: Traefik (built from github.com/traefik/traefik/v3 by
# scripts/toolchain/clusterAddOns.sh), serving Ingresses (IngressClass `traefik`) and Gateway API
# HTTPRoutes (GatewayClass `traefik`, Gateway `traefik/traefik`), as a Deployment in the namespace
# `traefik`, so that a NetworkPolicy can name it by namespace and labels as it would a team's
# controller. Traefik's official image cannot be pulled here: the Pod runs the stand-in busybox
# image with the binary mounted read-only from the host (a static Go binary needs nothing else).
#
# Traefik reaches the API server through the relay on the node's address (apiRelay.sh), which it is
# given as its endpoint.
# Sourced by scripts/cluster.sh after controlPlane.sh, network.sh, images.sh and apiRelay.sh.

TRAEFIK_BIN="${CACHE}/bin/traefik-v${TRAEFIK_VERSION}"
TRAEFIK_NAMESPACE="traefik"
# The labels a NetworkPolicy names the controller's Pods by.
TRAEFIK_LABELS="app.kubernetes.io/name: traefik"
# Traefik's Service, at a fixed ClusterIP (the Services' range, clear of kube-dns's .10): the address
# Traefik writes into each Ingress's status, which the Kubernetes provider's await waits for, as a
# cloud controller's does for a LoadBalancer.
TRAEFIK_SERVICE_IP="198.18.1.11"
# Where the Gateway API's CRDs are: its module in the Go module cache.
GATEWAY_API_CRDS="${CACHE}/go/mod/sigs.k8s.io/gateway-api@v${GATEWAY_API_VERSION}/config/crd/standard"

# What Traefik may read and report: its documented RBAC for the Ingress and Gateway providers.
traefik_objects() {
  local port="$1"
  cat <<YAML
apiVersion: v1
kind: Namespace
metadata: { name: ${TRAEFIK_NAMESPACE}, labels: { ${TRAEFIK_LABELS} } }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: traefik, namespace: ${TRAEFIK_NAMESPACE} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: webserver-sidecar:traefik }
rules:
- { apiGroups: [""], resources: [services, secrets, configmaps, nodes, namespaces], verbs: [get, list, watch] }
- { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
- { apiGroups: [extensions, networking.k8s.io], resources: [ingresses, ingressclasses], verbs: [get, list, watch] }
- { apiGroups: [extensions, networking.k8s.io], resources: [ingresses/status], verbs: [update] }
- { apiGroups: [gateway.networking.k8s.io], resources: [gatewayclasses, gateways, httproutes, grpcroutes, referencegrants, backendtlspolicies], verbs: [get, list, watch] }
- { apiGroups: [gateway.networking.k8s.io], resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status, backendtlspolicies/status], verbs: [update] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: webserver-sidecar:traefik }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: webserver-sidecar:traefik }
subjects: [{ kind: ServiceAccount, name: traefik, namespace: ${TRAEFIK_NAMESPACE} }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: traefik }
spec: { controller: traefik.io/ingress-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: traefik }
spec: { controllerName: traefik.io/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: traefik, namespace: ${TRAEFIK_NAMESPACE} }
spec:
  gatewayClassName: traefik
  listeners:
  # Traefik binds a listener to the entry point of the same port.
  - { name: web, port: 8000, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: traefik, namespace: ${TRAEFIK_NAMESPACE}, labels: { ${TRAEFIK_LABELS} } }
spec:
  replicas: 1
  selector: { matchLabels: { ${TRAEFIK_LABELS} } }
  template:
    metadata: { labels: { ${TRAEFIK_LABELS} } }
    spec:
      serviceAccountName: traefik
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: RuntimeDefault } }
      containers:
      - name: traefik
        image: $(image_reference busybox-bookworm)
        command: [/opt/traefik/traefik]
        args:
        - --entryPoints.web.address=:8000
        - --entryPoints.websecure.address=:8443
        # Every router on it answers TLS, with the certificate an Ingress's tls names for its host
        # (Traefik reads spec.tls only as certificates), as Traefik's own Helm chart sets websecure.
        - --entryPoints.websecure.http.tls=true
        - --ping=true
        - --providers.kubernetesingress=true
        - --providers.kubernetesingress.endpoint=https://${NODE_IP}:${port}
        - --providers.kubernetesingress.ingressendpoint.ip=${TRAEFIK_SERVICE_IP}
        - --providers.kubernetesgateway=true
        - --providers.kubernetesgateway.endpoint=https://${NODE_IP}:${port}
        ports:
        - { name: web, containerPort: 8000 }
        - { name: websecure, containerPort: 8443 }
        readinessProbe: { httpGet: { path: /ping, port: 8080 }, periodSeconds: 2 }
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
        volumeMounts: [{ name: traefik-binary, mountPath: /opt/traefik, readOnly: true }]
      volumes:
      - { name: traefik-binary, hostPath: { path: ${TRAEFIK_BIN}, type: Directory } }
---
apiVersion: v1
kind: Service
metadata: { name: traefik, namespace: ${TRAEFIK_NAMESPACE} }
spec:
  clusterIP: ${TRAEFIK_SERVICE_IP}
  selector: { ${TRAEFIK_LABELS} }
  ports:
  - { name: web, port: 80, targetPort: web }
  - { name: websecure, port: 443, targetPort: websecure }
YAML
}

traefik_up() {
  [[ -x "${TRAEFIK_BIN}/traefik" ]] || die "no traefik in ${TRAEFIK_BIN} (scripts/toolchain/clusterAddOns.sh builds it)"
  [[ -d "${GATEWAY_API_CRDS}" ]] || die "no Gateway API CRDs in ${GATEWAY_API_CRDS} (scripts/toolchain/clusterAddOns.sh downloads them)"
  local port
  port="$(api_server_port)"
  api_relay_up
  kubectl apply --server-side -f "${GATEWAY_API_CRDS}" >/dev/null
  kubectl wait --for condition=Established --timeout "${TIMEOUT}s" -f "${GATEWAY_API_CRDS}" >/dev/null
  traefik_objects "${port}" | kubectl apply -f - >/dev/null
  kubectl rollout status deployment/traefik -n "${TRAEFIK_NAMESPACE}" --timeout "${TIMEOUT}s" >/dev/null \
    || die "Traefik did not become Ready (kubectl logs -n ${TRAEFIK_NAMESPACE} deployment/traefik)"
  kubectl wait --for condition=Programmed --timeout "${TIMEOUT}s" gateway/traefik -n "${TRAEFIK_NAMESPACE}" >/dev/null \
    || die "Traefik did not program the Gateway traefik/traefik"
}
