/**
 * What operators and the kubelet do to the Pod while the shipper rotates, in the component's Pod on
 * a real node (the local cluster's, or kind's; the node reached as lab/nodeAccess.ts says): a `kubectl exec ... tail -f` left running on the access log under
 * full load; nginx restarted while a rotated file is still draining; the sidecar killed right after
 * a rotation. Each counts nginx's lines (its unrotated truth copies) against every run of the
 * sidecar's output as the kubelet stored it (lab/containerLogKeeper.ts).
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import { NGINX_CONTAINER, SIDECAR_CONTAINER } from "../../components/podSpec";
import { request, SustainedLoad, sustainLoad } from "../../lab/load";
import { KillOptions, NodeAccess, UsageWatch } from "../../lab/nodeAccess";
import { LogFollower } from "../../lab/nodePod";
import { waitFor } from "../../lab/polling";
import { createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { CHUNK_BYTES_OF_SHIPPER } from "../../lab/shipperFacts";
import { linesOf } from "../../lab/lineAccounting";
import { newestOfSeveralMastersReopened, nginxMasters } from "../helpers/nginxMasters";
import { account, bytesOfLines, eventually, expectEveryLineOnce, expectNothingLost, nginxProcesses, sleep, WatchedPod } from "../helpers/shippingChecks";
import { nodeAccessFor } from "./clusterCapabilities";

/** How long the tail -f is held through full load (the 30 s). */
const HELD_MS = 30_000;
/**
 * A request's line is in the sidecar's container log (what `kubectl logs` serves) within this of
 * the request being sent: measured with the time containerd read the line from the sidecar's
 * stdout, which the node's CRI log file stamps on it.
 */
const LINE_LATENCY_BOUND_MS = 1000;
/**
 * Harness deadline (not the bound under test) for a marker to come through a running
 * `kubectl logs -f` too: that stream adds the kubelet's following of the log file, which is not the
 * shipper's. Under this full load on 2 cores it has taken from about a second to 4.0 s in one full
 * test run, more than 10 s in the next, and 26.9 s in a run of this file alone, while each marker
 * was in the container log within the bound below (which is what this test holds the shipper to):
 * the kubelet's follow of a CRI log file that grows by megabytes a second lags. This deadline only
 * says the stream is still alive.
 */
const KUBECTL_FOLLOW_DEADLINE_MS = 120_000;

/** A kill that strikes as soon as the shipper has renamed access.log to access.log.1 (watched on the node). */
const AFTER_ROTATION: KillOptions = { onceSharedLogExists: "access.log.1", timeoutMs: 60_000 };

describe("the shipper under an operator's hands (the real node, under load)", function () {
    this.timeout(300_000);
    let namespace: string;
    let node: NodeAccess;
    let watched: WatchedPod | undefined;
    let load: SustainedLoad | undefined;
    let tail: ChildProcess | undefined;
    // Stopped after every test, failed ones included: a disk watcher or a follower left running
    // would keep mocha from exiting (and the shared cluster's lock held).
    let disk: UsageWatch | undefined;
    let follower: LogFollower | undefined;

    before(async () => {
        namespace = createNamespace("shipper-operator");
        node = await nodeAccessFor(namespace);
    });

    after(() => {
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    afterEach(async () => {
        await load?.stop();
        load = undefined;
        await disk?.stop();
        disk = undefined;
        follower?.stop();
        follower = undefined;
        tail?.kill("SIGKILL");
        tail = undefined;
        watched?.cleanUp();
        watched = undefined;
    });


    it(`a kubectl exec tail -f on the access log held through ${HELD_MS / 1000} s of full load: every line once, each in the container log within ${LINE_LATENCY_BOUND_MS} ms, the volume under its limit, no eviction`, async () => {
        const limit = 8 * 2 ** 20;
        watched = await WatchedPod.start(namespace, node, "8Mi");
        tail = spawn("kubectl", ["exec", "-n", namespace, watched!.pod.name, "-c", NGINX_CONTAINER, "--", "tail", "-f", "/var/log/nginx/access.log"], { stdio: ["ignore", "ignore", "inherit"] });
        follower = watched!.pod.follow(SIDECAR_CONTAINER);
        disk = await watched!.pod.watchSharedLogsUsage();
        load = sustainLoad(watched!.pod.baseUrl, 32);
        const sentAt: number[] = [];
        const followLatencies: number[] = [];
        const started = Date.now();
        for (let marker = 0; Date.now() - started < HELD_MS; marker++) {
            sentAt.push(Date.now());
            await request(watched!.pod.baseUrl, `/?marker=${marker}`);
            await waitFor(`marker ${marker} through kubectl logs -f`, () => (follower!.output.includes(`/?marker=${marker} `) ? true : undefined), KUBECTL_FOLLOW_DEADLINE_MS, 10);
            followLatencies.push(Date.now() - sentAt[marker]);
            await sleep(500);
        }
        await load.stop();
        load = undefined;
        const peak = await disk.stop();
        disk = undefined;
        expect(tail.exitCode, "tail -f still running").to.equal(null);
        const phase = watched!.pod.live().status;
        expect(phase.phase, `the Pod's phase (${phase.reason ?? ""})`).to.equal("Running");
        expect(watched!.pod.containerStatus(SIDECAR_CONTAINER)?.restartCount, "sidecar restarts").to.equal(0);
        expect(peak, "peak bytes in shared-logs (none seen: the watch saw no volume)").to.be.greaterThan(0);
        expect(peak, `peak bytes in shared-logs (limit ${limit})`).to.be.lessThan(limit);

        follower.stop();
        follower = undefined;
        await watched!.pod.delete();
        const chunks = await watched!.shippedChunks();
        const latencies = sentAt.map((sent, marker) => {
            const chunk = chunks.find((c) => c.text.includes(`/?marker=${marker} `));
            expect(chunk, `marker ${marker} in the sidecar's container log`).to.not.equal(undefined);
            return chunk!.atMs - sent;
        });
        expect(Math.max(...latencies), `request sent to its line in the container log, per marker: ${latencies.map((l) => l.toFixed(0)).join(", ")} ms`).to.be.at.most(LINE_LATENCY_BOUND_MS);
        const result = account(watched!.pod, chunks.map((chunk) => chunk.text).join(""));
        expectEveryLineOnce(result);
        expect(result.shippedLines.filter((l) => l.includes("reopening logs") && l.includes("SIGUSR1")).length, "rotations while tail held the file").to.be.at.least(3);
        console.log(`      ${result.written.toLocaleString("en-US")} lines, 0 lost; markers, request sent to its line: in the container log at most ${Math.max(...latencies).toFixed(0)} ms, `
            + `through kubectl logs -f at most ${Math.max(...followLatencies)} ms, over ${latencies.length}; peak ${peak} bytes`);
    });

    it("nginx restarted (SIGKILL) while a rotated file drains: the sidecar keeps running, nothing lost, the new nginx is rotated too", async () => {
        watched = await WatchedPod.start(namespace, node, "8Mi");
        load = sustainLoad(watched!.pod.baseUrl, 4);
        await watched!.pod.killContainer(NGINX_CONTAINER, "SIGKILL", AFTER_ROTATION);
        await eventually("the kubelet to restart nginx", 30_000, () => watched!.pod.containerStatus(NGINX_CONTAINER)?.restartCount === 1 && watched!.pod.containerStatus(NGINX_CONTAINER)?.ready === true);
        // More load, until the new master has been rotated too: on a slow machine that takes more
        // than the few seconds it takes here (1 MiB of access lines from 4 connections). The old
        // master may never have reopened: the kill can land between the sidecar's rename and its
        // SIGUSR1 (one run in about eight here), so the new master is the one that must have.
        await eventually("a rotation of the new nginx master", 120_000, () => newestOfSeveralMastersReopened(nginxMasters(linesOf(watched!.pod.truthText("error.log")))));
        await load.stop();
        load = undefined;
        expect(watched!.pod.containerStatus(SIDECAR_CONTAINER)?.restartCount, "the sidecar kept running").to.equal(0);

        const result = account(watched!.pod, await watched!.deleteAndCollect());
        expectNothingLost(result);
        expect(result.duplicated, "lines shipped twice").to.have.length(0);
        expect(result.unexpected.length, "lines cut from the truth copy by the kill (at most one per nginx process)").to.be.at.most(nginxProcesses(watched!.pod));
        const masters = nginxMasters(result.shippedLines);
        expect(newestOfSeveralMastersReopened(masters), `shipped: the restarted nginx's master reopened its logs (masters started ${masters.started.join(", ")}; reopened ${[...masters.reopened].join(", ")})`).to.equal(true);
    });

    it("the sidecar killed right after a rotation: restarted, it replays at most one chunk and skips nothing", async () => {
        watched = await WatchedPod.start(namespace, node, "8Mi"); // rotates at 1 MiB: a whole rotated file is four chunks
        load = sustainLoad(watched!.pod.baseUrl, 4);
        await watched!.pod.killContainer(SIDECAR_CONTAINER, "SIGKILL", AFTER_ROTATION);
        await eventually("the kubelet to restart the sidecar", 30_000, () => watched!.pod.containerStatus(SIDECAR_CONTAINER)?.restartCount === 1
            && watched!.pod.containerStatus(SIDECAR_CONTAINER)?.state.running !== undefined);
        await sleep(2000);
        await load.stop();
        load = undefined;

        const result = account(watched!.pod, await watched!.deleteAndCollect());
        expectNothingLost(result);
        expect(result.unexpected, "shipped lines nginx never wrote").to.have.length(0);
        const replayedBytes = bytesOfLines(result.duplicated);
        expect(replayedBytes, `${result.duplicated.length} lines replayed`).to.be.at.most(CHUNK_BYTES_OF_SHIPPER);
        console.log(`      ${result.written.toLocaleString("en-US")} lines, 0 lost, ${replayedBytes} bytes replayed (bound ${CHUNK_BYTES_OF_SHIPPER})`);
    });
});
