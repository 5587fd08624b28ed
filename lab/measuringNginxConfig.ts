/**
 * The official nginx image's default configuration (/etc/nginx/nginx.conf and conf.d/default.conf),
 * as one file that tests and benchmarks mount over the image's nginx.conf. Log paths, log level,
 * pid file, temp paths, port and document root are the image's. Two additions, for measuring only:
 * - `$msec` (time of the log write, in ms) ends each access line, so a line's latency from write
 *   to the sidecar's stdout can be read off the line itself;
 * - optional "truth" copies of both logs outside the shared volume, which nobody rotates or reads:
 *   the list of every line nginx wrote, to check the sidecar's output against.
 */

/** Where the image keeps the files nginx writes; mounted as emptyDirs in the Pod. */
export const IMAGE_LOG_DIRECTORY = "/var/log/nginx";

/**
 * Renders nginx.conf.
 * @param truthDirectory where to write the truth copies, or undefined for none.
 */
export function renderNginxConfig(truthDirectory?: string): string {
    const truthLogs = truthDirectory === undefined ? [] : [
        `error_log ${truthDirectory}/error.log notice;`,
    ];
    const truthAccess = truthDirectory === undefined ? [] : [
        `    access_log ${truthDirectory}/access.log main;`,
    ];
    return [
        // Ignored with a warning when not root, as in the Pod (which runs nginx as a non-root uid).
        "user nginx;",
        "worker_processes auto;",
        `error_log ${IMAGE_LOG_DIRECTORY}/error.log notice;`,
        ...truthLogs,
        "pid /run/nginx.pid;",
        "events { worker_connections 1024; }",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '",
        "                    '$status $body_bytes_sent \"$http_referer\" '",
        "                    '\"$http_user_agent\" \"$http_x_forwarded_for\" $msec';",
        `    access_log ${IMAGE_LOG_DIRECTORY}/access.log main;`,
        ...truthAccess,
        // The official image's compiled-in temp paths: the Pod's nginx-cache emptyDir.
        "    client_body_temp_path /var/cache/nginx/client_temp;",
        "    proxy_temp_path /var/cache/nginx/proxy_temp;",
        "    fastcgi_temp_path /var/cache/nginx/fastcgi_temp;",
        "    uwsgi_temp_path /var/cache/nginx/uwsgi_temp;",
        "    scgi_temp_path /var/cache/nginx/scgi_temp;",
        "    sendfile on;",
        "    keepalive_timeout 65;",
        "    server {",
        "        listen 80;",
        "        server_name localhost;",
        "        location / { root /usr/share/nginx/html; index index.html index.htm; }",
        "        error_page 500 502 503 504 /50x.html;",
        "        location = /50x.html { root /usr/share/nginx/html; }",
        "    }",
        "}",
        "",
    ].join("\n");
}
