# shellcheck shell=bash
# The node's container runtime: containerd 2 with its CRI plugin, its runc shim and runc, built from
# the module proxy (scripts/toolchain/kubernetes.sh; versions.env says why these versions), with its
# content in the cluster's directory and its socket there, its state under /run/webserver-sidecar
# (it never uses a containerd or runc on PATH, and of a system containerd's /run/containerd only
# the shims' socket directory, which containerd fixes).
# Sourced by scripts/cluster.sh after lib.sh, network.sh and images.sh (SANDBOX_IMAGE).

CONTAINERD_BIN="${CACHE}/bin/containerd-v${CONTAINERD_VERSION}"
RUNC_BIN="${CACHE}/bin/runc-v${RUNC_VERSION}/runc"
CONTAINERD_DIR="${DIR}/node/containerd"
CONTAINERD_SOCK="${CONTAINERD_DIR}/containerd.sock"
# Its state (each container's rootfs mount, the Pods' network namespaces) where every uid can
# reach it, as /run/containerd is: a Pod with hostUsers: false has runc set up its rootfs as a uid
# that is not the host's root, and that uid cannot enter /root (mode 0700) to reach the cache.
# One local cluster per machine (its addresses are fixed too), so one fixed directory.
CONTAINERD_STATE="/run/webserver-sidecar/containerd"
# The one path containerd does not let us choose: each shim's socket is in /run/containerd/s
# (pkg/shim/util_unix.go of containerd 2.4.2, as in 1.6). `down` removes those directories again
# only when `up` made them (a system containerd may own them).
SHIM_SOCKET_DIR="/run/containerd/s"
SHIM_SOCKET_DIR_MADE="${DIR}/run-containerd-made"

containerd_config() {
  cat <<CONF
version = 3
root = "${CONTAINERD_DIR}/root"
state = "${CONTAINERD_STATE}"
[grpc]
  address = "${CONTAINERD_SOCK}"
# Nothing of it outside the cluster's directories: its plugins' directory (default /opt/containerd)
# here, and no NRI (its socket would be /var/run/nri/nri.sock; the node runs no NRI plugin).
[plugins."io.containerd.internal.v1.opt"]
  path = "${CONTAINERD_DIR}/opt"
[plugins."io.containerd.nri.v1.nri"]
  disable = true
[plugins."io.containerd.cri.v1.images".pinned_images]
  sandbox = "${SANDBOX_IMAGE:?images_build sets it}"
[plugins."io.containerd.cri.v1.runtime"]
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj (containerd gives sandboxes -998)
  # fails every Pod start. This clamps it to what the caller may set (NODE.md).
  restrict_oom_score_adj = true
  # Pod network namespaces under our state directory, not the host's /var/run/netns: cluster.sh down then
  # finds and removes exactly ours.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["${CNI_BIN_DIR}"]
    conf_dir = "${CNI_CONF_DIR}"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      BinaryName = "${RUNC_BIN}"
      # runc's own state beside containerd's (default /run/containerd/runc).
      Root = "${CONTAINERD_STATE}/runc"
CONF
}

ctr_node() { "${CONTAINERD_BIN}/ctr" --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }
crictl_node() { "${CRI_TOOLS_BIN}/crictl" --runtime-endpoint "unix://${CONTAINERD_SOCK}" --timeout 30s "$@"; }

containerd_up() {
  [[ -x "${CONTAINERD_BIN}/containerd" && -x "${RUNC_BIN}" ]] \
    || die "containerd v${CONTAINERD_VERSION} or runc v${RUNC_VERSION} is not built (scripts/toolchain/kubernetes.sh builds them)"
  [[ -d /run/containerd ]] || touch "${SHIM_SOCKET_DIR_MADE}"
  mkdir -p "${CONTAINERD_DIR}" "${CONTAINERD_STATE}" "${SHIM_SOCKET_DIR}"
  containerd_config >"${CONTAINERD_DIR}/config.toml"
  # containerd finds its shim (containerd-shim-runc-v2) on PATH: ours first.
  process_running containerd \
    || PATH="${CONTAINERD_BIN}:${PATH}" start_process containerd "${CONTAINERD_BIN}/containerd" --config "${CONTAINERD_DIR}/config.toml"
  wait_until "containerd" ctr_node version
}

# Removes every Pod sandbox (the CRI tears down its network namespace through CNI), then stops
# containerd. The shims exit with their last container.
containerd_down() {
  if process_running containerd; then
    crictl_node rmp --all --force >/dev/null 2>&1 || log "crictl rmp failed; removing what is left by hand"
  fi
  stop_process containerd
  # A shim whose containerd went away before its sandbox was removed: kill it (it is ours: its
  # command line names our state directory).
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address ${CONTAINERD_SOCK}" || true); do
    log "killing leftover shim ${pid}"
    kill -KILL "${pid}" 2>/dev/null || true
  done
  unmount_below "${CONTAINERD_DIR}"
  unmount_below "${CONTAINERD_STATE}"
  rm -rf "${CONTAINERD_STATE}"
  rmdir "$(dirname "${CONTAINERD_STATE}")" 2>/dev/null || true
  if [[ -f "${SHIM_SOCKET_DIR_MADE}" ]]; then
    # Made by up, so every socket in it is one of our shims': a killed shim (a lost node's) leaves
    # its socket behind. Kept for the next down while something else is in it.
    find "${SHIM_SOCKET_DIR}" -maxdepth 1 -type s -delete 2>/dev/null || true
    if rmdir "${SHIM_SOCKET_DIR}" /run/containerd 2>/dev/null; then
      rm -f "${SHIM_SOCKET_DIR_MADE}"
    else
      log "/run/containerd is not empty: left as it is"
    fi
  fi
}

# Unmounts every mount point at or below a directory, deepest first (rootfs, shm, netns files,
# and the kubelet's bind mount of its own root directory).
unmount_below() {
  local mount_point
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mount_point; do
    umount -l "${mount_point}" 2>/dev/null || log "could not unmount ${mount_point}"
  done
}
