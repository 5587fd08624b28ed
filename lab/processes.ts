/** This machine's processes, as /proc shows them (Linux): parents, trees, signals. */
import * as fs from "fs";

/** /proc/<pid>/stat's fields after the command name (field 3, the state, first): the name may hold spaces and parentheses. */
export function statFields(pid: number): string[] {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** A process's parent. */
export function parentPid(pid: number): number {
    return Number(statFields(pid)[1]);
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            const parent = parentPid(Number(entry));
            children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
        } catch {
            // exited meanwhile
        }
    }
    const tree: number[] = [];
    const visit = (p: number) => {
        tree.push(p);
        (children.get(p) ?? []).forEach(visit);
    };
    visit(pid);
    return tree;
}

/**
 * Sends `signal` to `pid` unless it is gone already (it may exit between being found and being
 * signalled); true when it was signalled.
 */
export function signalIfAlive(pid: number, signal: NodeJS.Signals): boolean {
    try {
        process.kill(pid, signal);
        return true;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ESRCH") {
            return false;
        }
        throw e;
    }
}
