/**
 * Interleaved rounds of the shipping benchmark and what they add up to. The machine's speed drifts
 * (the idle sidecar's baseline moved between 31,600 and 36,500 req/s from one run to the next), so
 * one sequential run cannot tell 93 % from 95 %: every round runs every sidecar once, in an order
 * rotated per round, and each sidecar's request rate is compared with the same round's idle one.
 */
import { SidecarVariant } from "../lab/sidecarVariants";

/** One sidecar's measurements in one round. */
export interface RoundMeasurement {
    /** 0-based. */
    readonly round: number;
    /** 0-based position in its round's order. */
    readonly position: number;
    readonly variant: SidecarVariant;
    readonly linesLogged: number;
    readonly linesLost: number;
    readonly linesDuplicated: number;
    /** Bytes nginx wrote to access.log and error.log. */
    readonly loggedBytes: number;
    /** Bytes the sidecar wrote to its stdout (its CRI log's text). */
    readonly shippedBytes: number;
    readonly idleLatencyMs: number[];
    readonly loadLatencyMs: number[];
    readonly requestsPerSecond: number;
    readonly nginxCpuSecondsUnderLoad: number;
    readonly sidecarCpuSecondsUnderLoad: number;
    /** From the sidecar's start to the end of the load (what shipping everything cost). */
    readonly sidecarCpuSecondsTotal: number;
    /** The containerd daemon's and the Pod's shim's, under load (lab/logPathCpu.ts): outside the Pod's cgroups. */
    readonly logPathCpuSecondsUnderLoad: number;
    readonly peakSharedLogsBytes: number;
}

/** Per-round ratios of one variant's request rate to another's, and their median and range. */
export interface PairedRatio {
    readonly perRound: number[];
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

/** One sidecar over all rounds. */
export interface VariantSummary {
    readonly variant: SidecarVariant;
    readonly rounds: number;
    /** Summed over rounds, as are lost and duplicated. */
    readonly linesLogged: number;
    readonly linesLost: number;
    readonly linesDuplicated: number;
    readonly outputBytesPerLoggedByte: number;
    /** All rounds' samples, sorted ascending. */
    readonly idleLatencyMs: number[];
    readonly loadLatencyMs: number[];
    /** Median of the rounds' rates. */
    readonly requestsPerSecond: number;
    /** Against the idle sidecar of the same round; undefined when no idle sidecar ran. */
    readonly vsIdle: PairedRatio | undefined;
    /**
     * nginx's CPU seconds under load against the idle sidecar's round: on this saturated node the
     * rate follows it, so what nginx lost here went to whatever else the sidecar made the node do.
     */
    readonly nginxCpuVsIdle: PairedRatio | undefined;
    /** Summed sidecar CPU over summed nginx CPU, both under load. */
    readonly sidecarCpuShareOfNginx: number;
    /** The same for the node's log path (containerd and the Pod's shim), which no Pod is charged for. */
    readonly logPathCpuShareOfNginx: number;
    /** The sidecar's CPU seconds per GB it shipped (NaN when it shipped nothing). */
    readonly sidecarCpuSecondsPerGB: number;
    /** The highest of the rounds' peaks. */
    readonly peakSharedLogsBytes: number;
}

/** `variants` in round `round`'s order: the list rotated left by `round`, so each variant takes each position in turn. */
export function roundOrder<T>(variants: readonly T[], round: number): T[] {
    const shift = variants.length === 0 ? 0 : round % variants.length;
    return [...variants.slice(shift), ...variants.slice(0, shift)];
}

/** The median (the mean of the middle two for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
    if (values.length === 0) {
        return NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `variant`'s request rate (or another of its measurements) over `baseline`'s, round by round
 * (each round's own baseline run).
 * @throws when a round that ran `variant` has no `baseline` run, or has either twice.
 */
export function pairedRatio(
    measurements: readonly RoundMeasurement[],
    variant: SidecarVariant,
    baseline: SidecarVariant,
    measured: (m: RoundMeasurement) => number = (m) => m.requestsPerSecond,
): PairedRatio {
    const perRound = measurements.filter((m) => m.variant === variant).map((m) => {
        const base = measurements.filter((b) => b.round === m.round && b.variant === baseline);
        const twice = measurements.filter((v) => v.round === m.round && v.variant === variant).length > 1;
        if (base.length !== 1 || twice) {
            throw new Error(`round ${m.round + 1}: expected one ${variant} run and one ${baseline} run, got ${twice ? "more than one" : "one"} and ${base.length}`);
        }
        return measured(m) / measured(base[0]);
    });
    return { perRound, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

function sum(values: readonly number[]): number {
    return values.reduce((total, value) => total + value, 0);
}

function sortedConcatenation(arrays: readonly number[][]): number[] {
    // A typed array sorts numerically without a comparator: fast at millions of samples.
    return Array.from(Float64Array.from(arrays.flat()).sort());
}

/**
 * Each variant's summary, in order of first appearance: counts summed over rounds, latency samples
 * pooled, request rates paired with the same round's `idle` run (when there is one).
 */
export function summarizeRounds(measurements: readonly RoundMeasurement[]): VariantSummary[] {
    const variants = [...new Set(measurements.map((m) => m.variant))];
    const hasIdle = variants.includes("idle");
    return variants.map((variant) => {
        const runs = measurements.filter((m) => m.variant === variant);
        const total = (field: (m: RoundMeasurement) => number) => sum(runs.map(field));
        const shippedBytes = total((m) => m.shippedBytes);
        const nginxCpu = total((m) => m.nginxCpuSecondsUnderLoad);
        return {
            variant,
            rounds: runs.length,
            linesLogged: total((m) => m.linesLogged),
            linesLost: total((m) => m.linesLost),
            linesDuplicated: total((m) => m.linesDuplicated),
            outputBytesPerLoggedByte: shippedBytes / total((m) => m.loggedBytes),
            idleLatencyMs: sortedConcatenation(runs.map((m) => m.idleLatencyMs)),
            loadLatencyMs: sortedConcatenation(runs.map((m) => m.loadLatencyMs)),
            requestsPerSecond: median(runs.map((m) => m.requestsPerSecond)),
            vsIdle: hasIdle ? pairedRatio(measurements, variant, "idle") : undefined,
            nginxCpuVsIdle: hasIdle ? pairedRatio(measurements, variant, "idle", (m) => m.nginxCpuSecondsUnderLoad) : undefined,
            sidecarCpuShareOfNginx: nginxCpu > 0 ? total((m) => m.sidecarCpuSecondsUnderLoad) / nginxCpu : NaN,
            logPathCpuShareOfNginx: nginxCpu > 0 ? total((m) => m.logPathCpuSecondsUnderLoad) / nginxCpu : NaN,
            sidecarCpuSecondsPerGB: shippedBytes > 0 ? total((m) => m.sidecarCpuSecondsTotal) / (shippedBytes / 1e9) : NaN,
            peakSharedLogsBytes: Math.max(...runs.map((m) => m.peakSharedLogsBytes)),
        };
    });
}
