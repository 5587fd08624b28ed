/** Waiting for something to happen, for tests and benchmarks: poll, with a deadline that names what was awaited. */

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined, and resolves to it.
 * @throws when `timeoutMs` passes first, naming `what`.
 */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number, intervalMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        }
        await sleep(intervalMs);
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
