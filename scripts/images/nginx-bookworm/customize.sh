#!/usr/bin/env bash
# mmdebstrap's customize hook for the nginx image: makes Debian's nginx look like the official
# nginx image where the Pod depends on it. $1 is the root filesystem (on the host).
#
# Same as the official image:
# - /etc/nginx/nginx.conf and conf.d/default.conf (this directory): worker_processes auto,
#   error_log /var/log/nginx/error.log notice, pid /run/nginx.pid (/var/run is a link to /run in
#   Debian), log_format main, access_log /var/log/nginx/access.log main, listen 80, root
#   /usr/share/nginx/html with index.html (Debian's copy of nginx's welcome page) and 50x.html;
# - temp files under /var/cache/nginx;
# - /var/log/nginx/access.log and error.log are links to /dev/stdout and /dev/stderr, so that
#   without a volume on /var/log/nginx the logs go to the container's output;
# - the nginx user and group, uid and gid 101;
# - CMD nginx -g 'daemon off;', STOPSIGNAL SIGQUIT, port 80 (image.env).
#
# Deliberately different:
# - nginx 1.22.1 (Debian bookworm's, with Debian's security fixes), not 1.30.x, and Debian's
#   module set (no njs; image-filter, xslt, geoip, mail and stream are not installed);
# - the temp paths are set in nginx.conf instead of compiled in: a replacement nginx.conf without
#   them would put temp files in /var/lib/nginx;
# - no /docker-entrypoint.sh and its /docker-entrypoint.d scripts: under the Pod's read-only root
#   they change nothing (no IPv6 listen, no templates, no worker tuning), and here nginx's output
#   has no "Configuration complete" lines from them;
# - Debian's own nginx files stay (sites-available, snippets, modules-available, /var/www/html,
#   /var/lib/nginx) but the official nginx.conf includes none of them;
# - nginx -V shows Debian's configure arguments (prefix /usr/share/nginx, /var/lib/nginx temp
#   paths, /run/nginx.pid), not the official build's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$1

install -m 0644 "$here/nginx.conf" "$root/etc/nginx/nginx.conf"
install -m 0644 "$here/default.conf" "$root/etc/nginx/conf.d/default.conf"
install -m 0644 "$here/50x.html" "$root/usr/share/nginx/html/50x.html"

# As the official image creates it (useradd honours SOURCE_DATE_EPOCH for /etc/shadow's dates).
chroot "$root" groupadd --system --gid 101 nginx
chroot "$root" useradd --system --gid nginx --no-create-home --home-dir /nonexistent \
    --comment "nginx user" --shell /bin/false --uid 101 nginx

install -d -m 0755 "$root/var/cache/nginx"
ln -sfn /dev/stdout "$root/var/log/nginx/access.log"
ln -sfn /dev/stderr "$root/var/log/nginx/error.log"
