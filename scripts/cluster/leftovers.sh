# shellcheck shell=bash
# shellcheck disable=SC2154 # DIR, BRIDGE, SECOND_NODE_*, CONTAINERD_STATE...: set by the parts sourced before it
# What `down` checks it left nothing of on the host, after removing it all: processes it started,
# mounts, network namespaces, interfaces, routes, cgroups and runtime directories. Each one left
# is named on stderr, and `down` then fails, so a leak shows where it happens.
# (iptables and the sysctls are compared by hostFirewall.sh and hostSysctls.sh.)
# Sourced by scripts/cluster.sh after the other parts.

report_leftovers() {
  local left=()
  local mount_point
  while read -r mount_point; do
    left+=("mount ${mount_point}")
  done < <(awk -v d="${DIR}" '$5 == d || index($5, d "/") == 1 || index($5, "/run/webserver-sidecar") == 1 || index($5, "/run/netns/webserver-sidecar") == 1 { print $5 }' /proc/self/mountinfo)
  ip netns list 2>/dev/null | grep -q "^${SECOND_NODE_NETNS}\b" && left+=("network namespace ${SECOND_NODE_NETNS}")
  ip link show "${BRIDGE}" >/dev/null 2>&1 && left+=("interface ${BRIDGE}")
  ip link show "${SECOND_NODE_LINK}" >/dev/null 2>&1 && left+=("interface ${SECOND_NODE_LINK}")
  local route
  while read -r route; do
    left+=("route ${route}")
  done < <(ip route show | grep -E "dev (${BRIDGE}|${SECOND_NODE_LINK})\b|^(blackhole )?${SECOND_NODE_SUBNET} " || true)
  local cgroup
  for cgroup in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/"${SECOND_NODE_CGROUP}"; do
    [[ -d "${cgroup}" ]] && left+=("cgroup ${cgroup}")
  done
  [[ -e /run/webserver-sidecar ]] && left+=("directory /run/webserver-sidecar")
  local name pid bin
  if [[ -f "${PIDS}" ]]; then
    while read -r name pid bin; do
      is_running "${pid}" "${bin}" && left+=("process ${name} (pid ${pid})")
    done <"${PIDS}"
  fi
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address ${DIR}/" || true); do
    left+=("containerd shim (pid ${pid})")
  done
  ((${#left[@]} == 0)) && return 0
  for name in "${left[@]}"; do log "left after down: ${name}"; done
  return 1
}
