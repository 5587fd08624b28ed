import { expect } from "chai";
import { VariantSummary } from "../bench/shippingRounds";
import { ShippingRun, formatRatio, renderShippingTable } from "../bench/shippingTable";

function summary(variant: VariantSummary["variant"], requestsPerSecond: number, perRound: number[]): VariantSummary {
    return {
        variant, rounds: perRound.length, linesLogged: 1000, linesLost: 0, linesDuplicated: 0, outputBytesPerLoggedByte: 1,
        idleLatencyMs: [10, 12], loadLatencyMs: [15, 30], requestsPerSecond,
        vsIdle: { perRound, median: perRound[1], min: Math.min(...perRound), max: Math.max(...perRound) },
        nginxCpuVsIdle: { perRound: [0.95, 0.96, 0.97], median: 0.96, min: 0.95, max: 0.97 },
        sidecarCpuShareOfNginx: 0.017, logPathCpuShareOfNginx: 0.2, sidecarCpuSecondsPerGB: 5.4, peakSharedLogsBytes: 8 * 2 ** 20,
    };
}

const run: ShippingRun = {
    rounds: 3, seconds: 30, connections: 32, limit: "32Mi", weights: "equal",
    command: "node bench/shipping.ts --rounds 3 --seconds 30 --weights equal", order: ["idle", "k8s-docs-tail", "ours"],
    idleRequestsPerSecond: [31600, 36500, 33000], oursVsStreamingTail: { perRound: [0.97, 0.99, 1.01], median: 0.99, min: 0.97, max: 1.01 },
};

describe("shipping benchmark table", () => {
    const table = renderShippingTable([summary("idle", 33000, [1, 1, 1]), summary("k8s-docs-tail", 31000, [0.93, 0.94, 0.96]),
        summary("ours", 30700, [0.92, 0.934, 0.95]), summary("ours-to-devnull", 32500, [0.97, 0.985, 0.99])], run);

    it("says how many rounds and seconds it ran, and the command line, above the table", () => {
        const [how, command] = table.split("\n");
        expect(how).to.match(/^3 rounds × 30 s of full load \(wrk, 32 connections\) per sidecar/);
        expect(command).to.equal("Command: `node bench/shipping.ts --rounds 3 --seconds 30 --weights equal`");
    });

    it("shows each sidecar's median ratio to the same round's idle sidecar and its range", () => {
        const ours = table.split("\n").find((line) => line.startsWith("| ours |"))!;
        expect(ours).to.include("| 30,700 | 93.4% (92.0–95.0%) |");
    });

    it("shows nginx's CPU against the idle sidecar's, same round, next to its rate", () => {
        const ours = table.split("\n").find((line) => line.startsWith("| ours |"))!;
        expect(ours).to.include("| 93.4% (92.0–95.0%) | 96.0% (95.0–97.0%) |");
    });

    it("gives ours-to-devnull, which ships nothing, dashes for lines and latency but its rate and CPU", () => {
        const devnull = table.split("\n").find((line) => line.startsWith("| ours-to-devnull |"))!;
        expect(devnull).to.match(/^\| ours-to-devnull \| 1,000 \| – \| – \| – \| – \| – \| 32,500 \| 98\.5% \(97\.0–99\.0%\) \|/);
        expect(devnull).to.include("| 1.7% | 20.0% |");
    });

    it("has no row for the idle sidecar, and lists its rate in each round under the table", () => {
        expect(table).not.to.include("| idle |");
        expect(table).to.include("nginx 33,000 req/s, median of rounds (31,600, 36,500, 33,000)");
    });

    it("puts ours next to the docs' streaming sidecar, same round", () => {
        expect(table).to.include("ours vs k8s-docs-tail, same round: nginx req/s 99.0% (97.0–101.0%)");
    });

    it("says under the table whether ours met each of its targets, from the same figures", () => {
        const targets = table.slice(table.indexOf("ours against its targets"));
        expect(targets.split("\n").slice(1)).to.deep.equal([
            "- latency p99 idle 12 ms, at most 12 ms: met",
            "- latency p99 at full load 30 ms, at most 15 ms: **not met**",
            "- lines lost 0 and duplicated 0, none: met",
            "- sidecar CPU per GB shipped 5.4 s, at most k8s-docs-tail's 5.4 s: met",
            "- nginx req/s against k8s-docs-tail's, same round, median 99.0% (97.0–101.0%), at least 100%: **not met**",
        ]);
    });

    it("formats a missing ratio as a dash", () => {
        expect(formatRatio(undefined)).to.equal("–");
    });
});
