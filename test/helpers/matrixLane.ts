/**
 * Runs the change matrix's rows on one deployed stack, one at a time: set the row's value, preview
 * (it must succeed and show the row's steps), `up`, read the change on the cluster; then set the
 * previous value back, preview and `up` again, and read the previous state back.
 */
import { expect } from "chai";
import { TestStack } from "../../lab/pulumiHarness";
import { ExpectedStep, MatrixRow, RowExpectation, StackKey, StackKind, revertedSteps } from "./changeMatrix";
import { ObservedStack, observe } from "./liveObservation";

/** A deployed stack the matrix runs on, and the config it was deployed with (without the prefix). */
export interface MatrixLane extends ObservedStack {
    readonly kind: StackKind;
    /** Which of the stacks of its kind this is (they share the rows), from 0. */
    readonly index: number;
    readonly baseConfig: Readonly<Record<string, string>>;
}

/** How one row went on one lane. */
export interface RowOutcome {
    readonly key: StackKey;
    readonly kind: StackKind;
    readonly seconds: number;
    /** What failed, or undefined when every check passed. */
    readonly failure?: Error;
}

const PREFIX = "webserver-sidecar:";

/**
 * Runs `row` on `lane` and reports how it went; never throws. After a failure it sets the previous
 * value back and applies it without a preview (`up --skip-preview`, which the Automation API's `up`
 * is), so that the next row starts from the deployed stack as it was.
 */
export async function runRow(lane: MatrixLane, row: MatrixRow): Promise<RowOutcome> {
    const started = Date.now();
    const expectation = lane.kind === "bare" ? row.bare : row.replicas;
    try {
        await changeAndRevert(lane, row.key, expectation);
        return { key: row.key, kind: lane.kind, seconds: (Date.now() - started) / 1000 };
    } catch (error) {
        try {
            await setKey(lane, row.key, lane.baseConfig[row.key]);
            await lane.stack.up();
        } catch (restoreError) {
            console.log(`      ${lane.kind} ${row.key}: could not restore the previous value: ${String(restoreError).slice(0, 500)}`);
        }
        return { key: row.key, kind: lane.kind, seconds: (Date.now() - started) / 1000, failure: error instanceof Error ? error : new Error(String(error)) };
    }
}

async function changeAndRevert(lane: MatrixLane, key: StackKey, expectation: RowExpectation): Promise<void> {
    const what = `${lane.kind} stack, ${key}`;
    const before = await observe(expectation.observation, lane);
    expect(before, `${what}: the value to change to is already there before the change`).to.not.equal(expectation.changed);

    await setKey(lane, key, expectation.value);
    await previewShows(lane.stack, expectation.preview, `${what} = ${expectation.value}`);
    await lane.stack.up();
    expect(await observe(expectation.observation, lane), `${what}: the cluster after up`).to.equal(expectation.changed);

    await setKey(lane, key, lane.baseConfig[key]);
    await previewShows(lane.stack, revertedSteps(expectation.preview), `${what} reverted`);
    await lane.stack.up();
    expect(await observe(expectation.observation, lane), `${what}: the cluster after the revert's up`).to.equal(before);
}

/** Sets one key of the stack's config, or removes it (`undefined`): one CLI call, as `pulumi config set`/`rm`. */
async function setKey(lane: MatrixLane, key: StackKey, value: string | undefined): Promise<void> {
    if (value === undefined) {
        await lane.stack.stack.removeConfig(`${PREFIX}${key}`);
    } else {
        await lane.stack.stack.setConfig(`${PREFIX}${key}`, { value });
    }
}

/**
 * `pulumi preview` must succeed (the Automation API throws, with the CLI's output, when it exits
 * non-zero) and include each expected step; with none expected, it must change nothing.
 */
async function previewShows(stack: TestStack, expected: readonly ExpectedStep[], what: string): Promise<void> {
    await stack.preview();
    const changes = stack.steps().filter(([op]) => op !== "same");
    const shown = JSON.stringify(changes);
    if (expected.length === 0) {
        expect(changes, `${what}: the preview changes nothing`).to.deep.equal([]);
    }
    for (const step of expected) {
        expect(changes.some(([op, type]) => type === step.type && step.ops.includes(op)),
            `${what}: the preview shows ${step.ops.join(" or ")} of ${step.type}; it shows ${shown}`).to.equal(true);
    }
}
