/**
 * The test command's reporter (test/reporters/specWithCounts.ts): the counts it writes are the
 * ones the test command adds up, so a wrong count would hide a failure or invent a pass.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPORTER = path.join(__dirname, "reporters", "specWithCounts.ts");

describe("the test command's reporter, specWithCounts", function () {
    this.timeout(60_000);

    it("writes the passed, failed and skipped counts of a real mocha run", () => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "spec-with-counts-"));
        try {
            const spec = path.join(directory, "sample.test.js");
            fs.writeFileSync(spec, [
                'it("passes", () => {});',
                'it("passes too", () => {});',
                'it("fails", () => { throw new Error("on purpose"); });',
                'it.skip("is skipped", () => {});',
            ].join("\n"));
            const counts = path.join(directory, "counts.json");
            const run = spawnSync("npx", ["mocha", "--no-config", "--require", "ts-node/register/transpile-only",
                "--reporter", REPORTER, "--reporter-option", `counts=${counts}`, spec], { encoding: "utf8" });
            expect(run.status, run.stderr).to.equal(1); // one failure: mocha exits with the failure count
            expect(JSON.parse(fs.readFileSync(counts, "utf8"))).to.deep.equal({ passed: 2, failed: 1, skipped: 1 });
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });
});
