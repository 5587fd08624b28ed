#!/usr/bin/env bash
# Applies rbac/ for the stack's namespace, failing closed: the preview ServiceAccount gets its
# dry-run writes (dryRun/) only after the API server has been seen to enforce the
# ValidatingAdmissionPolicy that holds them to dry runs. Run it as a cluster administrator, with
# kubectl's current context (or KUBECONFIG) on the stack's cluster:
#
#   bash rbac/apply.sh <namespace>
#
# 1. `kubectl apply` of rbac/ (the reader, the policy, the unbound dry-run Role). Where
#    ValidatingAdmissionPolicy is not served, kubectl fails on the policy ("no matches for kind", or
#    kubectl 1.36's "the server could not find the requested resource")
#    and applies the rest: the reader works, and this script stops here.
# 2. The probe: the policy also matches the user webserver-sidecar-preview-admission-probe; bound
#    for a moment to the dry-run Role, that user (impersonated: the administrator needs
#    `impersonate` on users) tries a real create of a ConfigMap. Refused with the policy's message:
#    enforced. Created: the policy is stored but not consulted (its admission plugin is off, or it
#    is not loaded yet); the ConfigMap is deleted and the probe retried for PROBE_SECONDS (30).
# 3. Enforced: `kubectl apply` of dryRun/, the RoleBinding. Not enforced: that RoleBinding is
#    removed if an earlier run left one, and the script fails, saying so.
set -euo pipefail

readonly PROBE_USER="webserver-sidecar-preview-admission-probe"
readonly DRY_RUN_ROLE="webserver-sidecar-preview-dry-run"
readonly POLICY_MESSAGE="may only dry-run changes"
probe_seconds="${PROBE_SECONDS:-30}"

die() { printf 'rbac/apply.sh: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n "$1" && "$1" != -* ]] || die "usage: bash rbac/apply.sh <namespace> (the stack's, webserver-sidecar:namespace)"
namespace="$1"
# A namespace's name is a DNS label (which also keeps it out of sed's way below).
[[ "${namespace}" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] \
  || die "namespace \"${namespace}\" is not a namespace name: lowercase letters, digits and '-', at most 63, starting and ending alphanumeric"
[[ "${probe_seconds}" =~ ^[0-9]+$ ]] || die "PROBE_SECONDS is \"${probe_seconds}\": a whole number of seconds is allowed"
rbac_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A copy of rbac/ with the namespace set in its two kustomizations, so that the files stay as
# committed (and no overlay has to reach rbac/ by a relative path from elsewhere).
work="$(mktemp -d "${TMPDIR:-/tmp}/webserver-sidecar-rbac.XXXXXX")"
cleanup() {
  kubectl delete rolebinding "${PROBE_USER}" -n "${namespace}" --ignore-not-found >/dev/null 2>&1 || true
  rm -rf "${work}"
}
trap cleanup EXIT
cp -R "${rbac_dir}/." "${work}/"
for kustomization in "${work}/kustomization.yaml" "${work}/dryRun/kustomization.yaml"; do
  sed -e "s/^namespace: .*/namespace: ${namespace}/" "${kustomization}" >"${kustomization}.new"
  mv "${kustomization}.new" "${kustomization}"
done

refuse_dry_runs() {
  kubectl delete rolebinding "${DRY_RUN_ROLE}" -n "${namespace}" --ignore-not-found >/dev/null
  die "$1; the reader is applied, the dry-run RoleBinding is not (previews pass, showing a change's inputs rather than the API server's result)"
}

if ! kubectl apply -k "${work}"; then
  refuse_dry_runs "kubectl apply of rbac/ failed (above); without the ValidatingAdmissionPolicy, dry-run writes would be real writes"
fi

kubectl create rolebinding "${PROBE_USER}" --role="${DRY_RUN_ROLE}" --user="${PROBE_USER}" -n "${namespace}" \
  --dry-run=client -o yaml | kubectl apply -f - >/dev/null
deadline=$((SECONDS + probe_seconds))
answer=""
until [[ "${answer}" == *"${POLICY_MESSAGE}"* ]]; do
  if answer="$(kubectl --as="${PROBE_USER}" create configmap "${PROBE_USER}" -n "${namespace}" 2>&1)"; then
    kubectl delete configmap "${PROBE_USER}" -n "${namespace}" --ignore-not-found >/dev/null
  fi
  if ((SECONDS >= deadline)); then
    refuse_dry_runs "the API server does not enforce the ValidatingAdmissionPolicy webserver-sidecar-preview-dry-run-only (a real write of ${PROBE_USER} was not refused within ${probe_seconds} s; its last answer: ${answer})"
  fi
  [[ "${answer}" == *"${POLICY_MESSAGE}"* ]] || sleep 1
done
echo "the policy refuses a real write of ${PROBE_USER}: ${answer}"
kubectl apply -k "${work}/dryRun"
