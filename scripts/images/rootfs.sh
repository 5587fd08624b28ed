#!/usr/bin/env bash
# Builds an image's root filesystem from Debian packages with mmdebstrap, as an uncompressed tar
# whose bytes depend only on its inputs: the image's definition (IMAGE_DIR/image.env and its
# customize.sh), the package lists (lists.sh) and SOURCE_DATE_EPOCH (every mtime is clamped to it,
# and mmdebstrap removes its logs and caches).
#
#   rootfs.sh IMAGE_DIR LISTS_DIR OUT.tar      (SOURCE_DATE_EPOCH must be set; run as root)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image_dir=$(cd "$1" && pwd)
lists=$2
out=$3
: "${SOURCE_DATE_EPOCH:?rootfs.sh needs SOURCE_DATE_EPOCH}"
# shellcheck disable=SC1091 # the image.env of the image being built
source "$image_dir/image.env"

mapfile -t sources < "$here/debian.list"
# Hooks are single-quoted: their $1 is the root filesystem, expanded by mmdebstrap's shell.
# shellcheck disable=SC2016
options=(
    --variant="$IMAGE_VARIANT"
    --include="$(IFS=,; echo "${IMAGE_PACKAGES[*]}")"
    --aptopt='APT::Install-Recommends "false"'
    # The package lists come from lists.sh, not from a download of their own: the same lists
    # give the same packages.
    --skip=update
    --setup-hook="cp -p '$lists'/*_InRelease '$lists'/*_Packages* \"\$1/var/lib/apt/lists/\""
    # No device nodes in the image: the runtime makes /dev.
    --skip=output/dev
    # The host's resolv.conf and hostname would differ between machines; the runtime provides both.
    --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"'
)
if [ "$IMAGE_VARIANT" != extract ]; then
    options+=(
        # A merged /usr made by symlinks as debootstrap does, rather than by the usrmerge package,
        # which would pull perl into the image.
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
        # What debian:bookworm-slim (the official images' base) leaves out, kept out for good:
        # the settings stay in the image's /etc/dpkg/dpkg.cfg.d.
        --dpkgopt='path-exclude=/usr/share/man/*'
        --dpkgopt='path-exclude=/usr/share/info/*'
        --dpkgopt='path-exclude=/usr/share/groff/*'
        --dpkgopt='path-exclude=/usr/share/lintian/*'
        --dpkgopt='path-exclude=/usr/share/locale/*'
        --dpkgopt='path-exclude=/usr/share/doc/*'
        --dpkgopt='path-include=/usr/share/doc/*/copyright'
    )
fi
if [ -x "$image_dir/customize.sh" ]; then
    # Hooks run on the host with the root filesystem's path as $1. The extract variant runs no
    # customize hooks: there, the files are complete once extracted.
    if [ "$IMAGE_VARIANT" = extract ]; then
        options+=(--extract-hook="'$image_dir/customize.sh' \"\$1\"")
    else
        options+=(--customize-hook="'$image_dir/customize.sh' \"\$1\"")
    fi
fi

mmdebstrap "${options[@]}" bookworm "$out" "${sources[@]}"
if [ "${#IMAGE_DROP[@]}" -gt 0 ]; then
    tar --delete --file "$out" "${IMAGE_DROP[@]}"
fi
