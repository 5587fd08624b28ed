/**
 * Whether a request between Pods got through, polled until the cluster's network settles: a
 * Service's rules or a NetworkPolicy take effect once kube-proxy or the enforcer has synced
 * (within seconds).
 */
import { expect } from "chai";
import { ExecResult } from "../../lab/clientPod";
import { waitFor } from "../../lab/polling";

export const answered = (r: ExecResult): boolean => r.code === 0;
export const refused = (r: ExecResult): boolean => r.code !== 0;

/** Polls `attempt` until `done` holds for its result, for up to 30 s, then returns the last result. */
export async function eventually(what: string, attempt: () => ExecResult, done: (r: ExecResult) => boolean): Promise<ExecResult> {
    let last: ExecResult = { code: -1, output: "" };
    try {
        return await waitFor(what, () => {
            last = attempt();
            return done(last) ? last : undefined;
        }, 30_000, 500);
    } catch (e) {
        throw new Error(`${(e as Error).message}; last attempt: exit ${last.code}: ${last.output}`, { cause: e });
    }
}

/** {@link eventually}, then three more attempts with the same outcome: the state is settled, not a glitch. */
export async function consistently(what: string, attempt: () => ExecResult, done: (r: ExecResult) => boolean): Promise<void> {
    await eventually(what, attempt, done);
    for (let i = 0; i < 3; i++) {
        const result = attempt();
        expect(done(result), `${what}, attempt ${i + 2}: exit ${result.code}: ${result.output}`).to.equal(true);
    }
}
