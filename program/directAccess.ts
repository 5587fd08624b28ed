/**
 * How the program's own reads reach the API server without @kubernetes/client-node, for the
 * kubeconfigs most clusters hand out: a server with its CA (or `insecure-skip-tls-verify`), and a
 * user with a client certificate and key or a bearer token (kind, minikube, k3s, kubeadm, a
 * ServiceAccount's token). The client's module takes 0.4-0.75 s to load, and the ownership check
 * (ownership.ts) reads the cluster on every preview and up, so that load was most of what a no-op
 * `up` cost over a plain program.
 *
 * Anything else is left to the client, as before: exec plugins (EKS, GKE, AKS), auth providers,
 * basic auth, impersonation, a proxy, both a file and inline data for one field, no user at all,
 * no kubeconfig (in-cluster). The options built here are those the client builds for the same
 * kubeconfig (test/directAccess.test.ts holds them equal), but for `tokenFile`, which the client
 * (1.4.0) ignores and the provider (client-go) reads: read here as the provider does.
 */
import * as fs from "fs";
import type * as https from "https";
import * as path from "path";
import { proxyFor, resolveClusterEndpoint } from "./clusterEndpoint";
import { INLINE_ORIGIN, KubeconfigEnvironment, kubeconfigDocuments } from "./kubeconfig";
import { KubeconfigCluster, KubeconfigUser, ParsedKubeconfig, isParsedKubeconfig, parseKubeconfig } from "./parseKubeconfig";
import { ClusterSettings } from "./stackConfig";

/** Where to send a request, and the TLS options and headers that authenticate it. */
export interface DirectAccess {
    readonly server: string;
    readonly options: https.RequestOptions;
}

/** Why the kubeconfig is left to the client. */
export interface ClientNeeded {
    readonly clientNeeded: string;
}

/** The user fields this module knows how to apply; any other field sends the kubeconfig to the client. */
const DIRECT_USER_FIELDS = new Set(["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token", "tokenFile", "extensions"]);

/** A parsed document and the directory its relative paths are read from. */
interface PlacedDocument extends ParsedKubeconfig {
    readonly directory: string;
}

/**
 * The direct way to the API server the provider uses, or why the client is needed instead.
 * @param environment the process environment, for HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
 */
export function directAccess(
    cluster: ClusterSettings, kubeconfigEnv: KubeconfigEnvironment, environment: Readonly<Record<string, string | undefined>>,
): DirectAccess | ClientNeeded {
    const endpoint = resolveClusterEndpoint(cluster, kubeconfigEnv);
    if ("unresolved" in endpoint) {
        return { clientNeeded: endpoint.unresolved };
    }
    if (proxyFor(endpoint, environment) !== undefined) {
        return { clientNeeded: "the server is reached through a proxy" };
    }
    const documents: PlacedDocument[] = kubeconfigDocuments(cluster.kubeconfig, kubeconfigEnv).flatMap(({ origin, text }) => {
        const parsed = parseKubeconfig(text);
        const directory = origin === INLINE_ORIGIN ? process.cwd() : path.dirname(origin);
        return isParsedKubeconfig(parsed) ? [{ directory, ...parsed }] : [];
    });
    // kubectl's merge, as resolveClusterEndpoint reads it: the first definition of each name wins.
    const context = documents.flatMap((d) => d.contexts).find((c) => c.name === endpoint.context);
    const clusterEntry = first(documents, (d) => d.clusters.find((c) => c.name === context?.cluster));
    const userEntry = context?.user === undefined ? undefined : first(documents, (d) => d.users.find((u) => u.name === context.user));
    if (clusterEntry === undefined || userEntry === undefined) {
        return { clientNeeded: "the context names no user" };
    }
    const unknownFields = Object.keys(userEntry.entry.user).filter((field) => !DIRECT_USER_FIELDS.has(field));
    if (unknownFields.length > 0) {
        return { clientNeeded: `the user has ${unknownFields.join(", ")}` };
    }
    const tls = tlsOptions(clusterEntry, userEntry);
    return "clientNeeded" in tls ? tls : { server: endpoint.server, options: tls };
}

/** The first document's match, with the document: its directory resolves the match's relative paths. */
function first<T>(documents: readonly PlacedDocument[], find: (document: PlacedDocument) => T | undefined): { entry: T; directory: string } | undefined {
    for (const document of documents) {
        const entry = find(document);
        if (entry !== undefined) {
            return { entry, directory: document.directory };
        }
    }
    return undefined;
}

/** The request options for a cluster and user entry, as the client sets them. */
function tlsOptions(
    cluster: { entry: KubeconfigCluster; directory: string }, user: { entry: KubeconfigUser; directory: string },
): https.RequestOptions | ClientNeeded {
    const fields = user.entry.user;
    const ca = material(cluster.directory, cluster.entry.certificateAuthority, cluster.entry.certificateAuthorityData);
    const cert = material(user.directory, fields["client-certificate"], fields["client-certificate-data"]);
    const key = material(user.directory, fields["client-key"], fields["client-key-data"]);
    const token = fields.token;
    const tokenFile = fields.tokenFile;
    if (ca === BOTH || cert === BOTH || key === BOTH || (token !== undefined && tokenFile !== undefined)) {
        return { clientNeeded: "a field is given both as a file and inline" };
    }
    if ((token !== undefined && typeof token !== "string") || (tokenFile !== undefined && typeof tokenFile !== "string")) {
        return { clientNeeded: "the user's token is not a string" };
    }
    const bearer = token ?? (tokenFile === undefined ? undefined : fs.readFileSync(path.resolve(user.directory, tokenFile), "utf8").trim());
    return {
        ...(cluster.entry.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
        ...(cluster.entry.tlsServerName !== undefined ? { servername: cluster.entry.tlsServerName } : {}),
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(bearer !== undefined && bearer !== "" ? { headers: { Authorization: `Bearer ${bearer}` } } : {}),
    };
}

/** Marks a field given both as a file and inline (kubectl refuses that; the client takes the file). */
const BOTH = Symbol("both a file and data");

/** A certificate or key: the file's bytes, or the inline base64 data decoded. */
function material(directory: string, file: unknown, data: unknown): Buffer | undefined | typeof BOTH {
    const hasFile = typeof file === "string" && file !== "";
    const hasData = typeof data === "string" && data !== "";
    if (hasFile && hasData) {
        return BOTH;
    }
    if (hasFile) {
        return fs.readFileSync(path.resolve(directory, file));
    }
    return hasData ? Buffer.from(data, "base64") : undefined;
}
