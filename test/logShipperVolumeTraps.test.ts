/**
 * What the uid that shares the log volume can leave in it, against the real shipper (python3, real
 * files, the fake nginx): things in the way of a rotation, a state file built to crash or exhaust
 * it, files made unreadable, sparse files. Each must leave the shipper running, shipping every line
 * once, and rotating. Linux only (inotify, /proc, SEEK_DATA).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { waitFor } from "../lab/polling";
import { expectedLines, PYTHON, shippedAtLeast, ShipperRun, ShipperSandbox } from "./helpers/shipperSandbox";

const LINE = 100;
const ROTATE_BYTES = 64 * 1024;
/** Lines per batch: each batch takes access.log past ROTATE_BYTES. */
const BATCH = 1000;
/** A uid no account uses, for the tests where permissions matter (root reads anything). */
const POD_UID = 23457;
const AS_POD_UID = ["setpriv", `--reuid=${POD_UID}`, `--regid=${POD_UID}`, "--clear-groups", "--inh-caps=-all"];
const SYSTEM_PYTHON = "/usr/bin/python3";

/** Asserts the shipper is still running and never printed a traceback. */
function expectAlive(shipper: ShipperRun): void {
    expect(shipper.stderr(), "the shipper's stderr").to.not.match(/Traceback/);
    expect(shipper.child.exitCode, `the shipper's exit code (stderr: ${shipper.stderr()})`).to.equal(null);
}

describe("the log shipper and what the uid sharing its volume leaves there", function () {
    this.timeout(60_000);
    let sandbox: ShipperSandbox;

    before(function () {
        if (process.platform !== "linux") {
            this.skip();
        }
    });
    afterEach(async () => {
        await sandbox.cleanup();
    });

    describe("in the way of a rotation", () => {
        beforeEach(() => {
            sandbox = new ShipperSandbox(PYTHON);
        });

        it("removes a directory (with files and subdirectories) at access.log.1 and rotates, after every restart too", async () => {
            const obstacle = sandbox.logPath("access.log.1");
            fs.mkdirSync(path.join(obstacle, "a", "b"), { recursive: true });
            fs.writeFileSync(path.join(obstacle, "a", "b", "f"), "x");
            fs.symlinkSync("/etc", path.join(obstacle, "a", "etc")); // removed itself, never followed
            const nginx = await sandbox.startNginx();
            const first = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
            await nginx.write("access.log", BATCH, LINE);
            await nginx.usr1Received(1);
            await first.saidOnStderr(/access\.log\.1 was a directory, in the way: removed it/);
            await waitFor("access.log.1 retired", () => (fs.existsSync(obstacle) ? undefined : true), 10_000, 20);
            expectAlive(first);
            fs.mkdirSync(obstacle); // and again, for the next run of the shipper
            first.kill("SIGKILL");
            await first.exited;
            const second = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
            await nginx.write("access.log", BATCH, LINE);
            await nginx.usr1Received(2);
            const lines = await shippedAtLeast([first, second], 2 * BATCH);
            expect([...new Set(lines)]).to.deep.equal(expectedLines("access.log", 0, 2 * BATCH, LINE));
            expect(fs.existsSync("/etc/passwd"), "what a symlink inside pointed at").to.equal(true);
            await second.saidOnStderr(/access\.log\.1 was a directory, in the way: removed it/);
            expectAlive(second);
            expect(fs.readdirSync(sandbox.logDirectory).filter((name) => name.includes("in-the-way")), "left aside").to.deep.equal([]);
        });

        it("rotates a file nginx writes that someone removed and replaced with a directory at access.log", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
            await nginx.write("access.log", 10, LINE);
            await shippedAtLeast([shipper], 10);
            fs.unlinkSync(sandbox.logPath("access.log")); // nginx goes on writing the file it has open
            fs.mkdirSync(sandbox.logPath("access.log"));
            await nginx.write("access.log", BATCH, LINE);
            await nginx.usr1Received(1);
            await waitFor("nginx's new access.log", () => (fs.lstatSync(sandbox.logPath("access.log"), { throwIfNoEntry: false })?.isFile() ? true : undefined), 10_000, 20);
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], BATCH + 20);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, BATCH + 20, LINE));
            expectAlive(shipper);
        });
    });

    describe("its state file", () => {
        beforeEach(() => {
            sandbox = new ShipperSandbox(PYTHON);
        });

        /** A state file made by `make`, then a shipper started next to nginx: every line once, a warning, a small record. */
        async function shipsPast(make: (statePath: string) => void): Promise<ShipperRun> {
            fs.mkdirSync(sandbox.logPath(".logshipper"));
            const statePath = sandbox.logPath(".logshipper/offsets.json");
            make(statePath);
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
            await nginx.write("access.log", BATCH, LINE);
            await nginx.usr1Received(1);
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], BATCH + 10);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, BATCH + 10, LINE));
            await shipper.saidOnStderr(/offsets\.json.*starting afresh/);
            expectAlive(shipper);
            // The record saved once the new access.log is shipped (quiet again): the one saved at the
            // rotation, before nginx reopened, names only access.log.1 and error.log.
            const saved = await waitFor("a record of offsets naming the new access.log", () => {
                const text = fs.readFileSync(statePath, "utf8").trim();
                return text.startsWith("{") && text.includes('"access.log"') ? text : undefined;
            }, 10_000, 20);
            expect(fs.statSync(statePath).size, "the state file's size").to.be.at.most(4096);
            expect(Object.keys(JSON.parse(saved) as object)).to.include("access.log");
            return shipper;
        }

        it("starts afresh from 60,000 nested brackets, which once raised RecursionError", async () => {
            await shipsPast((statePath) => fs.writeFileSync(statePath, "[".repeat(60_000)));
        });

        it("starts afresh from a 4 GiB sparse file under a 1 GiB address-space limit, which once raised MemoryError", async () => {
            sandbox = new ShipperSandbox(PYTHON, ["prlimit", `--as=${2 ** 30}`, "--"]);
            await shipsPast((statePath) => {
                fs.writeFileSync(statePath, "");
                fs.truncateSync(statePath, 4 * 2 ** 30);
            });
        });

        it("resumes from its record when the state file was grown in place to 4 GiB (sparse) after it", async () => {
            const nginx = await sandbox.startNginx();
            const first = sandbox.startShipper();
            await nginx.write("access.log", 100, LINE);
            await shippedAtLeast([first], 100);
            first.kill("SIGKILL");
            await first.exited;
            fs.truncateSync(sandbox.logPath(".logshipper/offsets.json"), 4 * 2 ** 30);
            await nginx.write("access.log", 10, LINE);
            const second = sandbox.startShipper();
            const lines = await shippedAtLeast([second], 10);
            expect(lines, "what the restarted shipper shipped").to.deep.equal(expectedLines("access.log", 100, 10, LINE));
            await waitFor("the state file replaced by a record", () => (fs.statSync(sandbox.logPath(".logshipper/offsets.json")).size <= 4096 ? true : undefined), 10_000, 20);
            expectAlive(second);
        });

        it("starts afresh from random bytes", async () => {
            await shipsPast((statePath) => fs.writeFileSync(statePath, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256))));
        });
    });

    describe("sparse log files", () => {
        beforeEach(() => {
            sandbox = new ShipperSandbox(PYTHON);
        });

        it("skips a 512 MiB hole made in the file nginx writes, instead of shipping it as NULs", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper();
            await nginx.write("access.log", 10, LINE);
            await shippedAtLeast([shipper], 10);
            fs.truncateSync(sandbox.logPath("access.log"), 512 * 2 ** 20 + 10 * LINE); // nginx appends after it
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], 20);
            await shipper.saidOnStderr(/access\.log: skipped \d+ bytes with no data/);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 20, LINE));
            expect(fs.statSync(shipper.outputPath).size, "bytes shipped").to.equal(20 * LINE);
            expectAlive(shipper);
        });

        it("ships nothing of a sparse file with no data at all, and the lines nginx appends to it", async () => {
            fs.writeFileSync(sandbox.logPath("access.log"), "");
            fs.truncateSync(sandbox.logPath("access.log"), 512 * 2 ** 20 + 5);
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper();
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], 10);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 10, LINE));
            expect(fs.statSync(shipper.outputPath).size, "bytes shipped").to.equal(10 * LINE);
        });
    });

    describe("permissions taken away (as the Pod's uid: root reads anything)", () => {
        before(function () {
            if (process.getuid?.() !== 0 || !fs.existsSync(SYSTEM_PYTHON)) {
                this.skip(); // setpriv to another uid
            }
        });
        beforeEach(() => {
            sandbox = new ShipperSandbox(SYSTEM_PYTHON, AS_POD_UID);
            fs.chownSync(sandbox.root, POD_UID, POD_UID);
            fs.chownSync(sandbox.logDirectory, POD_UID, POD_UID);
        });

        it("reads a log file of its uid made unreadable (chmod 000) and keeps its offsets in a state directory made 000", async () => {
            const nginx = await sandbox.startNginx();
            await nginx.write("access.log", 10, LINE);
            fs.chmodSync(sandbox.logPath("access.log"), 0o000);
            fs.mkdirSync(sandbox.logPath(".logshipper"), { mode: 0o000 });
            fs.chownSync(sandbox.logPath(".logshipper"), POD_UID, POD_UID);
            const shipper = sandbox.startShipper();
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], 20);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 20, LINE));
            const saved = await waitFor("offsets saved", () => {
                try {
                    return (JSON.parse(fs.readFileSync(sandbox.logPath(".logshipper/offsets.json"), "utf8")) as Record<string, { offset: number }>)["access.log"]?.offset === 20 * LINE ? true : undefined;
                } catch {
                    return undefined;
                }
            }, 10_000, 20);
            expect(saved).to.equal(true);
            expectAlive(shipper);
        });
    });
});
