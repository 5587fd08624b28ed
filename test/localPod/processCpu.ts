/**
 * CPU time of a local Pod's containers, read from /proc: a container's process, its live
 * children, and what its reaped children used (cutime, cstime), in seconds.
 */
import * as fs from "fs";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

function childrenOf(pid: number): number[] {
    try {
        return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
            fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(" ").filter((p) => p !== "").map(Number));
    } catch {
        return []; // exited
    }
}

/** utime + stime (+ cutime + cstime when `withReaped`) of one process, in seconds. */
function cpuSeconds(pid: number, withReaped: boolean): number {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command (which may hold spaces) start at state, field 3.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
        return (utime + stime + (withReaped ? cutime + cstime : 0)) / CLOCK_TICKS_PER_SECOND;
    } catch {
        return 0;
    }
}

/** The pid the Pod's own namespace gives a host process (last field of NSpid). */
function namespacePid(pid: number): number | undefined {
    try {
        const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("NSpid:"));
        return line === undefined ? undefined : Number(line.trim().split(/\s+/).pop());
    } catch {
        return undefined;
    }
}

/** CPU seconds used so far by the process tree whose root has pid `namespacePidOfRoot` in the Pod. */
export function containerCpuSeconds(initHostPid: number, namespacePidOfRoot: number): number {
    const root = childrenOf(initHostPid).find((pid) => namespacePid(pid) === namespacePidOfRoot);
    if (root === undefined) {
        return 0;
    }
    const descendants = (pid: number): number[] => childrenOf(pid).flatMap((child) => [child, ...descendants(child)]);
    return cpuSeconds(root, true) + descendants(root).reduce((sum, pid) => sum + cpuSeconds(pid, false), 0);
}
