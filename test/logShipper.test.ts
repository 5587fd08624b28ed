/**
 * The log shipper itself, with no cluster: the real components/sidecar/logShipper.py under python3,
 * on real files, next to a writer that behaves like nginx (appends lines to files it keeps open and
 * reopens them on SIGUSR1). Linux only: the shipper watches with inotify and looks at /proc.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LOG_SHIPPER_PATH, SHIPPER_CHUNK_BYTES } from "../components/sidecar/shipperCommand";
import { waitFor } from "../lab/polling";
import { ERROR_LOG_PREFIX, expectedLines, findPython, OLDEST_CLAIMED_PYTHON, PYTHON, shippedAtLeast, ShipperRun, ShipperSandbox } from "./helpers/shipperSandbox";

/** Bytes per line in most tests: small enough for many lines, far from any power of two. */
const LINE = 100;

/** The lines of `name` among `lines`, in the order shipped. */
function linesOf(name: string, lines: string[]): string[] {
    return lines.filter((line) => line.startsWith(`${name}-`) || line.startsWith(`${ERROR_LOG_PREFIX}${name}-`));
}

/** Asserts `actual` is `expected`, naming the first difference and the count (chai truncates long arrays). */
function expectSameLines(actual: string[], expected: string[], what: string): void {
    const first = expected.findIndex((line, i) => actual[i] !== line);
    const where = first < 0 ? "" : `first difference at line ${first}: got ${actual[first]?.slice(0, 30)}, expected ${expected[first].slice(0, 30)}`;
    expect(first, `${what}: ${where}`).to.equal(-1);
    expect(actual.length, `${what}: line count`).to.equal(expected.length);
}

/** Polls until the file at `filePath` no longer exists. */
function gone(filePath: string): Promise<true> {
    return waitFor(`${path.basename(filePath)} removed`, () => (fs.existsSync(filePath) ? undefined : true), 10_000, 20);
}

/** The default python3, and the oldest one claimed when this machine has it (undefined when not). */
const INTERPRETERS: [string, string | undefined][] = [["python3", PYTHON], [`python ${OLDEST_CLAIMED_PYTHON}, the oldest claimed`, findPython(OLDEST_CLAIMED_PYTHON)]];

for (const [interpreterName, interpreter] of INTERPRETERS) describe(`the log shipper, run for real on local files under ${interpreterName}`, function () {
    this.timeout(30_000);
    let sandbox: ShipperSandbox;
    let python: string;

    before(function () {
        if (process.platform !== "linux") {
            this.skip(); // inotify and /proc
        }
        if (interpreter === undefined) {
            console.log(`      no python${OLDEST_CLAIMED_PYTHON} on this machine (PATH or pyenv): the claim is not checked here`);
            this.skip();
        }
        python = interpreter;
    });
    beforeEach(() => {
        sandbox = new ShipperSandbox(python);
    });
    afterEach(async () => {
        await sandbox.cleanup();
    });

    describe("shipping and rotation", () => {
        it("ships every line once and in order per file, across rotations with SIGUSR1 to nginx", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper({ rotateBytes: 64 * 1024 });
            for (let batch = 0; batch < 5; batch++) {
                await nginx.write("access.log", 2000, LINE); // each batch past --rotate-bytes
                await nginx.write("error.log", 10, LINE);
                await nginx.usr1Received(batch + 1);
                await gone(sandbox.logPath("access.log.1"));
            }
            const lines = await shippedAtLeast([shipper], 10_050);
            expectSameLines(linesOf("access.log", lines), expectedLines("access.log", 0, 10_000, LINE), `access.log (shipper said: ${shipper.stderr()})`);
            expectSameLines(linesOf("error.log", lines), expectedLines("error.log", 0, 50, LINE), "error.log");
            expect(fs.statSync(sandbox.logPath("access.log")).size, "the current file, rotated").to.be.below(10_000 * LINE);
        });

        it("ships a line longer than a chunk in chunk-sized pieces, and the lines after it whole", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper();
            const longBytes = Math.floor(2.5 * SHIPPER_CHUNK_BYTES);
            await nginx.write("access.log", 1, longBytes);
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], 13);
            const [long] = expectedLines("access.log", 0, 1, longBytes);
            expect(lines.slice(0, 3).map((piece) => piece.length)).to.deep.equal([SHIPPER_CHUNK_BYTES, SHIPPER_CHUNK_BYTES, long.length - 2 * SHIPPER_CHUNK_BYTES]);
            expect(lines.slice(0, 3).join("")).to.equal(long);
            expect(lines.slice(3)).to.deep.equal(expectedLines("access.log", 1, 10, LINE));
        });

        it("ships the unterminated last line of a rotated file when it retires the file", async () => {
            const nginx = await sandbox.startNginx();
            await nginx.write("access.log", 700, LINE);
            await nginx.command("raw access.log access.log-unterminated");
            const shipper = sandbox.startShipper({ rotateBytes: 64 * 1024 });
            await nginx.usr1Received(1);
            await gone(sandbox.logPath("access.log.1"));
            await nginx.write("access.log", 10, LINE);
            const lines = await shippedAtLeast([shipper], 711);
            expect(lines).to.deep.equal([...expectedLines("access.log", 0, 700, LINE), "access.log-unterminated", ...expectedLines("access.log", 700, 10, LINE)]);
        });

        it("ships lines written after the file was truncated under it, from the start of the file", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper();
            await nginx.write("access.log", 2000, LINE);
            await shippedAtLeast([shipper], 2000);
            fs.truncateSync(sandbox.logPath("access.log"), 0); // as `: > access.log` does; nginx appends from 0
            await nginx.write("access.log", 100, LINE); // fewer bytes than the old offset
            const lines = await shippedAtLeast([shipper], 2100);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 2100, LINE));
            expect(await shipper.saidOnStderr(/access\.log.*truncated/)).to.match(/access\.log.*truncated/);
        });
    });

    describe("restarts", () => {
        it("resumes from its saved offsets after SIGKILL, replaying at most one chunk", async () => {
            const nginx = await sandbox.startNginx();
            const first = sandbox.startShipper();
            await nginx.write("access.log", 10_000, LINE); // four chunks and more
            await shippedAtLeast([first], 10_000);
            first.kill("SIGKILL");
            await first.exited;
            await nginx.write("access.log", 1000, LINE);
            const second = sandbox.startShipper();
            const lines = await shippedAtLeast([first, second], 11_000);
            const replayed = lines.length - 11_000;
            expect(replayed * LINE, "bytes replayed").to.be.at.most(SHIPPER_CHUNK_BYTES);
            expect([...new Set(lines)]).to.deep.equal(expectedLines("access.log", 0, 11_000, LINE));
            expect(linesOf("access.log", second.output().split("\n")).at(-1)).to.equal(expectedLines("access.log", 10_999, 1, LINE)[0]);
        });

        it("restarted while a rotated file is pending, replays at most one chunk of it (rotation is saved before nginx is signalled)", async () => {
            const nginx = await sandbox.startNginx({ holdReopen: true }); // nginx keeps writing the rotated file until told
            await nginx.write("access.log", 6000, LINE);
            const first = sandbox.startShipper({ rotateBytes: 512 * 1024 });
            await nginx.usr1Received(1); // renamed to access.log.1, signalled: killed right after a rotation
            first.kill("SIGKILL");
            await first.exited;
            await nginx.write("access.log", 100, LINE); // still into access.log.1
            await nginx.command("reopen");
            await nginx.write("access.log", 100, LINE);
            const second = sandbox.startShipper({ rotateBytes: 512 * 1024 });
            const lines = await shippedAtLeast([first, second], 6200);
            expect((lines.length - 6200) * LINE, "bytes replayed").to.be.at.most(SHIPPER_CHUNK_BYTES);
            expect([...new Set(lines)]).to.deep.equal(expectedLines("access.log", 0, 6200, LINE));
        });

        it("killed between a rotation's rename and its save, finds the rotated file under its old name's offset (replays at most one chunk, not the file)", async () => {
            const nginx = await sandbox.startNginx();
            const first = sandbox.startShipper();
            await nginx.write("access.log", 6000, LINE); // more than two chunks
            await shippedAtLeast([first], 6000);
            first.kill("SIGKILL");
            await first.exited;
            // What the killed shipper had just done: the rename, with the record still naming the file access.log.
            fs.renameSync(sandbox.logPath("access.log"), sandbox.logPath("access.log.1"));
            const second = sandbox.startShipper(); // tells nginx to reopen: the rename was never announced
            await nginx.usr1Received(1);
            await nginx.write("access.log", 100, LINE);
            const lines = await shippedAtLeast([first, second], 6100);
            expect((lines.length - 6100) * LINE, "bytes replayed").to.be.at.most(SHIPPER_CHUNK_BYTES);
            expect([...new Set(lines)]).to.deep.equal(expectedLines("access.log", 0, 6100, LINE));
        });
    });

    describe("stopping", () => {
        it("on SIGTERM, waits for nginx to exit, ships what nginx wrote meanwhile (an unterminated last line too), and exits 0", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper({ drainTimeoutSeconds: 20 });
            await nginx.write("access.log", 100, LINE);
            await shippedAtLeast([shipper], 100);
            shipper.kill("SIGTERM");
            await nginx.write("access.log", 100, LINE);
            await nginx.command("raw access.log access.log-last");
            await nginx.exit();
            expect(await shipper.exited).to.equal(0);
            expect(shipper.output().split("\n").slice(0, -1)).to.deep.equal([...expectedLines("access.log", 0, 200, LINE), "access.log-last"]);
        });

        it("on SIGTERM, stops waiting for nginx after --drain-timeout and ships what is there", async () => {
            const nginx = await sandbox.startNginx();
            const shipper = sandbox.startShipper({ drainTimeoutSeconds: 1 });
            await nginx.write("access.log", 100, LINE);
            await shippedAtLeast([shipper], 100);
            shipper.kill("SIGTERM");
            await nginx.write("access.log", 5, LINE);
            expect(await shipper.exited, "exit code, with nginx still running").to.equal(0);
            expect(nginx.child.exitCode).to.equal(null);
            expect(shipper.output().split("\n").slice(0, -1)).to.deep.equal(expectedLines("access.log", 0, 105, LINE));
        });
    });

    describe("other processes holding a rotated file", () => {
        it("retires a rotated file that only readers hold open (an operator's tail -f), and ships the new one", async () => {
            const nginx = await sandbox.startNginx();
            await nginx.write("access.log", 10, LINE);
            const tail = sandbox.startProcess("tail", ["-f", sandbox.logPath("access.log")]);
            await waitFor("tail to open access.log", () => (fs.readdirSync(`/proc/${tail.pid}/fd`).some((fd) => safeReadlink(`/proc/${tail.pid}/fd/${fd}`) === sandbox.logPath("access.log")) ? true : undefined), 10_000, 20);
            const shipper = sandbox.startShipper({ rotateBytes: 64 * 1024, extraArgs: ["--rotated-writer-seconds", "60"] });
            await nginx.write("access.log", 1000, LINE);
            await nginx.usr1Received(1);
            await nginx.write("access.log", 100, LINE);
            const lines = await shippedAtLeast([shipper], 1110);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 1110, LINE));
            await gone(sandbox.logPath("access.log.1"));
            expect(tail.exitCode, "tail still running").to.equal(null);
        });

        it("retires a rotated file still open for writing after --rotated-writer-seconds, naming the writer's pid", async () => {
            const nginx = await sandbox.startNginx();
            await nginx.write("access.log", 10, LINE);
            // A writer that never reopens (a stuck worker, or anything in nginx's container).
            const holder = sandbox.startProcess(python, ["-c", "import os, sys, time; os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND); print('open', flush=True); time.sleep(3600)", sandbox.logPath("access.log")]);
            await new Promise((resolve) => holder.stdout?.once("data", resolve));
            const shipper = sandbox.startShipper({ rotateBytes: 64 * 1024, extraArgs: ["--rotated-writer-seconds", "1"] });
            await nginx.write("access.log", 1000, LINE);
            await nginx.usr1Received(1);
            await nginx.write("access.log", 100, LINE);
            const lines = await shippedAtLeast([shipper], 1110, 15_000);
            expect(lines).to.deep.equal(expectedLines("access.log", 0, 1110, LINE));
            const warning = new RegExp(`pid ${holder.pid}\\b.*access\\.log\\.1`);
            expect(await shipper.saidOnStderr(warning)).to.match(warning);
        });
    });

    describe("nginx gone when signalled", () => {
        it("survives nginx's master exiting between being found and being signalled, at both places it signals", () => {
            const directory = sandbox.logDirectory;
            fs.writeFileSync(path.join(directory, "access.log"), "x".repeat(LINE - 1) + "\n");
            // The shipper's own module, with its process table pointing at a process that has exited.
            const script = `
import importlib.util, subprocess, sys
spec = importlib.util.spec_from_file_location("logShipper", sys.argv[1])
shipper_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shipper_module)
gone = subprocess.Popen(["true"])
gone.wait()
shipper = shipper_module.Shipper(shipper_module.parse_options(["--dir", sys.argv[2], "--rotate-bytes", "1", "--chunk-bytes", "4096", "access.log"]))
shipper.processes.nginx_master = lambda *args: gone.pid
shipper.signal_reopen()
log_file = shipper.files[0]
log_file.current = shipper_module.OpenFile(log_file.path, 0)
log_file.rotate_if_large(1)
print("survived")
`;
            const result = spawnSync(python, ["-c", script, LOG_SHIPPER_PATH, directory], { encoding: "utf8" });
            expect(result.stderr, result.stderr).to.not.match(/Traceback/);
            expect(result.stdout).to.equal("survived\n");
        });
    });

    describe("what others put in the shared volume", () => {
        /** Starts a shipper with `prepare` done first, appends error.log lines, and resolves to what it shipped. */
        async function shipErrorLinesAfter(prepare: () => void): Promise<{ lines: string[]; shipper: ShipperRun }> {
            prepare();
            const shipper = sandbox.startShipper();
            fs.appendFileSync(sandbox.logPath("error.log"), expectedLines("error.log", 0, 10, LINE).map((line) => `${line}\n`).join(""));
            const lines = await shippedAtLeast([shipper], 10);
            return { lines, shipper };
        }

        it("keeps shipping, without saved offsets, when .logshipper is a file", async () => {
            const { lines, shipper } = await shipErrorLinesAfter(() => fs.writeFileSync(sandbox.logPath(".logshipper"), "not a directory"));
            expect(lines).to.deep.equal(expectedLines("error.log", 0, 10, LINE));
            expect(await shipper.saidOnStderr(/\.logshipper.*not a directory/)).to.match(/\.logshipper.*not a directory/);
            expect(fs.readFileSync(sandbox.logPath(".logshipper"), "utf8")).to.equal("not a directory");
        });

        for (const [what, record] of [
            ["a list", () => "[]"],
            ["an entry that is not an object", () => `{"access.log": 5}`],
            ["a negative offset", (ino: number) => `{"access.log": {"ino": ${ino}, "offset": -5}}`],
            ["a string offset", (ino: number) => `{"access.log": {"ino": ${ino}, "offset": "5"}}`],
        ] as const) {
            it(`starts afresh, with a warning, from an offsets.json holding ${what}`, async () => {
                fs.writeFileSync(sandbox.logPath("access.log"), expectedLines("access.log", 0, 10, LINE).map((line) => `${line}\n`).join(""));
                fs.mkdirSync(sandbox.logPath(".logshipper"));
                fs.writeFileSync(sandbox.logPath(".logshipper/offsets.json"), record(fs.statSync(sandbox.logPath("access.log")).ino));
                const shipper = sandbox.startShipper();
                const lines = await shippedAtLeast([shipper], 10);
                expect(lines).to.deep.equal(expectedLines("access.log", 0, 10, LINE));
                expect(await shipper.saidOnStderr(/offsets\.json.*starting afresh/)).to.match(/offsets\.json.*starting afresh/);
            });
        }

        it("skips a FIFO at access.log with a warning, instead of blocking on it", async () => {
            const { lines, shipper } = await shipErrorLinesAfter(() => execFileSync("mkfifo", [sandbox.logPath("access.log")]));
            expect(lines).to.deep.equal(expectedLines("error.log", 0, 10, LINE));
            expect(await shipper.saidOnStderr(/access\.log.*not a regular file/)).to.match(/access\.log.*not a regular file/);
        });

        it("skips a directory at access.log with a warning, instead of crashing", async () => {
            const { lines, shipper } = await shipErrorLinesAfter(() => fs.mkdirSync(sandbox.logPath("access.log")));
            expect(lines).to.deep.equal(expectedLines("error.log", 0, 10, LINE));
            expect(await shipper.saidOnStderr(/access\.log.*not a regular file/)).to.match(/access\.log.*not a regular file/);
        });

        it("does not follow a symlink at access.log to ship another file", async () => {
            const secret = path.join(sandbox.root, "secret");
            fs.writeFileSync(secret, "access.log-secret\n");
            const { lines, shipper } = await shipErrorLinesAfter(() => fs.symlinkSync(secret, sandbox.logPath("access.log")));
            expect(lines).to.deep.equal(expectedLines("error.log", 0, 10, LINE));
            expect(await shipper.saidOnStderr(/access\.log.*not a regular file/)).to.match(/access\.log.*not a regular file/);
        });

        it("does not write through a symlink at offsets.json", async () => {
            const victim = path.join(sandbox.root, "victim");
            fs.writeFileSync(victim, "precious");
            const { lines } = await shipErrorLinesAfter(() => {
                fs.mkdirSync(sandbox.logPath(".logshipper"));
                fs.symlinkSync(victim, sandbox.logPath(".logshipper/offsets.json"));
            });
            expect(lines).to.deep.equal(expectedLines("error.log", 0, 10, LINE));
            expect(fs.readFileSync(victim, "utf8")).to.equal("precious");
        });
    });
});

function safeReadlink(link: string): string | undefined {
    try {
        return fs.readlinkSync(link);
    } catch {
        return undefined;
    }
}
