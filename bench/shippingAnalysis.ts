/**
 * Reads a sidecar's output for the benchmark: when each access line first arrived on the node
 * (containerd's stamp in the CRI log), against the time nginx wrote it ($msec, the line's last field).
 */
import { OutputChunk } from "../lab/criLog";
import { isErrorLogLine } from "../lab/lineAccounting";

/**
 * Latencies in milliseconds from nginx's write to the sidecar's stdout, at each access line's
 * first arrival, split by whether the line passes `isIdleLine` (requests of the idle phase).
 */
export function accessLineLatencies(chunks: readonly OutputChunk[], isIdleLine: (line: string) => boolean): { idle: number[]; load: number[] } {
    const idle: number[] = [];
    const load: number[] = [];
    const seen = new Set<string>();
    let partial = "";
    for (const chunk of chunks) {
        const lines = (partial + chunk.text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
            if (line === "" || isErrorLogLine(line) || seen.has(line)) {
                continue; // error lines carry seconds only; a repeat is not a new arrival
            }
            seen.add(line);
            const writtenAt = Number(line.slice(line.lastIndexOf(" ") + 1)) * 1000;
            if (Number.isFinite(writtenAt)) {
                (isIdleLine(line) ? idle : load).push(Math.max(0, chunk.atMs - writtenAt));
            }
        }
    }
    return { idle, load };
}

/** The p-th percentile (0..100) of values, nearest-rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) {
        return NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
