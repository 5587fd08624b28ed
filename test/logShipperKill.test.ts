/**
 * The shipper killed while its stdout pipe is full (the shim lagging behind, then SIGKILL from the
 * OOM killer or a crash): what it had written must end with a whole line, or the container log
 * keeps the start of a line, cut. Runs the real shipper with python3 on this machine (Linux: it
 * watches the directory with inotify), with a named pipe for stdout that nobody reads.
 */
import { expect } from "chai";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOG_SHIPPER_PATH } from "../components/sidecar/shipperCommand";

/** 151 bytes with its newline: a prime, so no page-sized amount of the pipe ends on a line by chance. */
const LINE_BYTES = 151;
/** Far more than the pipe and Node's stream buffer hold: the shipper blocks mid-way. */
const LOG_BYTES = 4 * 2 ** 20;

describe("the log shipper killed while its stdout pipe is full", function () {
    this.timeout(30_000);
    let directory: string;

    before(function () {
        if (process.platform !== "linux") {
            this.skip(); // inotify
        }
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "logshipper-kill-"));
        const lines = Array.from({ length: Math.ceil(LOG_BYTES / LINE_BYTES) }, (_, i) => `${String(i).padStart(10, "0")} ${"x".repeat(LINE_BYTES - 12)}\n`);
        fs.writeFileSync(path.join(directory, "access.log"), lines.join(""));
    });

    after(() => {
        if (directory !== undefined) {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("has written only whole lines", async () => {
        // A named pipe, as the container's stdout is a pipe to its shim (Node's own child stdio is a
        // socket). Opened for reading first, without blocking, and not read until the kill.
        const fifo = path.join(directory, "stdout");
        execFileSync("mkfifo", [fifo]);
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const shipper = spawn("sh", ["-c", 'exec python3 "$@" >"$0"', fifo, LOG_SHIPPER_PATH,
            "--dir", directory, "--rotate-bytes", String(2 ** 40), "access.log", "error.log"], { stdio: ["ignore", "ignore", "inherit"] });
        const exited = new Promise((resolve) => shipper.on("exit", resolve));
        await new Promise((resolve) => setTimeout(resolve, 1500)); // the pipe fills; the shipper blocks in a write
        shipper.kill("SIGKILL");
        await exited;

        const chunks: Buffer[] = [];
        for (;;) {
            const buffer = Buffer.alloc(1 << 20);
            const n = fs.readSync(reader, buffer); // the writer is gone: 0 at the end, never EAGAIN
            if (n === 0) {
                break;
            }
            chunks.push(buffer.subarray(0, n));
        }
        fs.closeSync(reader);
        const written = Buffer.concat(chunks).toString();

        expect(written.length, "bytes written before the kill").to.be.greaterThan(0).and.lessThan(LOG_BYTES);
        expect(written.startsWith(`${"0".repeat(10)} x`), "the first line first").to.equal(true);
        expect(written.slice(-40), "the end of what was written").to.match(/\n$/);
        const cut = written.split("\n").slice(0, -1).filter((line) => line.length !== LINE_BYTES - 1);
        expect(cut, "lines not whole").to.deep.equal([]);
    });
});
