#!/usr/bin/env bash
# Runs each local image (scripts/images/build.sh) under runc, without Kubernetes, the way the Pod
# runs it: as uid 10101, read-only root filesystem, no capabilities, emptyDir-like directories
# mounted where the Pod mounts volumes, and net.ipv4.ip_unprivileged_port_start=80.
#   nginx:  serves its page on port 80, logs the request in the mounted /var/log/nginx in the
#           "main" format, keeps its pid and temp files in the mounted /var/run and
#           /var/cache/nginx, and on SIGQUIT exits gracefully;
#   python: the sidecar's shipper command (components/sidecar/shipperCommand.ts), its program
#           mounted read-only where the Pod mounts its ConfigMap, ships a line written to the
#           mounted log directory, and exits on SIGTERM;
#   pause:  catatonit -P runs as PID 1 and exits on SIGTERM.
# Leaves nothing behind: its runc state, containers, cgroups and files are under one temporary
# directory, removed on exit. Needs root (runc).
# jq filters are single-quoted: their $names are jq's.
# shellcheck disable=SC2016
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
POD_UID=10101
# The runc the local node runs (scripts/toolchain/kubernetes.sh builds it), else Debian's.
# shellcheck source=../../scripts/toolchain/versions.env
source "$repo/scripts/toolchain/versions.env"
node_runc="${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}/bin/runc-v${RUNC_VERSION}/runc"
if [[ -x "$node_runc" ]]; then
    runc() { "$node_runc" "$@"; }
else
    command -v runc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runc >/dev/null
fi
echo "verify: $(runc --version | head -n 1)"

work=$(mktemp -d /tmp/images-verify.XXXXXX)
prefix="images-verify-$$"
containers=()
cleanup() {
    for id in "${containers[@]}"; do runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "verify: FAIL: $*" >&2; exit 1; }
pass() { echo "verify: ok: $*"; }

# Waits up to 10 s for a command to succeed.
wait_for() {
    for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

# Unpacks an image into a runc bundle and sets it up as the Pod's containers are.
# bundle NAME ARCHIVE TAG [JQ_FILTER [JQ_ARGS...]]
bundle() {
    local name=$1 archive=$2 tag=$3 filter=${4:-.}
    shift 4 || shift $#
    mkdir -p "$work/$name/layout"
    tar -xf "$archive" -C "$work/$name/layout"
    umoci unpack --image "$work/$name/layout:$tag" "$work/$name/bundle" >/dev/null
    jq "$@" --argjson uid "$POD_UID" '
        .process.terminal = false
        | .process.user = {uid: $uid, gid: $uid, additionalGids: [$uid]}
        | .process.noNewPrivileges = true
        | .process.capabilities = {bounding: [], effective: [], inheritable: [], permitted: [], ambient: []}
        | .root.readonly = true
        | '"$filter" "$work/$name/bundle/config.json" > "$work/$name/config.json"
    mv "$work/$name/config.json" "$work/$name/bundle/config.json"
}

# An emptyDir: a fresh directory anyone may write, bind-mounted at PATH.
empty_dir() {
    mkdir -p "$work/volumes/$1"
    chmod 0777 "$work/volumes/$1"
    jq -n --arg source "$work/volumes/$1" --arg destination "$2" \
        '{destination: $destination, type: "bind", source: $source, options: ["rbind", "rw", "nosuid", "nodev"]}'
}

# Starts a bundle detached; its stdout and stderr go to files beside it.
start() {
    local name=$1 id="$prefix-$1"
    containers+=("$id")
    (cd "$work/$name/bundle" && runc --root "$work/runc" run --detach --pid-file "$work/$name/pid" "$id" \
        > "$work/$name/stdout" 2> "$work/$name/stderr" < /dev/null)
    cat "$work/$name/pid"
}

stopped() { runc --root "$work/runc" state "$prefix-$1" | jq -e '.status == "stopped"'; }

# Signals a container and waits for it to stop; then removes it.
stop_with() {
    runc --root "$work/runc" kill "$prefix-$1" "$2"
    wait_for stopped "$1" || fail "$1 did not stop on $2"
    runc --root "$work/runc" delete "$prefix-$1"
}

uid_of() { awk '$1 == "Uid:" {print $2}' "/proc/$1/status"; }
root_is_read_only() { awk '$5 == "/" {print $6}' "/proc/$1/mountinfo" | grep -q '^ro'; }

declare -A archive name
while read -r image image_name _ image_archive; do
    archive[$image]=$image_archive
    name[$image]=$image_name
done < <(bash "$repo/scripts/images/build.sh")

# --- nginx ---
volumes=$(jq -s . <(empty_dir logs /var/log/nginx) <(empty_dir cache /var/cache/nginx) <(empty_dir run /var/run))
bundle nginx "${archive[nginx-bookworm]}" "${name[nginx-bookworm]##*:}" \
    '.mounts += $volumes | .linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "80"}' --argjson volumes "$volumes"
pid=$(start nginx)
page() { nsenter --net="/proc/$pid/ns/net" curl -sf http://127.0.0.1:80/; }
wait_for page || fail "nginx serves nothing on port 80: $(cat "$work/nginx/stderr" "$work/volumes/logs/error.log" 2>/dev/null)"
page | grep -q "Welcome to nginx!" || fail "nginx's page is not the welcome page"
pass "nginx serves its welcome page on port 80"
[ "$(uid_of "$pid")" = "$POD_UID" ] || fail "nginx's master runs as uid $(uid_of "$pid")"
root_is_read_only "$pid" || fail "nginx's root filesystem is writable"
pass "nginx runs as uid $POD_UID with a read-only root filesystem"
main_format='^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 [0-9]+ "-" "curl/[^"]+" "-"$'
grep -Eq "$main_format" "$work/volumes/logs/access.log" || fail "access.log has no request in the main format"
pass "access.log in the mounted /var/log/nginx: $(head -n 1 "$work/volumes/logs/access.log")"
[ "$(cat "$work/volumes/run/nginx.pid")" -gt 0 ] || fail "no /run/nginx.pid in the mounted /var/run"
[ -d "$work/volumes/cache/client_temp" ] || fail "no temp directories in the mounted /var/cache/nginx"
pass "pid file in the mounted /var/run, temp files in the mounted /var/cache/nginx"
stop_with nginx QUIT
grep -q "gracefully shutting down" "$work/volumes/logs/error.log" || fail "nginx did not shut down gracefully on SIGQUIT"
pass "nginx exits gracefully on SIGQUIT: $(grep -c . "$work/volumes/logs/error.log") lines in error.log"

# --- nginx as the official image runs with no securityContext: root master, workers as the nginx
# user, logs through the image's links to the container's stdout and stderr ---
docker_capabilities='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'
volumes=$(jq -s . <(empty_dir root-cache /var/cache/nginx) <(empty_dir root-run /var/run))
bundle nginx-root "${archive[nginx-bookworm]}" "${name[nginx-bookworm]##*:}" \
    '.mounts += $volumes | .process.user = {uid: 0, gid: 0}
     | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps, inheritable: [], ambient: []}' \
    --argjson volumes "$volumes" --argjson caps "$docker_capabilities"
pid=$(start nginx-root)
wait_for page || fail "nginx as root serves nothing on port 80: $(cat "$work/nginx-root/stderr")"
wait_for grep -q '"GET / HTTP/1.1" 200' "$work/nginx-root/stdout" || fail "nginx's access.log link does not reach the container's stdout"
worker=$(pgrep -P "$pid" | head -n 1)
[ "$(uid_of "$worker")" = 101 ] || fail "nginx's worker runs as uid $(uid_of "$worker"), not the nginx user's 101"
pass "as root: workers run as nginx (uid 101), access lines go to stdout: $(grep -m 1 GET "$work/nginx-root/stdout")"
stop_with nginx-root QUIT
grep -q "gracefully shutting down" "$work/nginx-root/stderr" || fail "nginx's error.log link does not reach the container's stderr"
pass "as root: error.log lines go to stderr"

# --- python3: the sidecar's command, as the Pod runs it ---
shipper=$(cd "$repo" && node -e '
    require("ts-node/register/transpile-only");
    const { buildShipperCommand } = require("./components/sidecar/shipperCommand");
    const { command, args } = buildShipperCommand("/var/log/nginx", 8 * 1024 * 1024, 5);
    process.stdout.write(JSON.stringify([...command, ...args]));')
# The shipper's program, read-only where the Pod mounts its ConfigMap (components/podFiles.ts).
mkdir -p "$work/volumes/shipper"
cp "$repo/components/sidecar/logShipper.py" "$work/volumes/shipper/"
chmod -R a+rX "$work/volumes/shipper"
shipper_dir=$(jq -n --arg source "$work/volumes/shipper" \
    '{destination: "/opt/webserver-sidecar", type: "bind", source: $source, options: ["rbind", "ro", "nosuid", "nodev"]}')
volumes=$(jq -s . <(empty_dir shipped /var/log/nginx) <(echo "$shipper_dir"))
bundle python "${archive[python3-bookworm]}" "${name[python3-bookworm]##*:}" \
    '.mounts += $volumes | .process.args = $shipper' --argjson volumes "$volumes" --argjson shipper "$shipper"
pid=$(start python)
line="verify $$ $(date +%s%N)"
sleep 0.5
echo "$line" >> "$work/volumes/shipped/access.log"
wait_for grep -qxF "$line" "$work/python/stdout" || fail "the shipper did not ship a line: $(cat "$work/python/stderr")"
[ "$(uid_of "$pid")" = "$POD_UID" ] || fail "the shipper runs as uid $(uid_of "$pid")"
pass "python3 runs the shipper (ctypes inotify, argparse, json) as uid $POD_UID: it shipped '$line'"
stop_with python TERM
pass "the shipper exits on SIGTERM"

# --- pause ---
bundle pause "${archive[pause-catatonit]}" "${name[pause-catatonit]##*:}" '.process.user = {uid: 65535, gid: 65535}'
pid=$(start pause)
sleep 0.5
runc --root "$work/runc" state "$prefix-pause" | jq -e '.status == "running"' >/dev/null || fail "catatonit exited: $(cat "$work/pause/stderr")"
[ "$(tr '\0' ' ' < "/proc/$pid/cmdline")" = "/usr/bin/catatonit -P " ] || fail "pause runs $(tr '\0' ' ' < "/proc/$pid/cmdline")"
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status" || fail "catatonit is not PID 1 in its namespace"
pass "catatonit -P runs as PID 1 of its PID namespace"
stop_with pause TERM
pass "catatonit exits on SIGTERM"
