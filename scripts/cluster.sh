#!/usr/bin/env bash
# A local Kubernetes control plane on loopback, for integration tests and the walkthrough:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (which fakes one Node and
# the status of Pods scheduled to it: no kubelet, no containers run).
#
# kwok also serves the kubelet API (logs, port-forward) on loopback: `kubectl logs` and
# `kubectl port-forward` for Pods on the fake node are answered from per-pod kwok.x-k8s.io/v1alpha1
# Logs / PortForward objects (and cluster-wide ClusterLogs / ClusterPortForward), whose CRDs `up`
# installs from the kwok module.
#
# Usage: scripts/cluster.sh up       start (no-op when already up and healthy); builds the binaries
#                                    first through scripts/toolchain/kubernetes.sh if they are missing
#        scripts/cluster.sh down     stop exactly the processes `up` started (safe to repeat)
#        scripts/cluster.sh status   show each component; exit 0 only when the cluster is healthy
#        scripts/cluster.sh env      print `export KUBECONFIG=... PATH=...` for eval
#
# State (certificates, kubeconfigs, logs, pids, etcd data) lives in
# ${WEBSERVER_SIDECAR_CLUSTER_DIR:-${WEBSERVER_SIDECAR_CACHE:-~/.cache/webserver-sidecar}/cluster}.
# Every `up` from stopped starts from an empty etcd: a fresh cluster each time.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
toolchain_dir="${script_dir}/toolchain"
# shellcheck source-path=SCRIPTDIR source=toolchain/versions.env
source "${toolchain_dir}/versions.env"

CACHE="${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}"
DIR="${WEBSERVER_SIDECAR_CLUSTER_DIR:-${CACHE}/cluster}"
CONTEXT="webserver-sidecar-local"
NODE_NAME="kwok-node-0"
# Pod IPs are handed out by kwok from POD_CIDR; Service ClusterIPs by the apiserver from SERVICE_CIDR.
POD_CIDR="10.244.0.1/24"
# The fake node's InternalIP (also the Pods' hostIP): the apiserver dials it, at the node's
# daemonEndpoints.kubeletEndpoint port, for logs and port-forward, and kwok's kubelet-like server
# listens there.
NODE_IP="127.0.0.1"
# kwok objects that kwok watches in the apiserver (--enable-crds); their CRDs are applied by `up`.
KWOK_CRDS=(Logs ClusterLogs PortForward ClusterPortForward)
SERVICE_CIDR="10.96.0.0/16"
# Seconds each readiness step may take before `up` gives up.
TIMEOUT="${WEBSERVER_SIDECAR_CLUSTER_TIMEOUT:-120}"

PKI="${DIR}/pki"
LOGS="${DIR}/logs"
PIDS="${DIR}/pids"
STATE="${DIR}/state.env"
KUBECONFIG_FILE="${DIR}/kubeconfig"

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mapfile -t bin_dirs < <("${toolchain_dir}/kubernetes.sh" --print-dirs)
K8S_BIN="${bin_dirs[0]}"
KWOK_BIN="${bin_dirs[1]}"
kubectl() { "${K8S_BIN}/kubectl" --kubeconfig="${KUBECONFIG_FILE}" "$@"; }

# ------------------------------------------------------------------------------------------------
# processes
# ------------------------------------------------------------------------------------------------

# argv[0] of a running pid, empty when it is gone.
proc_argv0() {
  local pid="$1"
  if [[ -r "/proc/${pid}/cmdline" ]]; then
    tr '\0' '\n' <"/proc/${pid}/cmdline" 2>/dev/null | head -n1 || true
  else
    ps -o args= -p "${pid}" 2>/dev/null | awk '{ print $1 }' || true
  fi
}

# True when pid is alive and still runs the binary we started (pids get reused).
is_ours() {
  local pid="$1" bin="$2"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null && [[ "$(proc_argv0 "${pid}")" == "${bin}" ]]
}

# Starts a component in the background, detached from the caller's terminal and process group,
# with all its output in logs/<name>.log and without our lock fd 8 (a component holding it would
# block every later up/down), and records "<name> <pid> <binary>" in the pids file.
start_component() {
  local name="$1" bin="$2"; shift 2
  log "starting ${name}"
  if command -v setsid >/dev/null; then
    # In a non-interactive shell the background child is no process-group leader, so setsid
    # calls setsid(2) and execs in place: $! is the component's own pid.
    setsid "${bin}" "$@" </dev/null >"${LOGS}/${name}.log" 2>&1 8>&- &
  else
    "${bin}" "$@" </dev/null >"${LOGS}/${name}.log" 2>&1 8>&- &
  fi
  local pid=$!
  printf '%s %s %s\n' "${name}" "${pid}" "${bin}" >>"${PIDS}"
  # Until the forked shell has exec'ed the binary, its argv[0] is still bash/setsid: wait for
  # that, so liveness checks (which compare argv[0]) don't mistake it for a dead component.
  local tries=0
  while [[ "$(proc_argv0 "${pid}")" != "${bin}" ]] && kill -0 "${pid}" 2>/dev/null && ((tries++ < 100)); do
    sleep 0.05
  done
}

# Sends TERM to the given "<pid> <binary> <name>" entries, waits up to 15 s, then KILLs the rest.
terminate() {
  local entry pid bin name
  local -a live=() still=()
  for entry in "$@"; do
    read -r pid bin name <<<"${entry}"
    if is_ours "${pid}" "${bin}"; then
      log "stopping ${name} (pid ${pid})"
      kill -TERM "${pid}" 2>/dev/null || true
      live+=("${entry}")
    fi
  done
  local deadline=$((SECONDS + 15))
  while ((${#live[@]} > 0)); do
    still=()
    for entry in "${live[@]}"; do
      read -r pid bin name <<<"${entry}"
      if is_ours "${pid}" "${bin}"; then still+=("${entry}"); fi
    done
    live=("${still[@]+"${still[@]}"}")
    ((${#live[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for entry in "${live[@]}"; do
        read -r pid bin name <<<"${entry}"
        log "killing ${name} (pid ${pid}): still running 15 s after TERM"
        kill -KILL "${pid}" 2>/dev/null || true
      done
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

# Stops every recorded pid that still runs its binary. etcd goes last, once the others are gone:
# a kube-apiserver whose etcd vanished hangs in shutdown retrying it.
stop_all() {
  [[ -f "${PIDS}" ]] || return 0
  local name pid bin
  local -a first=() last=()
  while read -r name pid bin; do
    if [[ "${name}" == etcd ]]; then
      last+=("${pid} ${bin} ${name}")
    else
      first+=("${pid} ${bin} ${name}")
    fi
  done <"${PIDS}"
  terminate "${first[@]+"${first[@]}"}"
  terminate "${last[@]+"${last[@]}"}"
  rm -f "${PIDS}"
}

# Name of the first recorded component that is no longer running, if any.
first_dead_component() {
  [[ -f "${PIDS}" ]] || return 0
  local name pid bin
  while read -r name pid bin; do
    if ! is_ours "${pid}" "${bin}"; then
      echo "${name}"
      return 0
    fi
  done <"${PIDS}"
}

# ------------------------------------------------------------------------------------------------
# ports, certificates, kubeconfigs
# ------------------------------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A random free loopback port below the kernel's ephemeral range (outgoing connections, even in
# TIME_WAIT, would make a bind there fail although nothing listens), not one already chosen.
pick_port() {
  local low=20000 high=32767 port tries=0 eph
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r eph _ </proc/sys/net/ipv4/ip_local_port_range
    if ((eph > low + 1000)); then high=$((eph - 1)); fi
  fi
  while ((tries++ < 200)); do
    port=$((low + (RANDOM * 32768 + RANDOM) % (high - low + 1)))
    [[ " ${chosen_ports:-} " == *" ${port} "* ]] && continue
    port_in_use "${port}" && continue
    echo "${port}"
    return 0
  done
  die "no free loopback port found in ${low}-${high}"
}

# openssl config with explicit sections, so the system openssl.cnf never adds or clashes with
# extensions.
write_ext() {
  local file="$1" usage="$2" san="${3:-}"
  {
    echo "[req]"
    echo "distinguished_name = dn"
    echo "[dn]"
    echo "[v3]"
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature, keyEncipherment"
    echo "extendedKeyUsage = ${usage}"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    if [[ -n "${san}" ]]; then echo "subjectAltName = ${san}"; fi
  } >"${file}"
}

new_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# Creates a self-signed CA pki/<name>.crt.
new_ca() {
  local name="$1" subject="$2"
  new_key "${PKI}/${name}.key"
  {
    echo "[req]"
    echo "distinguished_name = dn"
    echo "x509_extensions = v3_ca"
    echo "[dn]"
    echo "[v3_ca]"
    echo "basicConstraints = critical, CA:TRUE"
    echo "keyUsage = critical, keyCertSign, cRLSign, digitalSignature"
    echo "subjectKeyIdentifier = hash"
  } >"${PKI}/${name}.cnf"
  openssl req -x509 -new -key "${PKI}/${name}.key" -subj "${subject}" \
    -config "${PKI}/${name}.cnf" -days 3650 -sha256 -out "${PKI}/${name}.crt"
  rm -f "${PKI}/${name}.cnf"
}

# Signs pki/<name>.crt for subject $2 with CA pki/<ca>.crt (default: the cluster CA).
issue_cert() {
  local name="$1" subject="$2" usage="$3" san="${4:-}" ca="${5:-ca}"
  new_key "${PKI}/${name}.key"
  write_ext "${PKI}/${name}.cnf" "${usage}" "${san}"
  openssl req -new -key "${PKI}/${name}.key" -subj "${subject}" -config "${PKI}/${name}.cnf" \
    -out "${PKI}/${name}.csr"
  openssl x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/${ca}.crt" -CAkey "${PKI}/${ca}.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 365 -sha256 \
    -extfile "${PKI}/${name}.cnf" -extensions v3 -out "${PKI}/${name}.crt" 2>/dev/null
  rm -f "${PKI}/${name}.csr" "${PKI}/${name}.cnf"
}

# Client identities: RBAC's bootstrap policy already binds system:kube-controller-manager and
# system:kube-scheduler; admin (and kwok, which patches Node and Pod status) are system:masters, and
# so is apiserver-kubelet-client, the apiserver's identity towards the kubelet (kwok's server).
CLIENTS=(admin kube-controller-manager kube-scheduler apiserver-kubelet-client)

pki_valid() {
  local f
  for f in ca front-proxy-ca apiserver controlplane-serving kwok-serving front-proxy-client "${CLIENTS[@]}"; do
    [[ -s "${PKI}/${f}.crt" && -s "${PKI}/${f}.key" ]] || return 1
    openssl x509 -checkend 86400 -noout -in "${PKI}/${f}.crt" >/dev/null 2>&1 || return 1
  done
  [[ -s "${PKI}/sa.key" && -s "${PKI}/sa.pub" ]]
}

ensure_pki() {
  if pki_valid; then
    return 0
  fi
  log "generating certificates in ${PKI}"
  rm -rf "${PKI}"
  mkdir -p "${PKI}"
  chmod 700 "${PKI}"
  new_ca ca "/CN=webserver-sidecar-local-ca"
  # Request-header (front proxy) CA: without it kube-controller-manager and kube-scheduler log
  # "missing content for CA bundle ...requestheader-client-ca-file" every few seconds, which
  # would bury the useful lines of their logs. Separate from the cluster CA on purpose: a cert
  # from this CA may assert any user in headers.
  new_ca front-proxy-ca "/CN=webserver-sidecar-local-front-proxy-ca"
  issue_cert front-proxy-client "/CN=front-proxy-client" clientAuth "" front-proxy-ca
  # Serving cert: loopback names, plus the in-cluster names of the `kubernetes` Service.
  issue_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1, DNS:localhost, IP:10.96.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local"
  # kube-controller-manager and kube-scheduler serve /healthz with this one, so the readiness
  # check can verify them against our CA (their default is an in-memory self-signed cert).
  issue_cert controlplane-serving "/CN=webserver-sidecar-local-controlplane" serverAuth \
    "IP:127.0.0.1, DNS:localhost"
  # kwok's kubelet-like server, which the apiserver verifies (--kubelet-certificate-authority)
  # when it dials the node at NODE_IP.
  issue_cert kwok-serving "/CN=${NODE_NAME}" serverAuth "IP:${NODE_IP}, DNS:localhost"
  issue_cert admin "/O=system:masters/CN=webserver-sidecar-admin" clientAuth
  issue_cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue_cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
  issue_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  # Service-account token signing key pair (apiserver signs and verifies, controller-manager signs).
  new_key "${PKI}/sa.key"
  openssl pkey -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub" 2>/dev/null
}

# Value of KEY in state.env (written by `up`).
state_get() { sed -n "s/^$1=//p" "${STATE}"; }

b64() { base64 <"$1" | tr -d '\n'; }

# Writes a self-contained kubeconfig (certificates embedded) for one client identity.
write_kubeconfig() {
  local file="$1" user="$2" server="$3"
  umask 077
  cat >"${file}.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ${CONTEXT}
  cluster:
    server: ${server}
    certificate-authority-data: $(b64 "${PKI}/ca.crt")
users:
- name: ${CONTEXT}-${user}
  user:
    client-certificate-data: $(b64 "${PKI}/${user}.crt")
    client-key-data: $(b64 "${PKI}/${user}.key")
contexts:
- name: ${CONTEXT}
  context:
    cluster: ${CONTEXT}
    user: ${CONTEXT}-${user}
    namespace: default
current-context: ${CONTEXT}
preferences: {}
EOF
  mv -f "${file}.tmp" "${file}"
}

# ------------------------------------------------------------------------------------------------
# readiness
# ------------------------------------------------------------------------------------------------

# Set by `up` so a failure can name the component and show its log.
waiting_for=""

# wait_until <component> <description> <command...>: polls the command every 0.5 s until it
# succeeds, failing early when any started component has exited.
wait_until() {
  local component="$1" what="$2"; shift 2
  waiting_for="${component}"
  local deadline=$((SECONDS + TIMEOUT)) dead
  until "$@" >/dev/null 2>&1; do
    dead="$(first_dead_component)"
    if [[ -n "${dead}" ]]; then
      waiting_for="${dead}"
      die "${dead} exited while waiting for ${what}"
    fi
    ((SECONDS < deadline)) || die "timed out after ${TIMEOUT}s waiting for ${what}"
    sleep 0.5
  done
}

apiserver_ready() { kubectl get --raw /readyz; }
# kube-controller-manager and kube-scheduler: same CA and admin credentials, their own port.
component_healthy() { kubectl --server="https://127.0.0.1:$1" get --raw /healthz; }
node_ready() {
  [[ "$(kubectl get node "${NODE_NAME}" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" == "True" ]]
}
default_sa_exists() { kubectl -n default get serviceaccount default; }
# kwok's kubelet-like server answers on the address and port the Node advertises, with a serving
# cert from our CA: what the apiserver needs to reach it for logs and port-forward. (Not checked
# through /api/v1/nodes/<node>/proxy: the apiserver refuses to proxy to a loopback node address,
# unlike logs and port-forward.)
kwok_server_ready() {
  local port="$1"
  [[ "$(kubectl get node "${NODE_NAME}" -o 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port} {.status.addresses[?(@.type=="InternalIP")].address}')" \
    == "${port} ${NODE_IP}" ]] || return 1
  kubectl --server="https://${NODE_IP}:${port}" get --raw /healthz
}
crds_established() {
  local crd
  for crd in "$@"; do
    [[ "$(kubectl get crd "${crd}" \
      -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}')" == "True" ]] || return 1
  done
}

# Healthy = every recorded component runs, the apiserver is ready and the fake node is Ready.
healthy() {
  [[ -f "${PIDS}" && -f "${STATE}" && -f "${KUBECONFIG_FILE}" ]] || return 1
  [[ "$(wc -l <"${PIDS}")" -eq 5 ]] || return 1
  [[ -z "$(first_dead_component)" ]] || return 1
  apiserver_ready >/dev/null 2>&1 && node_ready 2>/dev/null \
    && kwok_server_ready "$(state_get KWOK_PORT)" >/dev/null 2>&1
}

# kwok v0.8 has no built-in stages, and its CRDs are not compiled in: take the "fast" stage files
# and the CRD manifests from the kwok module that the toolchain build put in the module cache
# (downloading it again if the cache was pruned).
kwok_kustomize_dir() {
  local dir="${CACHE}/go/mod/sigs.k8s.io/kwok@v${KWOK_VERSION}/kustomize"
  if [[ ! -d "${dir}/stage" || ! -d "${dir}/crd/bases" ]]; then
    GOTOOLCHAIN=local GOMODCACHE="${CACHE}/go/mod" GOFLAGS=-mod=mod \
      go mod download "sigs.k8s.io/kwok@v${KWOK_VERSION}" >&2
  fi
  [[ -d "${dir}/stage" ]] || die "kwok stage files not found in ${dir}/stage"
  [[ -d "${dir}/crd/bases" ]] || die "kwok CRD manifests not found in ${dir}/crd/bases"
  echo "${dir}"
}

# Resource name of a kwok kind (its CRD is <plural>.kwok.x-k8s.io, in crd/bases/kwok.x-k8s.io_<plural>.yaml):
# PortForward -> portforwards, Logs -> logs.
kwok_crd_plural() {
  local kind="${1,,}"
  [[ "${kind}" == *s ]] && echo "${kind}" || echo "${kind}s"
}

# ------------------------------------------------------------------------------------------------
# commands
# ------------------------------------------------------------------------------------------------

cmd_up() {
  mkdir -p "${DIR}"
  exec 8>"${DIR}/.lock"
  flock 8
  if healthy; then
    log "already up (https://127.0.0.1:$(state_get APISERVER_PORT)); kubeconfig ${KUBECONFIG_FILE}"
    return 0
  fi
  # Leftovers of a half-dead cluster: stop them and start over.
  stop_all

  "${toolchain_dir}/kubernetes.sh"
  local kustomize stages kind crd_files=() crd_names=()
  kustomize="$(kwok_kustomize_dir)"
  stages="${kustomize}/stage"
  for kind in "${KWOK_CRDS[@]}"; do
    crd_files+=(-f "${kustomize}/crd/bases/kwok.x-k8s.io_$(kwok_crd_plural "${kind}").yaml")
    crd_names+=("$(kwok_crd_plural "${kind}").kwok.x-k8s.io")
  done
  local started_at=${SECONDS}

  trap on_up_exit EXIT
  # Name any unexpected failing command (set -e would otherwise exit silently).
  set -E
  trap 'log "failed: line ${LINENO}: ${BASH_COMMAND}"' ERR
  mkdir -p "${LOGS}"
  rm -f "${LOGS}"/*.log
  ensure_pki

  local chosen_ports=""
  local etcd_port etcd_peer_port apiserver_port kcm_port scheduler_port kwok_port
  etcd_port="$(pick_port)"; chosen_ports+=" ${etcd_port}"
  etcd_peer_port="$(pick_port)"; chosen_ports+=" ${etcd_peer_port}"
  apiserver_port="$(pick_port)"; chosen_ports+=" ${apiserver_port}"
  kcm_port="$(pick_port)"; chosen_ports+=" ${kcm_port}"
  scheduler_port="$(pick_port)"; chosen_ports+=" ${scheduler_port}"
  kwok_port="$(pick_port)"
  cat >"${STATE}" <<EOF
APISERVER_PORT=${apiserver_port}
ETCD_PORT=${etcd_port}
ETCD_PEER_PORT=${etcd_peer_port}
KUBE_CONTROLLER_MANAGER_PORT=${kcm_port}
KUBE_SCHEDULER_PORT=${scheduler_port}
KWOK_PORT=${kwok_port}
EOF
  local server="https://127.0.0.1:${apiserver_port}"
  write_kubeconfig "${KUBECONFIG_FILE}" admin "${server}"
  write_kubeconfig "${DIR}/kube-controller-manager.kubeconfig" kube-controller-manager "${server}"
  write_kubeconfig "${DIR}/kube-scheduler.kubeconfig" kube-scheduler "${server}"

  # etcd: plain HTTP on loopback only, throwaway data (no fsync: this cluster is disposable).
  rm -rf "${DIR}/etcd"
  start_component etcd "${K8S_BIN}/etcd" \
    --name=webserver-sidecar-local \
    --data-dir="${DIR}/etcd" \
    --listen-client-urls="http://127.0.0.1:${etcd_port}" \
    --advertise-client-urls="http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls="http://127.0.0.1:${etcd_peer_port}" \
    --initial-advertise-peer-urls="http://127.0.0.1:${etcd_peer_port}" \
    --initial-cluster="webserver-sidecar-local=http://127.0.0.1:${etcd_peer_port}" \
    --unsafe-no-fsync=true
  wait_until etcd "etcd to listen on 127.0.0.1:${etcd_port}" port_in_use "${etcd_port}"

  start_component kube-apiserver "${K8S_BIN}/kube-apiserver" \
    --bind-address=127.0.0.1 \
    --secure-port="${apiserver_port}" \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --etcd-servers="http://127.0.0.1:${etcd_port}" \
    --tls-cert-file="${PKI}/apiserver.crt" \
    --tls-private-key-file="${PKI}/apiserver.key" \
    --client-ca-file="${PKI}/ca.crt" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="${PKI}/sa.pub" \
    --service-account-signing-key-file="${PKI}/sa.key" \
    --service-cluster-ip-range="${SERVICE_CIDR}" \
    --requestheader-client-ca-file="${PKI}/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="${PKI}/front-proxy-client.crt" \
    --proxy-client-key-file="${PKI}/front-proxy-client.key" \
    --kubelet-client-certificate="${PKI}/apiserver-kubelet-client.crt" \
    --kubelet-client-key="${PKI}/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="${PKI}/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
    --profiling=false
  wait_until kube-apiserver "kube-apiserver /readyz on ${server}" apiserver_ready
  # kwok's CRDs (established below, before kwok starts watching them).
  kubectl apply "${crd_files[@]}" >/dev/null

  local common=(--bind-address=127.0.0.1 --leader-elect=false --profiling=false
    --tls-cert-file="${PKI}/controlplane-serving.crt"
    --tls-private-key-file="${PKI}/controlplane-serving.key")
  start_component kube-controller-manager "${K8S_BIN}/kube-controller-manager" "${common[@]}" \
    --secure-port="${kcm_port}" \
    --kubeconfig="${DIR}/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="${DIR}/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="${DIR}/kube-controller-manager.kubeconfig" \
    --use-service-account-credentials=true \
    --service-account-private-key-file="${PKI}/sa.key" \
    --root-ca-file="${PKI}/ca.crt" \
    --service-cluster-ip-range="${SERVICE_CIDR}"
  start_component kube-scheduler "${K8S_BIN}/kube-scheduler" "${common[@]}" \
    --secure-port="${scheduler_port}" \
    --kubeconfig="${DIR}/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="${DIR}/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="${DIR}/kube-scheduler.kubeconfig"
  wait_until kube-apiserver "kwok CRDs established" crds_established "${crd_names[@]}"
  start_component kwok "${KWOK_BIN}/kwok" \
    --kubeconfig="${KUBECONFIG_FILE}" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr="${POD_CIDR}" \
    --node-ip="${NODE_IP}" \
    --node-lease-duration-seconds=40 \
    --server-address="${NODE_IP}:${kwok_port}" \
    --node-port="${kwok_port}" \
    --tls-cert-file="${PKI}/kwok-serving.crt" \
    --tls-private-key-file="${PKI}/kwok-serving.key" \
    --enable-crds="$(IFS=,; echo "${KWOK_CRDS[*]}")" \
    -c "${stages}/node/fast/node-initialize.yaml" \
    -c "${stages}/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
    -c "${stages}/pod/fast/pod-ready.yaml" \
    -c "${stages}/pod/fast/pod-complete.yaml" \
    -c "${stages}/pod/fast/pod-delete.yaml"

  # The fake node: kwok manages it because of the annotation; no NoSchedule taint, so ordinary
  # Pods land on it.
  waiting_for=kube-apiserver
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: ${NODE_NAME}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: ${NODE_NAME}
    kubernetes.io/os: linux
    type: kwok
EOF
  wait_until kube-controller-manager "kube-controller-manager /healthz" component_healthy "${kcm_port}"
  wait_until kube-scheduler "kube-scheduler /healthz" component_healthy "${scheduler_port}"
  wait_until kwok "node ${NODE_NAME} Ready (kwok)" node_ready
  wait_until kwok "kwok server on ${NODE_IP}:${kwok_port} (node ${NODE_NAME}'s kubelet endpoint)" kwok_server_ready "${kwok_port}"
  wait_until kube-controller-manager "ServiceAccount default/default (kube-controller-manager)" default_sa_exists
  waiting_for=""
  trap - EXIT ERR
  log "up in $((SECONDS - started_at))s: ${server}, context ${CONTEXT}, kubeconfig ${KUBECONFIG_FILE}"
}

# On a failed `up`: show the failing component's log, then stop everything that was started.
on_up_exit() {
  local rc=$?
  trap - EXIT ERR
  if ((rc != 0)); then
    if [[ -n "${waiting_for}" && -f "${LOGS}/${waiting_for}.log" ]]; then
      log "last lines of ${LOGS}/${waiting_for}.log:"
      tail -n 25 "${LOGS}/${waiting_for}.log" | sed 's/^/    /' >&2
    fi
    log "up failed; stopping what was started (logs stay in ${LOGS})"
    stop_all
  fi
  exit "${rc}"
}

cmd_down() {
  mkdir -p "${DIR}"
  # The local kubelet (scripts/local-kubelet.sh) runs this cluster's Pods: stop them first, the
  # kubelet's way, while the API server can still be told.
  if [[ -f "${DIR}/local-kubelet.pid" ]]; then
    bash "${script_dir}/local-kubelet.sh" stop
  fi
  exec 8>"${DIR}/.lock"
  flock 8
  if [[ ! -f "${PIDS}" ]]; then
    log "already down"
    return 0
  fi
  stop_all
  log "down"
}

cmd_status() {
  if [[ ! -f "${PIDS}" ]]; then
    log "down"
    return 1
  fi
  local name pid bin state
  while read -r name pid bin; do
    if is_ours "${pid}" "${bin}"; then state=running; else state=EXITED; fi
    printf '%-24s pid %-8s %s\n' "${name}" "${pid}" "${state}"
  done <"${PIDS}"
  if healthy; then
    printf 'apiserver https://127.0.0.1:%s  context %s  kubeconfig %s\n' \
      "$(state_get APISERVER_PORT)" "${CONTEXT}" "${KUBECONFIG_FILE}"
    log "healthy"
    return 0
  fi
  log "NOT healthy (see ${LOGS})"
  return 1
}

cmd_env() {
  printf 'export KUBECONFIG=%q\n' "${KUBECONFIG_FILE}"
  # shellcheck disable=SC2016 # $PATH is for the shell that evals this
  printf 'export PATH=%q:"$PATH"\n' "${K8S_BIN}:${KWOK_BIN}"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
