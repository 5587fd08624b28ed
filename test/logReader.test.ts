/**
 * The harness keeps a log reader's failures apart from the container output it reads (issue 27,
 * item 0): lab/logReader.ts (the separation), lab/logFollower.ts (a `kubectl logs -f` process,
 * here a stand-in process printing what kubectl and the kubelet print) and lab/criLog.ts (the
 * node's CRI files). No cluster.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import { parseCriLog } from "../lab/criLog";
import { LogFollower } from "../lab/logFollower";
import { LogReaderError, containerOutputOf, separateReaderError, separateShipperNotices } from "../lab/logReader";

/** What the kubelet wrote into a followed stream when the runtime had removed the container (main's failed run). */
const NOT_FOUND = "rpc error: code = NotFound desc = an error occurred when try to find container "
    + "\"8d3c1f0a5b7e4a2f9c6d1e3b5a7f9c2d4e6b8a0c1f3e5d7b9a2c4e6f8b0d2a4c\": not found";
/** A line the sidecar ships: nginx's access line with the measuring configuration's `$msec`. */
const ACCESS_LINE = "10.88.0.1 - - [07/Dec/2026:02:31:07 +0000] \"GET /?r=0-17 HTTP/1.1\" 200 615 \"-\" \"wrk\" 1796610667.123";
const COMMAND = ["kubectl", "logs", "-f", "lab-1a2b3c", "-n", "shipping-4d5e6f", "-c", "sidecar-container"];

/** A stand-in for kubectl: a process that prints `stdout` and `stderr` and exits `code`. */
function standIn(stdout: string, stderr = "", code = 0): LogFollower {
    const script = `process.stdout.write(${JSON.stringify(stdout)}); process.stderr.write(${JSON.stringify(stderr)}); process.exitCode = ${code};`;
    return new LogFollower(spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] }), COMMAND);
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a rejection, got a value");
}

describe("a log reader's errors kept apart from the logs it reads (lab/logReader.ts)", () => {
    describe("separateReaderError: the kubelet's error written into the stream", () => {
        it("splits the runtime's NotFound off after the container's last line", () => {
            expect(separateReaderError(`${ACCESS_LINE}\n${NOT_FOUND}`)).to.deep.equal({ output: `${ACCESS_LINE}\n`, readerError: NOT_FOUND });
        });

        it("recognises it with a trailing newline, and as the whole stream", () => {
            expect(separateReaderError(`${ACCESS_LINE}\n${NOT_FOUND}\n`).readerError).to.equal(NOT_FOUND);
            expect(separateReaderError(NOT_FOUND)).to.deep.equal({ output: "", readerError: NOT_FOUND });
        });

        it("leaves an access line alone, even one whose request names the same words", () => {
            const quoting = `10.88.0.1 - - [07/Dec/2026:02:31:07 +0000] "GET /?${encodeURIComponent(NOT_FOUND)} HTTP/1.1" 404 153 "-" "curl" 1796610667.5`;
            const quotingRaw = `10.88.0.1 - - [07/Dec/2026:02:31:07 +0000] "GET /?q=rpc error: code = NotFound desc = x HTTP/1.1" 400 157 "-" "-" 1796610667.6`;
            const stream = `${ACCESS_LINE}\n${quoting}\n${quotingRaw}\n`;
            expect(separateReaderError(stream)).to.deep.equal({ output: stream, readerError: undefined });
        });
    });

    describe("separateShipperNotices: kubectl logs serves the container's stderr with its stdout", () => {
        it("sets the shipper's notices apart, the shipped lines byte for byte", () => {
            const notice = "logshipper: nginx's master is not visible: its logs will not be rotated";
            expect(separateShipperNotices(`${ACCESS_LINE}\n${notice}\n${ACCESS_LINE}\n`)).to.deep.equal({ shipped: `${ACCESS_LINE}\n${ACCESS_LINE}\n`, notices: [notice] });
        });

        it("keeps a last line without its newline as it came", () => {
            expect(separateShipperNotices(`${ACCESS_LINE}\n${ACCESS_LINE}`).shipped).to.equal(`${ACCESS_LINE}\n${ACCESS_LINE}`);
        });
    });

    describe("containerOutputOf: a finished reader run", () => {
        const run = { command: COMMAND, stdout: `${ACCESS_LINE}\n`, stderr: "", exitCode: 0, signal: null };

        it("returns the access line of a clean run", () => {
            expect(containerOutputOf(run)).to.deep.equal({ shipped: `${ACCESS_LINE}\n`, notices: [] });
        });

        it("throws a LogReaderError naming the command and the kubelet's message, not a shipped line", () => {
            const error = (() => {
                try {
                    containerOutputOf({ ...run, stdout: `${ACCESS_LINE}\n${NOT_FOUND}` });
                } catch (e) {
                    return e as Error;
                }
                return undefined;
            })();
            expect(error).to.be.instanceOf(LogReaderError);
            expect(error!.message).to.include(COMMAND.join(" ")).and.include(NOT_FOUND);
        });

        it("throws on kubectl's own failure: a non-zero exit, or words on its stderr", () => {
            expect(() => containerOutputOf({ ...run, stdout: "", stderr: "error: container sidecar-container is not valid for pod lab-1a2b3c\n", exitCode: 1 }))
                .to.throw(LogReaderError, /exited 1; stderr: error: container sidecar-container is not valid/);
            expect(() => containerOutputOf({ ...run, stderr: "Unable to connect to the server: EOF\n" })).to.throw(LogReaderError, /Unable to connect to the server/);
            expect(() => containerOutputOf({ ...run, exitCode: null, signal: "SIGKILL" })).to.throw(LogReaderError, /killed by SIGKILL/);
        });

        it("takes the harness's own stop (its signal) as the end of a follow, not a failure", () => {
            expect(containerOutputOf({ ...run, exitCode: null, signal: "SIGTERM", stoppedWith: "SIGTERM" }).shipped).to.equal(`${ACCESS_LINE}\n`);
        });
    });

    describe("LogFollower: a `kubectl logs -f` process", () => {
        it("resolves with the access line when the stream ends cleanly", async () => {
            expect(await standIn(`${ACCESS_LINE}\n`).done).to.equal(`${ACCESS_LINE}\n`);
        });

        it("rejects with the command and the in-band NotFound, and never shows it as output", async () => {
            const follower = standIn(`${ACCESS_LINE}\n${NOT_FOUND}`);
            const error = await rejectionOf(follower.done);
            expect(error).to.be.instanceOf(LogReaderError);
            expect(error.message).to.include(COMMAND.join(" ")).and.include(NOT_FOUND);
            expect(follower.output).to.equal(`${ACCESS_LINE}\n`);
        });

        it("after the harness deleted the Pod, takes the kubelet's NotFound for the removed container as the stream's end, and nothing else", async () => {
            expect(await standIn(`${ACCESS_LINE}\n${NOT_FOUND}`).doneAfterDeletion()).to.equal(`${ACCESS_LINE}\n`);
            expect(await standIn(`${ACCESS_LINE}\n`).doneAfterDeletion()).to.equal(`${ACCESS_LINE}\n`);
            // kubectl ends the follow of a Pod deleted meanwhile with exit 1 and nothing said.
            expect(await standIn(`${ACCESS_LINE}\n`, "", 1).doneAfterDeletion()).to.equal(`${ACCESS_LINE}\n`);
            const other = await rejectionOf(standIn(`${ACCESS_LINE}\n`, "error: unexpected EOF\n", 1).doneAfterDeletion());
            expect(other).to.be.instanceOf(LogReaderError);
            const unavailable = await rejectionOf(standIn(`${ACCESS_LINE}\nrpc error: code = Unavailable desc = connection closed`).doneAfterDeletion());
            expect(unavailable).to.be.instanceOf(LogReaderError);
        });

        it("rejects when kubectl fails after some output (before, such a run passed as complete)", async () => {
            const error = await rejectionOf(standIn(`${ACCESS_LINE}\n`, "error: unexpected EOF\n", 1).done);
            expect(error).to.be.instanceOf(LogReaderError);
            expect(error.message).to.match(/exited 1; stderr: error: unexpected EOF/);
        });
    });

    describe("parseCriLog: the node's CRI files", () => {
        const stamp = "2026-12-07T02:31:07.123456789Z";

        it("keeps stdout records, leaves out stderr ones and a record still being written", () => {
            const text = `${stamp} stdout F ${ACCESS_LINE}\n${stamp} stderr F logshipper: started\n${stamp} stdout P ${ACCESS_LINE.slice(0, 10)}`;
            expect(parseCriLog(text).map((chunk) => chunk.text)).to.deep.equal([`${ACCESS_LINE}\n`]);
        });

        it("throws on a record that is not CRI, naming it, rather than skipping it", () => {
            expect(() => parseCriLog(`${stamp} stdout F ${ACCESS_LINE}\n${NOT_FOUND}\n`)).to.throw(/record 2 is not a CRI log record.*rpc error: code = NotFound/);
        });
    });
});
