/**
 * The shipping benchmark's latencies (bench/shippingAnalysis.ts): each access line's first arrival
 * against the time nginx wrote it, the `$msec` that ends it.
 */
import { expect } from "chai";
import { accessLineLatencies } from "../bench/shippingAnalysis";

const LINE = (id: string, msec: string) => `10.0.0.1 - - [07/Dec/2026:06:00:00 +0000] "GET /?${id} HTTP/1.1" 200 615 "-" "wrk/4.2" "-" ${msec}`;

describe("the shipping benchmark's latencies", () => {
    it("reads each line's $msec and counts a line once, at its first arrival", () => {
        const chunks = [
            { atMs: 1_796_460_001_012, text: `${LINE("idle=1", "1796460001.000")}\n${LINE("load=1", "1796460001.005")}\n` },
            { atMs: 1_796_460_001_050, text: `${LINE("load=1", "1796460001.005")}\n` },
        ];
        const latencies = accessLineLatencies(chunks, (line) => line.includes("idle="));
        expect(latencies.idle).to.deep.equal([12]);
        expect(latencies.load).to.deep.equal([7]);
    });

    it("leaves out a line cut short by a sidecar, whose last number is not a time (the 1796460001 s max it once read)", () => {
        // busybox tail at a rotation: the head of a line, up to its status and size, then a newline.
        const cut = `10.0.0.1 - - [07/Dec/2026:06:00:00 +0000] "GET /?load=2 HTTP/1.1" 200 615`;
        const latencies = accessLineLatencies([{ atMs: 1_796_460_001_012, text: `${cut}\n` }], () => false);
        expect(latencies.load).to.deep.equal([]);
    });
});
