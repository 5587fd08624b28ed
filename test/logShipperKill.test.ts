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
import { LOG_SHIPPER_PATH, SHIPPER_CHUNK_BYTES } from "../components/sidecar/shipperCommand";
import { waitFor } from "../lab/polling";
import { PYTHON } from "./helpers/shipperSandbox";

/** 151 bytes with its newline: a prime, so no page-sized amount of the pipe ends on a line by chance. */
const LINE_BYTES = 151;
/** Shipped first, alone: it leaves the pipe holding a part of a page, so chunks no longer fill it exactly. */
const FIRST_BYTES = 100 * LINE_BYTES * 7;
/** Far more than the pipe (1 MiB) and the first part hold: the shipper blocks mid-way. */
const LOG_BYTES = 4 * 2 ** 20;
/** write(2)'s number, which /proc/PID/syscall shows while a process is blocked in it. */
const WRITE_SYSCALL: Partial<Record<string, number>> = { x64: 1, arm64: 64 };

function lines(from: number, bytes: number): string {
    return Array.from({ length: Math.ceil(bytes / LINE_BYTES) }, (_, i) => `${String(from + i).padStart(10, "0")} ${"x".repeat(LINE_BYTES - 12)}\n`).join("");
}

/** The offset the shipper saved for access.log, or undefined before its first save. */
function savedOffset(directory: string): number | undefined {
    try {
        return (JSON.parse(fs.readFileSync(path.join(directory, ".logshipper", "offsets.json"), "utf8")) as Record<string, { offset: number }>)["access.log"]?.offset;
    } catch {
        return undefined;
    }
}

describe("the log shipper killed while its stdout pipe is full", function () {
    this.timeout(30_000);
    let directory: string;

    before(function () {
        if (process.platform !== "linux" || WRITE_SYSCALL[process.arch] === undefined) {
            this.skip(); // inotify, and /proc/PID/syscall's numbers
        }
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "logshipper-kill-"));
    });

    after(() => {
        if (directory !== undefined) {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("has written only whole lines", async () => {
        const log = path.join(directory, "access.log");
        const first = lines(0, FIRST_BYTES);
        fs.writeFileSync(log, first);
        // A named pipe, as the container's stdout is a pipe to its shim (Node's own child stdio is a
        // socket). Opened for reading first, without blocking, and not read until the kill.
        const fifo = path.join(directory, "stdout");
        execFileSync("mkfifo", [fifo]);
        const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const shipper = spawn("sh", ["-c", 'exec "$@" >"$0"', fifo, PYTHON, LOG_SHIPPER_PATH,
            "--dir", directory, "--rotate-bytes", String(2 ** 40), "--chunk-bytes", String(SHIPPER_CHUNK_BYTES), "access.log", "error.log"],
            { stdio: ["ignore", "ignore", "inherit"] });
        const exited = new Promise((resolve) => shipper.on("exit", resolve));
        // The first part alone, so the pipe holds a partial page when the chunks come: a chunk that no
        // longer fits whole is then copied in part by a plain write(2), which blocks mid-line.
        await waitFor("the first part shipped", () => (savedOffset(directory) === first.length ? true : undefined), 10_000, 20);
        fs.appendFileSync(log, lines(first.length / LINE_BYTES, LOG_BYTES));
        await waitFor("the shipper blocked writing to its full stdout", () => {
            const syscall = fs.readFileSync(`/proc/${shipper.pid}/syscall`, "utf8").split(" ");
            return Number(syscall[0]) === WRITE_SYSCALL[process.arch] && syscall[1] === "0x1" ? true : undefined;
        }, 10_000, 20);
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

        expect(written.length, "bytes written before the kill").to.be.greaterThan(first.length).and.lessThan(first.length + LOG_BYTES);
        expect(written.startsWith(`${"0".repeat(10)} x`), "the first line first").to.equal(true);
        expect(written.slice(-40), "the end of what was written").to.match(/\n$/);
        const cut = written.split("\n").slice(0, -1).filter((line) => line.length !== LINE_BYTES - 1);
        expect(cut, "lines not whole").to.deep.equal([]);
    });
});
