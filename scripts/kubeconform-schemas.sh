#!/usr/bin/env bash
# kubeconform's JSON schemas, offline. kubeconform normally downloads them from GitHub
# (yannh/kubernetes-json-schema); here they are generated from the Kubernetes OpenAPI v2 document,
# by scripts/kubeconform-schemas.py, in the same layout and with the same -strict variant, into
# the cache, keyed by Kubernetes version (and by the source document's and generator's hashes, so a
# change to either regenerates). Prints the -schema-location template to use on stdout.
#
#   scripts/kubeconform-schemas.sh                   from k8s.io/kubernetes@v$KUBERNETES_VERSION's
#       api/openapi-spec/swagger.json (the document the API server of that release serves, as
#       checked in upstream; the module comes from the Go module proxy, or the module cache that
#       scripts/toolchain/kubernetes.sh fills). No cluster needed.
#   scripts/kubeconform-schemas.sh --from-cluster    from the API server kubectl points at
#       (`kubectl get --raw /openapi/v2`). Stricter: a served document lists the allowed values of
#       enum fields (imagePullPolicy: Sometimes is an error), which the checked-in one does not; it
#       covers the CRDs installed there, and only the API groups/versions that server enables.
#   scripts/kubeconform-schemas.sh --print-location  the template for the default source, without generating.
#
#   CACHE=${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}
#   $CACHE/kubeconform-schemas/kubernetes/v<ver>-standalone{,-strict}/<kind>[-<group>]-<version>.json
#   $CACHE/kubeconform-schemas/cluster-<sha12>/v<server ver>-standalone{,-strict}/...
#
# Usage with kubeconform (-strict picks the -strict directory, whose schemas reject unknown fields):
#   kubeconform -strict -schema-location "$(bash scripts/kubeconform-schemas.sh)" manifest.yaml
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=toolchain/versions.env
source "$here/toolchain/versions.env"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "${here}/lib/common.sh" kubeconform-schemas
root="$CACHE/kubeconform-schemas"
generator="$here/kubeconform-schemas.py"

# template DIR VERSION: the -schema-location value for schemas generated into DIR for VERSION.
template() { printf '%s\n' "$1/$2-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"; }

source_kind=kubernetes
case "${1:-}" in
  "") ;;
  --from-cluster) source_kind=cluster ;;
  --print-location) template "$root/kubernetes" "v$KUBERNETES_VERSION"; exit 0 ;;
  *) echo "usage: scripts/kubeconform-schemas.sh [--from-cluster | --print-location]" >&2; exit 2 ;;
esac

mkdir -p "$root"
exec 9>"$root/.lock"
flock 9

work=$(mktemp -d "$root/.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ "$source_kind" == kubernetes ]]; then
  version="v$KUBERNETES_VERSION"
  dir="$root/kubernetes"
  use_go_environment
  module_dir=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$version" | jq -r '.Dir // empty') \
    || die "go mod download k8s.io/kubernetes@$version failed"
  swagger="$module_dir/api/openapi-spec/swagger.json"
  [[ -f "$swagger" ]] || die "no api/openapi-spec/swagger.json in k8s.io/kubernetes@$version (go mod download failed?)"
  what="k8s.io/kubernetes@$version api/openapi-spec/swagger.json"
else
  command -v kubectl >/dev/null || die "kubectl is not on PATH (eval \"\$(bash scripts/toolchain.sh env)\")"
  swagger="$work/swagger.json"
  kubectl get --raw /openapi/v2 >"$swagger" || die "kubectl get --raw /openapi/v2 failed"
  version=$(kubectl get --raw /version | python3 -c 'import json, sys; print(json.load(sys.stdin)["gitVersion"].split("+")[0])') \
    || die "kubectl get --raw /version failed"
  [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || die "unexpected server version '$version'"
  dir="$root/cluster-$(sha256sum "$swagger" | cut -c1-12)"
  what="the API server's /openapi/v2 ($version, $(kubectl config current-context 2>/dev/null || echo 'no context'))"
fi

stamp="$dir/$version.stamp"
key="$(sha256sum "$swagger" | cut -d' ' -f1) $(sha256sum "$generator" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
  log "schemas for $version from $what cached in $dir"
else
  log "generating schemas for $version from $what ..."
  python3 "$generator" "$swagger" "$work/out" "$version"
  mkdir -p "$dir"
  rm -f "$stamp"
  for variant in standalone standalone-strict; do
    rm -rf "$dir/$version-$variant"
    mv "$work/out/$version-$variant" "$dir/$version-$variant"
  done
  printf '%s\n' "$key" >"$stamp.tmp"
  mv -f "$stamp.tmp" "$stamp"
  log "schemas for $version written to $dir"
fi
template "$dir" "$version"
