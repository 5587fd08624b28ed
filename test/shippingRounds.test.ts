import { expect } from "chai";
import { RoundMeasurement, median, pairedRatio, roundOrder, summarizeRounds } from "../bench/shippingRounds";
import { SidecarVariant } from "../lab/sidecarVariants";

/** A run with the given rate; every other field small and distinct enough to check a sum. */
function run(round: number, variant: SidecarVariant, requestsPerSecond: number, extra: Partial<RoundMeasurement> = {}): RoundMeasurement {
    return {
        round, position: 0, variant, linesLogged: 100, linesLost: 0, linesDuplicated: 0, loggedBytes: 1000, shippedBytes: 1000,
        idleLatencyMs: [], loadLatencyMs: [], requestsPerSecond, nginxCpuSecondsUnderLoad: 10, sidecarCpuSecondsUnderLoad: 1,
        sidecarCpuSecondsTotal: 2, logPathCpuSecondsUnderLoad: 2, peakSharedLogsBytes: 0, ...extra,
    };
}

describe("shipping benchmark rounds", () => {
    describe("roundOrder", () => {
        const variants = ["idle", "tutorial", "k8s-docs-tail", "ours"];
        const cases: [number, string[]][] = [
            [0, ["idle", "tutorial", "k8s-docs-tail", "ours"]],
            [1, ["tutorial", "k8s-docs-tail", "ours", "idle"]],
            [2, ["k8s-docs-tail", "ours", "idle", "tutorial"]],
            [4, ["idle", "tutorial", "k8s-docs-tail", "ours"]],
        ];
        for (const [round, expected] of cases) {
            it(`rotates the order left by ${round} in the round of index ${round}`, () => {
                expect(roundOrder(variants, round)).to.deep.equal(expected);
            });
        }

        it("puts each variant in each position once over as many rounds as variants", () => {
            const positions = variants.map((v) => new Set([0, 1, 2, 3].map((round) => roundOrder(variants, round).indexOf(v))));
            expect(positions.map((p) => p.size)).to.deep.equal([4, 4, 4, 4]);
        });
    });

    describe("median", () => {
        const cases: [number[], number][] = [[[3, 1, 2], 2], [[4, 1, 3, 2], 2.5], [[7], 7]];
        for (const [values, expected] of cases) {
            it(`is ${expected} for ${JSON.stringify(values)}`, () => {
                expect(median(values)).to.equal(expected);
            });
        }

        it("is NaN for no values", () => {
            expect(Number.isNaN(median([]))).to.equal(true);
        });
    });

    describe("pairedRatio", () => {
        it("divides each round's rate by the same round's baseline, not by a pooled one", () => {
            // The machine got 20 % faster in round 2: pooled rates would give ours 100 / 110.
            const ratio = pairedRatio([run(0, "idle", 100), run(0, "ours", 95), run(1, "ours", 114), run(1, "idle", 120)], "ours", "idle");
            expect(ratio.perRound).to.deep.equal([0.95, 0.95]);
            expect([ratio.median, ratio.min, ratio.max]).to.deep.equal([0.95, 0.95, 0.95]);
        });

        it("reports the median and range of the rounds' ratios", () => {
            const rates: [number, number][] = [[100, 93], [100, 97], [100, 95]];
            const ratio = pairedRatio(rates.flatMap(([idle, ours], round) => [run(round, "idle", idle), run(round, "ours", ours)]), "ours", "idle");
            expect([ratio.median, ratio.min, ratio.max]).to.deep.equal([0.95, 0.93, 0.97]);
        });

        it("pairs another measurement when asked: nginx's CPU seconds", () => {
            const ratio = pairedRatio([run(0, "idle", 100, { nginxCpuSecondsUnderLoad: 40 }), run(0, "ours", 95, { nginxCpuSecondsUnderLoad: 38 })],
                "ours", "idle", (m) => m.nginxCpuSecondsUnderLoad);
            expect(ratio.perRound).to.deep.equal([0.95]);
        });

        it("fails naming the round that has no baseline run", () => {
            expect(() => pairedRatio([run(0, "idle", 100), run(0, "ours", 95), run(1, "ours", 95)], "ours", "idle"))
                .to.throw("round 2: expected one ours run and one idle run, got one and 0");
        });
    });

    describe("summarizeRounds", () => {
        const measurements = [
            run(0, "idle", 100),
            run(0, "ours", 93, { linesLogged: 100, linesLost: 1, linesDuplicated: 2, loadLatencyMs: [30, 10], peakSharedLogsBytes: 5 }),
            run(1, "ours", 99, { linesLogged: 200, linesLost: 3, linesDuplicated: 4, loadLatencyMs: [20], peakSharedLogsBytes: 7,
                sidecarCpuSecondsUnderLoad: 3, nginxCpuSecondsUnderLoad: 30, shippedBytes: 3000, loggedBytes: 3000, sidecarCpuSecondsTotal: 6,
                logPathCpuSecondsUnderLoad: 6 }),
            run(1, "idle", 110),
        ];
        const [idle, ours] = summarizeRounds(measurements);

        it("lists variants in order of first appearance", () => {
            expect([idle.variant, ours.variant]).to.deep.equal(["idle", "ours"]);
        });

        it("sums lines logged, lost and duplicated over the rounds", () => {
            expect([ours.linesLogged, ours.linesLost, ours.linesDuplicated]).to.deep.equal([300, 4, 6]);
        });

        it("pools and sorts the rounds' latency samples", () => {
            expect(ours.loadLatencyMs).to.deep.equal([10, 20, 30]);
        });

        it("takes the median request rate and pairs it with each round's idle run", () => {
            expect(ours.requestsPerSecond).to.equal(96);
            expect(ours.vsIdle!.perRound).to.deep.equal([0.93, 0.9]);
        });

        it("pairs nginx's CPU under load with each round's idle run", () => {
            expect(ours.nginxCpuVsIdle!.perRound).to.deep.equal([1, 3]);
        });

        it("weighs CPU by what each round used, and keeps the highest peak of the shared volume", () => {
            expect(ours.sidecarCpuShareOfNginx).to.equal(4 / 40);
            expect(ours.logPathCpuShareOfNginx).to.equal(8 / 40);
            expect(ours.sidecarCpuSecondsPerGB).to.equal(8 / (4000 / 1e9));
            expect(ours.peakSharedLogsBytes).to.equal(7);
        });

        it("has no ratio against idle when no idle sidecar ran", () => {
            expect(summarizeRounds([run(0, "ours", 93)])[0].vsIdle).to.equal(undefined);
        });
    });
});
