/**
 * The check that a team's own `nginxImage` has the official nginx image's layout, which the Pod
 * relies on (issue 31, item 3): nginx on PATH, the nginx.conf that includes conf.d (where
 * `serverConfig` goes), logs in /var/log/nginx (what the sidecar ships), port 80 (the probes and
 * the Service), and its pid and temp files in the Pod's writable directories (the root filesystem is
 * read-only). An image without it used to run and never turn Ready (another port), or run and ship
 * nothing (other log files), and `up` ended in a readiness timeout that named none of this.
 *
 * It is an init container of the nginx image itself, run before nginx with nginx's configuration
 * mounts: it reads files and `nginx -V`, writes nothing, and exits 1 naming every part missing. Its
 * log becomes its termination message (FallbackToLogsOnError), which the Pod's status carries into
 * `up`'s error (podReadiness.ts). Static reading, not `nginx -t`: a config test opens the log files
 * and creates the temp directories, so it would need nginx's writable volumes too.
 */
import type * as k8s from "@pulumi/kubernetes";

type Container = k8s.types.input.core.v1.Container;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** The check's container name. */
export const NGINX_LAYOUT_CONTAINER = "nginx-layout";

/** What the check asks for: a shell, `grep` and `sed`, for seconds, once per Pod start. */
export const NGINX_LAYOUT_RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } as const;

/**
 * The check, a POSIX shell script. Comments are stripped from the configuration before it is read,
 * so a commented-out directive does not count. Each temp path is where nginx puts it: the
 * configuration's, else the build's (`nginx -V`), else under the build's prefix.
 */
export const NGINX_LAYOUT_SCRIPT = [
    "missing=''",
    "miss() { missing=\"$missing",
    "  - $1\"; }",
    "report() { echo \"nginxImage: the image does not have the official nginx image's layout, which the Pod relies on:$missing\" >&2; exit 1; }",
    // Without nginx the rest cannot be read: say that alone.
    "command -v nginx >/dev/null 2>&1 || { miss \"nginx: not found on PATH ($PATH)\"; report; }",
    "for tool in cat grep sed tr head; do command -v $tool >/dev/null 2>&1 || miss \"$tool: not found (the check reads the configuration with it)\"; done",
    "[ -n \"$missing\" ] && report",
    "[ -f /etc/nginx/nginx.conf ] || miss '/etc/nginx/nginx.conf: not found'",
    "[ -d /etc/nginx/conf.d ] || miss '/etc/nginx/conf.d: not found (where serverConfig is mounted)'",
    "conf=$(cat /etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf 2>/dev/null | sed 's/#.*//')",
    "built=$(nginx -V 2>&1 | tr ' ' '\\n')",
    "has() { printf '%s\\n' \"$conf\" | grep -Eq \"$1\"; }",
    "has 'include[[:space:]]+/etc/nginx/conf\\.d/\\*\\.conf' || miss 'nginx.conf: no include /etc/nginx/conf.d/*.conf (serverConfig would be ignored)'",
    "has 'error_log[[:space:]]+/var/log/nginx/error\\.log' || miss 'log directory: no error_log /var/log/nginx/error.log (the sidecar ships /var/log/nginx)'",
    "has 'access_log[[:space:]]+/var/log/nginx/access\\.log' || miss 'log directory: no access_log /var/log/nginx/access.log (the sidecar ships /var/log/nginx)'",
    "has 'listen[[:space:]]+([^;[:space:]]*:)?80([[:space:]]|;)' || miss 'port: no listen 80 in nginx.conf or conf.d (the probes and the Service use port 80)'",
    "setting() { printf '%s\\n' \"$conf\" | sed -n \"s/^[[:space:]]*$1[[:space:]][[:space:]]*\\([^;[:space:]]*\\).*/\\1/p\" | head -n 1; }",
    "built() { printf '%s\\n' \"$built\" | sed -n \"s/^--$1=//p\" | head -n 1; }",
    "prefix=$(built prefix); prefix=${prefix:-/usr/local/nginx}",
    "pid=$(setting pid); pid=${pid:-$(built pid-path)}; pid=${pid:-$prefix/logs/nginx.pid}",
    "case $pid in /run/*|/var/run/*) ;; *) miss \"pid file: $pid, not in /run (the only writable directory for it)\";; esac",
    "elsewhere=''",
    "for kind in client_body proxy fastcgi uwsgi scgi; do",
    "  path=$(setting ${kind}_temp_path); path=${path:-$(built http-$(printf '%s' $kind | tr _ -)-temp-path)}; path=${path:-$prefix/${kind}_temp}",
    "  case $path in /var/cache/nginx/*) ;; *) elsewhere=\"$elsewhere, ${kind}_temp_path $path\";; esac",
    "done",
    "[ -z \"$elsewhere\" ] || miss \"temp files: ${elsewhere#, }: not in /var/cache/nginx (the only writable directory for them)\"",
    "[ -z \"$missing\" ] || report",
].join("\n");

/**
 * The init container that checks the image's layout before nginx starts.
 * @param mounts nginx's configuration mounts (nginx.conf, conf.d), so that it reads what nginx will read.
 */
export function buildNginxLayoutContainer(nginxImage: string, mounts: readonly VolumeMount[], securityContext: SecurityContext): Container {
    return {
        name: NGINX_LAYOUT_CONTAINER,
        image: nginxImage,
        command: ["sh", "-c", NGINX_LAYOUT_SCRIPT],
        ...(mounts.length > 0 ? { volumeMounts: [...mounts] } : {}),
        // What it printed becomes the reason the Pod shows, and so `up`'s error.
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { ...NGINX_LAYOUT_RESOURCES.requests }, limits: { ...NGINX_LAYOUT_RESOURCES.limits } },
        securityContext,
    };
}
