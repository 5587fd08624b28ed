/**
 * Which API server the provider will talk to: the context it uses and that context's cluster
 * `server`, resolved from the cluster settings the way kubectl (and so the provider) resolves a
 * kubeconfig. Read only, pure apart from reading kubeconfig files through the environment.
 */
import { KubeconfigEnvironment, kubeconfigDocuments } from "./kubeconfig";
import { ParsedKubeconfig, isParsedKubeconfig, parseKubeconfig } from "./parseKubeconfig";
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
    /** Present when the cluster sets `insecure-skip-tls-verify: true`: the client does not check the server's certificate. */
    readonly insecureSkipTlsVerify?: true;
}

/** Why the endpoint cannot be named (the provider may still find one: in-cluster config, say). */
export interface UnresolvedEndpoint {
    readonly unresolved: string;
}

/** A parsed document and where it was read, in kubectl's order. */
interface ReadDocument extends ParsedKubeconfig {
    readonly origin: string;
}

/**
 * Resolves the context and server the provider will use. Several files in $KUBECONFIG are merged
 * as kubectl merges them: the first file that sets current-context wins, and so does the first
 * file that defines a context or cluster name.
 * @returns the endpoint, or why it cannot be named (no kubeconfig, no current-context, no server).
 */
export function resolveClusterEndpoint(cluster: ClusterSettings, env: KubeconfigEnvironment): ClusterEndpoint | UnresolvedEndpoint {
    // A document that does not parse has been reported by checkKubeconfig before this runs.
    const documents: ReadDocument[] = kubeconfigDocuments(cluster.kubeconfig, env).flatMap(({ origin, text }) => {
        const parsed = parseKubeconfig(text);
        return isParsedKubeconfig(parsed) ? [{ origin, ...parsed }] : [];
    });
    if (documents.length === 0) {
        return { unresolved: "no kubeconfig was found, so the provider falls back to in-cluster config, which this check does not resolve" };
    }

    const context = cluster.context ?? documents.find((d) => d.currentContext !== undefined)?.currentContext;
    if (context === undefined) {
        return { unresolved: "the kubeconfig sets no current-context and none is configured" };
    }
    const found = documents.flatMap((d) => d.contexts.filter((c) => c.name === context).map((c) => ({ entry: c, origin: d.origin })))[0];
    const clusterName = found?.entry.cluster;
    if (found === undefined || clusterName === undefined) {
        return { unresolved: `the context "${context}" is not defined, or names no cluster` };
    }
    const clusterEntry = documents.flatMap((d) => d.clusters).find((c) => c.name === clusterName);
    const server = clusterEntry?.server;
    if (clusterEntry === undefined || server === undefined) {
        return { unresolved: `the cluster "${clusterName}" of context "${context}" has no server` };
    }
    return {
        context,
        server,
        origin: found.origin,
        ...(clusterEntry.tlsServerName !== undefined ? { tlsServerName: clusterEntry.tlsServerName } : {}),
        ...(clusterEntry.proxyUrl !== undefined ? { proxyUrl: clusterEntry.proxyUrl } : {}),
        ...(clusterEntry.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true as const } : {}),
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

/**
 * What is insecure in how the client reaches the server, as a warning naming the context: a
 * plain `http://` server (credentials and manifests in clear text), or `insecure-skip-tls-verify`
 * (anyone in the path can pose as the API server and receive the credentials).
 * @returns the warning, or `undefined` when the connection is verified TLS.
 */
export function insecureTransportWarning(endpoint: ClusterEndpoint): string | undefined {
    const problems = [
        ...(endpoint.server.startsWith("http://") ? [`its server ${endpoint.server} is plain http://, so credentials and manifests cross the network unencrypted`] : []),
        ...(endpoint.insecureSkipTlsVerify ? ["it sets insecure-skip-tls-verify: true, so the server's certificate is not checked and anyone in the path can pose as the API server"] : []),
    ];
    return problems.length === 0 ? undefined
        : `the Kubernetes cluster of context "${endpoint.context}" (from ${endpoint.origin}) is reached insecurely: ${problems.join("; and ")}. `
            + "Use an https:// server with its CA (certificate-authority-data) in the kubeconfig.";
}
