/**
 * A container's output as the kubelet keeps it on the node: CRI log files
 * (`<RFC 3339 nano time> <stdout|stderr> <P|F> <text>`), one line per read of the container's pipe,
 * stamped by containerd when it read it. The stamps give each line's arrival on the node, which the
 * shipping benchmark compares with the time nginx wrote the line.
 */
import * as fs from "fs";
import * as path from "path";
import { clusterDirectory } from "./localNode";

/** Text a container wrote, as one stamped CRI record (partial records are joined). */
export interface OutputChunk {
    /** When containerd read it from the container's stdout, in ms since the epoch (sub-ms kept). */
    readonly atMs: number;
    readonly text: string;
}

/** The log file of a container's current run, where the local node's kubelet writes it (podLogsDir). */
export function criLogFile(namespace: string, pod: string, podUid: string, container: string, restartCount = 0): string {
    return path.join(clusterDirectory(), "node", "pod-logs", `${namespace}_${pod}_${podUid}`, container, `${restartCount}.log`);
}

/** An RFC 3339 time with nanoseconds, as milliseconds since the epoch (fractional). */
function parseStamp(stamp: string): number {
    const dot = stamp.indexOf(".");
    if (dot < 0) {
        return Date.parse(stamp);
    }
    const zone = stamp.search(/[Z+-][^.]*$/);
    const fraction = stamp.slice(dot, zone);
    return Date.parse(stamp.slice(0, dot) + stamp.slice(zone)) + Number(fraction) * 1000;
}

/**
 * The stdout records of a CRI log file, in order; a run of partial (P) records and the full (F)
 * one that ends it is one chunk, stamped when its end arrived.
 */
export function readCriLog(file: string): OutputChunk[] {
    return parseCriLog(fs.readFileSync(file, "utf8"));
}

/** The stdout records of a CRI log file's text, as {@link readCriLog} reads them. */
export function parseCriLog(text: string): OutputChunk[] {
    const chunks: OutputChunk[] = [];
    let pending = "";
    for (const record of text.split("\n")) {
        if (record === "") {
            continue;
        }
        const [stamp, stream, tag] = record.split(" ", 3);
        if (stream !== "stdout") {
            continue;
        }
        const text = record.slice(stamp.length + stream.length + tag.length + 3);
        if (tag === "P") {
            pending += text;
        } else {
            chunks.push({ atMs: parseStamp(stamp), text: `${pending}${text}\n` });
            pending = "";
        }
    }
    return chunks;
}
