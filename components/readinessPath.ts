/**
 * `readinessPath`: the path nginx's readiness probe asks for. `/` by default; another path for a
 * server block whose `/` redirects or needs authentication (a health page, `/healthz`). Checked
 * here for what the kubelet would send as a broken request line, and for the page the image's
 * default server must then find in the team's site.
 */
import { INDEX_PAGES } from "./siteContent";

/** The probe's path unless `readinessPath` says otherwise: the site's root, as the tutorial's Pod would be asked. */
export const DEFAULT_READINESS_PATH = "/";

/** The longest path accepted: a bound on a pasted URL, far above a health page's path. */
export const MAX_READINESS_PATH_LENGTH = 1024;

/** What `readinessPath` must be, for messages. */
export const READINESS_PATH_RULE =
    `an absolute URL path of at most ${MAX_READINESS_PATH_LENGTH} characters: '/' then letters, digits, `
    + "'/', '-', '.', '_', '~', '!', '$', '&', ''', '(', ')', '*', '+', ',', ';', '=', ':', '@' or %XX escapes, "
    + "e.g. /healthz; no spaces, control characters, '?' or '#'";

/**
 * RFC 3986's path characters (unreserved, sub-delims, ':', '@', '/') and percent escapes. A space or
 * a control character would break the probe's request line; `?` and `#` would make it a query or a
 * fragment, which a path is not.
 */
const PATH_PATTERN = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/** Whether `value` is a path the readiness probe can ask for. */
export function isReadinessPath(value: unknown): value is string {
    return typeof value === "string" && value.length <= MAX_READINESS_PATH_LENGTH && PATH_PATTERN.test(value);
}

/**
 * The files of a site, any of which answers the probe under the image's default server (static
 * files from the document root, with its `index` pages for a directory): for `/`, the root's index
 * pages; for `/health/`, that directory's; for `/healthz.html`, the file itself, or, when it is a
 * directory, its index pages (nginx answers the bare name with a redirect, which the kubelet
 * follows to the index page).
 * @param readinessPath a path that {@link isReadinessPath} accepts.
 */
export function probedSitePaths(readinessPath: string): string[] {
    const relative = decodePath(readinessPath).replace(/^\/+/, "");
    const indexesOf = (directory: string) => INDEX_PAGES.map((page) => `${directory}${page}`);
    if (relative === "" || relative.endsWith("/")) {
        return indexesOf(relative);
    }
    return [relative, ...indexesOf(`${relative}/`)];
}

/** The path as nginx reads it (escapes decoded); as given when an escape is not UTF-8. */
function decodePath(path: string): string {
    try {
        return decodeURIComponent(path);
    } catch {
        return path;
    }
}
