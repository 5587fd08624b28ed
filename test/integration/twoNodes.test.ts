/**
 * Two nodes (issue 29): an instance's replicas spread over both; its Service reaches the Pods on
 * both from a client on each; the NetworkPolicy holds on both nodes, admitting the allowed Pods from
 * the other node and keeping the rest out; and a node lost as a failed machine is: its Deployment
 * Pods run again on the other node within a bound, and a bare Pod's loss shows in a refreshed
 * preview once the operator has marked the node out of service. Every Pod tolerates the local
 * second node's taint (lab/clusterNodes.ts), which changes nothing on kind. The node-loss test needs
 * the local cluster's second node, which `scripts/cluster.sh lose-second-node` takes down.
 */
import { expect } from "chai";
import { ClientPod } from "../../lab/clientPod";
import { SECOND_NODE_TOLERATION, nodesOfPods, placementOn, schedulableNodes } from "../../lab/clusterNodes";
import { loseSecondNode, restoreSecondNode } from "../../lab/localNode";
import { readContainerOutput } from "../../lab/logFollower";
import { sleep, waitFor } from "../../lab/polling";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, kubectlError } from "../../lab/pulumiHarness";
import { answered, consistently, eventually, refused } from "../helpers/reachability";
import { isLocalCluster, skipBecause, testImages } from "./clusterCapabilities";

const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";
/** What the stand-in nginx and the official one both serve at `/`. */
const NGINX_PAGE = "Welcome to nginx!";
/** Requests through the Service from each client: with two endpoints, all on one has odds of 2 in 2^40. */
const REQUESTS_PER_CLIENT = 40;
/**
 * From the node's loss to every Deployment Pod Ready on the other node: the node lifecycle
 * controller's grace period (50 s in Kubernetes 1.36), the default toleration of an unreachable
 * node (30 s on the local cluster: controlPlane.sh), then a Pod's scheduling and start.
 */
const NODE_LOSS_BOUND_MS = 180_000;

interface LivePod { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { podIP?: string; conditions?: { type: string; status: string }[] } }

function pods(namespace: string): LivePod[] {
    return (JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", SELECTOR, "-o", "json"])) as { items: LivePod[] }).items;
}

function ready(pod: LivePod): boolean {
    return pod.metadata.deletionTimestamp === undefined && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

describe("two nodes: spread, cross-node Service and policy, and a lost node (issue 29)", function () {
    this.timeout(900_000);
    let namespace: string;
    let stack: TestStack;
    let nodes: string[];
    const clients = new Map<string, { frontend: ClientPod; outsider: ClientPod }>();
    const image = testImages().sidecarImage;
    const config = (replicas: number | undefined) => ({
        kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "ClusterIP", port: 80 }),
        ...(replicas !== undefined ? { replicas: String(replicas) } : {}),
        tolerations: JSON.stringify([SECOND_NODE_TOLERATION]),
        allowFrom: JSON.stringify([{ podSelector: { role: "frontend" } }]),
    });

    before(async function () {
        nodes = schedulableNodes();
        if (nodes.length < 2) {
            skipBecause(this, `needs two schedulable nodes; this cluster schedules on ${nodes.length} (${nodes.join(", ")}): scripts/cluster.sh up --nodes 2`);
        }
        nodes = nodes.slice(0, 2);
        namespace = createNamespace("two-nodes");
        stack = await TestStack.create(config(2));
        await stack.up();
        for (const [index, node] of nodes.entries()) {
            const [frontend, outsider] = await Promise.all([
                ClientPod.start(image, namespace, `frontend-${index}`, { role: "frontend" }, false, placementOn(node)),
                ClientPod.start(image, namespace, `outsider-${index}`, { role: "outsider" }, false, placementOn(node)),
            ]);
            clients.set(node, { frontend, outsider });
        }
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("spreads 2 replicas over the 2 nodes", () => {
        expect(nodesOfPods(namespace, SELECTOR), "the nodes of the Pods").to.deep.equal(nodes);
    });

    it("reaches the Pods on both nodes through the Service, from a client on each node", async () => {
        const url = `http://webserver.${namespace}.svc.cluster.local/`;
        for (const [node, { frontend }] of clients) {
            await eventually(`the Service from ${node}`, () => frontend.get(url), answered);
            for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
                const result = frontend.get(`${url}?from=${frontend.name}&n=${i}`);
                expect(result.code, `request ${i} from ${node}: ${result.output}`).to.equal(0);
            }
        }
        // Each Pod's sidecar shipped requests of both clients: each client reached both nodes.
        await waitFor("every Pod to have shipped a request of every client", () => pods(namespace).every((pod) => {
            const shipped = readContainerOutput({ namespace, pod: pod.metadata.name, container: "sidecar-container" }).shipped;
            return [...clients.values()].every(({ frontend }) => shipped.includes(`?from=${frontend.name}&`));
        }) ? true : undefined, 30_000, 1000);
    });

    it("holds the NetworkPolicy on both nodes: allowed Pods of either node get in, others of either node do not", async () => {
        for (const pod of pods(namespace)) {
            for (const [node, { frontend, outsider }] of clients) {
                const target = `http://${pod.status.podIP}/`;
                const where = `${pod.metadata.name} on ${pod.spec.nodeName}, from ${node}`;
                expect((await eventually(`role=frontend reaches ${where}`, () => frontend.get(target), answered)).output).to.include(NGINX_PAGE);
                await consistently(`role=outsider kept out of ${where}`, () => outsider.get(target), refused);
            }
        }
    });

    it(`a lost node: its Deployment Pods Ready on the other within ${NODE_LOSS_BOUND_MS / 1000} s; a bare Pod's loss shows in a refreshed preview once the node is marked out of service`, async function () {
        if (!isLocalCluster()) {
            skipBecause(this, "losing a node needs the project's local cluster (scripts/cluster.sh lose-second-node)");
        }
        const lost = "webserver-sidecar-node-2";
        // A bare Pod that prefers the second node, so it runs there and can be scheduled on the first.
        const bareNamespace = createNamespace("lost-bare");
        const bare = await TestStack.create({
            kubeconfig: clusterKubeconfig(), namespace: bareNamespace, tolerations: JSON.stringify([SECOND_NODE_TOLERATION]),
            affinity: JSON.stringify({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [lost] }] } }] } }),
        });
        try {
            await bare.up();
            expect(kubectl(["get", "pod", "webserver", "-n", bareNamespace, "-o", "jsonpath={.spec.nodeName}"]), "the bare Pod's node").to.equal(lost);
            expect(nodesOfPods(namespace, SELECTOR), "the Deployment's nodes before the loss").to.include(lost);

            const lostAt = Date.now();
            loseSecondNode();
            try {
                await waitFor("the Deployment's Pods all Ready, none on the lost node", () => {
                    const live = pods(namespace).filter((pod) => pod.metadata.deletionTimestamp === undefined);
                    return live.length === 2 && live.every((pod) => ready(pod) && pod.spec.nodeName !== lost) ? true : undefined;
                }, NODE_LOSS_BOUND_MS, 1000);
                console.log(`      the Deployment's 2 Pods Ready on the first node ${((Date.now() - lostAt) / 1000).toFixed(0)} s after the node was lost`);

                // Kubernetes never recreates a bare Pod, and cannot finish deleting one on a node that
                // does not answer: it stays, Terminating, until the operator marks the node out of
                // service (the non-graceful node shutdown taint), which has its Pods force-deleted.
                kubectl(["taint", "node", lost, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"]);
                await waitFor("the bare Pod force-deleted", () => (kubectl(["get", "pod", "webserver", "-n", bareNamespace, "--ignore-not-found", "-o", "name"]) === "" ? true : undefined), 120_000, 1000);
                const plain = await bare.preview();
                expect(Object.keys(plain.changeSummary), "a plain preview, from the state: no change").to.deep.equal(["same"]);
                await bare.preview({ refresh: true });
                const changes = bare.steps().filter(([op]) => op !== "same" && op !== "refresh");
                expect(changes, "a refreshed preview: the Pod will be created, nothing else changes").to.deep.equal([["create", "kubernetes:core/v1:Pod"]]);
                const result = await bare.up({ refresh: true });
                expect(result.summary.resourceChanges, "up --refresh").to.deep.include({ create: 1 });
                expect(kubectl(["get", "pod", "webserver", "-n", bareNamespace, "-o", "jsonpath={.spec.nodeName}"]), "the recreated bare Pod's node")
                    .to.not.equal(lost);
            } finally {
                restoreSecondNode();
                kubectlError(["taint", "node", lost, "node.kubernetes.io/out-of-service-"]);
                await sleep(1000);
            }
        } finally {
            // A Pod left on a node that did not come back would hold the stack's destroy for 10 minutes.
            kubectlError(["delete", "pod", "webserver", "-n", bareNamespace, "--force", "--grace-period=0", "--ignore-not-found"]);
            await bare.dispose();
            deleteNamespace(bareNamespace);
        }
    });
});
