/**
 * Runs a Pod spec on this machine, as real processes: nginx and the sidecar's exact command, in a
 * private mount, PID and network namespace, with the emptyDirs as temp directories. Kubernetes
 * cannot run containers here; this is the stand-in that tests and the benchmark share.
 *
 * Needs root (for unshare), Debian's nginx, setpriv, mount and ip.
 */
import * as k8s from "@pulumi/kubernetes";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { Readable, Writable } from "stream";
import { CriLogWriter } from "./criLogWriter";
import { cpuCgroupsAvailable, cpuSharesFor, createPodCgroups, removePodCgroups } from "./cpuCgroups";
import { renderNginxConfig } from "./nginxConfig";
import type { PodCommand, PodEvent } from "./podInit";
import { PodPlan, planPod } from "./podPlan";

/** Bytes the sidecar wrote to stdout, and when they arrived (ms since the epoch, like nginx's $msec). */
export interface OutputChunk {
    readonly atMs: number;
    readonly data: Buffer;
}

/** Options of {@link LocalPod.start}. */
export interface LocalPodOptions {
    /** The Pod's name (its hostname). @default "webserver" */
    readonly podName?: string;
    /** Also write every log line to unrotated copies outside the shared volume. @default true */
    readonly truthLogs?: boolean;
    /** Where the Pod's files go. @default a new temp directory, removed by {@link LocalPod.remove} */
    readonly directory?: string;
    /** Also append the sidecar's stdout to this file, in the CRI log format (what `kubectl logs` reads). */
    readonly sidecarLogFile?: string;
    /** Append nginx's own output to this file, in the CRI log format. */
    readonly mainLogFile?: string;
    /** Start nginx this long after the sidecar, so the log files appear after it started. @default 0 */
    readonly mainStartDelayMs?: number;
    /** Keep the sidecar's output in {@link LocalPod.sidecarOutput}; off for long-lived Pods. @default true */
    readonly keepSidecarOutput?: boolean;
}

const INIT_SCRIPT = path.join(__dirname, "podInit.ts");

/** A running local Pod. */
export class LocalPod {
    /** What the sidecar wrote to stdout so far, chunk by chunk. */
    readonly sidecarOutput: OutputChunk[] = [];
    /** Events from the Pod's init process, in order. */
    readonly events: PodEvent[] = [];
    private readonly waiters: { test: (e: PodEvent) => boolean; resolve: (e: PodEvent) => void }[] = [];
    private readonly exited: Promise<number | null>;

    private constructor(
        readonly plan: PodPlan,
        readonly directory: string,
        private readonly process: ChildProcess,
        private readonly ownsDirectory: boolean,
        sidecarLog: CriLogWriter | undefined,
        mainLog: CriLogWriter | undefined,
        keepSidecarOutput: boolean,
    ) {
        const [, sidecarStdout, , events, mainOutput] = process.stdio as [Writable, Readable, Readable, Readable, Readable];
        mainOutput.on("data", (data: Buffer) => mainLog?.write(data));
        sidecarStdout.on("data", (data: Buffer) => {
            if (keepSidecarOutput) {
                this.sidecarOutput.push({ atMs: Date.now(), data });
            }
            sidecarLog?.write(data);
        });
        readline.createInterface({ input: events }).on("line", (line) => this.onEvent(JSON.parse(line) as PodEvent));
        this.exited = new Promise((resolve) => process.on("exit", (code) => {
            sidecarLog?.end();
            mainLog?.end();
            resolve(code);
        }));
    }

    /**
     * Starts the Pod and waits until nginx accepts connections.
     * @param spec the Pod spec, as the component builds it.
     */
    static async start(spec: k8s.types.input.core.v1.PodSpec, options: LocalPodOptions = {}): Promise<LocalPod> {
        const ownsDirectory = options.directory === undefined;
        const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), "local-pod-"));
        // Everything under it is read by the Pod's non-root users.
        fs.chmodSync(directory, 0o755);
        assertReachableByAll(path.dirname(directory));
        const configFile = path.join(directory, "nginx.conf");
        const truthDirectory = path.join(directory, "truth");
        const plan = planPod(options.podName ?? "webserver", spec, configFile, options.mainStartDelayMs);

        fs.writeFileSync(configFile, renderNginxConfig(options.truthLogs === false ? undefined : truthDirectory), { mode: 0o644 });
        for (const volume of plan.volumes) {
            // An emptyDir is world-writable, as the kubelet makes it.
            makeWorldWritable(path.join(directory, "volumes", volume));
        }
        makeWorldWritable(truthDirectory);
        const podId = path.basename(directory);
        if (cpuCgroupsAvailable()) {
            const procsFiles = createPodCgroups(podId, Object.fromEntries(plan.containers.map((c) => [c.name, cpuSharesFor(c.cpuRequest)])));
            plan.containers.forEach((c) => { c.cgroupProcsFile = procsFiles[c.name]; });
        }
        const planFile = path.join(directory, "plan.json");
        fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));

        const child = spawn("unshare", [
            "--mount", "--pid", "--net", "--fork", "--mount-proc", "--kill-child",
            process.execPath, "-r", require.resolve("ts-node/register/transpile-only"), INIT_SCRIPT, planFile, directory, truthDirectory,
        ], { stdio: ["pipe", "pipe", "inherit", "pipe", "pipe"] });
        const criLog = (file: string | undefined) => (file === undefined ? undefined : new CriLogWriter(file, "stdout"));
        const pod = new LocalPod(plan, directory, child, ownsDirectory, criLog(options.sidecarLogFile), criLog(options.mainLogFile), options.keepSidecarOutput ?? true);
        const mainNames = plan.containers.filter((c) => c.role === "main").map((c) => c.name);
        try {
            const first = await pod.waitFor((e) => e.event === "ready" || (e.event === "exited" && mainNames.includes(e.name)), 30_000, "nginx to accept connections");
            if (first.event === "exited") {
                throw new Error(`local Pod: ${first.name} exited (code ${first.code}, signal ${first.signal}) before it was ready`);
            }
        } catch (error) {
            // Leave nothing behind: processes, cgroups, and the directory when it is ours.
            await pod.stop();
            pod.remove();
            throw error;
        }
        return pod;
    }

    /** The host directory behind the shared-logs emptyDir. */
    volumeDirectory(volume: string): string {
        return path.join(this.directory, "volumes", volume);
    }

    /** Where nginx's unrotated copies of its logs are (see {@link LocalPodOptions.truthLogs}). */
    truthFile(name: "access.log" | "error.log"): string {
        return path.join(this.directory, "truth", name);
    }

    /** The host pid of the Pod's init process: `nsenter -t PID -n` enters the Pod's network. */
    initPid(): number {
        const children = fs.readFileSync(`/proc/${this.process.pid}/task/${this.process.pid}/children`, "utf8").trim();
        return Number(children.split(" ")[0]);
    }

    /** A command line that runs `argv` inside the Pod's network namespace (e.g. wrk against 127.0.0.1:80). */
    inPodNetwork(argv: string[]): string[] {
        return ["nsenter", `--net=/proc/${this.initPid()}/ns/net`, "--", ...argv];
    }

    /** Kills the sidecar with `signal`; the "kubelet" restarts it after `restartAfterMs`. */
    async killSidecar(signal: NodeJS.Signals, restartAfterMs: number): Promise<void> {
        const startsBefore = this.events.filter((e) => e.event === "started").length;
        this.send({ cmd: "kill-sidecar", signal, restartAfterMs });
        await this.waitFor(() => this.events.filter((e) => e.event === "started").length > startsBefore, 30_000, "the sidecar to restart");
    }

    /**
     * Stops the Pod the kubelet's way (see podInit.ts) and waits until every process has exited.
     * @returns the events of the whole run.
     */
    async stop(): Promise<PodEvent[]> {
        this.send({ cmd: "stop" });
        await this.exited;
        return this.events;
    }

    /** Everything the sidecar wrote, as text. */
    sidecarText(): string {
        return Buffer.concat(this.sidecarOutput.map((c) => c.data)).toString("utf8");
    }

    /** Deletes the Pod's directory (when this runner created it) and cgroups. The Pod must be stopped. */
    remove(): void {
        removePodCgroups(path.basename(this.directory));
        if (this.ownsDirectory) {
            fs.rmSync(this.directory, { recursive: true, force: true });
        }
    }

    /** Waits for an event that passes `test` (also one that already happened). */
    waitFor(test: (e: PodEvent) => boolean, timeoutMs: number, what: string): Promise<PodEvent> {
        const seen = this.events.find(test);
        if (seen !== undefined) {
            return Promise.resolve(seen);
        }
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`local Pod: timed out waiting for ${what}`)), timeoutMs);
            this.waiters.push({ test, resolve: (e) => { clearTimeout(timer); resolve(e); } });
            void this.exited.then(() => reject(new Error(`local Pod exited while waiting for ${what}`)));
        });
    }

    private onEvent(event: PodEvent): void {
        this.events.push(event);
        for (const waiter of [...this.waiters]) {
            if (waiter.test(event)) {
                this.waiters.splice(this.waiters.indexOf(waiter), 1);
                waiter.resolve(event);
            }
        }
    }

    private send(command: PodCommand): void {
        (this.process.stdio[0] as Writable).write(`${JSON.stringify(command)}\n`);
    }
}

/**
 * The Pod's non-root users must reach its files: every directory above them must let others
 * through (like /var/lib/kubelet/pods; not /root, nor a 0700 mkdtemp).
 * @throws naming the first directory that does not.
 */
function assertReachableByAll(directory: string): void {
    for (let current = path.resolve(directory); ; current = path.dirname(current)) {
        if ((fs.statSync(current).mode & 0o001) === 0) {
            throw new Error(`local Pod: ${current} is not searchable by others (mode ${(fs.statSync(current).mode & 0o777).toString(8)}): the Pod's non-root users could not reach their files below it`);
        }
        if (current === path.dirname(current)) {
            return;
        }
    }
}

function makeWorldWritable(directory: string): void {
    fs.mkdirSync(directory, { recursive: true });
    fs.chmodSync(directory, 0o777);
}
