#!/usr/bin/env bash
# Builds a local Kubernetes control plane from Go modules only (no release downloads, no Docker):
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  -> $CACHE/bin/kubernetes-<ver>/
#   kubelet                                                                 -> $CACHE/bin/kubernetes-<ver>/
#   kwokctl                                                                 -> $CACHE/bin/kwok-<ver>/
#   crictl                                                                  -> $CACHE/bin/cri-tools-<ver>/
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
  # etcd's server module root is its `main` package (server/main.go calls etcdmain.Main).
  [etcd]="go.etcd.io/etcd/server/v3"
)
k8s_order=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet)

verify_k8s_binary() {
  local name="$1" path="$2"
  case "${name}" in
    kubectl) check_version "${path}" "Client Version: ${k8s_version}" version --client ;;
    etcd) check_version "${path}" "etcd Version: ${etcd_version#v}" --version ;;
    *) check_version "${path}" "Kubernetes ${k8s_version}" --version ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Kubernetes + etcd: one wrapper module that requires k8s.io/kubernetes and maps its v0.0.0 staging
# requirements to the published v0.X.Y modules (k8s.io/kubernetes can't be `go install`ed: its
# go.mod replaces them with ./staging paths, which only exist in the git repo).
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
    if [[ "${name}" == etcd ]]; then
      log "etcd ${etcd_version} cached"
    else
      log "${name} ${k8s_version} cached"
    fi
  done
else
  log "resolving k8s.io/kubernetes@${k8s_version} ..."
  k8s_gomod="$(go mod download -json "k8s.io/kubernetes@${k8s_version}" | jq -r '.GoMod // empty')"
  [[ -f "${k8s_gomod}" ]] || die "could not download k8s.io/kubernetes@${k8s_version} (go mod download)"
  k8s_mod_json="$(go mod edit -json "${k8s_gomod}")"

  # Staging modules: every k8s.io/* requirement pinned at v0.0.0 (kubernetes replaces each with
  # ./staging/src/k8s.io/<name>).
  mapfile -t staging < <(jq -r '.Require[] | select((.Path | startswith("k8s.io/")) and .Version == "v0.0.0") | .Path' <<<"${k8s_mod_json}" | sort -u)
  ((${#staging[@]} > 20)) || die "found only ${#staging[@]} staging modules in ${k8s_gomod}"
  # etcd: the server version kubernetes itself tests against (its go.mod requires it, indirect).
  etcd_version="$(jq -r '.Require[] | select(.Path == "go.etcd.io/etcd/server/v3") | .Version' <<<"${k8s_mod_json}")"
  [[ -n "${etcd_version}" ]] || die "go.etcd.io/etcd/server/v3 not found in ${k8s_gomod}"

  wrapper="${CACHE}/src/kubernetes-${k8s_version}"
  mkdir -p "${wrapper}"
  # The wrapper's go.mod, written by `go mod edit` in a scratch directory: kubernetes' go directive
  # and GODEBUG defaults (so the binaries behave as upstream's own builds), the two requirements,
  # and a replace per staging module.
  edits=(-go="$(jq -r '.Go' <<<"${k8s_mod_json}")"
    -require="k8s.io/kubernetes@${k8s_version}" -require="go.etcd.io/etcd/server/v3@${etcd_version}")
  mapfile -t godebugs < <(jq -r '.GoDebug[]? | "\(.Key)=\(.Value)"' <<<"${k8s_mod_json}")
  for setting in "${godebugs[@]}"; do edits+=(-godebug="${setting}"); done
  for m in "${staging[@]}"; do edits+=(-replace="${m}=${m}@${staging_version}"); done
  scratch="$(mktemp -d)"
  (cd "${scratch}" && go mod init webserver-sidecar.local/toolchain/kubernetes 2>/dev/null && go mod edit "${edits[@]}") \
    || die "could not write the wrapper module's go.mod (go mod edit)"
  new_mod="$(printf '// Generated by scripts/toolchain/kubernetes.sh: builds Kubernetes %s binaries from modules.\n' "${k8s_version}"; cat "${scratch}/go.mod")"
  rm -rf "${scratch}"
  # `go get` below edits go.mod, so compare against a copy of what we generated, not go.mod itself.
  if [[ ! -f "${wrapper}/go.mod" ]] || [[ "$(cat "${wrapper}/go.mod.generated" 2>/dev/null)" != "${new_mod}" ]]; then
    printf '%s\n' "${new_mod}" >"${wrapper}/go.mod"
    printf '%s\n' "${new_mod}" >"${wrapper}/go.mod.generated"
    rm -f "${wrapper}/go.sum"
  fi
  log "wrapper module ${wrapper}/go.mod (${#staging[@]} staging replaces => ${staging_version}, etcd ${etcd_version})"

  pkgs=()
  for name in "${missing[@]}"; do pkgs+=("${k8s_pkgs[${name}]}"); done

  # Fills go.sum for exactly the packages we build (and downloads their modules). Each package
  # carries its pinned version: a bare `go get pkg` means pkg@upgrade (the newest release).
  queries=()
  for pkg in "${pkgs[@]}"; do
    case "${pkg}" in
      go.etcd.io/etcd/server/v3*) queries+=("${pkg}@${etcd_version}") ;;
      *) queries+=("${pkg}@${k8s_version}") ;;
    esac
  done
  log "downloading modules for: ${missing[*]} ..."
  (cd "${wrapper}" && go get "${queries[@]}") || die "go get failed in ${wrapper}"
  # MVS may only raise versions; make sure nothing raised the pins themselves.
  for want in "k8s.io/kubernetes ${k8s_version}" "go.etcd.io/etcd/server/v3 ${etcd_version}"; do
    got="$(cd "${wrapper}" && go list -m -f '{{.Path}} {{.Version}}' "${want% *}")"
    [[ "${got}" == "${want}" ]] || die "wrapper resolved ${got}, expected ${want}"
  done

  # Build date = the release's publication time on the proxy: reproducible, unlike `date`.
  build_date="$(cd "${wrapper}" && go list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes)"
  ldflags="-s -w"
  major="${KUBERNETES_VERSION%%.*}"
  minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
  # kube-* report component-base/version; kubectl's client version comes from client-go/pkg/version.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${k8s_version}"
    ldflags+=" -X ${pkg}.gitMajor=${major}"
    ldflags+=" -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=archive"
    ldflags+=" -X ${pkg}.gitCommit="
    ldflags+=" -X ${pkg}.buildDate=${build_date}"
  done

  tmp="$(mktemp -d "${k8s_bin_dir}/.build.XXXXXX")"
  trap 'rm -rf "${tmp}"' EXIT
  for name in "${missing[@]}"; do
    if [[ "${name}" == etcd ]]; then
      log "building etcd ${etcd_version} ..."
    else
      log "building ${name} ${k8s_version} ..."
    fi
  done
  # One `go build` for all missing binaries: packages compile in parallel and share work.
  (cd "${wrapper}" && go build -trimpath -ldflags "${ldflags}" -o "${tmp}/" "${pkgs[@]}") \
    || die "go build failed in ${wrapper}"
  # `go build -o dir/` names a main package by its last path element, skipping a /vN suffix.
  if [[ -f "${tmp}/server" ]]; then mv "${tmp}/server" "${tmp}/etcd"; fi
  for name in "${missing[@]}"; do
    [[ -x "${tmp}/${name}" ]] || die "go build produced no ${name}"
    verify_k8s_binary "${name}" "${tmp}/${name}"
    mv -f "${tmp}/${name}" "${k8s_bin_dir}/${name}"
  done
  rm -rf "${tmp}"
  trap - EXIT
  printf '%s\n' "${etcd_version}" >"${etcd_version_file}.tmp"
  mv -f "${etcd_version_file}.tmp" "${etcd_version_file}"
  for name in "${k8s_order[@]}"; do
    [[ " ${missing[*]} " == *" ${name} "* ]] && continue
    verify_k8s_binary "${name}" "${k8s_bin_dir}/${name}"
    log "${name} ${k8s_version} cached"
  done
  log "built ${missing[*]} into ${k8s_bin_dir}"
fi

# ---------------------------------------------------------------------------------------------
# Tools with their own module graphs (they pin other k8s.io/* and grpc versions than kubernetes;
# keep them apart): `go install module/cmd@version` builds each, since their go.mod files have no
# replace directives.
#   kwokctl: starts the control plane from the binaries above (scripts/cluster/controlPlane.sh); kwok
#            itself (the fake node) is not built: the node is a real kubelet
#   crictl: talks CRI to the node's containerd (scripts/cluster/containerd.sh removes Pods with it)
# ---------------------------------------------------------------------------------------------
kwok_ldflags="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION}"
go_install_tool "${kwok_bin_dir}" kwokctl "sigs.k8s.io/kwok/cmd/kwokctl@${kwok_version}" "${kwok_ldflags}" "${KWOK_VERSION}" --version
go_install_tool "${cri_tools_bin_dir}" crictl "sigs.k8s.io/cri-tools/cmd/crictl@v${CRI_TOOLS_VERSION}" \
  "-X sigs.k8s.io/cri-tools/pkg/version.Version=${CRI_TOOLS_VERSION}" "${CRI_TOOLS_VERSION}" --version
