# shellcheck shell=bash
# shellcheck disable=SC2154 # k8s_version, k8s_bin_dir, missing, ...: set by kubernetes.sh, which sources this file
# Part of scripts/toolchain/kubernetes.sh (sourced): building the missing Kubernetes and etcd
# binaries in the wrapper module (wrapperModule.sh), stamped with their versions the way upstream's
# release builds stamp them, and verified before they are moved into place.
#
#   build_kubernetes_binaries   builds ${missing[@]} into ${k8s_bin_dir}; needs wrapper, etcd_version
build_kubernetes_binaries() {
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
  for name in "${missing[@]}"; do log "building ${name} $(binary_version "${name}") ..."; done
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
    log "${name} $(binary_version "${name}") cached"
  done
  log "built ${missing[*]} into ${k8s_bin_dir}"
}
