/**
 * The files the Pod reads from ConfigMaps: the log shipper's program (always), the team's site
 * (`content`, `binaryContent`) and its nginx server block (`serverConfig`). Pure builders of the
 * ConfigMaps' data and names, and of the digest that replaces the Pod when any of them changes:
 * a running nginx and shipper read their files once, at start, so a new file must come with a new Pod.
 */
import { createHash } from "crypto";
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
}

/** The roles of the ConfigMaps: each one's child name (`<component>-<role>`) and Kubernetes name suffix. */
export const CONFIG_MAP_ROLES = { shipper: "shipper", site: "content", serverConfig: "server-config" } as const;

/** The file name of the server block in nginx's conf.d: the image's default server's, which it replaces. */
export const SERVER_CONFIG_FILE = "default.conf";

/**
 * The Kubernetes names of the ConfigMaps when the Pod's name is fixed: `<podName>-<role>`, so that
 * each instance has its own and `kubectl get configmaps` shows whose they are.
 */
export function configMapNamesFor(podName: string, args: Pick<ResolvedWebServerArgs, "site" | "serverConfig">): PodConfigMapNames {
    return {
        shipper: `${podName}-${CONFIG_MAP_ROLES.shipper}`,
        site: args.site === undefined ? undefined : `${podName}-${CONFIG_MAP_ROLES.site}`,
        serverConfig: args.serverConfig === undefined ? undefined : `${podName}-${CONFIG_MAP_ROLES.serverConfig}`,
    };
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

/** The Pod's annotation holding {@link podFilesDigest}, which the component replaces the Pod on. */
export const FILES_DIGEST_ANNOTATION = "webserver-sidecar/files-sha256";

/**
 * The SHA-256 of every file the Pod reads from its ConfigMaps, with their paths. It changes exactly
 * when one of the files does, and the Pod carries it: so the Pod is replaced then, and only then.
 */
export function podFilesDigest(args: Pick<ResolvedWebServerArgs, "site" | "serverConfig">): string {
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
    return hash.digest("hex");
}
