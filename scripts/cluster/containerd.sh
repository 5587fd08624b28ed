# shellcheck shell=bash
# The node's container runtime: Debian's containerd 1.6 with runc, its state in the cluster's
# directory and its socket there (it never touches a system containerd's /run/containerd).
#
# containerd 1.6 is end-of-life upstream and Kubernetes 1.36 still runs on it (the kubelet warns);
# it is what Debian bookworm ships, and NODE.md records it starting Pods here. 2.x would have to be
# built from Go modules, for no gain in what this node has to show.
# Sourced by scripts/cluster.sh after lib.sh, network.sh and images.sh (SANDBOX_IMAGE).

CONTAINERD_DIR="${DIR}/node/containerd"
CONTAINERD_SOCK="${CONTAINERD_DIR}/containerd.sock"

containerd_config() {
  cat <<CONF
version = 2
root = "${CONTAINERD_DIR}/root"
state = "${CONTAINERD_DIR}/state"
[grpc]
  address = "${CONTAINERD_SOCK}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${SANDBOX_IMAGE:?images_build sets it}"
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj (containerd gives sandboxes -998)
  # fails every Pod start. This clamps it to what the caller may set (NODE.md).
  restrict_oom_score_adj = true
  # Pod network namespaces under our state directory, not the host's /var/run/netns: cluster.sh down then
  # finds and removes exactly ours.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${CNI_CONF_DIR}"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
CONF
}

ctr_node() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }
crictl_node() { "${CRI_TOOLS_BIN}/crictl" --runtime-endpoint "unix://${CONTAINERD_SOCK}" --timeout 30s "$@"; }

containerd_up() {
  { command -v containerd >/dev/null && command -v runc >/dev/null; } \
    || die "containerd and runc are missing (apt-get install containerd runc)"
  mkdir -p "${CONTAINERD_DIR}"
  containerd_config >"${CONTAINERD_DIR}/config.toml"
  process_running containerd || start_process containerd "$(command -v containerd)" --config "${CONTAINERD_DIR}/config.toml"
  wait_until "containerd" ctr --address "${CONTAINERD_SOCK}" version
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
}

# Unmounts every mount point at or below a directory, deepest first (rootfs, shm, netns files,
# and the kubelet's bind mount of its own root directory).
unmount_below() {
  local mount_point
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mount_point; do
    umount -l "${mount_point}" 2>/dev/null || log "could not unmount ${mount_point}"
  done
}
