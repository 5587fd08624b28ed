/** How fault tests time an operation that must fail, and keep what it said. */

/** An operation's failure: how long it took and its message (for the CLI, its whole output). */
export interface TimedFailure {
    readonly seconds: number;
    readonly message: string;
}

/**
 * Runs `operation`, which must fail, and returns how long it took to fail and its message.
 * @throws {Error} when the operation succeeds.
 */
export async function timedFailure(operation: () => Promise<unknown>): Promise<TimedFailure> {
    const start = process.hrtime.bigint();
    try {
        await operation();
    } catch (e) {
        return { seconds: Number(process.hrtime.bigint() - start) / 1e9, message: String(e) };
    }
    throw new Error(`expected the operation to fail; it succeeded after ${Number(process.hrtime.bigint() - start) / 1e9} s`);
}
