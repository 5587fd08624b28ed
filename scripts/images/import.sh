#!/usr/bin/env bash
# Imports the local images (build.sh builds them first, or finds them cached) into a running
# containerd, in the namespace its CRI plugin and so the kubelet use, and unpacks them into its
# default snapshotter. An image that containerd already has under the same name and digest is left
# as it is. Prints one line per image: NAME DIGEST imported|present.
#
#   import.sh --address /path/to/containerd.sock [--namespace k8s.io]
# CTR names the ctr to use (the one built with the containerd it talks to); default: ctr on PATH.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

address=""
namespace=k8s.io
while [ "$#" -gt 0 ]; do
    case "$1" in
        --address) address=${2:-}; shift 2 ;;
        --namespace) namespace=${2:-}; shift 2 ;;
        *) echo "usage: import.sh --address SOCKET [--namespace NAMESPACE]" >&2; exit 2 ;;
    esac
done
[ -n "$address" ] || { echo "usage: import.sh --address SOCKET [--namespace NAMESPACE]" >&2; exit 2; }
[ -S "$address" ] || { echo "images: --address '$address' is not a socket (is containerd running?)" >&2; exit 1; }
ctr=${CTR:-ctr}
command -v "$ctr" >/dev/null || { echo "images: import needs ctr (set CTR, or put one on PATH)" >&2; exit 1; }

digest_in_containerd() {
    "$ctr" --address "$address" --namespace "$namespace" images ls "name==$1" | awk 'NR > 1 {print $3}'
}

# A second record, REPOSITORY@DIGEST, as pulling from a registry leaves: with it, a reference
# pinned by digest (NAME:TAG@DIGEST, what the component's defaults look like) resolves locally.
add_digest_reference() {
    local name=$1 digest=$2 by_digest
    by_digest="${name%:*}@$digest"
    if [ -z "$(digest_in_containerd "$by_digest")" ]; then
        "$ctr" --address "$address" --namespace "$namespace" images tag "$name" "$by_digest" >/dev/null
    fi
}

bash "$here/build.sh" | while read -r _ name digest archive; do
    if [ "$(digest_in_containerd "$name")" = "$digest" ]; then
        add_digest_reference "$name" "$digest"
        echo "$name $digest present"
        continue
    fi
    # The archive names its image (io.containerd.image.name) and holds one linux image of this
    # machine's architecture, which ctr imports and unpacks by default.
    "$ctr" --address "$address" --namespace "$namespace" images import "$archive" >&2
    got=$(digest_in_containerd "$name")
    [ "$got" = "$digest" ] || { echo "images: after importing $archive, containerd has $name at '${got:-nothing}', not $digest" >&2; exit 1; }
    add_digest_reference "$name" "$digest"
    echo "$name $digest imported"
done
