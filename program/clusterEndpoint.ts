/**
 * Which API server the provider will talk to: the context it uses and that context's cluster
 * `server`, resolved from the cluster settings the way kubectl (and so the provider) resolves a
 * kubeconfig. Read only, pure apart from reading kubeconfig files through the environment.
 */
import * as yaml from "js-yaml";
import { KubeconfigEnvironment, kubeconfigDocuments } from "./kubeconfig";
import type { ClusterSettings } from "./stackConfig";

/** The API server a context names, and where that was read. */
export interface ClusterEndpoint {
    /** The context the provider uses: the configured one, else the kubeconfig's current-context. */
    readonly context: string;
    /** The context's cluster `server`, as written in the kubeconfig, e.g. `https://10.0.0.1:6443`. */
    readonly server: string;
    /** Where the context was found: a file's path, or the inline kubeconfig's origin (kubeconfig.ts's INLINE_ORIGIN). */
    readonly origin: string;
    /** The cluster's `tls-server-name`, the name to send in TLS instead of the server's host. */
    readonly tlsServerName?: string;
    /** The cluster's `proxy-url`: the client reaches the server through it, not directly. */
    readonly proxyUrl?: string;
}

/** Why the endpoint cannot be named (the provider may still find one: in-cluster config, say). */
export interface UnresolvedEndpoint {
    readonly unresolved: string;
}

interface NamedEntry {
    readonly name?: unknown;
    readonly context?: { readonly cluster?: unknown };
    readonly cluster?: { readonly server?: unknown; readonly "tls-server-name"?: unknown; readonly "proxy-url"?: unknown };
}

interface Document {
    readonly origin: string;
    readonly contexts: NamedEntry[];
    readonly clusters: NamedEntry[];
    readonly currentContext?: string;
}

function parseDocument(origin: string, text: string): Document | undefined {
    let parsed: unknown;
    try {
        parsed = yaml.load(text); // JSON is YAML too
    } catch {
        return undefined; // checkKubeconfig has reported it before this runs
    }
    if (typeof parsed !== "object" || parsed === null) {
        return undefined;
    }
    const fields = parsed as Record<string, unknown>;
    const list = (value: unknown): NamedEntry[] => (Array.isArray(value) ? value.filter((e) => typeof e === "object" && e !== null) : []);
    const current = fields["current-context"];
    return {
        origin,
        contexts: list(fields.contexts),
        clusters: list(fields.clusters),
        currentContext: typeof current === "string" && current !== "" ? current : undefined,
    };
}

/**
 * Resolves the context and server the provider will use. Several files in $KUBECONFIG are merged
 * as kubectl merges them: the first file that sets current-context wins, and so does the first
 * file that defines a context or cluster name.
 * @returns the endpoint, or why it cannot be named (no kubeconfig, no current-context, no server).
 */
export function resolveClusterEndpoint(cluster: ClusterSettings, env: KubeconfigEnvironment): ClusterEndpoint | UnresolvedEndpoint {
    const documents = kubeconfigDocuments(cluster.kubeconfig, env).flatMap(({ origin, text }) => {
        const document = parseDocument(origin, text);
        return document ? [document] : [];
    });
    if (documents.length === 0) {
        return { unresolved: "no kubeconfig was found, so the provider falls back to in-cluster config, which this check does not resolve" };
    }

    const context = cluster.context ?? documents.find((d) => d.currentContext !== undefined)?.currentContext;
    if (context === undefined) {
        return { unresolved: "the kubeconfig sets no current-context and none is configured" };
    }
    const found = documents.flatMap((d) => d.contexts.filter((c) => c.name === context).map((c) => ({ entry: c, origin: d.origin })))[0];
    const clusterName = found?.entry.context?.cluster;
    if (found === undefined || typeof clusterName !== "string") {
        return { unresolved: `the context "${context}" is not defined, or names no cluster` };
    }
    const clusterEntry = documents.flatMap((d) => d.clusters).find((c) => c.name === clusterName)?.cluster;
    const server = clusterEntry?.server;
    if (typeof server !== "string" || server === "") {
        return { unresolved: `the cluster "${clusterName}" of context "${context}" has no server` };
    }
    const tlsServerName = clusterEntry?.["tls-server-name"];
    const proxyUrl = clusterEntry?.["proxy-url"];
    return {
        context,
        server,
        origin: found.origin,
        ...(typeof tlsServerName === "string" && tlsServerName !== "" ? { tlsServerName } : {}),
        ...(typeof proxyUrl === "string" && proxyUrl !== "" ? { proxyUrl } : {}),
    };
}

/** Host names that Go's HTTP client never sends through a proxy from the environment. */
function isLoopback(host: string): boolean {
    return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

/**
 * The proxy the provider's client would go through to reach `server`, if any: the cluster's
 * `proxy-url`, else HTTPS_PROXY / HTTP_PROXY from the environment (either case), unless NO_PROXY
 * names the host (exactly, as a domain suffix, or `*`) or the host is loopback. NO_PROXY entries
 * that are CIDRs are not matched here, so such a server counts as proxied: the check is then
 * skipped rather than made over a route the client would not take.
 */
export function proxyFor(endpoint: ClusterEndpoint, environment: Readonly<Record<string, string | undefined>>): string | undefined {
    if (endpoint.proxyUrl !== undefined) {
        return endpoint.proxyUrl;
    }
    let url: URL;
    try {
        url = new URL(endpoint.server);
    } catch {
        return undefined;
    }
    const host = url.hostname.toLowerCase();
    const variable = (name: string) => environment[name] || environment[name.toLowerCase()] || undefined;
    const proxy = url.protocol === "http:" ? variable("HTTP_PROXY") : variable("HTTPS_PROXY");
    if (proxy === undefined || isLoopback(host)) {
        return undefined;
    }
    const exempt = (variable("NO_PROXY") ?? "").split(",").map((e) => e.trim().toLowerCase()).filter((e) => e !== "").some((entry) => {
        const domain = entry.replace(/^\*?\./, "").replace(/:\d+$/, "");
        return entry === "*" || host === domain || host.endsWith(`.${domain}`);
    });
    return exempt ? undefined : proxy;
}
