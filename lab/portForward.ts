/**
 * Requests to a Pod as a user makes them from a laptop: through `kubectl port-forward`, which works
 * on every cluster (the node's Pod network is not reachable from outside kind, say).
 */
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import { waitFor } from "./polling";
import { clusterKubeconfig } from "./pulumiHarness";

/** What a GET returned. */
export interface HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: Buffer;
}

/**
 * GETs each of `urlPaths` from port 80 of `pod`, in order, through one `kubectl port-forward` on a
 * local port kubectl chooses.
 */
export function getThroughPortForward(pod: string, namespace: string, urlPaths: readonly string[]): Promise<HttpResponse[]> {
    return getThroughForward(`pod/${pod}`, 80, namespace, urlPaths);
}

/**
 * GETs each of `urlPaths` from `port` of `resource` (`pod/<name>`, or `service/<name>`, for which
 * kubectl picks a Pod the Service selects), in order, through one `kubectl port-forward` on a local
 * port kubectl chooses.
 */
export async function getThroughForward(resource: string, port: number, namespace: string, urlPaths: readonly string[]): Promise<HttpResponse[]> {
    const forward: ChildProcess = spawn("kubectl", ["--kubeconfig", clusterKubeconfig(), "port-forward", "-n", namespace, resource, `:${port}`],
        { stdio: ["ignore", "pipe", "inherit"] });
    try {
        let output = "";
        forward.stdout?.on("data", (data: Buffer) => { output += data.toString(); });
        const localPort = await waitFor("port-forward to listen", () => /Forwarding from 127\.0\.0\.1:([0-9]+)/.exec(output)?.[1], 30_000, 50);
        const responses: HttpResponse[] = [];
        for (const urlPath of urlPaths) {
            responses.push(await get(Number(localPort), urlPath));
        }
        return responses;
    } finally {
        forward.kill("SIGTERM");
    }
}

function get(port: number, urlPath: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: urlPath }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
            response.on("error", reject);
        }).on("error", reject);
    });
}
