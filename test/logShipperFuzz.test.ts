/**
 * The shipper against a volume filled at random while nginx writes: directories (deep, full, made
 * unreadable), files (garbage, NULs, huge and sparse), symlinks, FIFOs and sockets, at the rotation
 * targets, in the state directory, in place of it and anywhere else, before the shipper starts and
 * at random times while it runs, as the uid that shares the volume. Every line must be shipped
 * once and in order, the logs must keep rotating, and the shipper must never crash, then or after
 * a restart over what was left. Seeded: a failure names its seed, and SHIPPER_FUZZ_SEED=<seed>
 * replays it. Bounded in time (about 30 s). Linux only.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sleep, waitFor } from "../lab/polling";
import { expectedLines, FakeNginx, PYTHON, ShipperRun, ShipperSandbox } from "./helpers/shipperSandbox";

const LINE = 100;
const ROTATE_BYTES = 64 * 1024;
const BATCHES = 400;
const ACCESS_PER_BATCH = 250;
const ERRORS_PER_BATCH = 5;
/** How long the writer and the fuzzer run, at most. */
const FUZZ_MS = 15_000;
/** As the Pod: one uid for nginx, the shipper and whatever fills the volume (when root can switch to it). */
const POD_UID = 23458;
const AS_POD_UID = ["setpriv", `--reuid=${POD_UID}`, `--regid=${POD_UID}`, "--clear-groups", "--inh-caps=-all"];
const SYSTEM_PYTHON = "/usr/bin/python3";
const AS_ROOT = process.getuid?.() === 0 && fs.existsSync(SYSTEM_PYTHON);

/** A small seeded generator (mulberry32): the same seed, the same run of the fuzzer. */
function randomFrom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
}

/** Fills the sandbox's log directory with random things, each created afresh (never over what is there). */
class VolumeFuzzer {
    private made = 0;
    /** What it created (path, inode): only those it changes or removes, and only while still the same. */
    private readonly created: [string, number][] = [];
    readonly actions: string[] = [];

    constructor(private readonly sandbox: ShipperSandbox, private readonly random: () => number) {}

    private pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.random() * items.length)];
    }

    private bytes(count: number): Buffer {
        const alphabet = ["\0", "\n", "[", "{", "x", "\u00ff", "2026/01/01 00:00:00 [emerg] 1#1: "];
        let text = "";
        while (text.length < count) {
            text += this.pick(alphabet);
        }
        return Buffer.from(text.slice(0, count), "latin1");
    }

    /** Where to put something: the names the shipper uses, and others. */
    private target(): string {
        const state = fs.lstatSync(this.sandbox.logPath(".logshipper"), { throwIfNoEntry: false })?.isDirectory() ?? false;
        return this.pick(["access.log.1", "error.log.1", "access.log.1", ".logshipper", ...(state ? [".logshipper/offsets.json", `.logshipper/x${this.made}`] : []),
            `junk-${this.made}`, ".logshipper-in-the-way-0000000000000000"]);
    }

    /** Owned by the Pod's uid, as everything in the Pod's volume is. */
    private own(entry: string): void {
        if (AS_ROOT) {
            fs.lchownSync(entry, POD_UID, POD_UID);
        }
    }

    private makeTree(at: string, depth: number): void {
        fs.mkdirSync(at);
        this.own(at);
        const entries = Math.floor(this.random() * 4);
        for (let i = 0; i < entries; i++) {
            const file = path.join(at, `f${i}`);
            fs.writeFileSync(file, this.bytes(Math.floor(this.random() * 200)));
            this.own(file);
        }
        if (depth > 0) {
            this.makeTree(path.join(at, "d"), depth - 1);
        }
    }

    /** Creates one random thing at a random name; says what in `actions`. */
    create(): void {
        const name = this.target();
        const at = this.sandbox.logPath(name);
        if (lstatIfThere(at) !== "not there") {
            return; // never over what is there (or what cannot be looked at): it may be a file nginx writes, or one the shipper drains
        }
        this.made += 1;
        const kind = this.pick(["directory", "deep directory", "file", "sparse file", "symlink", "fifo", "socket"] as const);
        try {
            switch (kind) {
                case "directory":
                    this.makeTree(at, Math.floor(this.random() * 3));
                    break;
                case "deep directory":
                    this.makeTree(at, 18 + Math.floor(this.random() * 4)); // deeper than the shipper removes
                    break;
                case "file":
                    fs.writeFileSync(at, this.bytes(Math.floor(this.random() * 64 * 1024)), { flag: "wx" });
                    break;
                case "sparse file":
                    fs.writeFileSync(at, "", { flag: "wx" });
                    fs.truncateSync(at, Math.floor(this.random() * 2 ** 30));
                    break;
                case "symlink":
                    fs.symlinkSync(this.pick(["/etc/passwd", "access.log", "..", "/nonexistent", this.sandbox.root]), at);
                    break;
                case "fifo":
                    execFileSync("mkfifo", [at]);
                    break;
                case "socket":
                    execFileSync(PYTHON, ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", at]);
                    break;
            }
        } catch (error) {
            this.actions.push(`${kind} at ${name} failed: ${(error as Error).message}`);
            return;
        }
        const made = lstatIfThere(at);
        if (typeof made === "string") {
            this.actions.push(`${kind} at ${name}, gone at once`); // the shipper removed it first
            return;
        }
        this.own(at);
        this.created.push([at, made.ino]);
        this.actions.push(`${kind} at ${name}`);
    }

    /** Changes the mode of, or removes, something it created, if it is still there and still the same. */
    change(): void {
        if (this.created.length === 0) {
            return;
        }
        const [at, ino] = this.pick(this.created);
        try {
            // Gone, or a parent of it replaced by a file (ENOTDIR): the shipper moved or removed it.
            const st = fs.lstatSync(at, { throwIfNoEntry: false });
            if (st?.ino !== ino || st.isSymbolicLink()) {
                return;
            }
            if (this.random() < 0.6) {
                const mode = this.pick([0o000, 0o200, 0o400, 0o500, 0o111]);
                fs.chmodSync(at, mode);
                this.actions.push(`chmod ${mode.toString(8)} ${path.basename(at)}`);
            } else {
                fs.rmSync(at, { recursive: true, force: true });
                this.actions.push(`removed ${path.basename(at)}`);
            }
        } catch (error) {
            // The shipper may remove it between the look and the change: that race is the shipper's
            // to win, and not a finding.
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== "ENOENT" && code !== "ENOTDIR") {
                throw error;
            }
            this.actions.push(`${path.basename(at)} gone before its change (${code})`);
        }
    }
}

/**
 * What is at `at`: its stat, or "not there" (ENOENT), or "no way there" (a parent replaced by a
 * file, ENOTDIR): the shipper moves and removes entries while the fuzzer works.
 */
function lstatIfThere(at: string): fs.Stats | "not there" | "no way there" {
    try {
        return fs.lstatSync(at, { throwIfNoEntry: false }) ?? "not there";
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOTDIR") {
            return "no way there";
        }
        throw error;
    }
}

/** The lines of the fake nginx's file `name` among `lines`, in the order shipped. */
function linesOf(name: string, lines: string[]): string[] {
    const own = new RegExp(`^(\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[error\\] 1#1: )?${name.replace(".", "\\.")}-\\d{8} x+$`);
    return lines.filter((line) => own.test(line));
}

describe("the log shipper while the volume is filled at random (fuzz, seeded)", function () {
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

    it("ships every line once and in order, keeps rotating, and never crashes, then or after a restart", async () => {
        const seed = Number(process.env.SHIPPER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
        const random = randomFrom(seed);
        sandbox = AS_ROOT ? new ShipperSandbox(SYSTEM_PYTHON, AS_POD_UID) : new ShipperSandbox(PYTHON);
        if (AS_ROOT) {
            fs.chownSync(sandbox.root, POD_UID, POD_UID);
            fs.chownSync(sandbox.logDirectory, POD_UID, POD_UID);
        }
        const fuzzer = new VolumeFuzzer(sandbox, random);
        const because = (what: string): string => `${what} (seed ${seed}: SHIPPER_FUZZ_SEED=${seed} replays it; what the fuzzer did: ${fuzzer.actions.join("; ")})`;

        for (let i = 0; i < 8; i++) {
            fuzzer.create(); // before the shipper starts: what a restarted sidecar finds
        }
        const nginx: FakeNginx = await sandbox.startNginx();
        const first: ShipperRun = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
        const deadline = Date.now() + FUZZ_MS;
        let batches = 0;
        while (batches < BATCHES && Date.now() < deadline) {
            await nginx.write("access.log", ACCESS_PER_BATCH, LINE);
            await nginx.write("error.log", ERRORS_PER_BATCH, LINE);
            batches += 1;
            for (let i = Math.floor(random() * 3); i > 0; i--) {
                if (random() < 0.7) {
                    fuzzer.create();
                } else {
                    fuzzer.change();
                }
            }
            await sleep(Math.floor(random() * 40));
            expect(first.child.exitCode, because(`the shipper running (stderr: ${first.stderr()})`)).to.equal(null);
        }
        const shipped = await waitFor("every line shipped", () => {
            const lines = first.output().split("\n");
            return linesOf("access.log", lines).length >= batches * ACCESS_PER_BATCH && linesOf("error.log", lines).length >= batches * ERRORS_PER_BATCH ? lines : undefined;
        }, 15_000, 50).catch(() => first.output().split("\n"));
        expect(linesOf("access.log", shipped), because("access.log's lines")).to.deep.equal(expectedLines("access.log", 0, batches * ACCESS_PER_BATCH, LINE));
        expect(linesOf("error.log", shipped), because("error.log's lines")).to.deep.equal(expectedLines("error.log", 0, batches * ERRORS_PER_BATCH, LINE));
        expect(nginx.usr1Count, because("rotations (SIGUSR1 to nginx)")).to.be.at.least(Math.floor((batches * ACCESS_PER_BATCH * LINE) / ROTATE_BYTES / 2));
        expect(first.stderr(), because("the shipper's stderr")).to.not.match(/Traceback/);

        first.kill("SIGTERM");
        await nginx.exit();
        expect(await first.exited, because(`the shipper's exit code (stderr: ${first.stderr()})`)).to.equal(0);

        // A restart over what was left: it may start afresh (the state may be garbage), but it starts, and ships.
        const second = sandbox.startShipper({ rotateBytes: ROTATE_BYTES });
        fs.appendFileSync(sandbox.logPath("access.log"), "access.log-after-restart\n");
        await waitFor(because("the line written after the restart shipped"), () => (second.output().includes("access.log-after-restart\n") ? true : undefined), 10_000, 50);
        expect(second.stderr(), because("the restarted shipper's stderr")).to.not.match(/Traceback/);
        expect(second.child.exitCode, because("the restarted shipper running")).to.equal(null);
        console.log(`      seed ${seed}: ${fuzzer.actions.length} things done to the volume, ${batches} batches written, ${nginx.usr1Count} rotations`);
    });
});
