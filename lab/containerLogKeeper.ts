/**
 * Keeps every run of one container's output as the kubelet wrote it on the node, for tests where
 * the container restarts several times or the Pod is deleted: `kubectl logs --previous` only
 * reaches back one run, and the kubelet removes the log files of dead containers (its container
 * garbage collection keeps one per container) and the Pod's log directory on deletion.
 *
 * Each run's CRI log file (`<restartCount>.log`) is hard-linked, as soon as it appears, into a
 * directory of our own on the same filesystem: the kubelet's removal then only drops its name,
 * and the file keeps every byte containerd appends until the run ends.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { OutputChunk, criLogFile, readCriLog } from "./criLog";
import { clusterDirectory } from "./localNode";

/** The Pod a keeper watches. */
export interface PodIdentity {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
}

/** How often the container's log directory is looked at: a new run's file is linked this soon. */
const POLL_MS = 100;

export class ContainerLogKeeper {
    private readonly keptRuns = new Set<number>();
    private readonly timer: NodeJS.Timeout;
    /** A failure of a background look, reported by stop() rather than crashing the process. */
    private failure: Error | undefined;

    private constructor(private readonly sourceDirectory: string, private readonly keepDirectory: string) {
        this.keepNewRuns();
        this.timer = setInterval(() => {
            try {
                this.keepNewRuns();
            } catch (e) {
                this.failure ??= e as Error;
            }
        }, POLL_MS);
    }

    /** Starts keeping `container`'s runs of `pod`, from its current one on. */
    static start(pod: PodIdentity, container: string): ContainerLogKeeper {
        const source = path.dirname(criLogFile(pod.namespace, pod.name, pod.uid, container));
        // Beside the kubelet's files, so that a hard link is possible (same filesystem).
        const keep = path.join(clusterDirectory(), "lab-kept-logs", `${pod.name}-${container}-${crypto.randomBytes(3).toString("hex")}`);
        fs.mkdirSync(keep, { recursive: true });
        return new ContainerLogKeeper(source, keep);
    }

    /** How many runs (the first, and one per restart) have been seen so far. */
    get runs(): number {
        return this.keptRuns.size;
    }

    /** Stops watching, and returns the stdout of every run kept, in run order. */
    stop(): OutputChunk[] {
        clearInterval(this.timer);
        if (this.failure !== undefined) {
            throw this.failure;
        }
        this.keepNewRuns();
        return [...this.keptRuns].sort((a, b) => a - b).flatMap((run) => readCriLog(path.join(this.keepDirectory, `${run}.log`)));
    }

    /** Removes the kept files. */
    cleanUp(): void {
        clearInterval(this.timer);
        fs.rmSync(this.keepDirectory, { recursive: true, force: true });
    }

    private keepNewRuns(): void {
        let names: string[];
        try {
            names = fs.readdirSync(this.sourceDirectory);
        } catch {
            return; // not made yet, or already removed with the Pod
        }
        for (const name of names) {
            const run = /^(\d+)\.log$/.exec(name);
            if (run === null || this.keptRuns.has(Number(run[1]))) {
                continue;
            }
            try {
                fs.linkSync(path.join(this.sourceDirectory, name), path.join(this.keepDirectory, name));
                this.keptRuns.add(Number(run[1]));
            } catch (e) {
                if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
                    throw e;
                }
            }
        }
    }
}
