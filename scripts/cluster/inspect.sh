# shellcheck shell=bash
# shellcheck disable=SC2154 # PIDS, LOGS, DIR, CONTEXT, KUBECONFIG_FILE...: set by the parts sourced before it
# The commands of scripts/cluster.sh that only look: `status` (each process, then the node) and
# `env` (the exports that put the cluster to use). Sourced by scripts/cluster.sh after the others.

cmd_status() {
  local name pid bin state
  if [[ -f "${PIDS}" ]]; then
    while read -r name pid bin; do
      if is_running "${pid}" "${bin}"; then state=running; else state=EXITED; fi
      printf '%-12s pid %-8s %s\n' "${name}" "${pid}" "${state}"
    done <"${PIDS}"
  fi
  if healthy; then
    kubectl get nodes -o wide
    if add_ons_running; then log "add-ons: metrics-server and Traefik running"; else log "add-ons: not started (up --add-ons starts them)"; fi
    log "healthy; context ${CONTEXT}, kubeconfig ${KUBECONFIG_FILE}"
    return 0
  fi
  log "not up (logs in ${LOGS})"
  return 1
}

cmd_env() {
  printf 'export KUBECONFIG=%q\n' "${KUBECONFIG_FILE}"
  printf 'export WEBSERVER_SIDECAR_CLUSTER_DIR=%q\n' "${DIR}"
  # The node's stand-in images, pinned by digest, for the dev stack's config and the tests' Pods.
  printf 'export WEBSERVER_SIDECAR_NGINX_IMAGE=%q\n' "$(image_reference nginx-bookworm)"
  printf 'export WEBSERVER_SIDECAR_PYTHON_IMAGE=%q\n' "$(image_reference python3-bookworm)"
  printf 'export WEBSERVER_SIDECAR_BUSYBOX_IMAGE=%q\n' "$(image_reference busybox-bookworm)"
  # shellcheck disable=SC2016 # $PATH is for the shell that evals this
  printf 'export PATH=%q:"$PATH"\n' "${K8S_BIN}:${CRI_TOOLS_BIN}"
  # crictl, for looking at the node's containers directly.
  printf 'export CONTAINER_RUNTIME_ENDPOINT=%q\n' "unix://${CONTAINERD_SOCK}"
}
