/**
 * Before any resource is registered: is any object the component would create, under its fixed
 * name, already in the namespace without being this stack's? Then `preview` and `up` stop, naming
 * each such object, and nothing changes. The rule is components/ownership.ts's; this module reads
 * the cluster.
 *
 * Why our own check rather than the provider's: the provider 4.25.0 applies a "create" over an
 * object that exists (server-side apply; pulumi-kubernetes #2926), takes it into the stack and
 * deletes it on destroy; from 4.29.0 it fails the `up` with AlreadyExists, but still passes the
 * preview. This check holds on every provider version, in the preview too.
 *
 * Cost: one GET per object (at most six), all at once, of the metadata only (no ConfigMap's data),
 * while the reachability probe runs: on a live cluster, the ~400 ms of loading the client plus one
 * round trip, on every preview and up.
 */
import * as http from "http";
import * as https from "https";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedWebServerArgs } from "../components/args";
import { ComponentObject, LiveMetadata, StackIdentity, componentObjects, ownerOf, ownershipProblem } from "../components/ownership";
import { ReachabilityOutcome, REACHABILITY_TIMEOUT_MS } from "./clusterReachability";
import { loadKubeConfig } from "./kubernetesClient";
import { ClusterSettings } from "./stackConfig";

/** What a read of one object found: its metadata, nothing (404), or why it could not be read. */
export type ObjectRead =
    | { readonly found: true; readonly metadata: LiveMetadata }
    | { readonly found: false }
    | { readonly unreadable: string };

/** Reads one object's metadata in a namespace; never throws (a failure is `unreadable`). */
export type MetadataReader = (object: ComponentObject, namespace: string) => Promise<ObjectRead>;

/** What the reads found: every object that is not this stack's, and every one that could not be read. */
export interface OwnershipReport {
    /** How many objects were read. */
    readonly checked: number;
    /** One message per object that exists and is not this stack's (components/ownership.ts `ownershipProblem`). */
    readonly foreign: readonly string[];
    /** One message per object that could not be read (no answer, or an HTTP status other than 200 and 404). */
    readonly unreadable: readonly string[];
}

/** Thrown, by `preview` and `up` alike, when objects of the component's names are someone else's; a RunError prints as its message alone. */
export class ForeignObjectsError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ForeignObjectsError";
    }
}

/** The kind and name of an object, and its namespace, as messages name them. */
function describeObject(object: ComponentObject, namespace: string): string {
    return `${object.kind} "${object.name}" in namespace "${namespace}"`;
}

/**
 * Reads every object at once and sorts what it finds: absent (it will be created), this stack's,
 * someone else's, or unreadable.
 * @param owner the owner annotation this stack stamps (`ownerOf`).
 * @param instanceLabels the instance's selector labels (the upgrade rule of `ownershipProblem`).
 */
export async function inspectOwnership(
    objects: readonly ComponentObject[], namespace: string, owner: string, instanceLabels: Readonly<Record<string, string>>, read: MetadataReader,
): Promise<OwnershipReport> {
    const reads = await Promise.all(objects.map((object) => read(object, namespace)));
    const foreign: string[] = [];
    const unreadable: string[] = [];
    reads.forEach((result, i) => {
        if ("unreadable" in result) {
            unreadable.push(`${describeObject(objects[i], namespace)}: ${result.unreadable}`);
        } else if (result.found) {
            const problem = ownershipProblem(objects[i], namespace, result.metadata, owner, instanceLabels);
            if (problem !== undefined) {
                foreign.push(problem);
            }
        }
    });
    return { checked: objects.length, foreign, unreadable };
}

/** What acting on a report needs: whether this is a preview, and Pulumi's warning log. */
export interface OwnershipReportDependencies {
    readonly dryRun: boolean;
    readonly warn: (message: string) => void;
}

/**
 * Acts on a report: someone else's objects stop `preview` and `up`; objects that could not be read
 * stop `up` (which must not take them over unseen) and make a preview warn (it may run where the
 * cluster cannot be read, as the reachability check allows too).
 * @throws {ForeignObjectsError} listing every object that is not this stack's, or, on `up`, every one that could not be read.
 */
export function reportOwnership(report: OwnershipReport, deps: OwnershipReportDependencies): void {
    const list = (messages: readonly string[]) => messages.map((message) => `\n  - ${message}`).join("");
    if (report.foreign.length > 0) {
        throw new ForeignObjectsError(`webserver-sidecar: ${report.foreign.length} of the objects this stack would create `
            + `already exist${report.foreign.length === 1 ? "s" : ""} and ${report.foreign.length === 1 ? "is" : "are"} not this stack's; `
            + `nothing was created or changed:${list(report.foreign)}`);
    }
    if (report.unreadable.length === 0) {
        return;
    }
    const what = "could not check that the objects this stack would create are not someone else's";
    if (deps.dryRun) {
        deps.warn(`webserver-sidecar: ${what}:${list(report.unreadable)}\nThis preview did not check it; \`pulumi up\` will stop, creating nothing, until it can.`);
    } else {
        throw new ForeignObjectsError(`webserver-sidecar: ${what}; nothing was created or changed:${list(report.unreadable)}`);
    }
}

/**
 * Waits for the reachability check and the ownership reads, started together so that they overlap,
 * and acts on them in that order: a cluster that does not answer is reported as such (and on `up`
 * stops it) without the reads' own failures; a preview of a cluster that did not answer has said so
 * and skips the ownership report; otherwise the report is acted on ({@link reportOwnership}).
 * @throws what the reachability check throws, else what {@link reportOwnership} throws.
 */
export async function checkBeforeRegistering(
    reachability: Promise<ReachabilityOutcome>, ownership: Promise<OwnershipReport>, deps: OwnershipReportDependencies,
): Promise<void> {
    // Settled into a value at once: a rejection must not go unhandled while reachability is awaited.
    const settled = ownership.then((report) => ({ report }), (error: unknown) => ({ error }));
    const reached = await reachability;
    if (reached.checked && !reached.result.answered) {
        return;
    }
    const outcome = await settled;
    if ("error" in outcome) {
        throw outcome.error;
    }
    reportOwnership(outcome.report, deps);
}

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

/**
 * The program's ownership reads: every fixed-name object the component would create for `args`,
 * in its namespace (the provider's unless `args` names one), read from the cluster.
 * @param read the reader, by default {@link clusterMetadataReader} of `cluster`.
 */
export function inspectClusterOwnership(
    cluster: ClusterSettings, args: ResolvedWebServerArgs, stack: StackIdentity, read: MetadataReader = clusterMetadataReader(cluster),
): Promise<OwnershipReport> {
    return inspectOwnership(componentObjects(args), args.namespace ?? cluster.namespace, ownerOf(stack), args.selectorLabels, read);
}

/** The real dependencies of {@link reportOwnership}: whether this is a preview, and Pulumi's log. */
export function liveOwnershipReportDependencies(): OwnershipReportDependencies {
    return { dryRun: pulumi.runtime.isDryRun(), warn: (message) => void pulumi.log.warn(message) };
}
