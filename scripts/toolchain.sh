#!/usr/bin/env bash
# The project's toolchain: a Pulumi CLI and a Kubernetes control plane, built from Go modules at
# the versions in scripts/toolchain/versions.env, cached in ~/.cache/webserver-sidecar.
#
#   scripts/toolchain.sh build   build what is missing (cold: tens of minutes; warm: seconds)
#   scripts/toolchain.sh build pulumi   only the Pulumi part (scripts/up.sh, when a cluster is named)
#   scripts/toolchain.sh env     print the exports that put it to use: eval "$(scripts/toolchain.sh env)"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=toolchain/versions.env
source "$here/toolchain/versions.env"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh" toolchain

# The npm SDKs ask the engine for exact plugin versions: a drift here would make Pulumi try to download.
check_npm_pins() {
    local lock="$here/../package-lock.json" pulumi kubernetes
    pulumi=$(node -p "require('$lock').packages['node_modules/@pulumi/pulumi'].version")
    kubernetes=$(node -p "require('$lock').packages['node_modules/@pulumi/kubernetes'].version")
    [[ "$pulumi" == "$PULUMI_VERSION" ]] || die "package-lock.json has @pulumi/pulumi $pulumi, versions.env $PULUMI_VERSION"
    [[ "$kubernetes" == "$PULUMI_KUBERNETES_VERSION" ]] || die "package-lock.json has @pulumi/kubernetes $kubernetes, versions.env $PULUMI_KUBERNETES_VERSION"
}

case "${1:-build}" in
    build)
        check_npm_pins
        # One after the other: each saturates the machine's cores on its own.
        [[ "${2:-}" == pulumi ]] || bash "$here/toolchain/kubernetes.sh"
        bash "$here/toolchain/pulumi.sh"
        # The YAML, Python and Go language hosts beside the CLI, the SDK generator and the Python
        # SDKs, for the examples in other languages (docs/languages.md).
        [[ "${2:-}" == pulumi ]] || bash "$here/toolchain/pulumiYaml.sh"
        [[ "${2:-}" == pulumi ]] || bash "$here/toolchain/pulumiLanguages.sh"
        # The runtime of the policy pack copies that toolchain/policy-pack.sh makes for this CLI
        # (toolchain/pulumi-analyzer-policy explains why they need it).
        export PULUMI_HOME="${PULUMI_HOME:-$CACHE/pulumi-home}" PULUMI_SKIP_UPDATE_CHECK=true
        pulumi="$CACHE/bin/pulumi-$PULUMI_VERSION/pulumi"
        if ! "$pulumi" plugin ls 2>/dev/null | awk '$1 == "policy-nodejs-shim" && $2 == "analyzer" {f=1} END {exit !f}'; then
            "$pulumi" plugin install analyzer policy-nodejs-shim 1.0.0 --file "$here/toolchain/pulumi-analyzer-policy"
        fi
        ;;
    env)
        mapfile -t k8s_dirs < <(bash "$here/toolchain/kubernetes.sh" --print-dirs)
        # shellcheck disable=SC2016 # $PATH is for the shell that evals this
        printf 'export PATH=%q:"$PATH"\n' "$CACHE/bin/pulumi-$PULUMI_VERSION:${k8s_dirs[0]}:${k8s_dirs[1]}"
        printf 'export PULUMI_HOME=%q\n' "${PULUMI_HOME:-$CACHE/pulumi-home}"
        # Never reach for the network: no update check, no plugin download, no version check
        # against a registry (the Automation API would otherwise ask which CLI is newest).
        printf 'export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true\n'
        ;;
    *)
        echo "usage: scripts/toolchain.sh [build|env]" >&2
        exit 2
        ;;
esac
