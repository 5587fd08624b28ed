#!/usr/bin/env bash
# Runs the Pods of the local cluster for real (test/localPod/localKubelet.ts), in the background:
#
#   scripts/local-kubelet.sh start [--namespace N]...   start it (no-op when running)
#   scripts/local-kubelet.sh stop                       stop it; it stops its Pods the kubelet's way
#   scripts/local-kubelet.sh status
#
# Needs the local cluster up (scripts/cluster.sh) and root (each Pod runs in its own namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${WEBSERVER_SIDECAR_CACHE:-$HOME/.cache/webserver-sidecar}"
DIR="${WEBSERVER_SIDECAR_CLUSTER_DIR:-$CACHE/cluster}"
PID_FILE="$DIR/local-kubelet.pid"
LOG_FILE="$DIR/logs/local-kubelet.log"
# Where each Pod's files live, like the kubelet's /var/lib/kubelet/pods: outside /root (0700),
# so that the Pods' non-root users can reach them.
PODS_DIR="${WEBSERVER_SIDECAR_PODS_DIR:-/var/lib/webserver-sidecar/pods}"

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

case "${1:-}" in
    start)
        shift
        if running; then
            echo "local-kubelet: already running (pid $(cat "$PID_FILE"))"
            exit 0
        fi
        bash scripts/setup-local-pod.sh >/dev/null
        eval "$(bash scripts/toolchain.sh env)"
        eval "$(bash scripts/cluster.sh env)"
        mkdir -p "$PODS_DIR" "$(dirname "$LOG_FILE")"
        nohup node -r ts-node/register/transpile-only test/localPod/localKubelet.ts \
            --kubeconfig "$KUBECONFIG" --dir "$PODS_DIR" "$@" >>"$LOG_FILE" 2>&1 &
        echo $! >"$PID_FILE"
        echo "local-kubelet: started (pid $!), log $LOG_FILE"
        ;;
    stop)
        if running; then
            pid=$(cat "$PID_FILE")
            kill -TERM "$pid"
            # It stops each Pod within the Pod's grace period (30 s by default).
            for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
            echo "local-kubelet: stopped"
        fi
        rm -f "$PID_FILE"
        ;;
    status)
        if running; then echo "local-kubelet: running (pid $(cat "$PID_FILE"))"; else echo "local-kubelet: not running"; exit 1; fi
        ;;
    *)
        echo "usage: scripts/local-kubelet.sh start [--namespace N]... | stop | status" >&2
        exit 2
        ;;
esac
