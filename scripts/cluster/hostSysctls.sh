# shellcheck shell=bash
# The host's kernel settings that the node changes, saved before it starts and restored when it
# stops. The kubelet sets some on start (unless protectKernelDefaults, which would instead refuse to
# start on a host that has not set them: pkg/kubelet/cm/container_manager_linux.go), and the CNI
# bridge plugin turns on IPv4 forwarding for the Pods' gateway; network.sh lets iptables see bridged packets.
# Sourced by scripts/cluster.sh after lib.sh.

HOST_SYSCTLS=(
  net.ipv4.ip_forward
  net.bridge.bridge-nf-call-iptables
  vm.overcommit_memory
  vm.panic_on_oom
  kernel.panic
  kernel.panic_on_oops
  kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes
)
SYSCTLS_SAVED="${DIR}/host-sysctls"

# Records the current values, once: a second `up` after a crash must not save the node's values.
save_host_sysctls() {
  [[ -f "${SYSCTLS_SAVED}" ]] && return 0
  local key
  for key in "${HOST_SYSCTLS[@]}"; do
    printf '%s=%s\n' "${key}" "$(cat "/proc/sys/${key//.//}")"
  done >"${SYSCTLS_SAVED}.tmp"
  mv -f "${SYSCTLS_SAVED}.tmp" "${SYSCTLS_SAVED}"
}

# Puts back what save_host_sysctls recorded, and forgets it.
restore_host_sysctls() {
  [[ -f "${SYSCTLS_SAVED}" ]] || return 0
  local key value
  while IFS='=' read -r key value; do
    if [[ "$(cat "/proc/sys/${key//.//}")" != "${value}" ]]; then
      log "restoring ${key}=${value}"
      printf '%s' "${value}" >"/proc/sys/${key//.//}" || log "could not restore ${key}"
    fi
  done <"${SYSCTLS_SAVED}"
  rm -f "${SYSCTLS_SAVED}"
}
