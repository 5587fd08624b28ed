#!/usr/bin/env bash
# Links every busybox applet into /bin, as the official busybox image has them. The binary is
# static, so the host can ask it for its applet list. $1: the root filesystem.
set -euo pipefail
root=$1
for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
