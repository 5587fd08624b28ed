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
 * @throws when a record is not a CRI log record (see {@link parseCriLog}), naming the file.
 */
export function readCriLog(file: string): OutputChunk[] {
    try {
        return parseCriLog(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
    }
}

/** One CRI log record: `<RFC 3339 time> <stdout|stderr> <P|F> <text>`. */
const CRI_RECORD = /^(\S+) (stdout|stderr) (P|F) (.*)$/s;

/**
 * The stdout records of a CRI log file's text, as {@link readCriLog} reads them. The container's
 * stderr records (the shipper's notices) are left out: they are not what it shipped. A last record
 * without its newline is one containerd is still writing, and is left for the next read.
 * @throws when a complete record is not a CRI log record: what was read is then not the
 *   container's log as the runtime wrote it (a reader's message, a file of another format), and
 *   nothing of it may be counted as shipped.
 */
export function parseCriLog(text: string): OutputChunk[] {
    const chunks: OutputChunk[] = [];
    let pending = "";
    const records = text.split("\n");
    records.pop(); // "" after the last newline, or a record still being written
    records.forEach((record, index) => {
        const parsed = CRI_RECORD.exec(record);
        const atMs = parsed === null ? Number.NaN : parseStamp(parsed[1]);
        if (parsed === null || Number.isNaN(atMs)) {
            throw new Error(`record ${index + 1} is not a CRI log record (<time> <stdout|stderr> <P|F> <text>): ${JSON.stringify(record.slice(0, 200))}`);
        }
        const [, , stream, tag, recordText] = parsed;
        if (stream !== "stdout") {
            return;
        }
        if (tag === "P") {
            pending += recordText;
        } else {
            chunks.push({ atMs, text: `${pending}${recordText}\n` });
            pending = "";
        }
    });
    return chunks;
}
