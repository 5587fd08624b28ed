/**
 * kwok's per-Pod debugging objects (kwok.x-k8s.io/v1alpha1), named after the Pod they serve:
 * `Logs` tells kwok which file holds each container's log, `PortForward` which command carries a
 * forwarded port's bytes on its stdin and stdout.
 */

const KWOK_API = "kwok.x-k8s.io/v1alpha1";

/** A kwok object, as kubectl applies it. */
export interface KwokObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace: string };
    readonly spec: unknown;
}

/** `kubectl logs POD -c C [-f]` reads `files[C]` (CRI log format) and follows it. */
export function buildLogsObject(podName: string, namespace: string, files: Record<string, string>): KwokObject {
    return {
        apiVersion: KWOK_API,
        kind: "Logs",
        metadata: { name: podName, namespace },
        spec: { logs: Object.entries(files).map(([container, file]) => ({ containers: [container], logsFile: file, follow: true })) },
    };
}

/**
 * `kubectl port-forward pod/POD L:P` runs `commandFor(P)` and joins the connection to its stdin and stdout.
 * @param ports the Pod's container ports.
 */
export function buildPortForwardObject(podName: string, namespace: string, ports: number[], commandFor: (port: number) => string[]): KwokObject {
    return {
        apiVersion: KWOK_API,
        kind: "PortForward",
        metadata: { name: podName, namespace },
        spec: { forwards: ports.map((port) => ({ ports: [port], command: commandFor(port) })) },
    };
}
