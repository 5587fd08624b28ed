/**
 * Log shipping benchmark: the tutorial's `cat; sleep 30` loop, the Kubernetes docs' streaming
 * sidecar (`tail -n+1 -F`, busybox) and ours, each in the component's Pod (only the sidecar
 * swapped) on the local cluster's real node, with the same load, one after the other in one run.
 *
 *   npm run bench:shipping [-- --seconds 60 --limit 32Mi --unrotated-limit 8Gi --idle-requests 200 --variants idle,tutorial,k8s-docs-tail,ours --weights kubelet|equal]
 *
 * For each sidecar: an idle phase (one request every 50 ms) and a full-load phase (wrk from the
 * host to the Pod's IP, as fast as nginx goes, for --seconds). Lines are counted from the sidecar's
 * container log on the node (the kubelet's CRI log file) against nginx's unrotated truth copies, 2 s
 * after the load stops, while the Pod still runs; latency is containerd's stamp on each line minus
 * nginx's `$msec`; CPU comes from the containers' cgroups.
 *
 * Only our sidecar rotates nginx's logs; the others let them grow, and with the same --limit the
 * kubelet evicts their Pod within seconds of full load (test/integration/realNode.test.ts shows it).
 * So that they can be measured at all, their shared-logs volume gets --unrotated-limit instead.
 *
 * `--weights kubelet` keeps the component's CPU requests (the kubelet turns them into cgroup
 * cpu.shares: nginx 100m, the sidecar 50m); `--weights equal` gives the sidecar nginx's request,
 * so both get the same share. Prints a Markdown table and writes bench/results/shipping[-equal].{md,json}.
 * Needs the local cluster (scripts/cluster.sh up) and wrk (scripts/setup-test-tools.sh).
 */
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { resolveArgs } from "../components/args";
import { NGINX_RESOURCES, SIDECAR_CONTAINER, buildPodSpec } from "../components/podSpec";
import { parseByteQuantity } from "../components/validators";
import { criLogFile, readCriLog } from "../lab/criLog";
import { watchDiskUsage } from "../lab/diskUsage";
import { accountNginxLines } from "../lab/lineAccounting";
import { request, runLoad } from "../lab/load";
import { kubectl, localImages } from "../lab/localNode";
import { NodePod } from "../lab/nodePod";
import { SIDECAR_VARIANTS, SidecarVariant, withSidecar } from "../lab/sidecarVariants";
import { accessLineLatencies, percentile } from "./shippingAnalysis";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

type Weights = "kubelet" | "equal";

interface Options {
    readonly variants: SidecarVariant[];
    readonly seconds: number;
    readonly limit: string;
    readonly unrotatedLimit: string;
    readonly idleRequests: number;
    readonly weights: Weights;
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
    /** The sidecar's CPU seconds per GB it shipped (NaN when it shipped nothing). */
    readonly sidecarCpuSecondsPerGB: number;
    readonly peakSharedLogsBytes: number;
}

function parseOptions(argv: string[]): Options {
    const value = (flag: string, fallback: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : fallback;
    };
    const weights = value("--weights", "kubelet");
    if (weights !== "kubelet" && weights !== "equal") {
        throw new Error(`--weights ${weights}: expected kubelet or equal`);
    }
    return {
        variants: value("--variants", SIDECAR_VARIANTS.join(",")).split(",") as SidecarVariant[],
        seconds: Number(value("--seconds", "60")), limit: value("--limit", "32Mi"), unrotatedLimit: value("--unrotated-limit", "8Gi"), idleRequests: Number(value("--idle-requests", "200")),
        weights,
    };
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** With equal weights, the sidecar requests what nginx requests: the kubelet then gives both the same cpu.shares. */
function withWeights(spec: PodSpec, weights: Weights): PodSpec {
    if (weights === "kubelet") {
        return spec;
    }
    const equal = (containers: Container[] | undefined) => containers?.map((c) =>
        (c.name === SIDECAR_CONTAINER ? { ...c, resources: { ...(c.resources as object), requests: { ...NGINX_RESOURCES.requests } } } : c));
    return { ...spec, containers: equal(spec.containers as Container[])!, ...(spec.initContainers ? { initContainers: equal(spec.initContainers as Container[]) } : {}) };
}

async function benchmarkVariant(variant: SidecarVariant, options: Options, namespace: string): Promise<VariantResult> {
    const images = localImages();
    const logSizeLimit = variant === "ours" ? options.limit : options.unrotatedLimit;
    const spec = withWeights(withSidecar(buildPodSpec(resolveArgs({ nginxImage: images.nginx, sidecarImage: images.python, logSizeLimit })), variant), options.weights);
    const pod = await NodePod.start(spec, { namespace, name: `bench-${variant}` });
    try {
        // Idle: one request at a time, 50 ms apart.
        for (let i = 0; i < options.idleRequests; i++) {
            await request(pod.baseUrl, `/?idle=${i}`);
            await sleep(50);
        }
        await sleep(500);

        // Full load, with the shared volume's usage sampled throughout.
        const disk = watchDiskUsage(pod.sharedLogsDirectory(), 50);
        const cpuAt = () => ({ nginx: pod.containerCpuSeconds("nginx-container"), sidecar: pod.containerCpuSeconds(SIDECAR_CONTAINER) });
        const cpuBefore = cpuAt();
        const load = await runLoad(`${pod.baseUrl}/`, { seconds: options.seconds, connections: 32, threads: 1 });
        const cpuAfter = cpuAt();
        const peak = disk.stop();
        await sleep(2000);

        const access = pod.truthText("access.log");
        const error = pod.truthText("error.log");
        const chunks = readCriLog(criLogFile(namespace, pod.name, pod.uid, SIDECAR_CONTAINER));
        const shipped = chunks.map((c) => c.text).join("");
        const result = accountNginxLines(access, error, shipped);
        const latencies = accessLineLatencies(chunks, (line) => line.includes("GET /?idle="));
        const nginxCpu = cpuAfter.nginx - cpuBefore.nginx;
        const sidecarCpu = cpuAfter.sidecar - cpuBefore.sidecar;
        const shippedBytes = Buffer.byteLength(shipped);
        return {
            variant,
            linesLogged: result.written,
            linesLost: result.lost.length,
            linesDuplicated: result.duplicated.length,
            outputBytesPerLoggedByte: shippedBytes / (Buffer.byteLength(access) + Buffer.byteLength(error)),
            idleLatencyMs: latencies.idle,
            loadLatencyMs: latencies.load,
            requestsPerSecond: load.requestsPerSecond,
            sidecarCpuShareOfNginx: nginxCpu > 0 ? sidecarCpu / nginxCpu : NaN,
            sidecarCpuSecondsPerGB: shippedBytes > 0 ? cpuAfter.sidecar / (shippedBytes / 1e9) : NaN,
            peakSharedLogsBytes: peak,
        };
    } finally {
        await pod.delete().catch(() => undefined);
        pod.cleanUp();
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
        Number.isNaN(r.sidecarCpuSecondsPerGB) ? "–" : r.sidecarCpuSecondsPerGB.toFixed(1),
        `${(r.peakSharedLogsBytes / 2 ** 20).toFixed(1)} MiB (${((100 * r.peakSharedLogsBytes) / limitBytes).toFixed(0)}%)`,
    ]);
    const header = ["sidecar", "lines logged", "lost", "duplicated", "out bytes / logged byte", "latency idle p50 / p99 / max",
        "latency full load p50 / p99 / max", "nginx req/s (vs idle sidecar)", "sidecar CPU / nginx CPU", "sidecar CPU s / GB shipped", `peak shared-logs (of ${options.limit})`];
    return [
        `| ${header.join(" | ")} |`,
        `|${header.map(() => "---").join("|")}|`,
        ...rows.map((row) => `| ${row.join(" | ")} |`),
        "",
        `idle sidecar (\`sleep\`, the baseline): nginx ${Math.round(idle?.requestsPerSecond ?? NaN).toLocaleString("en-US")} req/s. CPU weights: ${options.weights === "kubelet" ? "the kubelet's, from the component's requests (nginx 100m, sidecar 50m)" : "equal (the sidecar requests nginx's 100m)"}.`,
    ].join("\n");
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const results: VariantResult[] = [];
    const namespace = `bench-shipping-${process.pid}`;
    kubectl(["create", "namespace", namespace]);
    try {
        for (const variant of options.variants) {
            process.stderr.write(`bench: ${variant} (${options.weights} CPU weights): ${options.idleRequests} idle requests, then ${options.seconds} s of full load...\n`);
            results.push(await benchmarkVariant(variant, options, namespace));
        }
    } finally {
        kubectl(["delete", "namespace", namespace, "--wait=false"]);
    }
    const table = renderTable(results, options);
    console.log(table);
    const out = path.join(__dirname, "results");
    fs.mkdirSync(out, { recursive: true });
    const name = options.weights === "kubelet" ? "shipping" : "shipping-equal";
    fs.writeFileSync(path.join(out, `${name}.md`), `${table}\n`);
    // Latency samples, thinned to at most 20,000 per phase, for the plot.
    const thin = (values: number[]) => values.filter((_, i) => i % Math.max(1, Math.ceil(values.length / 20000)) === 0);
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify({
        options, machine: { cpus: require("os").cpus().length }, results: results.map((r) => ({ ...r, idleLatencyMs: thin(r.idleLatencyMs), loadLatencyMs: thin(r.loadLatencyMs) })),
    }));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
