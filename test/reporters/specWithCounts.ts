/**
 * Mocha's spec reporter, which also writes the run's counts as JSON to the file named by the
 * reporter option `counts` (`--reporter-option counts=FILE`): the test command adds them up from
 * there, rather than reading numbers out of the spec reporter's text.
 */
import * as fs from "fs";
import Mocha from "mocha";

/** What the counts file holds. */
interface TestCounts {
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
}

class SpecWithCounts extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
        super(runner, options);
        const file = (options.reporterOptions as Record<string, string> | undefined)?.counts;
        if (file === undefined) {
            throw new Error("specWithCounts needs --reporter-option counts=FILE");
        }
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const stats = this.stats;
            const counts: TestCounts = { passed: stats.passes, failed: stats.failures, skipped: stats.pending };
            fs.writeFileSync(file, `${JSON.stringify(counts)}\n`);
        });
    }
}

export = SpecWithCounts;
