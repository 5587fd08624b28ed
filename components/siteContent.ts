/**
 * `content` and `binaryContent`: the team's own site, served from nginx's document root out of a
 * ConfigMap. Checked here for what the API server and nginx would refuse later, or worse, accept:
 * paths that leave the document root, two paths on one ConfigMap key, a site past a ConfigMap's
 * size, a site with no page for the readiness probe (it asks for `/` unless `readinessPath` says otherwise).
 */
import { ProblemList } from "./errors";

/**
 * The most a ConfigMap may hold: the API server refuses one whose keys and values (data and
 * binaryData, decoded) add up to more than 1 MiB.
 */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

/** The pages nginx's default `index` directive serves for `/`: one of them must exist unless serverConfig says otherwise. */
export const INDEX_PAGES = ["index.html", "index.htm"] as const;

/** What the readiness probe asks for, and which files of the site answer it under the image's default server. */
export interface SiteProbe {
    /** The probe's path, as given (`readinessPath`). */
    readonly path: string;
    /** The site's paths any of which answers it (readinessPath.ts `probedSitePaths`). */
    readonly files: readonly string[];
}

/** The default probe: `/`, answered by an index page at the site's root. */
export const ROOT_PROBE: SiteProbe = { path: "/", files: INDEX_PAGES };

/** What a path of `content` must be, for messages. */
export const CONTENT_PATH_RULE =
    "a relative path under the document root: segments of a-z, A-Z, 0-9, '-', '_' and '.', separated by '/', none of them '.' or '..', at most 253 characters";

/** One file of the site, checked: where nginx serves it and how it is kept in the ConfigMap. */
export interface SiteFile {
    /** Its path under the document root, e.g. `css/site.css`. */
    readonly path: string;
    /** Its ConfigMap key: the path with `/` as `_` (a key may not hold `/`). */
    readonly key: string;
    /** Text, kept in the ConfigMap's `data`; or `undefined` for a binary file. */
    readonly text: string | undefined;
    /** Base64, kept in `binaryData`; or `undefined` for a text file. */
    readonly base64: string | undefined;
    /** Its size in bytes (decoded), for the ConfigMap's limit. */
    readonly bytes: number;
}

/** Whether `path` is a path under the document root that nginx can serve and a ConfigMap can project. */
export function isContentPath(path: string): boolean {
    return path.length <= 253 && path.split("/").every((segment) => /^[-_.a-zA-Z0-9]+$/.test(segment) && segment !== "." && segment !== "..");
}

/** Whether `value` is standard base64 (RFC 4648 §4, padded), as a ConfigMap's binaryData holds it. */
export function isBase64(value: string): boolean {
    return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

/**
 * Checks `content` (path → text) and `binaryContent` (path → base64) together: one site, one ConfigMap.
 * @param hasServerConfig whether a serverConfig is given: then it decides what the probe's path serves, and no page is required.
 * @param probe what the readiness probe asks for: without a serverConfig, the site must hold a file that answers it.
 * @returns the site's files sorted by path (deterministic specs), or `undefined` when neither was given.
 */
export function resolveSiteContent(
    content: unknown, binaryContent: unknown, hasServerConfig: boolean, key: (name: string) => string, problems: ProblemList,
    probe: SiteProbe = ROOT_PROBE,
): SiteFile[] | undefined {
    if (content === undefined && binaryContent === undefined) {
        return undefined;
    }
    const files: SiteFile[] = [];
    const before = problems.all.length;
    const read = (value: unknown, name: "content" | "binaryContent") => {
        if (value === undefined) {
            return;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.add(key(name), value, name === "content"
                ? "an object of files, path → text, e.g. { \"index.html\": \"<h1>Hello</h1>\" }"
                : "an object of files, path → base64 of their bytes, e.g. { \"favicon.ico\": \"AAABAAEA...\" }");
            return;
        }
        for (const [path, fileValue] of Object.entries(value as Record<string, unknown>)) {
            const fileKey = `${key(name)}["${path}"]`;
            if (!isContentPath(path)) {
                problems.add(fileKey, path, CONTENT_PATH_RULE);
            } else if (typeof fileValue !== "string") {
                problems.add(fileKey, fileValue, name === "content" ? "the file's text, a string" : "the file's bytes in base64, a string");
            } else if (name === "binaryContent" && !isBase64(fileValue)) {
                problems.add(fileKey, `(${fileValue.length} characters, not base64)`, "the file's bytes in standard, padded base64 (e.g. Buffer.toString(\"base64\"))");
            } else {
                files.push({
                    path,
                    key: path.replace(/\//g, "_"),
                    text: name === "content" ? fileValue : undefined,
                    base64: name === "binaryContent" ? fileValue : undefined,
                    bytes: name === "content" ? Buffer.byteLength(fileValue, "utf8") : Buffer.from(fileValue, "base64").length,
                });
            }
        }
    };
    read(content, "content");
    read(binaryContent, "binaryContent");
    if (problems.all.length > before) {
        return undefined;
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const siteKey = `${key("content")} + ${key("binaryContent")}`;
    const byKey = new Map<string, string>();
    for (const file of files) {
        const other = byKey.get(file.key);
        if (other !== undefined) {
            problems.add(siteKey, [other, file.path], other === file.path
                ? "each path in only one of content and binaryContent"
                : "paths that differ once '/' is read as '_' (the ConfigMap key of a file): rename one");
        }
        byKey.set(file.key, file.path);
    }
    if (files.length === 0) {
        problems.add(siteKey, {}, "at least one file; or leave both unset for the image's own pages");
    }
    const totalBytes = files.reduce((sum, file) => sum + file.key.length + file.bytes, 0);
    if (totalBytes > MAX_CONFIG_MAP_BYTES) {
        problems.add(siteKey, `(${files.length} files, ${totalBytes} bytes with their keys)`,
            `at most ${MAX_CONFIG_MAP_BYTES} bytes (1 MiB, the API server's limit on a ConfigMap): serve a larger site from its own image`);
    }
    if (files.length > 0 && !hasServerConfig && !files.some((file) => probe.files.includes(file.path))) {
        // The default probe keeps its message of old; another names the key that moved the probe.
        problems.add(key("content"), files.map((file) => file.path), probe.path === ROOT_PROBE.path
            ? `a site with ${INDEX_PAGES.join(" or ")} at its root (nginx's readiness probe asks for /); or a serverConfig that answers / otherwise`
            : `a site with ${probe.files.join(" or ")} (nginx's readiness probe asks for ${key("readinessPath")} ${probe.path}); or a serverConfig that answers it otherwise`);
    }
    return problems.all.length > before ? undefined : files;
}
