/**
 * The sidecar ships every nginx line exactly once, in order per file: proven in the component's
 * own Pod on a real node (the local cluster's kubelet with containerd and runc, or kind's), with
 * nginx's unrotated truth copies (lab/measuringNginxConfig.ts) against what `kubectl logs` serves of
 * the sidecar. Load comes from wrk on this machine, to the Pod's IP. The volume is watched on the
 * node (lab/nodeAccess.ts): directly on the local cluster, through a helper Pod elsewhere.
 *
 * `SHIPPING_SIDECAR=tutorial` runs the same tests with the tutorial's sidecar: they fail, as they must.
 */
import { expect } from "chai";
import { SIDECAR_CONTAINER } from "../../components/podSpec";
import { isErrorLogLine, linesOf } from "../../lab/lineAccounting";
import { request, runLoad } from "../../lab/load";
import { NodeAccess } from "../../lab/nodeAccess";
import { NodePod } from "../../lab/nodePod";
import { CHUNK_BYTES_OF_SHIPPER } from "../../lab/shipperFacts";
import { createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { account, bytesOfLines, eventually, expectEveryLineOnce, sleep, startPod } from "../helpers/shippingChecks";
import { nodeAccessFor } from "./clusterCapabilities";

/** Asserts `actual` is `expected`, element by element, naming the first difference. */
function expectSameSequence(actual: string[], expected: string[], what: string): void {
    const firstDifference = expected.findIndex((line, i) => actual[i] !== line);
    expect(firstDifference, `${what}: first difference at line ${firstDifference}: got ${actual[firstDifference]}, expected ${expected[firstDifference]}`).to.equal(-1);
    expect(actual.length, `${what}: line count`).to.equal(expected.length);
}

/** Deletes the Pod the kubelet's way and returns everything the sidecar shipped up to its exit. */
async function deleteAndCollect(pod: NodePod, follower: ReturnType<NodePod["follow"]>): Promise<{ shipped: string; terminatedAt: Map<string, number> }> {
    const terminatedAt = await pod.delete();
    // The Pod is gone on purpose: the kubelet's NotFound for its container may end the follow.
    return { shipped: await follower.doneAfterDeletion(), terminatedAt };
}

describe("the sidecar ships every nginx line once (the real node: kubelet, containerd, runc)", function () {
    this.timeout(300_000);
    let namespace: string;
    let node: NodeAccess;
    let pod: NodePod | undefined;

    before(async () => {
        namespace = createNamespace("shipping");
        node = await nodeAccessFor(namespace);
    });

    after(() => {
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    afterEach(() => {
        pod?.cleanUp();
        pod = undefined;
    });

    it("at idle: each request's access line, and each 404's error line, in order", async () => {
        pod = await startPod(namespace, node);
        const follower = pod.follow(SIDECAR_CONTAINER);
        for (let i = 0; i < 20; i++) {
            await request(pod.baseUrl, i % 5 === 4 ? `/missing/${i}` : `/?idle=${i}`);
            await sleep(25);
        }
        const { shipped } = await deleteAndCollect(pod, follower);
        const result = account(pod, shipped);
        expectEveryLineOnce(result);
        const ours = (l: string) => l.includes("?idle=") || l.includes("/missing/");
        expectSameSequence(result.shippedLines.filter((l) => !isErrorLogLine(l) && ours(l)), result.writtenAccess.filter(ours), "access.log");
        expect(result.writtenAccess.filter(ours)).to.have.length(20);
    });

    it("under load from wrk: every line once, and each file's lines in the file's order", async () => {
        // A limit this large means no rotation: the shared files hold every line, in write order.
        pod = await startPod(namespace, node, { logSizeLimit: "1Gi" });
        const follower = pod.follow(SIDECAR_CONTAINER);
        const load = await runLoad(`${pod.baseUrl}/`, { seconds: 3, connections: 16 });
        // Read the shared file before the Pod (and its emptyDir) goes; nginx writes little more.
        await sleep(500);
        const sharedAccess = linesOf(pod.readSharedLog("access.log"));
        const { shipped } = await deleteAndCollect(pod, follower);
        const result = account(pod, shipped);
        expectEveryLineOnce(result);
        // The probes' lines keep coming: compare the order of the lines both copies hold.
        const shippedAccess = result.shippedLines.filter((l) => !isErrorLogLine(l));
        expectSameSequence(shippedAccess.slice(0, sharedAccess.length), sharedAccess, "access.log");
        expect(result.writtenAccess.length).to.be.at.least(load.requests);
    });

    for (const sidecarMode of ["native", "classic"] as const) {
        it(`at shutdown (${sidecarMode} sidecar): lines nginx writes in its last moments are shipped`, async () => {
            pod = await startPod(namespace, node, { sidecarMode, logSizeLimit: "1Gi" });
            const follower = pod.follow(SIDECAR_CONTAINER);
            const load = runLoad(`${pod.baseUrl}/`, { seconds: 4, connections: 8 });
            await sleep(1500);
            const { shipped, terminatedAt } = await deleteAndCollect(pod, follower); // while wrk is still sending
            await load.catch(() => undefined); // wrk sees its connections closed: expected
            expectEveryLineOnce(account(pod, shipped));
            // nginx's own goodbye is the last line its master writes: it must have been shipped.
            expect(shipped).to.match(/\[notice\] \d+#\d+: exit\n/);
            if (sidecarMode === "native") {
                expect(terminatedAt.get("nginx-container"), "nginx seen terminated").to.not.equal(undefined);
                const sidecarStop = terminatedAt.get(SIDECAR_CONTAINER) ?? Number.POSITIVE_INFINITY;
                expect(sidecarStop, "the sidecar stops after nginx").to.be.at.least(terminatedAt.get("nginx-container")!);
            }
        });
    }

    it("across rotation, one request at a time: files stay under sizeLimit, nginx is signalled across containers, every line once, in order", async () => {
        const limit = 2 * 2 ** 20; // rotates at 256 KiB: every ~1,700 access lines
        pod = await startPod(namespace, node, { logSizeLimit: "2Mi" });
        const follower = pod.follow(SIDECAR_CONTAINER);
        const disk = await pod.watchSharedLogsUsage();
        await runLoad(`${pod.baseUrl}/`, { seconds: 4, connections: 1 });
        const peak = await disk.stop();
        const { shipped } = await deleteAndCollect(pod, follower);
        const result = account(pod, shipped);
        expectEveryLineOnce(result);
        // One connection: each request follows the previous one, so the order is total.
        const requests = (l: string) => l.includes("GET /?r=") || l.includes("GET /missing/");
        expectSameSequence(result.shippedLines.filter((l) => !isErrorLogLine(l) && requests(l)), result.writtenAccess.filter(requests), "access.log");
        // nginx's master, in the other container, reopened its logs on the sidecar's SIGUSR1.
        const rotations = result.shippedLines.filter((l) => l.includes("reopening logs") && l.includes("SIGUSR1")).length;
        expect(rotations, "rotations").to.be.at.least(3);
        expect(peak, "peak bytes in shared-logs (none seen: the watch saw no volume)").to.be.greaterThan(0);
        expect(peak, `peak bytes in shared-logs (limit ${limit})`).to.be.lessThan(limit);
    });

    it("across rotation under concurrent load: every line once, files under sizeLimit", async () => {
        const limit = 4 * 2 ** 20;
        pod = await startPod(namespace, node, { logSizeLimit: "4Mi" });
        const follower = pod.follow(SIDECAR_CONTAINER);
        const disk = await pod.watchSharedLogsUsage();
        await runLoad(`${pod.baseUrl}/`, { seconds: 5, connections: 32 });
        const peak = await disk.stop();
        const { shipped } = await deleteAndCollect(pod, follower);
        const result = account(pod, shipped);
        expectEveryLineOnce(result);
        expect(result.shippedLines.filter((l) => l.includes("reopening logs") && l.includes("SIGUSR1")).length).to.be.at.least(3);
        expect(peak, "peak bytes in shared-logs (none seen: the watch saw no volume)").to.be.greaterThan(0);
        expect(peak, `peak bytes in shared-logs (limit ${limit})`).to.be.lessThan(limit);
    });

    it("when killed and restarted by the kubelet mid-stream: skips nothing, replays at most one chunk", async () => {
        pod = await startPod(namespace, node, { logSizeLimit: "8Mi" });
        const load = runLoad(`${pod.baseUrl}/`, { seconds: 5, connections: 1 });
        await sleep(1500);
        await pod.killContainer(SIDECAR_CONTAINER, "SIGKILL"); // a crash: the kubelet restarts the native sidecar
        await eventually("the kubelet to restart the sidecar", 30_000, () => pod!.containerStatus(SIDECAR_CONTAINER)?.state.running !== undefined
            && pod!.containerStatus(SIDECAR_CONTAINER)?.restartCount === 1);
        // The first run's output is complete (it has exited); the second's is followed to its end.
        const firstRun = await pod.logs(SIDECAR_CONTAINER, true);
        const follower = pod.follow(SIDECAR_CONTAINER);
        await load;
        const { shipped: secondRun } = await deleteAndCollect(pod, follower);
        const shipped = firstRun + secondRun;
        const result = account(pod, shipped);
        expect(result.lost, "lines skipped across the restart").to.have.length(0);
        expect(result.unexpected).to.have.length(0);
        // The shipper saves its offsets after each chunk it writes: a kill between the write and
        // the save replays that chunk, never more.
        const replayedBytes = bytesOfLines(result.duplicated);
        expect(replayedBytes, `${result.duplicated.length} lines replayed`).to.be.at.most(CHUNK_BYTES_OF_SHIPPER);
    });
});
