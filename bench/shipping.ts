/**
 * Log shipping benchmark: the tutorial's `cat; sleep 30` loop, the Kubernetes docs' streaming
 * sidecar (`tail -n+1 -F`, busybox) and ours, each in the same local Pod (the component's spec,
 * only the sidecar swapped), on the same machine and load, one after the other in one run.
 *
 *   npm run bench:shipping [-- --seconds 60 --limit 32Mi --idle-requests 200 --variants idle,tutorial,k8s-docs-tail,ours]
 *
 * For each sidecar: an idle phase (one request every 50 ms) and a full-load phase (wrk, as fast
 * as nginx goes, for --seconds). Prints a Markdown table and writes bench/results/shipping.json,
 * from which bench/plotLatency.py draws bench/results/shipping-latency.png.
 * Needs root, Debian's nginx, wrk and busybox (scripts/setup-local-pod.sh installs them).
 */
import * as fs from "fs";
import * as path from "path";
import { resolveArgs } from "../components/args";
import { buildPodSpec } from "../components/podSpec";
import { parseByteQuantity } from "../components/validators";
import { watchDiskUsage } from "../test/localPod/diskUsage";
import { accountNginxLines } from "../test/localPod/lineAccounting";
import { request, runLoad } from "../test/localPod/load";
import { LocalPod } from "../test/localPod/localPod";
import { containerCpuSeconds } from "../test/localPod/processCpu";
import { SIDECAR_VARIANTS, SidecarVariant, withSidecar } from "../test/localPod/sidecarVariants";
import { accessLineLatencies, percentile } from "./shippingAnalysis";

interface Options {
    readonly variants: SidecarVariant[];
    readonly seconds: number;
    readonly limit: string;
    readonly idleRequests: number;
}

/** One sidecar's results. */
interface VariantResult {
    readonly variant: SidecarVariant;
    readonly linesLogged: number;
    readonly linesLost: number;
    readonly linesDuplicated: number;
    readonly outputBytesPerLoggedByte: number;
    readonly idleLatencyMs: number[];
    readonly loadLatencyMs: number[];
    readonly requestsPerSecond: number;
    readonly sidecarCpuShareOfNginx: number;
    readonly peakSharedLogsBytes: number;
}

function parseOptions(argv: string[]): Options {
    const value = (flag: string, fallback: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : fallback;
    };
    return {
        variants: value("--variants", SIDECAR_VARIANTS.join(",")).split(",") as SidecarVariant[],
        seconds: Number(value("--seconds", "60")), limit: value("--limit", "32Mi"), idleRequests: Number(value("--idle-requests", "200")) };
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts what nginx wrote against what the sidecar shipped, for the whole run. */
function countLines(pod: LocalPod): { logged: number; lost: number; duplicated: number; loggedBytes: number; shippedBytes: number } {
    const [access, error] = (["access.log", "error.log"] as const).map((name) => fs.readFileSync(pod.truthFile(name), "utf8"));
    const result = accountNginxLines(access, error, pod.sidecarText());
    return {
        logged: result.written,
        lost: result.lost.length,
        duplicated: result.duplicated.length,
        loggedBytes: Buffer.byteLength(access) + Buffer.byteLength(error),
        shippedBytes: pod.sidecarOutput.reduce((sum, c) => sum + c.data.length, 0),
    };
}

/** The pids (in the Pod) of each container's main process. */
function containerPid(pod: LocalPod, name: string): number {
    const started = [...pod.events].reverse().find((e) => e.event === "started" && e.name === name);
    return started !== undefined && started.event === "started" ? started.pid : -1;
}

async function benchmarkVariant(variant: SidecarVariant, options: Options): Promise<VariantResult> {
    const spec = withSidecar(buildPodSpec(resolveArgs({ logSizeLimit: options.limit })), variant);
    const pod = await LocalPod.start(spec);
    try {
        // Idle: one request at a time, 50 ms apart.
        for (let i = 0; i < options.idleRequests; i++) {
            await request(pod, `/?idle=${i}`);
            await sleep(50);
        }
        await sleep(500);

        // Full load, with the shared volume's usage sampled throughout.
        const sharedLogs = pod.volumeDirectory("shared-logs");
        const disk = watchDiskUsage(sharedLogs, 50);
        const cpuAt = () => ({
            nginx: containerCpuSeconds(pod.initPid(), containerPid(pod, "nginx-container")),
            sidecar: containerCpuSeconds(pod.initPid(), containerPid(pod, "sidecar-container")),
        });
        const cpuBefore = cpuAt();
        const load = await runLoad(pod, { seconds: options.seconds, connections: 32, threads: 1 });
        const cpuAfter = cpuAt();
        const peak = disk.stop();

        await pod.stop();
        const counts = countLines(pod);
        const latencies = accessLineLatencies(pod.sidecarOutput, (line) => line.includes("GET /?idle="));
        const nginxCpu = cpuAfter.nginx - cpuBefore.nginx;
        return {
            variant,
            linesLogged: counts.logged,
            linesLost: counts.lost,
            linesDuplicated: counts.duplicated,
            outputBytesPerLoggedByte: counts.shippedBytes / counts.loggedBytes,
            idleLatencyMs: latencies.idle,
            loadLatencyMs: latencies.load,
            requestsPerSecond: load.requestsPerSecond,
            sidecarCpuShareOfNginx: nginxCpu > 0 ? (cpuAfter.sidecar - cpuBefore.sidecar) / nginxCpu : NaN,
            peakSharedLogsBytes: peak,
        };
    } finally {
        await pod.stop();
        pod.remove();
    }
}

function formatMs(value: number): string {
    return Number.isNaN(value) ? "–" : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}

function renderTable(results: VariantResult[], options: Options): string {
    const limitBytes = parseByteQuantity(options.limit)!;
    const idle = results.find((r) => r.variant === "idle");
    const rows = results.filter((r) => r.variant !== "idle").map((r) => [
        r.variant,
        r.linesLogged.toLocaleString("en-US"),
        `${r.linesLost.toLocaleString("en-US")} (${((100 * r.linesLost) / r.linesLogged).toFixed(1)}%)`,
        r.linesDuplicated.toLocaleString("en-US"),
        r.outputBytesPerLoggedByte.toFixed(2),
        `${formatMs(percentile(r.idleLatencyMs, 50))} / ${formatMs(percentile(r.idleLatencyMs, 99))} / ${formatMs(percentile(r.idleLatencyMs, 100))}`,
        `${formatMs(percentile(r.loadLatencyMs, 50))} / ${formatMs(percentile(r.loadLatencyMs, 99))} / ${formatMs(percentile(r.loadLatencyMs, 100))}`,
        `${Math.round(r.requestsPerSecond).toLocaleString("en-US")} (${idle ? ((100 * r.requestsPerSecond) / idle.requestsPerSecond).toFixed(0) : "?"}%)`,
        `${(100 * r.sidecarCpuShareOfNginx).toFixed(1)}%`,
        `${(r.peakSharedLogsBytes / 2 ** 20).toFixed(1)} MiB (${((100 * r.peakSharedLogsBytes) / limitBytes).toFixed(0)}%)`,
    ]);
    const header = ["sidecar", "lines logged", "lost", "duplicated", "out bytes / logged byte", "latency idle p50 / p99 / max",
        "latency full load p50 / p99 / max", "nginx req/s (vs idle sidecar)", "sidecar CPU / nginx CPU", `peak shared-logs (of ${options.limit})`];
    return [
        `| ${header.join(" | ")} |`,
        `|${header.map(() => "---").join("|")}|`,
        ...rows.map((row) => `| ${row.join(" | ")} |`),
        "",
        `idle sidecar (\`sleep\`, the baseline): nginx ${Math.round(idle?.requestsPerSecond ?? NaN).toLocaleString("en-US")} req/s.`,
    ].join("\n");
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const results: VariantResult[] = [];
    for (const variant of options.variants) {
        process.stderr.write(`bench: ${variant}: ${options.idleRequests} idle requests, then ${options.seconds} s of full load...\n`);
        results.push(await benchmarkVariant(variant, options));
    }
    const table = renderTable(results, options);
    console.log(table);
    const out = path.join(__dirname, "results");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "shipping.md"), `${table}\n`);
    // Latency samples, thinned to at most 20,000 per phase, for the plot.
    const thin = (values: number[]) => values.filter((_, i) => i % Math.max(1, Math.ceil(values.length / 20000)) === 0);
    fs.writeFileSync(path.join(out, "shipping.json"), JSON.stringify({
        options, machine: { cpus: require("os").cpus().length }, results: results.map((r) => ({ ...r, idleLatencyMs: thin(r.idleLatencyMs), loadLatencyMs: thin(r.loadLatencyMs) })),
    }));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
