#!/usr/bin/env bash
# Builds the project's local container images from Debian packages, with no registry and no
# Docker, and prints one line per image: DIRECTORY NAME MANIFEST_DIGEST ARCHIVE.
#
#   build.sh [IMAGE_DIRECTORY...]    default: every directory here with an image.env
#
# Each image is cached in ~/.cache/webserver-sidecar/images/<directory>/<key>, where the key hashes
# every input (the scripts and the image's files here, the Debian package lists, the tools'
# versions, SOURCE_DATE_EPOCH), so a warm run takes seconds and a changed input builds afresh.
# The same inputs give the same bytes, so the same digests (docs/local-cluster.md, "Local images").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${here}/../lib/common.sh" images
# Every date in the images: Debian 12's release day. Fixed, so that rebuilding the same packages
# gives the same digests whenever it happens.
export SOURCE_DATE_EPOCH=1686355200

if [ "$#" -gt 0 ]; then
    images=("$@")
else
    mapfile -t images < <(cd "$here" && for f in */image.env; do dirname "$f"; done)
fi
for image in "${images[@]}"; do
    [ -f "$here/$image/image.env" ] || { echo "images: no image '$image' (no $here/$image/image.env)" >&2; exit 2; }
done

bash "$here/tools.sh"
mkdir -p "$CACHE/images"
# One build at a time per cache: two would race on the same key's directory.
exec 9>"$CACHE/images/.lock"
flock 9

# The cache key of an image: a hash of everything its bytes depend on.
key_of() {
    local image=$1 lists=$2
    {
        (cd "$here" && sha256sum rootfs.sh pack.sh debian.list)
        (cd "$here/$image" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
        (cd "$lists" && sha256sum ./*_Packages*)
        dpkg-query -W mmdebstrap umoci tar
        echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    } | sha256sum | cut -c1-16
}

# The version of a package that the lists give (the one mmdebstrap installs).
version_of() {
    APT_CONFIG="$CACHE/images/apt/apt.conf" apt-cache policy "$1" | awk '$1 == "Candidate:" {print $2}'
}

# Builds an image into its key's directory unless it is there. Fails when a package is missing.
build_one() {
    local image=$1 lists key dir tmp started version
    lists=$(bash "$here/lists.sh" "${@:2}")
    key=$(key_of "$image" "$lists")
    dir="$CACHE/images/$image/$key"
    [ -f "$dir/digest" ] && return 0

    # shellcheck disable=SC1090
    version=$(source "$here/$image/image.env" && version_of "$IMAGE_VERSION_PACKAGE")
    [ -n "$version" ] || { echo "images: $image: the package lists have no $IMAGE_VERSION_PACKAGE" >&2; return 1; }
    echo "images: building $image (key $key) from Debian packages" >&2
    started=$SECONDS
    tmp="$CACHE/images/$image/.building-$key"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    # mmdebstrap's hooks and dpkg talk a lot: their output is shown only when the build fails.
    # 9>&-: the lock's descriptor stays here. mmdebstrap hands its hooks descriptors above the ones
    # it inherits, and dash (which runs the apt hook) refuses descriptors from 10 up.
    if ! bash "$here/rootfs.sh" "$here/$image" "$lists" "$tmp/rootfs.tar" > "$tmp/rootfs.log" 2>&1 9>&-; then
        # apt's and mmdebstrap's errors, wherever they are in the log, then its last lines.
        { grep -E '^(E|W): ' "$tmp/rootfs.log"; tail -n 5 "$tmp/rootfs.log"; } | awk '!seen[$0]++' >&2
        echo "images: $image: the whole log is $tmp/rootfs.log" >&2
        return 1
    fi
    bash "$here/pack.sh" "$here/$image" "$tmp/rootfs.tar" "$version" "$tmp" >/dev/null
    # What went into the image, for a look without unpacking it.
    tar -xOf "$tmp/rootfs.tar" ./var/lib/dpkg/status 2>/dev/null \
        | awk '$1 == "Package:" {p = $2} $1 == "Version:" {print p, $2}' > "$tmp/packages" || true
    rm -f "$tmp/rootfs.tar"
    # Only the current build of each image is kept.
    find "$CACHE/images/$image" -mindepth 1 -maxdepth 1 -type d ! -name ".building-$key" -exec rm -rf {} +
    mv "$tmp" "$dir"
    echo "images: built $(cat "$dir/name") $(cat "$dir/digest") in $((SECONDS - started)) s" >&2
}

for image in "${images[@]}"; do
    if ! build_one "$image"; then
        # The likeliest cause: lists older than the archive, which has dropped a package they name.
        echo "images: $image failed; refreshing the package lists and trying once more" >&2
        build_one "$image" --refresh
    fi
    dir="$CACHE/images/$image/$(key_of "$image" "$CACHE/images/apt/lists")"
    printf '%s %s %s %s\n' "$image" "$(cat "$dir/name")" "$(cat "$dir/digest")" "$dir/image.tar"
done
