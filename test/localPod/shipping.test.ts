/**
 * The sidecar ships every nginx line exactly once, in order per file: proven with real processes
 * (Debian's nginx, the sidecar's exact command), real files and real signals, in a local Pod built
 * from the component's own Pod spec. Needs root; see localPod.ts.
 *
 * `LOCAL_POD_SIDECAR=tutorial npm run test:pod` runs the same tests with the tutorial's sidecar:
 * they fail, as they must.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { WebServerArgs, resolveArgs } from "../../components/args";
import { buildPodSpec } from "../../components/podSpec";
import { watchDiskUsage } from "./diskUsage";
import { CHUNK_BYTES_OF_SHIPPER } from "./shipperFacts";
import { LineAccount, NginxLineAccount, accountNginxLines, isErrorLogLine, linesOf } from "./lineAccounting";
import { request, runLoad } from "./load";
import { LocalPod, LocalPodOptions } from "./localPod";
import { withSidecar } from "./sidecarVariants";

const SHARED_LOGS = "shared-logs";

/** Starts a local Pod from the component's spec for `args` (with the sidecar under test). */
function startPod(args: WebServerArgs = {}, options: LocalPodOptions = {}): Promise<LocalPod> {
    return LocalPod.start(withSidecar(buildPodSpec(resolveArgs(args))), options);
}

/** Every line nginx wrote, against every line the sidecar shipped (see accountNginxLines). */
function account(pod: LocalPod): NginxLineAccount {
    const truth = (name: "access.log" | "error.log") => fs.readFileSync(pod.truthFile(name), "utf8");
    return accountNginxLines(truth("access.log"), truth("error.log"), pod.sidecarText());
}

/** Asserts nothing was lost, repeated or made up, with a readable sample when it was. */
function expectEveryLineOnce(result: LineAccount): void {
    const sample = (lines: string[]) => lines.slice(0, 3).join("\n    ");
    expect(result.lost, `${result.lost.length} of ${result.written} lines never shipped, e.g.\n    ${sample(result.lost)}\n`).to.have.length(0);
    expect(result.duplicated, `${result.duplicated.length} lines shipped more than once, e.g.\n    ${sample(result.duplicated)}\n`).to.have.length(0);
    expect(result.unexpected, `${result.unexpected.length} shipped lines nginx never wrote, e.g.\n    ${sample(result.unexpected)}\n`).to.have.length(0);
    expect(result.written).to.be.greaterThan(0);
}

/** Asserts `actual` is `expected`, element by element, naming the first difference. */
function expectSameSequence(actual: string[], expected: string[], what: string): void {
    const firstDifference = expected.findIndex((line, i) => actual[i] !== line);
    expect(firstDifference, `${what}: first difference at line ${firstDifference}: got ${actual[firstDifference]}, expected ${expected[firstDifference]}`).to.equal(-1);
    expect(actual.length, `${what}: line count`).to.equal(expected.length);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("the sidecar ships every nginx line once (local Pod: real nginx, files and signals)", function () {
    this.timeout(180_000);
    let pod: LocalPod | undefined;

    afterEach(async () => {
        if (pod !== undefined) {
            await pod.stop();
            pod.remove();
            pod = undefined;
        }
    });

    it("at idle: each request's access line, and each 404's error line, in order", async () => {
        pod = await startPod();
        for (let i = 0; i < 20; i++) {
            await request(pod, i % 5 === 4 ? `/missing/${i}` : `/?idle=${i}`);
            await sleep(25);
        }
        await pod.stop();
        const result = account(pod);
        expectEveryLineOnce(result);
        expectSameSequence(result.shippedLines.filter((l) => !isErrorLogLine(l)), result.writtenAccess, "access.log");
        expect(result.writtenAccess).to.have.length(20);
    });

    it("under load from wrk: every line once, and each file's lines in the file's order", async () => {
        // A limit this large means no rotation: the shared files hold every line, in write order.
        pod = await startPod({ logSizeLimit: "1Gi" });
        const load = await runLoad(pod, { seconds: 3, connections: 16 });
        await pod.stop();
        const result = account(pod);
        expectEveryLineOnce(result);
        const shared = (name: string) => linesOf(fs.readFileSync(path.join(pod!.volumeDirectory(SHARED_LOGS), name), "utf8"));
        expectSameSequence(result.shippedLines.filter((l) => !isErrorLogLine(l)), shared("access.log"), "access.log");
        expectSameSequence(result.shippedLines.filter(isErrorLogLine), shared("error.log"), "error.log");
        expect(result.writtenAccess.length).to.be.at.least(load.requests);
    });

    it("when the log files appear only after the sidecar has started", async () => {
        pod = await startPod({}, { mainStartDelayMs: 1500 });
        const sidecarStart = pod.events.findIndex((e) => e.event === "started" && e.name === "sidecar-container");
        const nginxStart = pod.events.findIndex((e) => e.event === "started" && e.name === "nginx-container");
        expect(sidecarStart).to.be.lessThan(nginxStart);
        for (let i = 0; i < 5; i++) {
            await request(pod, `/?late=${i}`);
        }
        await pod.stop();
        expectEveryLineOnce(account(pod));
    });

    for (const sidecarMode of ["native", "classic"] as const) {
        it(`at shutdown (${sidecarMode} sidecar): lines nginx writes in its last moments are shipped`, async () => {
            pod = await startPod({ sidecarMode, logSizeLimit: "1Gi" });
            const load = runLoad(pod, { seconds: 4, connections: 8 });
            await sleep(1500);
            const events = await pod.stop(); // while wrk is still sending
            await load.catch(() => undefined); // wrk sees its connections closed: expected
            expectEveryLineOnce(account(pod));
            const exits = events.filter((e) => e.event === "exited").map((e) => e.event === "exited" && e.name);
            expect(exits, "the sidecar stops after nginx").to.deep.equal(["nginx-container", "sidecar-container"]);
            // nginx's own goodbye is the last line it writes: it must have been shipped.
            expect(pod.sidecarText()).to.match(/\[notice\] \d+#\d+: exit\n/);
        });
    }

    it("across rotation, one request at a time: files stay under sizeLimit, every line once, in order", async () => {
        const limit = 2 * 2 ** 20; // rotates at 256 KiB: every ~1,700 access lines
        pod = await startPod({ logSizeLimit: "2Mi" });
        const disk = watchDiskUsage(pod.volumeDirectory(SHARED_LOGS));
        await runLoad(pod, { seconds: 4, connections: 1 });
        const peak = disk.stop();
        await pod.stop();
        const result = account(pod);
        expectEveryLineOnce(result);
        // One connection: each request follows the previous one, so the order is total.
        expectSameSequence(result.shippedLines.filter((l) => !isErrorLogLine(l)), result.writtenAccess, "access.log");
        const rotations = result.shippedLines.filter((l) => l.includes("reopening logs") && l.includes("SIGUSR1")).length;
        expect(rotations, "rotations").to.be.at.least(3);
        expect(peak, `peak bytes in shared-logs (limit ${limit})`).to.be.lessThan(limit);
    });

    it("across rotation under concurrent load: every line once, files under sizeLimit", async () => {
        const limit = 4 * 2 ** 20;
        pod = await startPod({ logSizeLimit: "4Mi" });
        const disk = watchDiskUsage(pod.volumeDirectory(SHARED_LOGS));
        await runLoad(pod, { seconds: 5, connections: 32 });
        const peak = disk.stop();
        await pod.stop();
        const result = account(pod);
        expectEveryLineOnce(result);
        expect(result.shippedLines.filter((l) => l.includes("reopening logs") && l.includes("SIGUSR1")).length).to.be.at.least(3);
        expect(peak, `peak bytes in shared-logs (limit ${limit})`).to.be.lessThan(limit);
    });

    it("when killed and restarted mid-stream: skips nothing, replays at most one chunk", async () => {
        pod = await startPod({ logSizeLimit: "8Mi" });
        const load = runLoad(pod, { seconds: 5, connections: 1 });
        await sleep(1500);
        await pod.killSidecar("SIGKILL", 500); // as the kubelet restarts a crashed native sidecar
        await load;
        await pod.stop();
        const result = account(pod);
        expect(result.lost, "lines skipped across the restart").to.have.length(0);
        expect(result.unexpected).to.have.length(0);
        // The shipper saves its offsets after each chunk it writes: a kill between the write and
        // the save replays that chunk, never more.
        const replayedBytes = result.duplicated.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
        expect(replayedBytes, `${result.duplicated.length} lines replayed`).to.be.at.most(CHUNK_BYTES_OF_SHIPPER);
    });
});
