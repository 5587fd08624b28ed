/**
 * Reads the metadata of the objects the component would create, by name, from the cluster the
 * provider uses (program/ownership.ts decides what it means). One GET per object, of its metadata
 * alone (PartialObjectMetadata: no ConfigMap's data), authenticated as the kubeconfig says: directly
 * for certificates and tokens (directAccess.ts), else by the official Kubernetes client
 * (@kubernetes/client-node).
 */
import * as http from "http";
import * as https from "https";
import { ComponentObject, LiveMetadata } from "../components/ownership";
import { REACHABILITY_TIMEOUT_MS } from "./clusterReachability";
import { DirectAccess, directAccess } from "./directAccess";
import { KubeconfigEnvironment, machineEnvironment } from "./kubeconfig";
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
    Deployment: "deployments", PodDisruptionBudget: "poddisruptionbudgets", HorizontalPodAutoscaler: "horizontalpodautoscalers",
    Ingress: "ingresses", HTTPRoute: "httproutes",
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
    /** Where kubeconfig files are read. @default machineEnvironment() */
    readonly kubeconfigEnv?: KubeconfigEnvironment;
}

/**
 * The reader of the cluster the provider uses: one HTTPS GET per object, authenticated as the
 * kubeconfig says (certificates and tokens directly; exec plugins and the rest by the Kubernetes
 * client), through the proxy the provider would use, for the object's metadata alone.
 */
export function clusterMetadataReader(cluster: ClusterSettings, options: MetadataReaderOptions = {}): MetadataReader {
    const timeoutMs = options.timeoutMs ?? REACHABILITY_TIMEOUT_MS;
    const environment = options.environment ?? process.env;
    // One way in for every read, settled on the first (and the client's module loaded only then, if needed).
    let settled: Promise<DirectAccess> | undefined;
    return async (object, namespace) => {
        try {
            settled ??= accessFor(cluster, environment, options.kubeconfigEnv ?? machineEnvironment());
            const access = await settled;
            const url = new URL(`${access.server.replace(/\/+$/, "")}${objectPath(object, namespace)}`);
            const headers = { ...access.options.headers, Accept: METADATA_ONLY };
            return await get(url, { ...access.options, method: "GET", headers }, timeoutMs);
        } catch (error) {
            return { unreadable: error instanceof Error ? error.message : String(error) };
        }
    };
}

/** The server and request options: built here when the kubeconfig allows (directAccess.ts), else by the client. */
async function accessFor(
    cluster: ClusterSettings, environment: Readonly<Record<string, string | undefined>>, kubeconfigEnv: KubeconfigEnvironment,
): Promise<DirectAccess> {
    const direct = directAccess(cluster, kubeconfigEnv, environment);
    if (!("clientNeeded" in direct)) {
        return direct;
    }
    const config = await loadKubeConfig(cluster, environment);
    const server = config.getCurrentCluster()?.server;
    if (server === undefined) {
        throw new Error(`the kubeconfig's context "${config.getCurrentContext()}" names no cluster`);
    }
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    return { server, options };
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
