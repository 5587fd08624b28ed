/**
 * Which nginx masters an error log shows: the ones that started (in order) and the ones that
 * reopened their logs on SIGUSR1, the sidecar's rotation. Each line names its process as
 * `[notice] PID#TID`, the pid as the Pod's shared process namespace numbers it.
 */
import { isErrorLogLine } from "../../lab/lineAccounting";

export interface NginxMasters {
    /** The pid of each master that started its workers, oldest first: one more after each restart. */
    started: string[];
    /** The pids of the masters that reopened their logs on SIGUSR1. */
    reopened: Set<string>;
}

const NOTICE_PID = /\[notice\] (\d+)#/;

export function nginxMasters(errorLogLines: readonly string[]): NginxMasters {
    const pidOf = (line: string) => NOTICE_PID.exec(line)?.[1] ?? "?";
    const notices = errorLogLines.filter((line) => isErrorLogLine(line) && NOTICE_PID.test(line));
    return {
        started: notices.filter((line) => line.includes("start worker processes")).map(pidOf),
        reopened: new Set(notices.filter((line) => line.includes("SIGUSR1") && line.includes("reopening logs")).map(pidOf)),
    };
}

/** True when nginx was restarted and the newest master has reopened its logs on SIGUSR1 since. */
export function newestOfSeveralMastersReopened(masters: NginxMasters): boolean {
    return masters.started.length >= 2 && masters.reopened.has(masters.started[masters.started.length - 1]);
}
