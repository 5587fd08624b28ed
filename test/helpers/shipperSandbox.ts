/**
 * The real log shipper in a scratch directory, for fast tests with no cluster: real python3, real
 * files, and a writer that behaves like nginx (test/helpers/fakeNginx.py). Linux only (inotify, /proc).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOG_SHIPPER_PATH, SHIPPER_CHUNK_BYTES } from "../../components/sidecar/shipperCommand";
import { signalIfAlive } from "../../lab/processes";
import { waitFor } from "../../lab/polling";

const FAKE_NGINX_PATH = path.join(__dirname, "fakeNginx.py");

/** An interpreter's real binary (a pyenv shim would replace the argv[0] the fake nginx is found by). */
function resolvePython(command: string): string {
    return execFileSync(command, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
}

/** The interpreter the shipper runs under by default: $SHIPPER_PYTHON, else python3. */
export const PYTHON = resolvePython(process.env.SHIPPER_PYTHON ?? "python3");

/**
 * The oldest python3 the shipper is said to run on (components/args.ts, `sidecarImage`). The fast
 * tests run under it too wherever findPython finds one.
 */
export const OLDEST_CLAIMED_PYTHON = "3.8";

/**
 * A python3 of `version` (major.minor) on this machine, or undefined: `python<version>` on PATH,
 * else one installed by pyenv (which is how this project's machines have older ones).
 */
export function findPython(version: string): string | undefined {
    const pyenvVersions = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv"), "versions");
    const installed = fs.existsSync(pyenvVersions) ? fs.readdirSync(pyenvVersions).filter((name) => name.startsWith(`${version}.`)).sort() : [];
    for (const candidate of [`python${version}`, ...installed.map((name) => path.join(pyenvVersions, name, "bin", "python3"))]) {
        try {
            const resolved = resolvePython(candidate);
            const actual = execFileSync(resolved, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).trim();
            if (actual === version) {
                return resolved;
            }
        } catch {
            // not this one
        }
    }
    return undefined;
}

/** What one run of the shipper wrote and how it ended. */
export class ShipperRun {
    private readonly stderrChunks: Buffer[] = [];
    /** Resolves to the exit code, or null when killed by a signal. */
    readonly exited: Promise<number | null>;

    constructor(readonly child: ChildProcess, readonly outputPath: string) {
        child.stderr?.on("data", (chunk: Buffer) => this.stderrChunks.push(chunk));
        this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    }

    get pid(): number {
        return this.child.pid ?? -1;
    }

    /** What it wrote to stdout so far. */
    output(): string {
        return fs.readFileSync(this.outputPath, "utf8");
    }

    /** Its own messages (stderr) so far. */
    stderr(): string {
        return Buffer.concat(this.stderrChunks).toString();
    }

    /**
     * Resolves to its stderr once a line of it matches `pattern`: stderr arrives through a pipe,
     * so it can lag behind the output file, which is read directly.
     * @throws when no line matches within `timeoutMs`.
     */
    saidOnStderr(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
        return waitFor(`the shipper to say ${pattern} on stderr (so far: ${JSON.stringify(this.stderr())})`,
            () => (pattern.test(this.stderr()) ? this.stderr() : undefined), timeoutMs, 20);
    }

    /** Sends a signal unless it has exited already. */
    kill(signal: NodeJS.Signals): void {
        signalIfAlive(this.pid, signal);
    }
}

/** The fake nginx master: commands on stdin, answers and "usr1" notices on stdout. */
export class FakeNginx {
    private buffered = "";
    private readonly answers: ((line: string) => void)[] = [];
    /** SIGUSR1s received so far. */
    usr1Count = 0;
    readonly exited: Promise<number | null>;

    constructor(readonly child: ChildProcess) {
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (text: string) => {
            this.buffered += text;
            let newline;
            while ((newline = this.buffered.indexOf("\n")) >= 0) {
                const line = this.buffered.slice(0, newline);
                this.buffered = this.buffered.slice(newline + 1);
                if (line === "usr1") {
                    this.usr1Count += 1;
                } else {
                    this.answers.shift()?.(line);
                }
            }
        });
        this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    }

    get pid(): number {
        return this.child.pid ?? -1;
    }

    /** Sends one command and resolves once it is done. */
    command(line: string): Promise<string> {
        const answered = this.nextAnswer();
        this.child.stdin?.write(`${line}\n`);
        return answered;
    }

    /** The next line it prints other than "usr1" (its "ready" line, then one answer per command). */
    nextAnswer(): Promise<string> {
        return new Promise<string>((resolve) => this.answers.push(resolve));
    }

    /** Appends `count` numbered lines of `bytes` bytes each (newline included) to `name`. */
    write(name: string, count: number, bytes: number): Promise<string> {
        return this.command(`write ${name} ${count} ${bytes}`);
    }

    /** Tells it to exit, as nginx does on SIGQUIT, and resolves once it has. */
    async exit(): Promise<void> {
        this.child.stdin?.write("exit\n");
        await this.exited;
    }

    /** Resolves once at least `count` SIGUSR1s have arrived. */
    usr1Received(count: number, timeoutMs = 10_000): Promise<true> {
        return waitFor(`${count} SIGUSR1 to the fake nginx`, () => (this.usr1Count >= count ? true : undefined), timeoutMs, 20);
    }
}

/** How nginx starts each line of its error log (the fake nginx writes its error.log lines so, as nginx does). */
export const ERROR_LOG_PREFIX = "2026/01/01 00:00:00 [error] 1#1: ";

/** The lines the fake nginx writes to `name`, numbered from `from`, as `count` lines of `bytes`. */
export function expectedLines(name: string, from: number, count: number, bytes: number): string[] {
    return Array.from({ length: count }, (_, i) => {
        const head = `${name.startsWith("error.log") ? ERROR_LOG_PREFIX : ""}${name}-${String(from + i).padStart(8, "0")} `;
        return head + "x".repeat(bytes - head.length - 1);
    });
}

/** Options of one shipper run; the rest are the Pod's defaults. */
export interface ShipperOptions {
    rotateBytes?: number;
    drainTimeoutSeconds?: number;
    extraArgs?: string[];
}

/** A scratch log directory with the processes of one test; `cleanup` kills them all. */
export class ShipperSandbox {
    /**
     * @param python the interpreter of the shipper and of the fake nginx.
     * @param wrapper words before the interpreter for both, e.g. setpriv's to run them as another uid
     * (which then owns the directory).
     */
    constructor(readonly python: string = PYTHON, private readonly wrapper: string[] = []) {
        fs.mkdirSync(this.logDirectory);
    }

    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "logshipper-"));
    readonly logDirectory = path.join(this.root, "logs");
    private readonly children: ChildProcess[] = [];
    private runs = 0;

    /**
     * A program to run in this sandbox: the file itself, or, when the sandbox runs its programs as
     * another uid (a wrapper), a copy inside the sandbox's directory, which that uid owns: the
     * checkout may sit under a directory it cannot enter (a clone in a `mktemp -d`, mode 0700).
     */
    program(file: string): string {
        if (this.wrapper.length === 0) {
            return file;
        }
        const copy = path.join(this.root, "programs", path.basename(file));
        if (!fs.existsSync(copy)) {
            fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
            fs.copyFileSync(file, copy);
            fs.chmodSync(copy, 0o644);
        }
        return copy;
    }

    /** A path in the log directory. */
    logPath(name: string): string {
        return path.join(this.logDirectory, name);
    }

    /** Starts the real shipper on the log directory, stdout to a file of its own. */
    startShipper(options: ShipperOptions = {}): ShipperRun {
        const outputPath = path.join(this.root, `stdout-${++this.runs}`);
        const stdout = fs.openSync(outputPath, "w");
        const args = [this.program(LOG_SHIPPER_PATH), "--dir", this.logDirectory, "--rotate-bytes", String(options.rotateBytes ?? 2 ** 40),
            "--chunk-bytes", String(SHIPPER_CHUNK_BYTES), "--drain-timeout", String(options.drainTimeoutSeconds ?? 5),
            ...(options.extraArgs ?? []), "access.log", "error.log"];
        const [command, ...prefix] = [...this.wrapper, this.python];
        const child = spawn(command, [...prefix, ...args], { stdio: ["ignore", stdout, "pipe"] });
        fs.closeSync(stdout);
        this.children.push(child);
        return new ShipperRun(child, outputPath);
    }

    /** Starts the fake nginx writing access.log and error.log; resolves once it has opened them. */
    async startNginx(options: { holdReopen?: boolean } = {}): Promise<FakeNginx> {
        // exec -a: the name the shipper finds nginx's master by, through any wrapper.
        const [command, ...prefix] = [...this.wrapper, "bash", "-c", 'exec -a "$0" "$@"', "nginx: master process (fake)", this.python,
            this.program(FAKE_NGINX_PATH), this.logDirectory, "access.log", "error.log", ...(options.holdReopen ? ["--hold-reopen"] : [])];
        const child = spawn(command, prefix, { stdio: ["pipe", "pipe", "inherit"] });
        this.children.push(child);
        const nginx = new FakeNginx(child);
        await nginx.nextAnswer();
        return nginx;
    }

    /** Starts any other process, killed with the rest in `cleanup`. */
    startProcess(command: string, args: string[]): ChildProcess {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
        this.children.push(child);
        return child;
    }

    /** Kills every process started here and removes the directory. */
    async cleanup(): Promise<void> {
        for (const child of this.children) {
            if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
                signalIfAlive(child.pid, "SIGKILL");
                await new Promise((resolve) => child.once("exit", resolve));
            }
        }
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** Polls until `run` has written every line of `expected` (or more), with a deadline. */
export function shippedAtLeast(runs: ShipperRun[], lineCount: number, timeoutMs = 10_000): Promise<string[]> {
    return waitFor(`${lineCount} lines shipped`, () => {
        const lines = runs.map((run) => run.output()).join("").split("\n").slice(0, -1);
        return lines.length >= lineCount ? lines : undefined;
    }, timeoutMs, 20);
}
