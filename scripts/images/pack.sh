#!/usr/bin/env bash
# Makes an OCI image of a root filesystem tar with umoci (no daemon, no registry) and writes it as
# an OCI archive that `ctr images import` takes. Reproducible: the layer is the tar as it is, its
# gzip stream has no timestamp, every date in the image is SOURCE_DATE_EPOCH, and the archive's
# members are sorted with fixed owners and times. Writes into OUT_DIR:
#   image.tar    the OCI archive (an OCI image layout in a tar)
#   name         the image's name, IMAGE_REPOSITORY:<upstream version of IMAGE_VERSION_PACKAGE>
#   digest       the manifest's digest (what `ctr images ls` shows)
#   id           the config's digest (the image ID that crictl and the kubelet show)
#
#   pack.sh IMAGE_DIR ROOTFS.tar DEBIAN_VERSION OUT_DIR     (SOURCE_DATE_EPOCH must be set)
set -euo pipefail
image_dir=$(cd "$1" && pwd)
rootfs=$2
debian_version=$3
out=$4
: "${SOURCE_DATE_EPOCH:?pack.sh needs SOURCE_DATE_EPOCH}"
# shellcheck disable=SC1091 # the image.env of the image being built
source "$image_dir/image.env"

# 1:1.22.1-9+deb12u11 -> 1.22.1: no epoch, no Debian revision.
upstream=${debian_version#*:}
upstream=${upstream%-*}
name="$IMAGE_REPOSITORY:$upstream"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
layout="$work/layout"
image="$layout:$upstream"

umoci init --layout "$layout"
umoci new --image "$image"
umoci raw add-layer --image "$image" --history.created "$created" \
    --history.created_by "mmdebstrap --variant=$IMAGE_VARIANT --include=$(IFS=,; echo "${IMAGE_PACKAGES[*]}") bookworm" \
    "$rootfs"

config=(--no-history --created "$created" --os linux --architecture "$(dpkg --print-architecture)"
    --config.label "org.opencontainers.image.title=$IMAGE_REPOSITORY"
    --config.label "org.opencontainers.image.description=$IMAGE_DESCRIPTION"
    --config.label "org.opencontainers.image.version=$IMAGE_VERSION_PACKAGE $debian_version")
# `umoci new` sets a PATH of its own: clear it, then set what image.env says.
config+=(--clear config.env)
for value in "${IMAGE_ENV[@]}"; do config+=("--config.env=$value"); done
for value in "${IMAGE_ENTRYPOINT[@]}"; do config+=("--config.entrypoint=$value"); done
for value in "${IMAGE_CMD[@]}"; do config+=("--config.cmd=$value"); done
for value in "${IMAGE_PORTS[@]}"; do config+=("--config.exposedports=$value"); done
[ -z "$IMAGE_USER" ] || config+=("--config.user=$IMAGE_USER")
[ -z "$IMAGE_STOPSIGNAL" ] || config+=("--config.stopsignal=$IMAGE_STOPSIGNAL")
umoci config --image "$image" "${config[@]}"
umoci gc --layout "$layout"

# containerd names an imported image after io.containerd.image.name (as `ctr images export`
# writes it); org.opencontainers.image.ref.name stays the tag, as the OCI layout has it.
jq --sort-keys --arg name "$name" '.manifests[0].annotations["io.containerd.image.name"] = $name' \
    "$layout/index.json" > "$work/index.json"
mv "$work/index.json" "$layout/index.json"

mkdir -p "$out"
tar --create --file "$out/image.tar" --directory "$layout" \
    --sort=name --format=posix --numeric-owner --owner=0 --group=0 --mode='u=rwX,go=rX' \
    --mtime="@$SOURCE_DATE_EPOCH" --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    oci-layout index.json blobs
manifest=$(jq -r '.manifests[0].digest' "$layout/index.json")
echo "$name" > "$out/name"
echo "$manifest" > "$out/digest"
jq -r '.config.digest' "$layout/blobs/${manifest/://}" > "$out/id"
