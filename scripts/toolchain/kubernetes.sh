#!/usr/bin/env bash
# Builds a local Kubernetes control plane from Go modules only (no release downloads, no Docker):
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  -> $CACHE/bin/kubernetes-<ver>/
#   kubelet, kube-proxy                                                     -> $CACHE/bin/kubernetes-<ver>/
#   kwokctl                                                                 -> $CACHE/bin/kwok-<ver>/
#   crictl                                                                  -> $CACHE/bin/cri-tools-<ver>/
#   coredns, kube-router (the local node's DNS and NetworkPolicy firewall),
#   containerd and runc (its runtime)                                       -> $CACHE/bin/<tool>-<ver>/
# The cluster's optional add-ons (metrics-server, Traefik) are clusterAddOns.sh's.
# Versions come from versions.env. Idempotent: a binary that already exists is not rebuilt, so a warm
# run costs a few `--version` calls. A cold build on 2 cores takes tens of minutes and a few GB of cache.
#
# Usage: scripts/toolchain/kubernetes.sh            build what is missing, verify versions
#        scripts/toolchain/kubernetes.sh --print-dirs   print the three binary directories (no build)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.env
source "${script_dir}/versions.env"

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${script_dir}/../lib/common.sh" toolchain
# shellcheck source-path=SCRIPTDIR source=../lib/debianPackages.sh
source "${script_dir}/../lib/debianPackages.sh"
k8s_version="v${KUBERNETES_VERSION}"
kwok_version="v${KWOK_VERSION}"
k8s_bin_dir="${CACHE}/bin/kubernetes-${k8s_version}"
kwok_bin_dir="${CACHE}/bin/kwok-${kwok_version}"
cri_tools_bin_dir="${CACHE}/bin/cri-tools-v${CRI_TOOLS_VERSION}"

if [[ "${1:-}" == "--print-dirs" ]]; then
  printf '%s\n%s\n%s\n' "${k8s_bin_dir}" "${kwok_bin_dir}" "${cri_tools_bin_dir}"
  exit 0
fi

use_go_environment
# shellcheck source-path=SCRIPTDIR source=../lib/goTools.sh
source "${script_dir}/../lib/goTools.sh"
# shellcheck source-path=SCRIPTDIR source=kubernetes/wrapperModule.sh
source "${script_dir}/kubernetes/wrapperModule.sh"
# shellcheck source-path=SCRIPTDIR source=kubernetes/build.sh
source "${script_dir}/kubernetes/build.sh"
install_debian_packages toolchain jq=jq # reads `go mod download -json` and `go mod edit -json`

mkdir -p "${CACHE}/bin" "${k8s_bin_dir}" "${kwok_bin_dir}" "${cri_tools_bin_dir}"

# One builder at a time per cache: concurrent runs (two test processes) would race on the temp files.
exec 9>"${CACHE}/.kubernetes.sh.lock"
flock 9

# Staging modules (k8s.io/api, ...) are published as v0.<minor>.<patch> alongside v1.<minor>.<patch>.
staging_version="v0.${KUBERNETES_VERSION#*.}"

# name -> go package to build
declare -A k8s_pkgs=(
  [kube-apiserver]="k8s.io/kubernetes/cmd/kube-apiserver"
  [kube-controller-manager]="k8s.io/kubernetes/cmd/kube-controller-manager"
  [kube-scheduler]="k8s.io/kubernetes/cmd/kube-scheduler"
  [kubectl]="k8s.io/kubernetes/cmd/kubectl"
  [kubelet]="k8s.io/kubernetes/cmd/kubelet"
  # The node's Service proxy: ClusterIPs and NodePorts (scripts/cluster/kubeProxy.sh).
  [kube-proxy]="k8s.io/kubernetes/cmd/kube-proxy"
  # etcd's server module root is its `main` package (server/main.go calls etcdmain.Main).
  [etcd]="go.etcd.io/etcd/server/v3"
)
k8s_order=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

# The version a binary of ours is at, for messages: etcd has its own.
binary_version() { if [[ "$1" == etcd ]]; then printf '%s\n' "${etcd_version}"; else printf '%s\n' "${k8s_version}"; fi; }

verify_k8s_binary() {
  local name="$1" path="$2"
  case "${name}" in
    kubectl) check_version "${path}" "Client Version: ${k8s_version}" version --client ;;
    etcd) check_version "${path}" "etcd Version: ${etcd_version#v}" --version ;;
    *) check_version "${path}" "Kubernetes ${k8s_version}" --version ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Kubernetes + etcd, built in one wrapper module (kubernetes/wrapperModule.sh, kubernetes/build.sh).
# ---------------------------------------------------------------------------------------------
# etcd's version is derived from kubernetes' go.mod at build time and remembered beside it.
etcd_version_file="${k8s_bin_dir}/.etcd-version"
missing=()
for name in "${k8s_order[@]}"; do
  if [[ ! -x "${k8s_bin_dir}/${name}" ]] || [[ "${name}" == etcd && ! -s "${etcd_version_file}" ]]; then
    missing+=("${name}")
  fi
done

if ((${#missing[@]} == 0)); then
  etcd_version="$(cat "${etcd_version_file}")"
  for name in "${k8s_order[@]}"; do
    verify_k8s_binary "${name}" "${k8s_bin_dir}/${name}"
    log "${name} $(binary_version "${name}") cached"
  done
else
  write_kubernetes_wrapper
  build_kubernetes_binaries
fi

# ---------------------------------------------------------------------------------------------
# Tools with their own module graphs (they pin other k8s.io/* and grpc versions than kubernetes;
# keep them apart): `go install module/cmd@version` builds each, since their go.mod files have no
# replace directives.
#   kwokctl: starts the control plane from the binaries above (scripts/cluster/controlPlane.sh); kwok
#            itself (the fake node) is not built: the node is a real kubelet
#   crictl: talks CRI to the node's containerd (scripts/cluster/containerd.sh removes Pods with it)
#   coredns: the cluster's DNS on the local node (scripts/cluster/clusterDns.sh), every in-tree plugin
#   kube-router: its firewall enforces NetworkPolicy on the local node (scripts/cluster/networkPolicy.sh)
# ---------------------------------------------------------------------------------------------
kwok_ldflags="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION}"
go_install_tool "${kwok_bin_dir}" kwokctl "sigs.k8s.io/kwok/cmd/kwokctl@${kwok_version}" "${kwok_ldflags}" "${KWOK_VERSION}" --version
go_install_tool "${cri_tools_bin_dir}" crictl "sigs.k8s.io/cri-tools/cmd/crictl@v${CRI_TOOLS_VERSION}" \
  "-X sigs.k8s.io/cri-tools/pkg/version.Version=${CRI_TOOLS_VERSION}" "${CRI_TOOLS_VERSION}" --version
go_install_tool "${CACHE}/bin/coredns-v${COREDNS_VERSION}" coredns "github.com/coredns/coredns@v${COREDNS_VERSION}" \
  "-X github.com/coredns/coredns/coremain.GitCommit=v${COREDNS_VERSION}" "CoreDNS-${COREDNS_VERSION}" -version
kube_router_ldflags="-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v${KUBE_ROUTER_VERSION}"
go_install_tool "${CACHE}/bin/kube-router-v${KUBE_ROUTER_VERSION}" kube-router \
  "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v${KUBE_ROUTER_VERSION}" "${kube_router_ldflags}" \
  "version v${KUBE_ROUTER_VERSION}," --version
# The node's container runtime (scripts/cluster/containerd.sh): containerd with its CRI plugin,
# its runc shim and ctr, from its source (its go.mod has replace directives), with no cgo and
# without the btrfs, devmapper and zfs snapshotters the node does not use; and runc, with cgo and
# libseccomp, which RuntimeDefault seccomp profiles need.
GO_BUILD_TAGS="no_btrfs no_devmapper no_zfs" go_build_module_tool "${CACHE}/bin/containerd-v${CONTAINERD_VERSION}" containerd \
  "github.com/containerd/containerd/v2@v${CONTAINERD_VERSION}" "cmd/containerd cmd/containerd-shim-runc-v2 cmd/ctr" \
  "-X github.com/containerd/containerd/v2/version.Version=v${CONTAINERD_VERSION}" "v${CONTAINERD_VERSION}" --version
install_debian_packages toolchain libseccomp-dev=/usr/include/seccomp.h gcc=gcc pkg-config=pkg-config
CGO_ENABLED=1 GO_BUILD_TAGS="seccomp urfave_cli_no_docs" go_build_module_tool "${CACHE}/bin/runc-v${RUNC_VERSION}" runc \
  "github.com/opencontainers/runc@v${RUNC_VERSION}" "." "-X main.version=${RUNC_VERSION}" "runc version ${RUNC_VERSION}" --version
