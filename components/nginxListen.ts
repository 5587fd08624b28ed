/**
 * Which nginx `listen` directives the Pod's traffic reaches. The kubelet's readiness probe
 * (`GET /` over plain HTTP/1.1) and the Service both connect to the Pod's IP on port 80, so a
 * server block must listen there on every address: `listen 80` and its spellings, with `[::]:80`
 * besides for IPv6. A listen on one address (`127.0.0.1:80`), another port, a unix socket, or with
 * TLS or the PROXY protocol would leave the Pod never Ready.
 *
 * The descriptions below are in our own words and quote none of the directive's text, which may
 * be part of a secret server block.
 */

/** nginx's port in the Pod: the container port, the probes' and the Service's target. */
const PROBED_PORT = "80";

/** Addresses meaning "every IPv4 address" (`listen 80` has none, which means the same). */
const IPV4_WILDCARDS: readonly string[] = ["*", "0.0.0.0"];
/** The IPv6 wildcard as nginx's docs and the official image write it. */
const IPV6_WILDCARD = "[::]";

/** listen parameters (nginx 1.22 on Linux) that keep the socket plain HTTP/1.1 on the same addresses. */
const HARMLESS_FLAGS: readonly string[] = ["default_server", "default", "bind", "deferred", "reuseport"];
/** listen parameters with a value (`backlog=511`) that keep it so; their values are nginx's to check. */
const HARMLESS_SETTINGS: readonly string[] = ["backlog", "rcvbuf", "sndbuf", "fastopen", "ipv6only", "so_keepalive"];
/** listen parameters that change the protocol: the probe's plain HTTP/1.1 request then fails. */
const PROTOCOL_CHANGING: readonly string[] = ["ssl", "http2", "proxy_protocol"];

/** What a `listen` must be, for messages. */
export const REACHABLE_LISTEN_RULE = "listen 80, *:80 or 0.0.0.0:80 (and [::]:80 besides, for IPv6), with any of "
    + `${HARMLESS_FLAGS.join(", ")}, ${HARMLESS_SETTINGS.map((setting) => `${setting}=`).join(", ")}: `
    + "the kubelet's readiness probe and the Service reach nginx on the Pod's IP, port 80, over plain HTTP";

/** A listen's address split as nginx reads it: `[v6]:port`, `host:port`, a port alone, or a host alone (port 80). */
function splitListenAddress(address: string): { readonly host: string; readonly port: string } {
    const ipv6 = /^(\[[^\]]*\])(?::(.*))?$/.exec(address);
    if (ipv6 !== null) {
        return { host: ipv6[1], port: ipv6[2] ?? PROBED_PORT };
    }
    const colon = address.lastIndexOf(":");
    if (colon >= 0) {
        return { host: address.slice(0, colon), port: address.slice(colon + 1) };
    }
    return /^\d+$/.test(address) ? { host: "*", port: address } : { host: address, port: PROBED_PORT };
}

/**
 * Checks one `listen` directive's arguments.
 * @returns what keeps the probe from reaching it, in words that quote none of it; `undefined` when it is reachable.
 */
export function listenProblem(args: readonly string[]): string | undefined {
    const [address, ...parameters] = args;
    if (address === undefined) {
        return "no address";
    }
    if (address.startsWith("unix:")) {
        return "a unix socket: the probe connects over TCP";
    }
    const { host, port } = splitListenAddress(address);
    if (port !== PROBED_PORT) {
        return "a port other than 80";
    }
    if (!IPV4_WILDCARDS.includes(host) && host !== IPV6_WILDCARD) {
        return "one address, not every address of the Pod";
    }
    for (const parameter of parameters) {
        const [name] = parameter.split("=", 1);
        if (PROTOCOL_CHANGING.includes(parameter)) {
            // The parameter is one of our own words here, so naming it quotes nothing of the user's.
            return `the parameter ${parameter}: the probe speaks plain HTTP/1.1`;
        }
        const known = parameter.includes("=") ? HARMLESS_SETTINGS.includes(name) : HARMLESS_FLAGS.includes(parameter);
        if (!known) {
            return "a parameter other than those listed";
        }
    }
    return undefined;
}

/**
 * Whether a reachable `listen` also takes IPv4 connections: the Pod's IP, in an IPv4 or dual-stack
 * cluster, is IPv4. `[::]:80` alone takes only IPv6 (nginx sets ipv6only=on), unless `ipv6only=off`.
 */
export function listensOnIpv4(args: readonly string[]): boolean {
    const [address = "", ...parameters] = args;
    const { host } = splitListenAddress(address);
    return IPV4_WILDCARDS.includes(host) || (host === IPV6_WILDCARD && parameters.includes("ipv6only=off"));
}
