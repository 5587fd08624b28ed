/**
 * The real shipper next to the real nginx: Debian's nginx on loopback writes access.log and
 * error.log into a scratch directory, the shipper (python3) ships them, and the test reads what it
 * shipped. No cluster. It shows how nginx 1.22 writes a request with an encoded newline (#28,
 * finding 5), and that the shipper rotates a real nginx's logs with every line once.
 */
import { expect } from "chai";
import * as fs from "fs";
import { waitFor } from "../lab/polling";
import { LocalNginx, useNginxSandbox } from "./helpers/localNginx";

/** The start of an entry of nginx's error log: its time and level. */
const ERROR_ENTRY_START = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[[a-z]+\] /;
/** A request whose decoded URI holds a newline followed by what looks like an entry of nginx's. */
const FORGING_TARGET = "/x%0a2026/01/01%2000:00:00%20[emerg]%201";

describe("the log shipper next to Debian's nginx on loopback", function () {
    this.timeout(60_000);
    const fx = useNginxSandbox();

    it("ships a request's encoded newline inside nginx's error entry as \\x0A, so no client starts a line of its own", async () => {
        const shipper = fx.sandbox.startShipper();
        fx.nginx = await LocalNginx.start(fx.sandbox.root, fx.sandbox.logDirectory);
        expect(await fx.nginx.get(FORGING_TARGET)).to.equal(404);
        // What nginx wrote: the decoded URI, newline and all, inside its open() error.
        const written = await waitFor("nginx's open() error", () => {
            const text = fs.readFileSync(fx.sandbox.logPath("error.log"), "utf8");
            return text.includes("No such file") ? text : undefined;
        }, 10_000, 20);
        expect(written).to.include(`/x\n2026/01/01 00:00:00 [emerg] 1" failed (2: No such file or directory)`);
        expect(written.split("\n").filter((line) => line.startsWith("2026/01/01 00:00:00 [emerg]")), "the line nginx never wrote, as error.log shows it").to.have.length(1);

        const shipped = await waitFor("the error and the access line shipped", () => {
            const lines = shipper.output().split("\n");
            return lines.some((line) => line.includes("No such file")) && lines.some((line) => line.includes('" 404 ')) ? lines : undefined;
        }, 10_000, 20);
        const entry = shipped.find((line) => line.includes("No such file")) ?? "";
        expect(entry).to.match(ERROR_ENTRY_START);
        expect(entry).to.include(`/x\\x0A2026/01/01 00:00:00 [emerg] 1" failed (2: No such file or directory), client: 127.0.0.1`);
        expect(shipped.filter((line) => line.startsWith("2026/01/01 00:00:00 [emerg]")), "a line nginx never wrote").to.deep.equal([]);
        // The access log has the request as sent, still encoded: nothing to frame there.
        expect(shipped.find((line) => line.includes('" 404 '))).to.include(`"GET ${FORGING_TARGET} HTTP/1.1" 404`);
        // nginx's own entries (its start-up notices) are shipped as they are.
        expect(shipped.filter((line) => /\[notice\] \d+#\d+: start worker process/.test(line))).to.have.length.at.least(1);
    });

    it("rotates nginx's access.log (SIGUSR1 to its master) and ships every request's line once, in order", async () => {
        const shipper = fx.sandbox.startShipper({ rotateBytes: 8 * 1024 });
        fx.nginx = await LocalNginx.start(fx.sandbox.root, fx.sandbox.logDirectory);
        const requests = 400; // about 36 KB of access lines: four rotations and more
        for (let i = 0; i < requests; i++) {
            expect(await fx.nginx.get(`/?request=${i}`)).to.equal(200);
        }
        const shipped = await waitFor(`${requests} access lines shipped`, () => {
            const lines = shipper.output().split("\n").filter((line) => line.includes("GET /?request="));
            return lines.length >= requests ? lines : undefined;
        }, 15_000, 20);
        expect(shipped.map((line) => /request=(\d+) /.exec(line)?.[1])).to.deep.equal(Array.from({ length: requests }, (_, i) => String(i)));
        expect(fs.statSync(fx.sandbox.logPath("access.log"), { throwIfNoEntry: false })?.size ?? 0, "access.log, rotated").to.be.below(requests * 80);
        const rotations = fs.readFileSync(fx.sandbox.logPath("error.log"), "utf8").match(/reopening logs/g) ?? [];
        expect(rotations.length, "nginx's reopenings").to.be.at.least(3);
        expect(shipper.stderr()).to.not.match(/Traceback/);
    });
});
