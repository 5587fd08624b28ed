# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are used by the other parts scripts/cluster.sh sources
# What every part of the local cluster shares: its directories, logging, and starting and stopping
# the processes it owns (recorded by pid, so `down` never touches a process it did not start).
# Sourced by scripts/cluster.sh and scripts/cluster/*.sh. Linux only: this is the fallback for a
# machine with no cluster of its own, never the user's path.

cluster_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../toolchain/versions.env
source "${cluster_lib_dir}/../toolchain/versions.env"

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${cluster_lib_dir}/../lib/common.sh" cluster
# Everything one cluster owns: its certificates, kubeconfig, logs, pids, and the node's state.
DIR="${WEBSERVER_SIDECAR_CLUSTER_DIR:-${CACHE}/cluster}"
LOGS="${DIR}/logs"
PIDS="${DIR}/pids"
KUBECONFIG_FILE="${DIR}/kubeconfig"
# The context name users and tests recognise the project's own cluster by.
CONTEXT="webserver-sidecar-local"
# Seconds each readiness step may take before `up` gives up.
TIMEOUT="${WEBSERVER_SIDECAR_CLUSTER_TIMEOUT:-120}"

K8S_BIN="${CACHE}/bin/kubernetes-v${KUBERNETES_VERSION}"
KWOK_BIN="${CACHE}/bin/kwok-v${KWOK_VERSION}"
CRI_TOOLS_BIN="${CACHE}/bin/cri-tools-v${CRI_TOOLS_VERSION}"

kubectl() { "${K8S_BIN}/kubectl" --kubeconfig="${KUBECONFIG_FILE}" "$@"; }

# The node the node-level parts (containerd.sh, kubelet.sh, kubeProxy.sh, networkPolicy.sh) act on:
# the first, in the host's network, unless secondNode.sh rebinds these (and the parts' own paths
# and addresses) in a subshell, so that both nodes run the same code with the same settings.
NODE_PROCESS_PREFIX=""   # prefixed to the names of the node's processes (node-2-kubelet)
NODE_NETNS=""            # the network namespace the node's processes run in; empty: the host's
NODE_API_SERVER=""       # the API server's URL as the node's components dial it; empty: the kubeconfig's (loopback)

# Runs a command in the node's network namespace.
in_node_netns() {
  if [[ -n "${NODE_NETNS}" ]]; then nsenter --net="/run/netns/${NODE_NETNS}" "$@"; else "$@"; fi
}

# Writes stdin to FILE readable by its owner only (0600), whatever the caller's umask: for
# kubeconfigs, whose credentials (the admin's, each component's) no other user of the machine may
# read. Through a new file renamed over FILE, so that an older FILE's mode does not survive.
write_private() {
  local file="$1"
  rm -f "${file}.new"
  (umask 077 && cat >"${file}.new")
  mv -f "${file}.new" "${file}"
}

# Polls `$@` every half second until it succeeds; fails after TIMEOUT seconds naming `what`.
wait_until() {
  local what="$1"; shift
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "${what}: not ready after ${TIMEOUT} s"
    sleep 0.5
  done
}

# argv[0] of a running pid, empty when it is gone.
proc_argv0() { tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -n1 || true; }

# True when the recorded pid is alive and still runs the binary we started (pids get reused).
is_running() {
  local pid="$1" bin="$2"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null && [[ "$(proc_argv0 "${pid}")" == "${bin}" ]]
}

# Starts `bin args...` detached (own session, no terminal, no inherited lock fd 8), logging to
# logs/<name>.log, and records "<name> <pid> <bin>" in the pids file.
# Closes every descriptor of the current (sub)shell but 0, 1 and 2. A daemon must not keep its
# starter's files open for as long as it runs: our lock (fd 8), and whatever the caller had open,
# such as a `flock` of the caller's own, which the running cluster would then hold against the
# caller's `cluster.sh down`.
close_inherited_fds() {
  local fd
  for fd in /proc/"${BASHPID}"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec ${fd}>&-"; fi
  done
}

start_process() {
  local name="${NODE_PROCESS_PREFIX}$1" bin="$2"; shift 2
  local netns=()
  [[ -z "${NODE_NETNS}" ]] || netns=(nsenter --net="/run/netns/${NODE_NETNS}" --)
  mkdir -p "${LOGS}"
  log "starting ${name}"
  (close_inherited_fds; exec setsid "${netns[@]}" "${bin}" "$@" </dev/null >>"${LOGS}/${name}.log" 2>&1) &
  local pid=$! tries=0
  printf '%s %s %s\n' "${name}" "${pid}" "${bin}" >>"${PIDS}"
  # Until setsid (and nsenter) has exec'ed the binary, argv[0] is still theirs: wait, so is_running is exact.
  while [[ "$(proc_argv0 "${pid}")" != "${bin}" ]] && kill -0 "${pid}" 2>/dev/null && ((tries++ < 100)); do
    sleep 0.05
  done
}

# The recorded "<pid> <bin>" of a process by name, empty when none is recorded.
recorded_process() {
  [[ -f "${PIDS}" ]] && awk -v n="$1" '$1 == n { print $2, $3 }' "${PIDS}" | tail -n1
}

# True when the named process (of the node: NODE_PROCESS_PREFIX) is recorded and still running.
process_running() {
  local pid bin
  read -r pid bin <<<"$(recorded_process "${NODE_PROCESS_PREFIX}$1")"
  is_running "${pid}" "${bin}"
}

# Removes a process (its full name) from the pids file.
forget_process() {
  if [[ -f "${PIDS}" ]]; then
    awk -v n="$1" '$1 != n' "${PIDS}" >"${PIDS}.tmp" && mv -f "${PIDS}.tmp" "${PIDS}"
  fi
}

# Kills the named process at once (KILL, as a crash would); forgets it.
kill_process() {
  local name="${NODE_PROCESS_PREFIX}$1" pid bin
  read -r pid bin <<<"$(recorded_process "${name}")"
  if is_running "${pid}" "${bin}"; then
    log "killing ${name} (pid ${pid})"
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  forget_process "${name}"
}

# Stops the named process: TERM, then KILL after `grace` seconds; forgets it either way.
stop_process() {
  local name="${NODE_PROCESS_PREFIX}$1" grace="${2:-15}" pid bin
  read -r pid bin <<<"$(recorded_process "${name}")"
  if is_running "${pid}" "${bin}"; then
    log "stopping ${name} (pid ${pid})"
    kill -TERM "${pid}" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while is_running "${pid}" "${bin}" && ((SECONDS < deadline)); do sleep 0.2; done
    if is_running "${pid}" "${bin}"; then
      log "killing ${name} (pid ${pid}): still running ${grace} s after TERM"
      kill -KILL "${pid}" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  forget_process "${name}"
}
