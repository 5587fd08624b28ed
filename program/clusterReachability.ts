/**
 * Before any resource is registered: does the cluster the provider will use answer at all?
 *
 * Without this, an unreachable cluster costs `pulumi up` up to two minutes (the provider's
 * client waits 32 s per request, twice, in the preview and again in the update) and ends in an
 * error that names the server but not the context; and `pulumi preview` prints a plan, green,
 * with no word that it was not compared with the cluster. With it, `up` fails within
 * {@link REACHABILITY_TIMEOUT_MS} of the program's start, naming the context, the server and
 * what was tried, before anything is created; `preview` carries a warning saying the same.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterEndpoint, insecureTransportWarning, proxyFor, resolveClusterEndpoint } from "./clusterEndpoint";
import { INLINE_ORIGIN, KubeconfigEnvironment } from "./kubeconfig";
import { ProbeOptions, ProbeResult, probeServer } from "./serverProbe";
import { ClusterSettings } from "./stackConfig";

/**
 * How long the probe waits for the server's TCP connect and TLS handshake. A live API server
 * completes both in milliseconds, across continents in well under a second; 10 s leaves room for a
 * loaded server or a slow VPN, and covers four SYN attempts (Linux retries at 1, 3 and 7 s), so one
 * lost packet is not a failure. The provider's own timeout (32 s per request) is the wait this
 * replaces.
 */
export const REACHABILITY_TIMEOUT_MS = 10_000;

/** Thrown by `pulumi up` (not by preview) when the cluster does not answer; a RunError prints as its message alone. */
export class ClusterUnreachableError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ClusterUnreachableError";
    }
}

/** What the check did: probed (with the result), or skipped and why. */
export type ReachabilityOutcome =
    | { readonly checked: true; readonly endpoint: ClusterEndpoint; readonly result: ProbeResult }
    | { readonly checked: false; readonly skipped: string };

/** What the check needs from the outside world, passed in so that tests control all of it. */
export interface ReachabilityDependencies {
    /** True for `pulumi preview` (and the preview phase of `pulumi up`). */
    readonly dryRun: boolean;
    /** Reports a warning in the operation's diagnostics (pulumi.log.warn). */
    readonly warn: (message: string) => void;
    /** Reports a debug-level note, shown with --debug (pulumi.log.debug): why the check was skipped. */
    readonly debug: (message: string) => void;
    readonly kubeconfigEnv: KubeconfigEnvironment;
    /** The process environment, for HTTPS_PROXY and NO_PROXY. */
    readonly processEnv: Readonly<Record<string, string | undefined>>;
    readonly probe: (server: string, options: ProbeOptions) => Promise<ProbeResult>;
    /** @default REACHABILITY_TIMEOUT_MS */
    readonly timeoutMs?: number;
}

/** The context and server as a message names them. */
function describeEndpoint(endpoint: ClusterEndpoint): string {
    return `the Kubernetes cluster of context "${endpoint.context}" at ${endpoint.server} (from ${endpoint.origin})`;
}

/**
 * Probes the cluster the provider will use. On `up`, a cluster that does not answer is an error;
 * on preview, a warning, since a preview without the cluster (a CI runner outside a private
 * network) is legitimate as long as nobody takes its plan for a diff against the live cluster.
 * Skipped, with a debug note saying why, when the server cannot be probed faithfully: no
 * kubeconfig (in-cluster config), or a proxy between the client and the server.
 * @throws {ClusterUnreachableError} on `up` when the server does not answer within the timeout.
 */
export async function checkClusterReachable(cluster: ClusterSettings, deps: ReachabilityDependencies): Promise<ReachabilityOutcome> {
    const timeoutMs = deps.timeoutMs ?? REACHABILITY_TIMEOUT_MS;
    const resolved = resolveClusterEndpoint(cluster, deps.kubeconfigEnv);
    const skip = (why: string): ReachabilityOutcome => {
        deps.debug(`webserver-sidecar: not checking that the cluster answers: ${why}`);
        return { checked: false, skipped: why };
    };
    if ("unresolved" in resolved) {
        return skip(resolved.unresolved);
    }
    const insecure = insecureTransportWarning(resolved);
    if (insecure !== undefined) {
        deps.warn(insecure);
    }
    if (!/^https?:\/\/[^/]/.test(resolved.server)) {
        // client-go completes such a server (`10.0.0.1:6443`) with a scheme it picks from the TLS settings: not guessed here.
        return skip(`the server of context "${resolved.context}", ${resolved.server}, is not an https:// or http:// URL`);
    }
    const proxy = proxyFor(resolved, deps.processEnv);
    if (proxy !== undefined) {
        return skip(`${describeEndpoint(resolved)} is reached through the proxy ${redactUserInfo(proxy)}, which this check does not go through`);
    }

    const result = await deps.probe(resolved.server, { timeoutMs, ...(resolved.tlsServerName ? { tlsServerName: resolved.tlsServerName } : {}) });
    if (result.answered) {
        return { checked: true, endpoint: resolved, result };
    }
    const tried = `tried: a ${resolved.server.startsWith("https:") ? "TCP connect and TLS handshake" : "TCP connect"}, for at most ${timeoutMs / 1000} s`;
    if (deps.dryRun) {
        deps.warn(`could not reach ${describeEndpoint(resolved)}: ${result.reason} (${tried}). `
            + "This preview was NOT compared with the live cluster: its plan comes from the program and the stack's saved state only. "
            + "`pulumi up` will stop with an error, creating nothing, until the cluster answers.");
    } else {
        throw new ClusterUnreachableError(`cannot reach ${describeEndpoint(resolved)}: ${result.reason} (${tried}). `
            + "Nothing was created or changed. Is the API server running, and is this the cluster you meant? "
            + `Check with \`${kubectlCheck(resolved)}\`; to deploy elsewhere, set webserver-sidecar:context or webserver-sidecar:kubeconfig.`);
    }
    return { checked: true, endpoint: resolved, result };
}

/** The kubectl command that asks the same server the same question, for the user to retry by hand. */
function kubectlCheck(endpoint: ClusterEndpoint): string {
    const kubeconfig = endpoint.origin !== INLINE_ORIGIN ? ` --kubeconfig ${endpoint.origin}` : "";
    return `kubectl${kubeconfig} --context ${endpoint.context} get --raw /version`;
}

/** A proxy URL without its user:password part, for messages. */
function redactUserInfo(proxy: string): string {
    try {
        const url = new URL(proxy);
        if (url.username !== "" || url.password !== "") {
            url.username = "";
            url.password = "";
        }
        return url.toString();
    } catch {
        return "(set)";
    }
}

/** The real dependencies, for the program: Pulumi's log, the machine's files and environment, the network probe. */
export function liveReachabilityDependencies(kubeconfigEnv: KubeconfigEnvironment): ReachabilityDependencies {
    return {
        dryRun: pulumi.runtime.isDryRun(),
        warn: (message) => void pulumi.log.warn(message),
        debug: (message) => void pulumi.log.debug(message),
        kubeconfigEnv,
        processEnv: process.env,
        probe: probeServer,
    };
}
