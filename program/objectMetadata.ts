/**
 * Reads the metadata of the objects the component would create, by name, from the cluster the
 * provider uses (program/ownership.ts decides what it means). One GET per object, of its metadata
 * alone (PartialObjectMetadata: no ConfigMap's data), authenticated by the official Kubernetes
 * client (@kubernetes/client-node) as the kubeconfig says.
 */
import * as http from "http";
import * as https from "https";
import { ComponentObject, LiveMetadata } from "../components/ownership";
import { REACHABILITY_TIMEOUT_MS } from "./clusterReachability";
import { loadKubeConfig } from "./kubernetesClient";
import { ClusterSettings } from "./stackConfig";

/** What a read of one object found: its metadata, nothing (404), or why it could not be read. */
export type ObjectRead =
    | { readonly found: true; readonly metadata: LiveMetadata }
    | { readonly found: false }
    | { readonly unreadable: string };

/** Reads one object's metadata in a namespace; never throws (a failure is `unreadable`). */
export type MetadataReader = (object: ComponentObject, namespace: string) => Promise<ObjectRead>;

/** The Accept header that makes the API server return an object's metadata alone (PartialObjectMetadata), JSON as the fallback. */
export const METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/** The plural resource names of the kinds the component creates, as API paths spell them. */
const RESOURCES: Readonly<Record<string, string>> = {
    Pod: "pods", Service: "services", ConfigMap: "configmaps", NetworkPolicy: "networkpolicies",
    Deployment: "deployments", PodDisruptionBudget: "poddisruptionbudgets",
};

/**
 * The API path of a namespaced object: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` for the others.
 * @throws for a kind the component never creates (a programming error).
 */
export function objectPath(object: ComponentObject, namespace: string): string {
    const resource = RESOURCES[object.kind];
    if (resource === undefined) {
        throw new Error(`objectPath: no API path known for kind ${object.kind}`);
    }
    const group = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    return `${group}/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(object.name)}`;
}

/** The message of a Kubernetes Status body, or the body's start when it is not one. */
function statusMessage(body: string): string {
    try {
        const status = JSON.parse(body) as { message?: unknown };
        if (typeof status.message === "string") {
            return status.message;
        }
    } catch {
        // Not JSON (a proxy's page): its start says more than nothing.
    }
    return body.slice(0, 200);
}

/** How {@link clusterMetadataReader} reads. */
export interface MetadataReaderOptions {
    /** How long one read waits for an answer. @default REACHABILITY_TIMEOUT_MS */
    readonly timeoutMs?: number;
    /** The process environment, for the proxy variables. @default process.env */
    readonly environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * The reader of the cluster the provider uses: one HTTPS GET per object, authenticated as the
 * kubeconfig says (certificates, tokens, exec plugins) by the Kubernetes client, through the proxy
 * the provider would use, for the object's metadata alone.
 */
export function clusterMetadataReader(cluster: ClusterSettings, options: MetadataReaderOptions = {}): MetadataReader {
    const timeoutMs = options.timeoutMs ?? REACHABILITY_TIMEOUT_MS;
    // One kubeconfig for every read, loaded on the first (as is the client's module).
    let loaded: ReturnType<typeof loadKubeConfig> | undefined;
    return async (object, namespace) => {
        try {
            loaded ??= loadKubeConfig(cluster, options.environment ?? process.env);
            const config = await loaded;
            const server = config.getCurrentCluster()?.server;
            if (server === undefined) {
                return { unreadable: `the kubeconfig's context "${config.getCurrentContext()}" names no cluster` };
            }
            const url = new URL(`${server.replace(/\/+$/, "")}${objectPath(object, namespace)}`);
            const request: https.RequestOptions = { method: "GET", headers: { Accept: METADATA_ONLY } };
            await config.applyToHTTPSOptions(request);
            return await get(url, request, timeoutMs);
        } catch (error) {
            return { unreadable: error instanceof Error ? error.message : String(error) };
        }
    };
}

/** One GET: 200 is the object's metadata, 404 is no object, anything else (or no answer in time) unreadable. */
function get(url: URL, options: https.RequestOptions, timeoutMs: number): Promise<ObjectRead> {
    return new Promise((resolve) => {
        const request = (url.protocol === "http:" ? http : https).request(url, { ...options, timeout: timeoutMs }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", (error) => resolve({ unreadable: error.message }));
            response.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                if (response.statusCode === 404) {
                    resolve({ found: false });
                } else if (response.statusCode === 200) {
                    try {
                        resolve({ found: true, metadata: (JSON.parse(body) as { metadata?: LiveMetadata }).metadata ?? {} });
                    } catch {
                        resolve({ unreadable: `the API server's answer is not JSON: ${body.slice(0, 200)}` });
                    }
                } else {
                    resolve({ unreadable: `HTTP ${response.statusCode}: ${statusMessage(body)}` });
                }
            });
        });
        request.on("timeout", () => request.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs / 1000} s`)));
        request.on("error", (error) => resolve({ unreadable: error.message }));
        request.end();
    });
}
