/**
 * The files the Pod reads from ConfigMaps: the log shipper's program (always), the team's site
 * (`content`, `binaryContent`), its nginx server block (`serverConfig`) and nginx.conf (`accessLogFormat`). Pure builders of the
 * ConfigMaps' data and names, and of the digest that replaces the Pod when any of them changes:
 * a running nginx and shipper read their files once, at start, so a new file must come with a new Pod.
 */
import { createHash } from "crypto";
import { AccessLogFormat, NGINX_CONF_FILE, buildNginxConf } from "./accessLog";
import type { ResolvedWebServerArgs } from "./args";
import { sortedByKey } from "./naming";
import { readShipperSource, SHIPPER_FILE } from "./sidecar/shipperCommand";
import { SiteFile } from "./siteContent";

/** The ConfigMaps a Pod mounts, by the role of their files. */
export interface PodConfigMapNames {
    /** The log shipper's program, mounted into the sidecar. */
    readonly shipper: string;
    /** The site, mounted on nginx's document root; `undefined` when no content was given. */
    readonly site: string | undefined;
    /** The server block, mounted on nginx's conf.d; `undefined` when no serverConfig was given. */
    readonly serverConfig: string | undefined;
    /** nginx.conf, mounted over the image's; `undefined` when no accessLogFormat was given. */
    readonly nginxConfig: string | undefined;
}

/** The roles of the ConfigMaps: each one's child name (`<component>-<role>`) and Kubernetes name suffix. */
export const CONFIG_MAP_ROLES = { shipper: "shipper", site: "content", serverConfig: "server-config", nginxConfig: "nginx-config" } as const;

/** The file name of the server block in nginx's conf.d: the image's default server's, which it replaces. */
export const SERVER_CONFIG_FILE = "default.conf";

/**
 * How a fixed-name instance names its ConfigMaps:
 * - `fixed`: `<podName>-<role>`, for the bare Pod, which is replaced (deleted first) with its files;
 * - `byContent`: `<podName>-<role>-<digest of the data>`, for a Deployment. Its rollout keeps old Pods
 *   running beside new ones, and an old Pod that waits, or restarts, must keep reading its own
 *   revision's files: new files get a new, immutable ConfigMap, and the old one stays until the
 *   `up` that replaced it has succeeded (Pulumi deletes what it replaced at the end of a
 *   successful update; a failed or stuck one leaves it in place).
 */
export type ConfigMapNaming = "fixed" | "byContent";

/** How an instance's ConfigMaps are named: by content under a Deployment (`replicas`), else fixed. */
export function configMapNamingFor(args: Pick<ResolvedWebServerArgs, "replicas">): ConfigMapNaming {
    return args.replicas !== undefined ? "byContent" : "fixed";
}

/** How many hex digits of the data's SHA-256 name a content-named ConfigMap: 40 bits, no collision among one instance's revisions. */
export const CONTENT_NAME_DIGITS = 10;

/**
 * The Kubernetes names of the ConfigMaps when the Pod's name is fixed, so that each instance has
 * its own and `kubectl get configmaps` shows whose they are (see {@link ConfigMapNaming}).
 */
export function configMapNamesFor(
    podName: string, args: Pick<ResolvedWebServerArgs, "site" | "serverConfig"> & Partial<Pick<ResolvedWebServerArgs, "accessLogFormat">>,
    naming: ConfigMapNaming = "fixed",
): PodConfigMapNames {
    if (naming === "fixed") {
        return fixedConfigMapNames(podName, {
            site: args.site !== undefined, serverConfig: args.serverConfig !== undefined, nginxConfig: args.accessLogFormat !== undefined,
        });
    }
    const named = (role: keyof typeof CONFIG_MAP_ROLES, data: ConfigMapData) => `${podName}-${CONFIG_MAP_ROLES[role]}-${configMapDataDigest(data)}`;
    return {
        shipper: named("shipper", buildShipperConfigMapData()),
        site: args.site === undefined ? undefined : named("site", buildSiteConfigMapData(args.site)),
        serverConfig: args.serverConfig === undefined ? undefined : named("serverConfig", buildServerConfigMapData(args.serverConfig)),
        nginxConfig: args.accessLogFormat === undefined ? undefined : named("nginxConfig", buildNginxConfigMapData(args.accessLogFormat)),
    };
}

/** The `fixed` names, `<podName>-<role>`: they depend only on which files are given, not on what they hold. */
export function fixedConfigMapNames(
    podName: string, given: { readonly site: boolean; readonly serverConfig: boolean; readonly nginxConfig?: boolean },
): PodConfigMapNames {
    return {
        shipper: `${podName}-${CONFIG_MAP_ROLES.shipper}`,
        site: given.site ? `${podName}-${CONFIG_MAP_ROLES.site}` : undefined,
        serverConfig: given.serverConfig ? `${podName}-${CONFIG_MAP_ROLES.serverConfig}` : undefined,
        nginxConfig: given.nginxConfig === true ? `${podName}-${CONFIG_MAP_ROLES.nginxConfig}` : undefined,
    };
}

/** The first {@link CONTENT_NAME_DIGITS} hex digits of the SHA-256 of a ConfigMap's data: keys and values, text and bytes apart. */
export function configMapDataDigest(data: ConfigMapData): string {
    const hash = createHash("sha256");
    for (const [kind, entries] of [["data", data.data], ["binaryData", data.binaryData ?? {}]] as const) {
        for (const [key, value] of Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            // Lengths first: no two different sets of entries hash the same input.
            for (const part of [kind, key, value]) {
                hash.update(`${Buffer.byteLength(part, "utf8")}:`).update(part, "utf8");
            }
        }
    }
    return hash.digest("hex").slice(0, CONTENT_NAME_DIGITS);
}

/** The data of a ConfigMap: text in `data`, bytes (base64) in `binaryData`. */
export interface ConfigMapData {
    readonly data: Record<string, string>;
    readonly binaryData?: Record<string, string>;
}

/** The shipper's ConfigMap: its one file, the program from components/sidecar/logShipper.py. */
export function buildShipperConfigMapData(): ConfigMapData {
    return { data: { [SHIPPER_FILE]: readShipperSource() } };
}

/** The site's ConfigMap: each file under its key (the `items` of the Pod's volume map keys back to paths). */
export function buildSiteConfigMapData(files: readonly SiteFile[]): ConfigMapData {
    const text = files.filter((file) => file.text !== undefined);
    const binary = files.filter((file) => file.base64 !== undefined);
    return {
        data: sortedByKey(Object.fromEntries(text.map((file) => [file.key, file.text!]))),
        ...(binary.length > 0 ? { binaryData: sortedByKey(Object.fromEntries(binary.map((file) => [file.key, file.base64!]))) } : {}),
    };
}

/** The server block's ConfigMap: one file in place of the image's conf.d/default.conf. */
export function buildServerConfigMapData(serverConfig: string): ConfigMapData {
    return { data: { [SERVER_CONFIG_FILE]: serverConfig } };
}

/** The nginx.conf ConfigMap: one file, mounted over the image's nginx.conf (accessLog.ts says why). */
export function buildNginxConfigMapData(format: AccessLogFormat): ConfigMapData {
    return { data: { [NGINX_CONF_FILE]: buildNginxConf(format) } };
}

/** The Pod's annotation holding {@link podFilesDigest}, which the component replaces the Pod on. */
export const FILES_DIGEST_ANNOTATION = "webserver-sidecar/files-sha256";

/**
 * The SHA-256 of every file the Pod reads from its ConfigMaps, with their paths. It changes exactly
 * when one of the files does, and the Pod carries it: so the Pod is replaced then, and only then.
 */
export function podFilesDigest(args: Pick<ResolvedWebServerArgs, "site" | "serverConfig"> & Partial<Pick<ResolvedWebServerArgs, "accessLogFormat" | "contentFrom">>): string {
    const hash = createHash("sha256");
    const add = (role: string, path: string, content: string) => {
        // Lengths first: no two different sets of files hash the same input.
        for (const part of [role, path, content]) {
            hash.update(`${Buffer.byteLength(part, "utf8")}:`).update(part, "utf8");
        }
    };
    add(CONFIG_MAP_ROLES.shipper, SHIPPER_FILE, readShipperSource());
    for (const file of args.site ?? []) {
        add(CONFIG_MAP_ROLES.site, file.path, file.text !== undefined ? `text:${file.text}` : `base64:${file.base64!}`);
    }
    if (args.serverConfig !== undefined) {
        add(CONFIG_MAP_ROLES.serverConfig, SERVER_CONFIG_FILE, args.serverConfig);
    }
    // Unset, nothing is added: the digest of an existing stack's Pod stays as it was.
    if (args.accessLogFormat !== undefined) {
        add(CONFIG_MAP_ROLES.nginxConfig, NGINX_CONF_FILE, buildNginxConf(args.accessLogFormat));
    }
    // The team's object, by kind and name (its files are the team's, unknown here): another source
    // replaces the Pod as another site of ours does. A change inside it reaches the running Pods
    // without one (docs/operating.md).
    if (args.contentFrom !== undefined) {
        add("content-from", args.contentFrom.kind, args.contentFrom.name);
    }
    return hash.digest("hex");
}
