/**
 * `accessLogFormat`: how nginx writes each access line, which the sidecar ships unchanged. `combined`
 * is the image's own `main` format (NCSA combined and the X-Forwarded-For header); `json` is one
 * JSON object per line, which a pipeline that reads `kubectl logs` (Loki, Elasticsearch, ...) parses
 * without a regex.
 *
 * Why a whole nginx.conf, mounted over the image's: the image's nginx.conf sets
 * `access_log ... main` in its `http {}` block, and nginx keeps every `access_log` of a level, so a
 * second one added there (from conf.d) would write each request twice. A server block's own
 * `access_log` would replace the inherited one, but the team's `serverConfig` is theirs, not ours to
 * edit. Owning nginx.conf leaves the one inherited `access_log` in the chosen format, for the image's
 * default server and for every server block of `serverConfig` alike.
 */

/** The formats of the access log. */
export const AccessLogFormat = {
    /** The image's `main` format: NCSA combined, then the X-Forwarded-For header. */
    Combined: "combined",
    /** One JSON object per line (nginx's `escape=json`). */
    Json: "json",
} as const;
/** The formats of the access log: `"combined"` or `"json"`. */
export type AccessLogFormat = (typeof AccessLogFormat)[keyof typeof AccessLogFormat];
/** The access log formats, for validation and messages. */
export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = Object.values(AccessLogFormat);

/** Where nginx.conf is mounted: over the image's own. */
export const NGINX_CONF_PATH = "/etc/nginx/nginx.conf";
/** Its key in the ConfigMap. */
export const NGINX_CONF_FILE = "nginx.conf";

/** The log directory and files the shipper reads: the image's. */
const LOG_DIRECTORY = "/var/log/nginx";

/**
 * The image's `main` format, as its nginx.conf defines it: the `combined` lines stay byte for byte
 * what the image writes (test/accessLog.test.ts compares them on Debian's nginx).
 */
export const MAIN_LOG_FORMAT =
    "'$remote_addr - $remote_user [$time_local] \"$request\" ' '$status $body_bytes_sent \"$http_referer\" ' '\"$http_user_agent\" \"$http_x_forwarded_for\"'";

/**
 * The JSON fields: name → nginx variable, and whether the value is a JSON number. Numbers only
 * where nginx always writes digits; `$upstream_response_time` is empty without a proxy and a list
 * (`0.001, 0.002`) after a retry, so it is a string.
 */
export const JSON_LOG_FIELDS: readonly { readonly name: string; readonly variable: string; readonly number: boolean }[] = [
    // $time_iso8601 has whole seconds; $msec (seconds since the epoch, with milliseconds) the rest.
    { name: "time", variable: "$time_iso8601", number: false },
    { name: "msec", variable: "$msec", number: true },
    { name: "remote_addr", variable: "$remote_addr", number: false },
    { name: "request", variable: "$request", number: false },
    { name: "status", variable: "$status", number: true },
    { name: "bytes", variable: "$body_bytes_sent", number: true },
    { name: "duration", variable: "$request_time", number: true },
    { name: "upstream_time", variable: "$upstream_response_time", number: false },
    { name: "user_agent", variable: "$http_user_agent", number: false },
    { name: "referer", variable: "$http_referer", number: false },
    { name: "forwarded_for", variable: "$http_x_forwarded_for", number: false },
    { name: "request_id", variable: "$request_id", number: false },
];

/**
 * The `json` format's body: every field once, strings quoted. `escape=json` makes nginx escape `"`,
 * `\` and control characters in each value, so a request line a client chose cannot end the object
 * or start another line.
 */
export function jsonLogFormat(): string {
    const fields = JSON_LOG_FIELDS.map((field) => `"${field.name}":${field.number ? field.variable : `"${field.variable}"`}`);
    return `'{${fields.join(",")}}'`;
}

/**
 * The `log_format` and `access_log` directives of an `http {}` block for `format`: both formats
 * are defined (a server block may name `main`), the access log uses the chosen one.
 * @param logDirectory where access.log is written: the Pod's shared volume, or a test's directory.
 */
export function accessLogDirectives(format: AccessLogFormat, logDirectory: string = LOG_DIRECTORY): string[] {
    return [
        `log_format main ${MAIN_LOG_FORMAT};`,
        `log_format json escape=json ${jsonLogFormat()};`,
        `access_log ${logDirectory}/access.log ${format === AccessLogFormat.Json ? "json" : "main"};`,
    ];
}

/** Where nginx keeps request bodies and proxied responses: the official build's defaults, in the Pod's emptyDir. */
const TEMP_PATHS: readonly string[] = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `${kind}_temp_path /var/cache/nginx/${kind === "client_body" ? "client" : kind}_temp;`);

/**
 * The nginx.conf the Pod mounts over the image's when `accessLogFormat` is given: the official
 * image's settings (log files, pid file, MIME types, conf.d), with the access log in `format`. No
 * `user` directive: nginx runs as the Pod's non-root uid, where it would only warn.
 */
export function buildNginxConf(format: AccessLogFormat): string {
    return [
        "# webserver-sidecar: the nginx image's nginx.conf, with the access log format of accessLogFormat.",
        "worker_processes auto;",
        `error_log ${LOG_DIRECTORY}/error.log notice;`,
        "pid /var/run/nginx.pid;",
        "events {",
        "    worker_connections 1024;",
        "}",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        ...accessLogDirectives(format).map((line) => `    ${line}`),
        "    sendfile on;",
        "    keepalive_timeout 65;",
        // The official build's compiled-in temp paths, said here so that an image built otherwise
        // (Debian's nginx, whose own are under /var/lib/nginx, read-only in the Pod) uses the
        // Pod's writable /var/cache/nginx too: without them such an nginx cannot start.
        ...TEMP_PATHS.map((directive) => `    ${directive}`),
        "    include /etc/nginx/conf.d/*.conf;",
        "}",
        "",
    ].join("\n");
}
