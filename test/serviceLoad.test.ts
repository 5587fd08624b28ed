import { expect } from "chai";
import { accountLoadLines } from "../lab/serviceLoad";

/** An access line as nginx writes it for a request of the load. */
const line = (id: string) => `10.0.0.9 - - [05/Dec/2026:10:00:00 +0000] "GET /?load=${id} HTTP/1.1" 200 615 "-" "Python-urllib/3.11" "-"\n`;

describe("accountLoadLines: the load's answered requests against the sidecars' lines", () => {
    it("finds each answered request's line once across Pods, and names the missing and the repeated", () => {
        const outputs = [line("ab12-0-1") + line("ab12-0-2"), line("ab12-1-1") + line("ab12-0-2")];
        expect(accountLoadLines(["ab12-0-1", "ab12-0-2", "ab12-1-1", "ab12-1-2"], outputs)).to.deep.equal({ lost: ["ab12-1-2"], duplicated: ["ab12-0-2"] });
    });

    it("ignores the lines of an earlier run, which reused the worker numbers under another run id", () => {
        const outputs = [line("0001-0-1") + line("ffff-0-1")];
        expect(accountLoadLines(["ffff-0-1"], outputs)).to.deep.equal({ lost: [], duplicated: [] });
    });
});
