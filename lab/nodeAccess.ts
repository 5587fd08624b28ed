/**
 * What tests do on the node that runs a Pod, beyond the Kubernetes API: read and write the node's
 * files, see a Pod's volume and its containers' processes, kill a container as a crash would, drop
 * connections in the Pod's network, keep every run of a container's output. Two ways there:
 * - {@link THIS_MACHINE}: the node is this machine (the project's local cluster, whose kubelet runs
 *   here): its files, /proc and cgroups directly;
 * - {@link NodeHelper} (lab/nodeHelper.ts): any node, through a privileged helper Pod on it
 *   (hostPID, the node's root at /host), driven with `kubectl exec`; what kind and most clusters allow.
 */
import * as k8s from "@pulumi/kubernetes";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContainerLogKeeper } from "./containerLogKeeper";
import { OutputChunk } from "./criLog";
import { watchDiskUsage } from "./diskUsage";
import { containerCgroupDirectory, emptyDirOnNode } from "./localNode";
import { dropNewConnections } from "./podFirewall";
import { waitFor } from "./polling";
import { signalIfAlive } from "./processes";

/** A Pod, as node access needs to know it. */
export interface PodOnNode {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
    readonly qosClass: string;
}

/** Every run of a container's output, kept from when it was started. */
export interface ContainerLogs {
    /** How many runs (the first, and one per restart) were kept: known once stopped. */
    readonly runs: number;
    /** Stops keeping, and returns every run's stdout, in run order, each record with its CRI time. */
    stop(): Promise<OutputChunk[]>;
    /** Removes the kept files. */
    cleanUp(): void;
}

/** A sampling of the peak disk usage of a Pod's shared-logs volume. */
export interface UsageWatch {
    /** Stops sampling; resolves to the peak, in bytes of allocated blocks. */
    stop(): Promise<number>;
}

/** When containers exited, watched while something stops them. */
export interface ExitWatch {
    /** Resolves, once every container has exited (or when stopped), to when each did, in seconds since the node booted. */
    stop(): Promise<Map<string, number>>;
}

/** How a kill waits for a file of the Pod's shared-logs volume (a rotation) before it strikes. */
export interface KillOptions {
    /** A file name in the shared-logs volume (`access.log.1`): kill as soon as it exists. */
    readonly onceSharedLogExists?: string;
    /** How long to wait for it. @default 60_000 */
    readonly timeoutMs?: number;
}

/** The shared-logs volume's mount point in the component's containers. */
export const SHARED_LOGS_MOUNT = "/var/log/nginx";

/** What the tests do on a Pod's node; see the module's comment for the two ways. */
export interface NodeAccess {
    /** Says which way, for messages. */
    readonly description: string;
    /** What a Pod's spec needs to run where this access reaches (a nodeSelector), or nothing. */
    placement(): Partial<k8s.types.input.core.v1.PodSpec>;
    /** Makes a directory on the node that any uid may write (for a hostPath volume); returns its path there. */
    makeDirectory(prefix: string): string;
    /** A file on the node. */
    readFile(nodePath: string): string;
    /** Removes a directory made by makeDirectory. */
    removeDirectory(nodePath: string): void;
    /** A file of the Pod's shared-logs volume, as the Pod's containers see it now. */
    readSharedLog(pod: PodOnNode, file: string): string;
    /** Samples the disk usage of the Pod's shared-logs volume until stopped. */
    watchSharedLogsUsage(pod: PodOnNode): Promise<UsageWatch>;
    /** Kills every process of a container (as a crash would); the kubelet restarts it per its policy. */
    killContainer(pod: PodOnNode, containerId: string, signal: NodeJS.Signals, options?: KillOptions): Promise<void>;
    /** Drops new TCP connections to `port` in the Pod's network (established ones go on); returns the function that lifts it. */
    dropNewConnections(pod: PodOnNode, containerId: string, port: number): () => void;
    /** Starts keeping every run of a container's output, as the kubelet writes it on the node. */
    keepContainerLogs(pod: PodOnNode, container: string): Promise<ContainerLogs>;
    /** When each container's first process started, in seconds since the node booted. */
    containerStarts(containerIds: readonly string[]): Map<string, number>;
    /** Watches, from now on, for each container's last process to exit. */
    watchContainerExits(containerIds: readonly string[]): Promise<ExitWatch>;
}

/** lab/nodeTools.py, run on this machine (the node): for what has no TypeScript of its own here. */
function nodeToolsHere(args: string[]): string {
    return execFileSync("python3", [path.join(__dirname, "nodeTools.py"), ...args], {
        encoding: "utf8", env: { ...process.env, NODE_TOOLS_HOST_ROOT: "/" }, maxBuffer: 1 << 30,
    });
}

/** The node is this machine: the project's local cluster. */
export const THIS_MACHINE: NodeAccess = {
    description: "this machine (the local cluster's node)",

    placement: () => ({}),

    makeDirectory(prefix: string): string {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
        // Written by the Pod's user: let any uid write, as an emptyDir would.
        fs.chmodSync(directory, 0o1777);
        return directory;
    },

    readFile: (nodePath: string) => fs.readFileSync(nodePath, "utf8"),

    removeDirectory: (nodePath: string) => fs.rmSync(nodePath, { recursive: true, force: true }),

    readSharedLog: (pod: PodOnNode, file: string) => fs.readFileSync(path.join(emptyDirOnNode(pod.uid, "shared-logs"), file), "utf8"),

    async watchSharedLogsUsage(pod: PodOnNode): Promise<UsageWatch> {
        const watch = watchDiskUsage(emptyDirOnNode(pod.uid, "shared-logs"));
        return { stop: async () => watch.stop() };
    },

    async killContainer(pod: PodOnNode, containerId: string, signal: NodeJS.Signals, options: KillOptions = {}): Promise<void> {
        if (options.onceSharedLogExists !== undefined) {
            const file = path.join(emptyDirOnNode(pod.uid, "shared-logs"), options.onceSharedLogExists);
            await waitFor(`${options.onceSharedLogExists} in shared-logs`, () => (fs.existsSync(file) ? true : undefined), options.timeoutMs ?? 60_000, 2);
        }
        for (const pid of localContainerPids(pod, containerId)) {
            // Some may be gone already: once a container's first process dies, its shim kills the
            // rest (nginx's workers after its master), racing this loop.
            signalIfAlive(pid, signal);
        }
    },

    dropNewConnections: (pod: PodOnNode, containerId: string, port: number) =>
        dropNewConnections({ containerProcessIds: () => localContainerPids(pod, containerId) }, containerId, port),

    keepContainerLogs: async (pod: PodOnNode, container: string): Promise<ContainerLogs> => {
        const keeper = ContainerLogKeeper.start(pod, container);
        return { get runs() { return keeper.runs; }, stop: async () => keeper.stop(), cleanUp: () => keeper.cleanUp() };
    },

    containerStarts: (containerIds: readonly string[]) =>
        new Map(Object.entries(JSON.parse(nodeToolsHere(["starts", ...containerIds])) as Record<string, number>)),

    async watchContainerExits(containerIds: readonly string[]): Promise<ExitWatch> {
        const child = spawn("python3", [path.join(__dirname, "nodeTools.py"), "exits", ...containerIds], {
            env: { ...process.env, NODE_TOOLS_HOST_ROOT: "/" }, stdio: ["pipe", "pipe", "inherit"],
        });
        return exitWatchOf(await startedWatch(child, "watching"));
    },
};

/** The host pids of a container's processes on this machine, from the cgroup (v1) the kubelet made for it. */
function localContainerPids(pod: PodOnNode, containerId: string): number[] {
    const procs = fs.readFileSync(path.join(containerCgroupDirectory("pids", pod.uid, containerId, pod.qosClass), "cgroup.procs"), "utf8");
    return procs.trim().split("\n").filter((p) => p !== "").map(Number);
}

/** A watching child process (nodeTools.py's watch commands), once it has printed `ready`. */
export interface StartedWatch {
    /** Closes the child's stdin, which ends the watch, and resolves to what it printed after `ready`. */
    finish(): Promise<string>;
}

/**
 * Waits for a watching child to print its `ready` line.
 * @throws when it exits first, with what it printed.
 */
export function startedWatch(child: ChildProcess, ready: string): Promise<StartedWatch> {
    let output = "";
    // A watch that ended by itself has closed its stdin: ending ours then must not throw.
    child.stdin?.on("error", () => undefined);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return new Promise((resolve, reject) => {
        child.stdout!.setEncoding("utf8");
        child.stdout!.on("data", (chunk: string) => {
            const wasReady = output.startsWith(`${ready}\n`);
            output += chunk;
            if (!wasReady && output.startsWith(`${ready}\n`)) {
                resolve({
                    finish: async () => {
                        child.stdin!.end();
                        const code = await exited;
                        if (code !== 0) {
                            throw new Error(`node watch exited ${code}: ${output}`);
                        }
                        return output.slice(ready.length + 1);
                    },
                });
            }
        });
        void exited.then((code) => reject(new Error(`node watch exited ${code} before it was ready: ${output}`)));
    });
}

/** An ExitWatch over nodeTools.py's `exits`. */
export function exitWatchOf(watch: StartedWatch): ExitWatch {
    return { stop: async () => new Map(Object.entries(JSON.parse(await watch.finish()) as Record<string, number>)) };
}
