/**
 * The shipping benchmark's Markdown: how it ran (rounds, seconds, the command line), one row per
 * sidecar, and the baseline's rates under the table.
 */
import { parseByteQuantity } from "../components/validators";
import { shipsToContainerLog } from "../lab/sidecarVariants";
import { PairedRatio, VariantSummary } from "./shippingRounds";
import { percentile } from "./shippingAnalysis";

/** How the benchmark ran, for the lines around the table. */
export interface ShippingRun {
    readonly rounds: number;
    readonly seconds: number;
    readonly connections: number;
    /** The shared-logs volume's size limit of our Pod, a Kubernetes quantity. */
    readonly limit: string;
    readonly weights: "kubelet" | "equal";
    /** The command line, as typed. */
    readonly command: string;
    /** Round 1's order (each later round rotates it by one). */
    readonly order: readonly string[];
    /** Each round's idle-sidecar rate, in round order. */
    readonly idleRequestsPerSecond: readonly number[];
    /** Ours against the docs' streaming sidecar, same round (when both ran). */
    readonly oursVsStreamingTail: PairedRatio | undefined;
}

function formatMs(value: number): string {
    return Number.isNaN(value) ? "–" : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}

function formatCount(value: number): string {
    return Math.round(value).toLocaleString("en-US");
}

function formatShare(value: number): string {
    return Number.isNaN(value) ? "–" : `${(100 * value).toFixed(1)}%`;
}

/** `93.4% (92.1–95.0%)`: the median of the rounds' ratios and their range. */
export function formatRatio(ratio: PairedRatio | undefined): string {
    if (ratio === undefined || ratio.perRound.length === 0) {
        return "–";
    }
    const pct = (value: number) => (100 * value).toFixed(1);
    return `${pct(ratio.median)}% (${pct(ratio.min)}–${pct(ratio.max)}%)`;
}

function latencies(sorted: readonly number[]): string {
    return [50, 99, 100].map((p) => formatMs(percentile(sorted, p))).join(" / ");
}

/** The table, with a line above saying how it ran and lines below for the baselines. */
export function renderShippingTable(summaries: readonly VariantSummary[], run: ShippingRun): string {
    const limitBytes = parseByteQuantity(run.limit)!;
    const rows = summaries.filter((s) => s.variant !== "idle").map((s) => {
        // ours-to-devnull ships nothing by design: its line and latency columns do not apply.
        const shipped = (value: () => string) => (shipsToContainerLog(s.variant) ? value() : "–");
        return [
            s.variant,
            formatCount(s.linesLogged),
            shipped(() => `${formatCount(s.linesLost)} (${((100 * s.linesLost) / s.linesLogged).toFixed(1)}%)`),
            shipped(() => formatCount(s.linesDuplicated)),
            shipped(() => s.outputBytesPerLoggedByte.toFixed(2)),
            shipped(() => latencies(s.idleLatencyMs)),
            shipped(() => latencies(s.loadLatencyMs)),
            formatCount(s.requestsPerSecond),
            formatRatio(s.vsIdle),
            formatRatio(s.nginxCpuVsIdle),
            formatShare(s.sidecarCpuShareOfNginx),
            formatShare(s.logPathCpuShareOfNginx),
            Number.isNaN(s.sidecarCpuSecondsPerGB) ? "–" : s.sidecarCpuSecondsPerGB.toFixed(1),
            `${(s.peakSharedLogsBytes / 2 ** 20).toFixed(1)} MiB (${((100 * s.peakSharedLogsBytes) / limitBytes).toFixed(0)}%)`,
        ];
    });
    const header = ["sidecar", "lines logged", "lost", "duplicated", "out bytes / logged byte", "latency idle p50 / p99 / max",
        "latency full load p50 / p99 / max", "nginx req/s (median of rounds)", "nginx req/s vs idle sidecar, same round: median (min–max)",
        "nginx CPU s vs idle sidecar's, same round", "sidecar CPU / nginx CPU", "node log path CPU (containerd + Pod's shim) / nginx CPU", "sidecar CPU s / GB shipped", `peak shared-logs (of ${run.limit})`];
    const weights = run.weights === "kubelet"
        ? "the kubelet's, from the component's requests (nginx 100m, sidecar 50m)"
        : "equal (the sidecar requests nginx's 100m)";
    const idle = run.idleRequestsPerSecond;
    const idleSummary = summaries.find((s) => s.variant === "idle");
    return [
        `${run.rounds} round${run.rounds === 1 ? "" : "s"} × ${run.seconds} s of full load (wrk, ${run.connections} connections) per sidecar; `
            + `each round runs every sidecar once, round 1 in the order ${run.order.join(", ")}, each later round rotated by one. `
            + `Lines and latencies are over all rounds. CPU weights: ${weights}.`,
        `Command: \`${run.command}\``,
        "",
        `| ${header.join(" | ")} |`,
        `|${header.map(() => "---").join("|")}|`,
        ...rows.map((row) => `| ${row.join(" | ")} |`),
        "",
        idleSummary
            ? `idle sidecar (\`sleep\`, the baseline): nginx ${formatCount(idleSummary.requestsPerSecond)} req/s, median of rounds (${idle.map(formatCount).join(", ")}); `
                + `node log path CPU / nginx CPU ${formatShare(idleSummary.logPathCpuShareOfNginx)} (containerd's work for the rest of the node: the floor of that column).`
            : "no idle sidecar ran: no baseline for nginx's request rate.",
        ...(run.oursVsStreamingTail
            ? [`ours vs k8s-docs-tail, same round: nginx req/s ${formatRatio(run.oursVsStreamingTail)}. Both stream every line to stdout, so the node's log path `
                + "(the Pod's shim copying it, containerd stamping it into the CRI log file) costs both alike and is not in this ratio; what remains is ours' own cost."]
            : []),
        ...renderTargets(summaries, run),
    ].join("\n");
}

/** The shipper's targets (docs/benchmarks.md), and whether this run met each. */
export const SHIPPER_TARGETS = { idleP99Ms: 12, loadP99Ms: 15 } as const;

/** One line per target, under the table: ours' figure, the target, met or not. Nothing when ours or k8s-docs-tail did not run. */
function renderTargets(summaries: readonly VariantSummary[], run: ShippingRun): string[] {
    const ours = summaries.find((s) => s.variant === "ours");
    const tail = summaries.find((s) => s.variant === "k8s-docs-tail");
    if (ours === undefined || tail === undefined) {
        return [];
    }
    const verdict = (met: boolean) => (met ? "met" : "**not met**");
    const idleP99 = percentile(ours.idleLatencyMs, 99);
    const loadP99 = percentile(ours.loadLatencyMs, 99);
    const rate = run.oursVsStreamingTail;
    return [
        "",
        "ours against its targets (docs/benchmarks.md):",
        `- latency p99 idle ${formatMs(idleP99)}, at most ${SHIPPER_TARGETS.idleP99Ms} ms: ${verdict(idleP99 <= SHIPPER_TARGETS.idleP99Ms)}`,
        `- latency p99 at full load ${formatMs(loadP99)}, at most ${SHIPPER_TARGETS.loadP99Ms} ms: ${verdict(loadP99 <= SHIPPER_TARGETS.loadP99Ms)}`,
        `- lines lost ${formatCount(ours.linesLost)} and duplicated ${formatCount(ours.linesDuplicated)}, none: ${verdict(ours.linesLost === 0 && ours.linesDuplicated === 0)}`,
        `- sidecar CPU per GB shipped ${ours.sidecarCpuSecondsPerGB.toFixed(1)} s, at most k8s-docs-tail's ${tail.sidecarCpuSecondsPerGB.toFixed(1)} s: `
            + verdict(ours.sidecarCpuSecondsPerGB <= tail.sidecarCpuSecondsPerGB),
        ...(rate ? [`- nginx req/s against k8s-docs-tail's, same round, median ${formatRatio(rate)}, at least 100%: ${verdict(rate.median >= 1)}`] : []),
    ];
}
