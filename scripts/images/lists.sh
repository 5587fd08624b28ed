#!/usr/bin/env bash
# The Debian package lists every image is built from: the project's own copy of the lists of
# debian.list (bookworm, bookworm-updates, bookworm-security), kept in the cache apart from the
# host's, so that an image depends on what the project asks for, not on how the host's apt is set
# up. Prints the lists directory.
#
#   lists.sh            refresh when missing or older than WEBSERVER_SIDECAR_IMAGES_LISTS_MAX_AGE
#                       days (default 7), so that a warm build needs no network
#   lists.sh --refresh  refresh now (build.sh does, once, when the lists name a package that the
#                       archive no longer has)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "${here}/../lib/common.sh" images
apt_dir="$CACHE/images/apt"
lists="$apt_dir/lists"
max_age_days=${WEBSERVER_SIDECAR_IMAGES_LISTS_MAX_AGE:-7}

refresh=false
[ "${1:-}" = "--refresh" ] && refresh=true
[ -f "$lists/.updated" ] || refresh=true
if ! $refresh && [ -n "$(find "$lists/.updated" -mtime "+$((max_age_days - 1))" 2>/dev/null)" ]; then
    refresh=true
fi

mkdir -p "$lists/partial" "$apt_dir/empty"
: > "$apt_dir/status"
# Read instead of the host's apt configuration (APT_CONFIG comes before /etc/apt/apt.conf.d, which
# this points at an empty directory), also by build.sh's version look-ups: the host's settings,
# lists and installed packages change nothing here.
cat > "$apt_dir/apt.conf" <<CONF
Dir::Etc::Parts "$apt_dir/empty";
Dir::Etc::SourceParts "$apt_dir/empty";
Dir::Etc::SourceList "$here/debian.list";
Dir::State::Lists "$lists";
Dir::State::status "$apt_dir/status";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
// Only the Packages files: no translations, no AppStream metadata.
Acquire::Languages "none";
// Kept compressed (a tenth of the disk); apt reads them as they are.
Acquire::GzipIndexes "true";
// The lists live in root's cache, which apt's unprivileged _apt user cannot write.
APT::Sandbox::User "root";
CONF

if $refresh; then
    echo "images: updating the Debian package lists in $lists" >&2
    APT_CONFIG="$apt_dir/apt.conf" apt-get update -qq >&2
    touch "$lists/.updated"
fi
echo "$lists"
