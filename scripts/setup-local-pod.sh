#!/usr/bin/env bash
# Installs what the local Pod runner (test/localPod/) needs: Debian's nginx standing in for the
# nginx image, busybox for the busybox image, wrk and curl for load, iproute2 for the Pod's
# loopback, util-linux for unshare/nsenter/setpriv, socat to carry port-forwards into a Pod.
# Idempotent: does nothing when all are there.
set -euo pipefail

needed=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || needed+=(nginx)
command -v wrk >/dev/null || needed+=(wrk)
command -v busybox >/dev/null || needed+=(busybox)
command -v curl >/dev/null || needed+=(curl)
command -v socat >/dev/null || needed+=(socat)
command -v ip >/dev/null || needed+=(iproute2)
command -v setpriv >/dev/null || needed+=(util-linux)
[ -x /usr/bin/python3 ] || needed+=(python3)

if [ "${#needed[@]}" -eq 0 ]; then
    echo "local-pod: nginx, wrk, busybox, curl, socat, ip, setpriv and python3 present"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "local-pod: missing ${needed[*]}; run as root (the local Pod also needs root for unshare)" >&2
    exit 1
fi
echo "local-pod: installing ${needed[*]} from Debian"
apt-get update -qq
# The nginx package's service is never started here (no init system); the Pod runs its own.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
