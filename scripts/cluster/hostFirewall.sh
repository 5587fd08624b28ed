# shellcheck shell=bash
# The host's firewall, as the node leaves it: the iptables chains that the kubelet (KUBE-FIREWALL,
# KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT), kube-proxy (KUBE-SERVICES, KUBE-NODEPORTS, KUBE-SVC-*,
# ...) and kube-router's firewall (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) add, the rules
# that jump to them, and kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*), all removed when the node
# stops. Only when the host had none of them before `up`: otherwise some other Kubernetes owns
# them, and they stay. `down` then compares iptables-save with what it was before `up`.
# Sourced by scripts/cluster.sh after lib.sh.

FIREWALL_NOTE="${DIR}/host-had-kube-chains"
FIREWALL_BEFORE="${DIR}/host-firewall-before"
FIREWALL_TABLES=(filter nat mangle raw)

kube_chains() { { "$1-save" -t "$2" 2>/dev/null || true; } | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p'; }
kube_ipsets() { { ipset list -n 2>/dev/null || true; } | grep -E '^(inet6:)?(KUBE-|kube-router-)' || true; }

# The host's rules without counters or the save's own comments: what `down` must leave as it found.
firewall_rules() {
  local tool
  for tool in iptables ip6tables; do
    { "${tool}-save" 2>/dev/null || true; } | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]$//'
  done
}

# Remembers, once per cluster lifetime, whether the host already had KUBE- chains or ipsets, and
# its rules.
note_host_firewall() {
  command -v iptables-save >/dev/null || return 0
  [[ -f "${FIREWALL_NOTE}" ]] && return 0
  local found=no tool table
  for tool in iptables ip6tables; do
    for table in "${FIREWALL_TABLES[@]}"; do
      [[ -n "$(kube_chains "${tool}" "${table}")" ]] && found=yes
    done
  done
  [[ -n "$(kube_ipsets)" ]] && found=yes
  firewall_rules >"${FIREWALL_BEFORE}"
  echo "${found}" >"${FIREWALL_NOTE}"
}

restore_host_firewall() {
  [[ "$(cat "${FIREWALL_NOTE}" 2>/dev/null)" == no ]] || { rm -f "${FIREWALL_NOTE}" "${FIREWALL_BEFORE}"; return 0; }
  local tool table rule chain set
  for tool in iptables ip6tables; do
    for table in "${FIREWALL_TABLES[@]}"; do
      # The jumps from the built-in chains first, then the chains themselves.
      { "${tool}-save" -t "${table}" 2>/dev/null || true; } | sed -n 's/^-A \([A-Z]* .*-j KUBE-.*\)/-D \1/p' \
        | while read -r rule; do eval "${tool} -w -t ${table} ${rule}" || log "could not remove ${tool} ${table}: ${rule}"; done
      for chain in $(kube_chains "${tool}" "${table}"); do "${tool}" -w -t "${table}" -F "${chain}"; done
      for chain in $(kube_chains "${tool}" "${table}"); do
        "${tool}" -w -t "${table}" -X "${chain}" || log "could not remove ${tool} ${table} chain ${chain}"
      done
    done
  done
  # Once no rule refers to them.
  for set in $(kube_ipsets); do ipset destroy "${set}" || log "could not remove ipset ${set}"; done
  if [[ -f "${FIREWALL_BEFORE}" ]] && ! diff <(cat "${FIREWALL_BEFORE}") <(firewall_rules) >"${DIR}/host-firewall-diff"; then
    log "the host's iptables differ from before up (${DIR}/host-firewall-diff):"
    sed 's/^/    /' "${DIR}/host-firewall-diff" >&2
  fi
  rm -f "${FIREWALL_NOTE}" "${FIREWALL_BEFORE}"
}
