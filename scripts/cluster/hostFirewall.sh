# shellcheck shell=bash
# The iptables chains the kubelet adds to the host on start (KUBE-FIREWALL, KUBE-KUBELET-CANARY,
# KUBE-IPTABLES-HINT, and the rules that jump to them), removed when the node stops. Only when the
# host had no KUBE- chain before `up`: otherwise some other Kubernetes owns them, and they stay.
# Sourced by scripts/cluster.sh after lib.sh.

FIREWALL_NOTE="${DIR}/host-had-kube-chains"

kube_chains() { { "$1-save" -t "$2" 2>/dev/null || true; } | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p'; }

# Remembers, once per cluster lifetime, whether the host already had KUBE- chains.
note_host_firewall() {
  command -v iptables-save >/dev/null || return 0
  [[ -f "${FIREWALL_NOTE}" ]] && return 0
  local found=no tool table
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      [[ -n "$(kube_chains "${tool}" "${table}")" ]] && found=yes
    done
  done
  echo "${found}" >"${FIREWALL_NOTE}"
}

restore_host_firewall() {
  [[ "$(cat "${FIREWALL_NOTE}" 2>/dev/null)" == no ]] || { rm -f "${FIREWALL_NOTE}"; return 0; }
  local tool table rule chain
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      # The jumps from the built-in chains first, then the chains themselves.
      { "${tool}-save" -t "${table}" 2>/dev/null || true; } | sed -n 's/^-A \([A-Z]* .*-j KUBE-.*\)/-D \1/p' \
        | while read -r rule; do eval "${tool} -t ${table} ${rule}" || log "could not remove ${tool} ${table}: ${rule}"; done
      for chain in $(kube_chains "${tool}" "${table}"); do "${tool}" -t "${table}" -F "${chain}"; done
      for chain in $(kube_chains "${tool}" "${table}"); do
        "${tool}" -t "${table}" -X "${chain}" || log "could not remove ${tool} ${table} chain ${chain}"
      done
    done
  done
  rm -f "${FIREWALL_NOTE}"
}
