/**
 * The one reader of a kubeconfig document's YAML: every check of the program (the config check,
 * the endpoint the provider will use, the credentials that must be secret) reads the parsed
 * document this returns, never the text.
 *
 * Why our own reader and not `@kubernetes/client-node`'s `KubeConfig`: its merge of several files
 * is not kubectl's (it throws on a name two files define and lets the last file's
 * current-context win, where kubectl keeps the first of each), its 1.x releases are ES modules
 * only and load in about 0.75 s (on every preview), and 2.x needs Node 22. What we need of a
 * kubeconfig is its names, servers and credential fields: a typed view of the document is enough,
 * and kubectl's merge rules live in clusterEndpoint.ts.
 */
import * as yaml from "js-yaml";

/** A context: the cluster and user it names. */
export interface KubeconfigContext {
    readonly name: string;
    readonly cluster?: string;
    readonly user?: string;
}

/** A cluster entry: where its API server is and how it is reached. */
export interface KubeconfigCluster {
    readonly name: string;
    readonly server?: string;
    readonly tlsServerName?: string;
    readonly proxyUrl?: string;
    /** `insecure-skip-tls-verify: true`: the server's certificate is not checked. */
    readonly insecureSkipTlsVerify: boolean;
    /** `certificate-authority-data`: the CA bundle that signs the server's certificate, base64. */
    readonly certificateAuthorityData?: string;
    /** `certificate-authority`: the same as a file's path (relative to the kubeconfig's directory). */
    readonly certificateAuthority?: string;
}

/** A user entry, with its fields as written (credentials among them: see kubeconfigCredentials.ts). */
export interface KubeconfigUser {
    readonly name?: string;
    readonly user: Readonly<Record<string, unknown>>;
}

/** A kubeconfig document, parsed: entries that are not objects are left out. */
export interface ParsedKubeconfig {
    readonly currentContext?: string;
    readonly contexts: readonly KubeconfigContext[];
    readonly clusters: readonly KubeconfigCluster[];
    readonly users: readonly KubeconfigUser[];
}

/** Why a document is not a kubeconfig: the YAML error's first line, or what is missing. */
export interface KubeconfigParseError {
    readonly error: string;
}

/**
 * Parses a kubeconfig document (YAML, or JSON, which is YAML too).
 * @returns the parsed document, or why it is not one (the message never quotes the document,
 *   which may hold credentials).
 */
export function parseKubeconfig(text: string): ParsedKubeconfig | KubeconfigParseError {
    let parsed: unknown;
    try {
        parsed = yaml.load(text);
    } catch (e) {
        return { error: (e as Error).message.split("\n")[0] };
    }
    if (!isRecord(parsed)) {
        return { error: "not a kubeconfig object" };
    }
    for (const list of ["contexts", "clusters", "users"]) {
        if (parsed[list] !== undefined && parsed[list] !== null && !Array.isArray(parsed[list])) {
            return { error: `'${list}' is not a list` };
        }
    }
    const entries = (list: string): Record<string, unknown>[] => (Array.isArray(parsed[list]) ? parsed[list].filter(isRecord) : []);
    const current = parsed["current-context"];
    return {
        ...(typeof current === "string" && current !== "" ? { currentContext: current } : {}),
        contexts: entries("contexts").flatMap((entry) => {
            const context = isRecord(entry.context) ? entry.context : {};
            return typeof entry.name === "string"
                ? [{ name: entry.name, ...(typeof context.cluster === "string" ? { cluster: context.cluster } : {}), ...optionalString("user", context.user) }]
                : [];
        }),
        clusters: entries("clusters").flatMap((entry) => {
            const cluster = isRecord(entry.cluster) ? entry.cluster : {};
            return typeof entry.name === "string"
                ? [{
                    name: entry.name,
                    ...optionalString("server", cluster.server),
                    ...optionalString("tlsServerName", cluster["tls-server-name"]),
                    ...optionalString("proxyUrl", cluster["proxy-url"]),
                    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
                    ...optionalString("certificateAuthorityData", cluster["certificate-authority-data"]),
                    ...optionalString("certificateAuthority", cluster["certificate-authority"]),
                }]
                : [];
        }),
        users: entries("users").map((entry) => ({
            ...(typeof entry.name === "string" ? { name: entry.name } : {}),
            user: isRecord(entry.user) ? entry.user : {},
        })),
    };
}

/** Whether a parse gave a document rather than an error. */
export function isParsedKubeconfig(result: ParsedKubeconfig | KubeconfigParseError): result is ParsedKubeconfig {
    return !("error" in result);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{ [field]: value }` for a non-empty string, else nothing: absent fields stay absent. */
function optionalString<K extends string>(field: K, value: unknown): Partial<Record<K, string>> {
    return typeof value === "string" && value !== "" ? ({ [field]: value } as Record<K, string>) : {};
}
