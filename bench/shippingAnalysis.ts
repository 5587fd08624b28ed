/**
 * Reads a sidecar's output for the benchmark: when each access line first arrived on the node
 * (containerd's stamp in the CRI log), against the time nginx wrote it ($msec, the line's last field).
 */
import { OutputChunk } from "../lab/criLog";
import { isErrorLogLine } from "../lab/lineAccounting";

/** nginx's `$msec` (seconds since the epoch, with milliseconds) at the end of a measuring access line. */
const MSEC_AT_END = / "[^"]*" (\d{10}\.\d{3})$/;

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
            // Only a whole access line ends with nginx's $msec; a line a sidecar cut or joined (tail
            // at a rotation) may end with another number, such as a status, read as a time near 1970.
            const msec = MSEC_AT_END.exec(line);
            if (msec !== null) {
                (isIdleLine(line) ? idle : load).push(Math.max(0, chunk.atMs - Number(msec[1]) * 1000));
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
