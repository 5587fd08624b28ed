/**
 * Faults inside the Pod and on its node, each under load, in the component's Pod on a real node
 * (the local cluster's, or kind's; the node reached as lab/nodeAccess.ts says): nginx killed,
 * nginx's liveness probe failing, the sidecar crash-looping, the kubelet restarting (on the local
 * node only: it stops and starts the kubelet with scripts/cluster.sh), the Pod deleted at full
 * load. Each test counts nginx's lines (its unrotated truth copies) against every run of the
 * sidecar's output as the kubelet stored it (lab/containerLogKeeper.ts), and states the bound it
 * holds the fault to.
 *
 * The fault table of docs/operating.md comes from these tests (with test/integration/*Faults* of the Pulumi side).
 */
import { expect } from "chai";
import { resolveArgs } from "../../components/args";
import { NGINX_CONTAINER, NGINX_PORT, SIDECAR_CONTAINER, buildNginxContainer } from "../../components/podSpec";
import { linesOf } from "../../lab/lineAccounting";
import { SustainedLoad, sustainLoad } from "../../lab/load";
import { kubectl, startKubelet, stopKubelet } from "../../lab/localNode";
import { NodeAccess } from "../../lab/nodeAccess";
import { NodePod } from "../../lab/nodePod";
import { createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { CHUNK_BYTES_OF_SHIPPER } from "../../lab/shipperFacts";
import { newestOfSeveralMastersReopened, nginxMasters } from "../helpers/nginxMasters";
import { account, bytesOfLines, eventually, expectEveryLineOnce, expectNothingLost, nginxProcesses, sleep, WatchedPod } from "../helpers/shippingChecks";
import { nodeAccessFor, skipUnlessLocalCluster } from "./clusterCapabilities";

/** nginx's probes as the component sets them. */
const NGINX_PROBES = buildNginxContainer(resolveArgs({}));
const LIVENESS = NGINX_PROBES.livenessProbe as { periodSeconds: number; failureThreshold: number; timeoutSeconds?: number };

/** The kubelet restarts a container that exited at once the first time; this bounds its noticing and starting it. */
const FIRST_RESTART_BOUND_MS = 20_000;

/**
 * The kubelet restarts nginx once its liveness probe has failed failureThreshold times in a row,
 * one try per period, each timing out after timeoutSeconds; then nginx quits gracefully and is
 * started again. The 15 s of slack cover the probe's phase and nginx's stop and start.
 */
const LIVENESS_RESTART_BOUND_MS = (LIVENESS.failureThreshold * LIVENESS.periodSeconds + (LIVENESS.timeoutSeconds ?? 1) + 15) * 1000;

/** How many times the sidecar is killed: three restarts take it through the kubelet's back-off (0, 10, 20 s). */
const SIDECAR_KILLS = 3;

/** The kubelet's crash-loop back-off before restart `n` (1-based): none, then 10 s doubling; plus 15 s to notice and start. */
function sidecarRestartBoundMs(n: number): number {
    return (n === 1 ? 0 : 10_000 * 2 ** (n - 2)) + 15_000;
}

/** How long the kubelet stays stopped: long enough for the sidecar to rotate and ship meanwhile, short of the 40 s after which the control plane would mark the node NotReady. */
const KUBELET_DOWN_MS = 15_000;

/** The Pod is gone before its grace period ends: the kubelet never had to SIGKILL a container that was still shipping. */
const GRACE_PERIOD_MS = resolveArgs({}).terminationGracePeriodSeconds * 1000;

/** The RESTARTS column of `kubectl get pod` for one Pod, as a user reads it. */
function restartsShownByKubectl(pod: NodePod): number {
    const row = kubectl(["get", "pod", pod.name, "-n", pod.namespace, "--no-headers"]);
    const match = /^\S+\s+\S+\s+\S+\s+(\d+)/.exec(row);
    if (match === null) {
        throw new Error(`unexpected kubectl get pod output: ${row}`);
    }
    return Number(match[1]);
}

describe("faults inside the Pod and on its node (the real node, under load)", function () {
    this.timeout(300_000);
    let namespace: string;
    let node: NodeAccess;
    let watched: WatchedPod | undefined;

    before(async () => {
        namespace = createNamespace("pod-faults");
        node = await nodeAccessFor(namespace);
    });

    after(() => {
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    /** Load started by the running test: stopped after it even when it fails, or wrk would run on and mocha never exit. */
    let runningLoad: SustainedLoad | undefined;

    function startLoad(connections: number): SustainedLoad {
        runningLoad = sustainLoad(watched!.pod.baseUrl, connections);
        return runningLoad;
    }

    afterEach(async () => {
        await runningLoad?.stop();
        runningLoad = undefined;
        watched?.cleanUp();
        watched = undefined;
    });



    function status(container: string) {
        return watched!.pod.containerStatus(container);
    }

    it(`nginx killed (SIGKILL) under load: restarted by the kubelet within ${FIRST_RESTART_BOUND_MS / 1000} s, shown in RESTARTS; nothing lost; the sidecar rotates the new nginx's logs`, async () => {
        // 8Mi rotates each file at 1 MiB: several rotations before the kill and after it.
        watched = await WatchedPod.start(namespace, node, "8Mi");
        const load = startLoad(4);
        await sleep(3000);
        await watched!.pod.killContainer(NGINX_CONTAINER, "SIGKILL");
        const killedAt = Date.now();
        await eventually("the kubelet to restart nginx", FIRST_RESTART_BOUND_MS, () => status(NGINX_CONTAINER)?.restartCount === 1 && status(NGINX_CONTAINER)?.ready === true);
        const restartMs = Date.now() - killedAt;
        // Load on the new nginx, through more rotations (1 MiB of access lines: seconds here, more on a slow machine).
        await eventually("a rotation of the new nginx master", 120_000, () => newestOfSeveralMastersReopened(nginxMasters(linesOf(watched!.pod.truthText("error.log")))));
        await load.stop();
        expect(restartsShownByKubectl(watched!.pod), "RESTARTS in kubectl get pod").to.equal(1);
        expect(status(SIDECAR_CONTAINER)?.restartCount, "the sidecar kept running").to.equal(0);

        const result = account(watched!.pod, await watched!.deleteAndCollect());
        expectNothingLost(result);
        expect(result.duplicated, "lines shipped twice").to.have.length(0);
        expect(result.unexpected.length, `lines shipped but cut from the truth copy by the kill (at most one per nginx process): ${result.unexpected.slice(0, 3).join(" | ")}`)
            .to.be.at.most(nginxProcesses(watched!.pod));
        const masters = nginxMasters(result.shippedLines);
        expect(masters.reopened.size, `shipped: nginx masters that reopened their logs on SIGUSR1, before and after the restart (started ${masters.started.join(", ")})`).to.be.at.least(2);
        console.log(`      nginx restarted ${(restartMs / 1000).toFixed(1)} s after the kill; ${result.written.toLocaleString("en-US")} lines, 0 lost, 0 duplicated, ${result.unexpected.length} cut from the truth copy by the kill`);
    });

    it(`nginx's liveness probe failing (new connections dropped): restarted by the kubelet within ${LIVENESS_RESTART_BOUND_MS / 1000} s; every line once`, async () => {
        watched = await WatchedPod.start(namespace, node, "8Mi");
        const load = startLoad(4);
        await sleep(2000);
        // Connections already open (wrk's) keep being served; the kubelet's probes cannot connect.
        const lift = watched!.pod.dropNewConnections(SIDECAR_CONTAINER, NGINX_PORT);
        const blockedAt = Date.now();
        try {
            await eventually("the kubelet to restart nginx for its failing liveness probe", LIVENESS_RESTART_BOUND_MS, () => status(NGINX_CONTAINER)?.restartCount === 1);
        } finally {
            lift();
        }
        const restartMs = Date.now() - blockedAt;
        await eventually("nginx Ready again", FIRST_RESTART_BOUND_MS, () => status(NGINX_CONTAINER)?.ready === true);
        await sleep(3000);
        await load.stop();
        expect(restartsShownByKubectl(watched!.pod), "RESTARTS in kubectl get pod").to.equal(1);
        const events = kubectl(["get", "events", "-n", namespace, "--field-selector", `involvedObject.name=${watched!.pod.name}`, "-o", "jsonpath={.items[*].message}"]);
        expect(events, "the kubelet's reason").to.match(/Liveness probe failed/);

        // The kubelet stops nginx gracefully (SIGQUIT): every line it wrote is whole in both copies.
        const result = account(watched!.pod, await watched!.deleteAndCollect());
        expectEveryLineOnce(result);
        console.log(`      nginx restarted ${(restartMs / 1000).toFixed(1)} s after its port stopped accepting; ${result.written.toLocaleString("en-US")} lines, 0 lost, 0 duplicated`);
    });

    it(`the sidecar crash-looping (killed ${SIDECAR_KILLS} times under load): resumes from its saved offsets, nothing lost, at most one chunk replayed per kill`, async () => {
        watched = await WatchedPod.start(namespace, node, "128Mi");
        const load = startLoad(1);
        const restartMs: number[] = [];
        for (let kill = 1; kill <= SIDECAR_KILLS; kill++) {
            await sleep(1500);
            await watched!.pod.killContainer(SIDECAR_CONTAINER, "SIGKILL");
            const killedAt = Date.now();
            await eventually(`the kubelet to restart the sidecar (${kill})`, sidecarRestartBoundMs(kill),
                () => status(SIDECAR_CONTAINER)?.restartCount === kill && status(SIDECAR_CONTAINER)?.state.running !== undefined);
            restartMs.push(Date.now() - killedAt);
        }
        await sleep(1500);
        await load.stop();
        expect(status(NGINX_CONTAINER)?.restartCount, "nginx kept running").to.equal(0);

        const shipped = await watched!.deleteAndCollect();
        expect(watched!.runs, "runs of the sidecar").to.equal(SIDECAR_KILLS + 1);
        const result = account(watched!.pod, shipped);
        expectNothingLost(result);
        expect(result.unexpected, "shipped lines nginx never wrote").to.have.length(0);
        // A kill between a chunk's write and the save of its offsets replays that chunk, never more.
        const replayedBytes = bytesOfLines(result.duplicated);
        expect(replayedBytes, `${result.duplicated.length} lines replayed`).to.be.at.most(SIDECAR_KILLS * CHUNK_BYTES_OF_SHIPPER);
        console.log(`      restarts after ${restartMs.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s; ${result.written.toLocaleString("en-US")} lines, 0 lost, ${result.duplicated.length} duplicated (${replayedBytes} bytes; bound ${SIDECAR_KILLS} x ${CHUNK_BYTES_OF_SHIPPER})`);
    });

    it(`the kubelet stopped for ${KUBELET_DOWN_MS / 1000} s under load and started again: the Pod keeps running, every line once`, async function () {
        // No Kubernetes API stops a kubelet, and kubectl exec into a helper Pod needs the kubelet to
        // start it again: on kind that would take systemd on the node (a timer set before the stop),
        // a path this machine, with no systemd, cannot prove.
        skipUnlessLocalCluster(this, "to stop and start the node's kubelet (scripts/cluster.sh stop-kubelet and start-kubelet)");
        watched = await WatchedPod.start(namespace, node, "32Mi");
        const containerIds = () => [NGINX_CONTAINER, SIDECAR_CONTAINER].map((c) => status(c)?.containerID);
        const before = containerIds();
        const load = startLoad(4);
        await sleep(2000);
        stopKubelet();
        try {
            await sleep(KUBELET_DOWN_MS);
        } finally {
            startKubelet();
        }
        await eventually("the Pod Ready again", 60_000, () => watched!.pod.live().status.conditions?.find((c) => c.type === "Ready")?.status === "True");
        await sleep(2000);
        await load.stop();
        expect(containerIds(), "the same containers (none restarted or replaced)").to.deep.equal(before);
        expect([status(NGINX_CONTAINER)?.restartCount, status(SIDECAR_CONTAINER)?.restartCount], "restart counts").to.deep.equal([0, 0]);

        const result = account(watched!.pod, await watched!.deleteAndCollect());
        expectEveryLineOnce(result);
        expect(nginxMasters(result.shippedLines).reopened.size, "rotation went on (nginx reopened its logs)").to.be.at.least(1);
        console.log(`      ${result.written.toLocaleString("en-US")} lines, 0 lost, 0 duplicated`);
    });

    it(`the Pod deleted under full load: every line nginx wrote is shipped, and the Pod is gone within its ${GRACE_PERIOD_MS / 1000} s grace period`, async () => {
        watched = await WatchedPod.start(namespace, node, "128Mi");
        const load = startLoad(32);
        await sleep(5000);
        const deletedAt = Date.now();
        const terminatedAt = await watched!.pod.delete(); // while wrk runs at full speed
        const deletionMs = Date.now() - deletedAt;
        await load.stop();
        const shipped = await watched!.shippedText();
        const result = account(watched!.pod, shipped);
        expectEveryLineOnce(result);
        // nginx's goodbye is the last line its master writes: shipped, so nothing after it was missed.
        expect(shipped).to.match(/\[notice\] \d+#\d+: exit\n/);
        const sidecarStop = terminatedAt.get(SIDECAR_CONTAINER) ?? Number.POSITIVE_INFINITY;
        expect(sidecarStop, "the sidecar stops after nginx").to.be.at.least(terminatedAt.get(NGINX_CONTAINER) ?? 0);
        expect(deletionMs, "ms from delete to the Pod gone (past the grace period the kubelet SIGKILLs)").to.be.lessThan(GRACE_PERIOD_MS);
        console.log(`      ${result.written.toLocaleString("en-US")} lines, 0 lost, 0 duplicated; the Pod was gone ${(deletionMs / 1000).toFixed(1)} s after the delete`);
    });
});
