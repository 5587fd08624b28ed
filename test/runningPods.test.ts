/**
 * The program's podNames reader (program/runningPods.ts) with the real @kubernetes/client-node,
 * against a stand-in API server on 127.0.0.1 (no cluster): the paths and queries it asks, and the
 * list after an out-of-band restart whose rollout is still going on the first look.
 */
import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { listDeploymentPodNames } from "../components/deploymentPods";
import { clientNodeReader } from "../program/runningPods";

const SELECTOR = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };
const LABELS = { ...SELECTOR };

function deployment(updatedReplicas: number): object {
    return {
        kind: "Deployment", apiVersion: "apps/v1",
        metadata: { name: "webserver", namespace: "ns", generation: 4, annotations: { "deployment.kubernetes.io/revision": "2" } },
        spec: { replicas: 3 },
        status: { observedGeneration: 4, replicas: 3, updatedReplicas, availableReplicas: updatedReplicas },
    };
}

function pod(name: string, hash: string): object {
    return { kind: "Pod", apiVersion: "v1", metadata: { name, namespace: "ns", labels: { ...LABELS, "pod-template-hash": hash } } };
}

/** A stand-in API server: the Deployment rolls out on the first look and is done on the next ones. */
function standInApi(): Promise<{ server: http.Server; url: string; requests: string[] }> {
    const requests: string[] = [];
    let looks = 0;
    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://localhost");
        requests.push(`${request.method} ${url.pathname}${url.search}`);
        const selector = url.searchParams.get("labelSelector") ?? "";
        let body: object | undefined;
        if (url.pathname === "/apis/apps/v1/namespaces/ns/deployments/webserver") {
            body = deployment(looks++ === 0 ? 1 : 3);
        } else if (url.pathname === "/apis/apps/v1/namespaces/ns/replicasets") {
            body = { kind: "ReplicaSetList", apiVersion: "apps/v1", metadata: {}, items: [["1", "aaa"], ["2", "bbb"]].map(([revision, hash]) => ({
                metadata: { name: `webserver-${hash}`, namespace: "ns", annotations: { "deployment.kubernetes.io/revision": revision }, labels: { ...LABELS, "pod-template-hash": hash } },
            })) };
        } else if (url.pathname === "/api/v1/namespaces/ns/pods") {
            const all = [pod("webserver-bbb-2", "bbb"), pod("webserver-bbb-1", "bbb"), pod("webserver-bbb-3", "bbb")];
            body = { kind: "PodList", apiVersion: "v1", metadata: {}, items: selector.includes("pod-template-hash=bbb") ? all : [] };
        }
        response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
        response.end(JSON.stringify(body ?? { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () =>
        resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests })));
}

function inlineKubeconfig(server: string): string {
    return JSON.stringify({
        apiVersion: "v1", kind: "Config", "current-context": "stand-in",
        // client-node refuses plain http unless TLS verification is off (there is no TLS to verify).
        clusters: [{ name: "stand-in", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "nobody", user: {} }],
        contexts: [{ name: "stand-in", context: { cluster: "stand-in", user: "nobody", namespace: "ns" } }],
    });
}

describe("podNames through @kubernetes/client-node (program/runningPods.ts), against a stand-in API server", function () {
    this.timeout(20_000);

    it("reads the live Deployment until its rollout is done, then that revision's ReplicaSet and Pods", async () => {
        const api = await standInApi();
        try {
            const reader = await clientNodeReader({ kubeconfig: { kind: "inline", contents: inlineKubeconfig(api.url) }, context: undefined, namespace: "ns" });
            const names = await listDeploymentPodNames(reader, "ns", "webserver", SELECTOR, { timeoutSeconds: 10, pollMs: 10 });
            expect(names).to.deep.equal(["webserver-bbb-1", "webserver-bbb-2", "webserver-bbb-3"]);
            const selector = encodeURIComponent("app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver");
            expect(api.requests).to.deep.equal([
                "GET /apis/apps/v1/namespaces/ns/deployments/webserver",
                "GET /apis/apps/v1/namespaces/ns/deployments/webserver",
                `GET /apis/apps/v1/namespaces/ns/replicasets?labelSelector=${selector}`,
                `GET /api/v1/namespaces/ns/pods?labelSelector=${selector}${encodeURIComponent(",pod-template-hash=bbb")}`,
            ]);
        } finally {
            api.server.close();
        }
    });
});
