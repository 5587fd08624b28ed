/**
 * Compares what the sidecar shipped with what nginx wrote (its unrotated truth copies), line by
 * line: which lines never arrived, which arrived more than once, and whether each file's lines
 * arrived in the order they were written.
 */

/** The verdict on one run. */
export interface LineAccount {
    /** Lines nginx wrote. */
    readonly written: number;
    /** Lines the sidecar shipped. */
    readonly shipped: number;
    /** Lines written but never shipped. */
    readonly lost: string[];
    /** Extra copies shipped of lines nginx wrote. */
    readonly duplicated: string[];
    /** Shipped lines nginx never wrote (headers, fragments of lines). */
    readonly unexpected: string[];
}

/** Splits text into lines, without the empty string after a final newline. */
export function linesOf(text: string): string[] {
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") {
        lines.pop();
    }
    return lines;
}

/** nginx's error.log lines start with a date (`2026/11/25 17:51:00 [notice] ...`); access lines with an address. */
export function isErrorLogLine(line: string): boolean {
    return /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[/.test(line);
}

/** Counts each distinct line. */
function countLines(lines: string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of lines) {
        counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    return counts;
}

/**
 * Accounts for every written line in the shipped ones, as multisets: a line written twice (two
 * identical notices in one second) must be shipped twice.
 */
export function accountLines(written: string[], shipped: string[]): LineAccount {
    const writtenCounts = countLines(written);
    const shippedCounts = countLines(shipped);
    const lost: string[] = [];
    const duplicated: string[] = [];
    const unexpected: string[] = [];
    for (const [line, count] of writtenCounts) {
        const arrived = shippedCounts.get(line) ?? 0;
        for (let i = arrived; i < count; i++) lost.push(line);
    }
    for (const [line, count] of shippedCounts) {
        const expected = writtenCounts.get(line) ?? 0;
        for (let i = expected; i < count; i++) (expected === 0 ? unexpected : duplicated).push(line);
    }
    return { written: written.length, shipped: shipped.length, lost, duplicated, unexpected };
}

/** What nginx wrote, from its unrotated truth copies, against what the sidecar shipped. */
export interface NginxLineAccount extends LineAccount {
    /** Every line the sidecar shipped, in order. */
    readonly shippedLines: string[];
    /** Every access line nginx wrote, in order. */
    readonly writtenAccess: string[];
}

/**
 * Accounts for every line nginx wrote (its truth copies of access.log and error.log) in the lines
 * the sidecar shipped. The truth copies hold every line but one per worker: a worker's last words
 * (`exit`) go to its first error_log only (nginx switches to a single static log before freeing
 * its pools). So a shipped `N#N: exit` counts as written when the master reports that worker N exited.
 */
export function accountNginxLines(truthAccess: string, truthError: string, shipped: string): NginxLineAccount {
    const writtenAccess = linesOf(truthAccess);
    const writtenError = linesOf(truthError);
    const shippedLines = linesOf(shipped);
    const exitedWorkers = new Set(writtenError.map((l) => /worker process (\d+) exited/.exec(l)?.[1]).filter((pid) => pid !== undefined));
    const workerExits = [...new Set(shippedLines.filter((l) => {
        const pid = /\[notice\] (\d+)#\d+: exit$/.exec(l)?.[1];
        return pid !== undefined && exitedWorkers.has(pid);
    }))];
    return { ...accountLines([...writtenAccess, ...writtenError, ...workerExits], shippedLines), shippedLines, writtenAccess };
}

