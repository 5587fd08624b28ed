/**
 * Whether something answers at an API server's address: a TCP connect, and for `https://` a TLS
 * handshake, within a deadline. No request is sent and no credential is used, so exec credential
 * plugins (EKS, GKE) are never run. The certificate is not verified: that is the provider's job,
 * with the kubeconfig's CA; a server whose certificate is wrong still answers, and the provider
 * then says what is wrong with it.
 */
import * as net from "net";
import * as tls from "tls";

/** What the probe found. */
export type ProbeResult =
    | { readonly answered: true; readonly elapsedMs: number }
    /** `reason`: what the connection attempt ended with, e.g. `connection refused (ECONNREFUSED)`. */
    | { readonly answered: false; readonly reason: string; readonly elapsedMs: number };

/** How to probe: the deadline, and the name to send in TLS when it is not the URL's host. */
export interface ProbeOptions {
    readonly timeoutMs: number;
    readonly tlsServerName?: string;
}

/** The words for the errors a dead address gives, so that the message reads without errno lore. */
const ERROR_WORDS: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused: nothing listens there",
    EHOSTUNREACH: "no route to host",
    ENETUNREACH: "network unreachable",
    ENOTFOUND: "the host name does not resolve",
    EAI_AGAIN: "the host name could not be resolved (DNS did not answer)",
    ECONNRESET: "the connection was reset",
};

function describeError(error: NodeJS.ErrnoException): string {
    const words = error.code !== undefined ? ERROR_WORDS[error.code] : undefined;
    return words !== undefined ? `${words} (${error.code})` : error.message;
}

/**
 * Connects to `server` (an `https://` or `http://` URL; ports default to 443 and 80) and, for
 * https, completes a TLS handshake, giving up after `timeoutMs`. Never rejects.
 */
export function probeServer(server: string, options: ProbeOptions): Promise<ProbeResult> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    let url: URL;
    try {
        url = new URL(server);
    } catch {
        return Promise.resolve({ answered: false, reason: "the server is not a URL", elapsedMs: 0 });
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        return Promise.resolve({ answered: false, reason: `the scheme ${url.protocol} is neither https: nor http:`, elapsedMs: 0 });
    }
    const secure = url.protocol === "https:";
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 literals come bracketed
    const port = url.port !== "" ? Number(url.port) : secure ? 443 : 80;
    const servername = options.tlsServerName ?? (net.isIP(host) === 0 ? host : undefined); // SNI takes names, not addresses

    return new Promise((resolve) => {
        const socket: net.Socket = secure
            ? tls.connect({ host, port, servername, rejectUnauthorized: false, ALPNProtocols: ["h2", "http/1.1"] })
            : net.connect({ host, port });
        const finish = (result: ProbeResult) => {
            clearTimeout(timer);
            socket.removeAllListeners();
            socket.on("error", () => undefined); // a late error after destroy must not crash the program
            socket.destroy();
            resolve(result);
        };
        const timer = setTimeout(() => {
            const stage = socket.connecting ? "no answer to the TCP connect (packets dropped, or a host that is down)" : "the TCP connection opened, but no TLS handshake completed";
            finish({ answered: false, reason: `${stage} within ${options.timeoutMs / 1000} s`, elapsedMs: elapsed() });
        }, options.timeoutMs);
        socket.once(secure ? "secureConnect" : "connect", () => finish({ answered: true, elapsedMs: elapsed() }));
        socket.once("error", (error: NodeJS.ErrnoException) => {
            // A TLS alert is an answer: the server spoke TLS and refused something of ours (a
            // front that insists on a client certificate, say). Reachable; the provider says the rest.
            const answered = error.code?.startsWith("ERR_SSL_") === true;
            finish(answered ? { answered: true, elapsedMs: elapsed() } : { answered: false, reason: describeError(error), elapsedMs: elapsed() });
        });
    });
}
