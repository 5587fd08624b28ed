/**
 * Reading a container's output through `kubectl logs`, once or followed (`-f`), with the reader's
 * failures surfaced as {@link LogReaderError}s and the shipper's stderr notices set apart
 * (lab/logReader.ts): what every harness reader of container output through the API goes through.
 */
import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import { LogReaderError, ShippedOutput, containerOutputOf, separateReaderError, separateShipperNotices } from "./logReader";
import { clusterKubeconfig } from "./pulumiHarness";

/** The kubelet's in-band error for a container that was removed while it was followed. */
const CONTAINER_REMOVED = /rpc error: code = NotFound desc = an error occurred when try to find container /;

/** The signal {@link LogFollower.stop} ends a follow with. */
const STOP_SIGNAL: NodeJS.Signals = "SIGTERM";

/** Which container's output, and which run of it. */
export interface ContainerRef {
    readonly namespace: string;
    readonly pod: string;
    readonly container: string;
    /** The run before the current one (`--previous`). @default false */
    readonly previous?: boolean;
}

/** `kubectl logs` of `ref`, as argv, with the cluster under test's kubeconfig. */
export function kubectlLogsCommand(ref: ContainerRef, follow = false): string[] {
    return ["kubectl", "--kubeconfig", clusterKubeconfig(), "logs", ...(follow ? ["-f"] : []), ref.pod, "-n", ref.namespace, "-c", ref.container,
        ...(ref.previous === true ? ["--previous"] : [])];
}

/** A failed execFile's exit status, signal and output (Node puts them on the error). */
interface ExecFailure {
    readonly status?: number | null;
    readonly code?: number | string | null;
    readonly signal?: NodeJS.Signals | null;
    readonly stdout?: string;
    readonly stderr?: string;
}

/**
 * What a container wrote so far, read once (`kubectl logs`), the shipper's notices set apart.
 * @throws {LogReaderError} when kubectl or the kubelet failed, naming the command and its message.
 */
export function readContainerOutput(ref: ContainerRef): ShippedOutput {
    const [command, ...args] = kubectlLogsCommand(ref);
    try {
        const stdout = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
        return containerOutputOf({ command: [command, ...args], stdout, stderr: "", exitCode: 0, signal: null });
    } catch (e) {
        const failure = e as ExecFailure;
        if (failure.stdout === undefined) {
            throw e; // kubectl did not run at all (not on PATH): not a reader's answer
        }
        return containerOutputOf({
            command: [command, ...args], stdout: failure.stdout, stderr: failure.stderr ?? "", exitCode: failure.status ?? null, signal: failure.signal ?? null,
        });
    }
}

/** {@link readContainerOutput} without blocking the event loop (for output that keeps arriving meanwhile). */
export function readContainerOutputAsync(ref: ContainerRef): Promise<ShippedOutput> {
    const [command, ...args] = kubectlLogsCommand(ref);
    return new Promise((resolve, reject) => {
        execFile(command, args, { encoding: "utf8", maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
            const failure = error as (ExecFailure & Error) | null;
            if (failure !== null && typeof failure.code === "string") {
                reject(failure); // kubectl did not run at all (ENOENT): not a reader's answer
                return;
            }
            try {
                const exitCode = failure === null ? 0 : (typeof failure.code === "number" ? failure.code : null);
                resolve(containerOutputOf({ command: [command, ...args], stdout, stderr, exitCode, signal: failure?.signal ?? null }));
            } catch (readerError) {
                reject(readerError);
            }
        });
    });
}

/**
 * A `kubectl logs -f` in progress: the container's output as it arrives, and, once the stream ends,
 * all of it, or the reader's failure.
 */
export class LogFollower {
    private stdout = "";
    private stderr = "";
    private stoppedWith: NodeJS.Signals | undefined;
    private ended = false;
    /**
     * Resolves with everything the container shipped once the stream ends (the container exited, or
     * {@link stop}); rejects with a {@link LogReaderError} when the reader failed.
     */
    readonly done: Promise<string>;
    private result: ShippedOutput | undefined;

    /**
     * @param child the reader's process, its stdout and stderr piped.
     * @param command its argv, for messages.
     */
    constructor(private readonly child: ChildProcess, readonly command: readonly string[]) {
        child.stdout!.setEncoding("utf8");
        child.stdout!.on("data", (chunk: string) => { this.stdout += chunk; });
        // Read, not left in the pipe: kubectl's complaints are the reader's failure, and a full pipe would stall it.
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => { this.stderr += chunk; });
        this.done = new Promise((resolve, reject) => {
            child.on("error", reject);
            // "close", not "exit": every byte of stdout and stderr has been read by then.
            child.on("close", (exitCode, signal) => {
                this.ended = true;
                try {
                    this.result = containerOutputOf({ command, stdout: this.stdout, stderr: this.stderr, exitCode, signal, stoppedWith: this.stoppedWith });
                    resolve(this.result.shipped);
                } catch (e) {
                    reject(e);
                }
            });
        });
        // A follower nobody awaits (its test failed first) must not crash the run with an unhandled
        // rejection; whoever awaits `done` still gets the failure.
        this.done.catch(() => undefined);
    }

    /** Starts following `ref`'s output from its first line (no `--since`: the whole log so far comes first). */
    static start(ref: ContainerRef): LogFollower {
        const [command, ...args] = kubectlLogsCommand(ref, true);
        return new LogFollower(spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] }), [command, ...args]);
    }

    /** What the container shipped so far (up to a reader's error written in band, the shipper's notices left out). */
    get output(): string {
        return separateShipperNotices(separateReaderError(this.stdout).output).shipped;
    }

    /** The shipper's notices (its stderr) so far. */
    get notices(): string[] {
        return this.result?.notices ?? separateShipperNotices(separateReaderError(this.stdout).output).notices;
    }

    /** Whether the stream has ended. */
    get hasEnded(): boolean {
        return this.ended;
    }

    /**
     * What the container shipped, once the stream ends after the harness deleted the container's
     * Pod. The kubelet then sometimes ends the follow with its own NotFound for the container it
     * has just removed (`rpc error: code = NotFound desc = an error occurred when try to find
     * container …`): the stream is whole up to that error, which this accepts, and only it. The
     * caller's accounting of every line still proves that nothing was lost.
     */
    async doneAfterDeletion(): Promise<string> {
        try {
            return await this.done;
        } catch (error) {
            // Or kubectl's exit 1 with nothing said, which ends a follow of a Pod deleted meanwhile.
            if (error instanceof LogReaderError && (CONTAINER_REMOVED.test(error.readerMessage) || error.readerMessage === "exited 1")) {
                return this.output;
            }
            throw error;
        }
    }

    /** Ends the follow; `done` then resolves with what arrived (unless the reader had failed). */
    stop(): void {
        if (!this.ended) {
            this.stoppedWith = STOP_SIGNAL;
            this.child.kill(STOP_SIGNAL);
        }
    }
}
