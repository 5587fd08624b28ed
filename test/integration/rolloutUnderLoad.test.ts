/**
 * Replicas under sustained load through their Service (issue 19, item 4): a client Pod requests
 * the Service by its cluster DNS name on several connections for the whole test, while the stack
 * rolls every Pod (a change to the site), scales from 3 to 1 and back, and, on a cluster of several
 * nodes, while one node is drained. Every sidecar's output is followed from its start, so lines
 * shipped by Pods deleted since are counted too. The bounds: no failed request, and every answered
 * request's access line shipped exactly once, across old and new Pods.
 */
import { expect } from "chai";
import { ClientPod } from "../../lab/clientPod";
import { SECOND_NODE_TOLERATION, nodesOfPods as nodesOfSelectedPods, schedulableNodes } from "../../lab/clusterNodes";
import { sleep } from "../../lab/polling";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { SidecarLogCollector } from "../../lab/sidecarLogCollector";
import { ServiceLoad, ServiceLoadResult, accountLoadLines } from "../../lab/serviceLoad";
import { skipBecause, testImages } from "./clusterCapabilities";

/** The bounds this test holds. */
const MAX_FAILED_REQUESTS = 0;
const MAX_LOST_OR_DUPLICATED_LINES = 0;
/** Seconds of load before and after each change: requests in flight across its start and its end. */
const SETTLE_SECONDS = 5;

const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

function config(namespace: string, replicas: number, page: string): Record<string, string> {
    return {
        kubeconfig: clusterKubeconfig(), namespace, replicas: String(replicas), service: JSON.stringify({ type: "ClusterIP", port: 80 }),
        content: JSON.stringify({ "index.html": page }),
        // The local cluster's second node takes only Pods that tolerate its taint; on kind this changes nothing.
        tolerations: JSON.stringify([SECOND_NODE_TOLERATION]),
    };
}

/** The nodes the instance's running Pods are on. */
function nodesOfPods(namespace: string): string[] {
    return nodesOfSelectedPods(namespace, SELECTOR);
}

/** Checks the load's result against the bounds, printing the counts. */
function expectNoFailureAndEveryLineOnce(what: string, result: ServiceLoadResult, outputs: Map<string, string>): void {
    const { lost, duplicated } = accountLoadLines(result.answered, outputs.values());
    console.log(`      ${what}: ${result.answered.length} requests answered, ${result.failed.length} failed; `
        + `${lost.length} lines lost, ${duplicated.length} duplicated, across ${outputs.size} Pods' sidecars`);
    expect(result.failed.slice(0, 5), "failed requests").to.have.length.at.most(MAX_FAILED_REQUESTS);
    expect(result.answered.length, "requests answered during the test").to.be.above(100);
    expect(lost.length + duplicated.length, `lost: ${lost.slice(0, 5).join(", ")}; duplicated: ${duplicated.slice(0, 5).join(", ")}`)
        .to.be.at.most(MAX_LOST_OR_DUPLICATED_LINES);
}

describe("replicas under load through their Service: rollouts, scaling and drains lose no request and no line", function () {
    this.timeout(900_000);
    let namespace: string;
    let stack: TestStack;
    let client: ClientPod;
    const serviceUrl = () => `http://webserver.${namespace}.svc.cluster.local/`;

    before(async () => {
        namespace = createNamespace("rollout");
        stack = await TestStack.create(config(namespace, 3, "<h1>first</h1>\n"));
        await stack.up();
        client = await ClientPod.start(testImages().sidecarImage, namespace, "load-client", { role: "load" });
        console.log(`      the load comes from a python3 Pod (${testImages().sidecarImage}), through ${serviceUrl()}`);
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    /** Runs `change` under load, then checks the bounds over everything the load did. */
    async function underLoad(what: string, change: () => Promise<void>): Promise<void> {
        const collector = new SidecarLogCollector(namespace, SELECTOR);
        const load = ServiceLoad.start(client, serviceUrl());
        await sleep(SETTLE_SECONDS * 1000);
        const started = Date.now();
        await change();
        console.log(`      ${what} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
        await sleep(SETTLE_SECONDS * 1000);
        const result = await load.stop();
        const outputs = await collector.stop((all) => accountLoadLines(result.answered, [all]).lost.length === 0);
        expectNoFailureAndEveryLineOnce(what, result, outputs);
    }

    it("rolls all 3 Pods to a new site", async () => {
        await underLoad("the rollout", async () => {
            await stack.setConfig(config(namespace, 3, "<h1>second</h1>\n"));
            await stack.up();
        });
    });

    it("scales from 3 to 1 and back to 3", async () => {
        await underLoad("3 → 1 → 3", async () => {
            await stack.setConfig(config(namespace, 1, "<h1>second</h1>\n"));
            await stack.up();
            await stack.setConfig(config(namespace, 3, "<h1>second</h1>\n"));
            await stack.up();
        });
    });

    it("spreads the Pods over the nodes, and drains one node within its PodDisruptionBudget", async function () {
        const schedulable = schedulableNodes();
        if (schedulable.length < 2) {
            skipBecause(this, `a drain needs another node to move the Pods to; this cluster schedules on ${schedulable.length} (${schedulable.join(", ")})`);
        }
        expect(nodesOfPods(namespace), "the Pods are spread over the nodes").to.have.length(Math.min(3, schedulable.length));
        const drained = nodesOfPods(namespace)[0];
        try {
            await underLoad(`draining ${drained}`, async () => {
                kubectl(["drain", drained, "--ignore-daemonsets", "--delete-emptydir-data", "--pod-selector", SELECTOR, "--timeout=300s"]);
            });
            expect(nodesOfPods(namespace)).to.not.include(drained);
        } finally {
            kubectl(["uncordon", drained]);
        }
    });
});
