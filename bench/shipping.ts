/**
 * Log shipping benchmark: the tutorial's `cat; sleep 30` loop, the Kubernetes docs' streaming
 * sidecar (`tail -n+1 -F`, busybox) and ours, each in the component's Pod (only the sidecar
 * swapped) on the local cluster's real node, with the same load, in interleaved rounds.
 *
 *   npm run bench:shipping [-- --rounds 3 --seconds 30 --limit 32Mi --unrotated-limit 8Gi --idle-requests 100 --variants idle,tutorial,k8s-docs-tail,ours,ours-to-devnull --weights kubelet|equal]
 *
 * Each round runs every sidecar once (round 1 in --variants order, each later round rotated by one,
 * so the machine's slow drift hits every sidecar alike); nginx's request rate is compared with the
 * same round's idle sidecar (bench/shippingRounds.ts). For each sidecar and round: an idle phase
 * (--idle-requests requests, 50 ms apart) and a full-load phase (wrk from the host to the Pod's IP,
 * as fast as nginx goes, for --seconds). Lines are counted from the sidecar's container log on the
 * node (the kubelet's CRI log file) against nginx's unrotated truth copies, 2 s after the load
 * stops, while the Pod still runs; latency is containerd's stamp on each line minus nginx's
 * `$msec`; CPU comes from the containers' cgroups, and that of the node's log path (containerd and
 * the Pod's shim, which carry the sidecar's stdout into its CRI log file and are charged to no Pod)
 * from /proc (lab/logPathCpu.ts). The defaults take about 12 minutes per --weights on a 2-core machine.
 *
 * `ours-to-devnull` is our sidecar with its stdout sent to /dev/null: it follows, reads and rotates
 * as ours does, but none of its output reaches the node's log path, so the two rows split ours'
 * cost to nginx into its own and the node's. It ships nothing, so it has no lines to count.
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
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { NGINX_RESOURCES, SIDECAR_CONTAINER } from "../components/podSpec";
import { componentPod } from "../lab/componentPod";
import { criLogFile, readCriLog } from "../lab/criLog";
import { watchDiskUsage } from "../lab/diskUsage";
import { accountNginxLines } from "../lab/lineAccounting";
import { clusterContainerdPid, processCpuSeconds, shimPidOf } from "../lab/logPathCpu";
import { request, runLoad } from "../lab/load";
import { kubectl, localImages } from "../lab/localNode";
import { NodePod } from "../lab/nodePod";
import { SIDECAR_VARIANTS, SidecarVariant, rotatesLogs, shipsToContainerLog, withSidecar } from "../lab/sidecarVariants";
import { accessLineLatencies } from "./shippingAnalysis";
import { writeResults } from "./results";
import { RoundMeasurement, pairedRatio, roundOrder, summarizeRounds } from "./shippingRounds";
import { renderShippingTable } from "./shippingTable";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

type Weights = "kubelet" | "equal";

interface Options {
    readonly variants: SidecarVariant[];
    readonly rounds: number;
    readonly seconds: number;
    readonly limit: string;
    readonly unrotatedLimit: string;
    readonly idleRequests: number;
    readonly weights: Weights;
}

/** wrk's open connections. */
const CONNECTIONS = 32;

function parseOptions(argv: string[]): Options {
    const value = (flag: string, fallback: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : fallback;
    };
    const count = (flag: string, fallback: string, least: number) => {
        const n = Number(value(flag, fallback));
        if (!Number.isInteger(n) || n < least) {
            throw new Error(`${flag} ${value(flag, fallback)}: expected a whole number of at least ${least}`);
        }
        return n;
    };
    const weights = value("--weights", "kubelet");
    if (weights !== "kubelet" && weights !== "equal") {
        throw new Error(`--weights ${weights}: expected kubelet or equal`);
    }
    const variants = value("--variants", SIDECAR_VARIANTS.join(",")).split(",");
    const unknown = variants.filter((v) => !SIDECAR_VARIANTS.includes(v as SidecarVariant));
    if (unknown.length > 0 || new Set(variants).size !== variants.length) {
        throw new Error(`--variants ${variants.join(",")}: expected distinct names among ${SIDECAR_VARIANTS.join(", ")}`);
    }
    if (!variants.includes("idle")) {
        // Every round's rates are divided by that round's idle run: without it there is nothing to compare.
        throw new Error(`--variants ${variants.join(",")}: must include idle, the baseline of each round`);
    }
    return {
        variants: variants as SidecarVariant[],
        rounds: count("--rounds", "3", 1),
        seconds: count("--seconds", "30", 1),
        limit: value("--limit", "32Mi"),
        unrotatedLimit: value("--unrotated-limit", "8Gi"),
        idleRequests: count("--idle-requests", "100", 0),
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

/** One sidecar's run in one round: its own Pod, idle phase, full load, accounting; the Pod is gone after. */
async function measureVariant(variant: SidecarVariant, round: number, position: number, options: Options, namespace: string): Promise<RoundMeasurement> {
    const images = localImages();
    const logSizeLimit = rotatesLogs(variant) ? options.limit : options.unrotatedLimit;
    const { spec: componentSpec, configMaps } = componentPod({ nginxImage: images.nginx, sidecarImage: images.python, logSizeLimit });
    const spec = withWeights(withSidecar(componentSpec, variant), options.weights);
    const pod = await NodePod.start(spec, { namespace, name: `bench-${variant}-r${round + 1}`, configMaps });
    try {
        // Idle: one request at a time, 50 ms apart.
        for (let i = 0; i < options.idleRequests; i++) {
            await request(pod.baseUrl, `/?idle=${i}`);
            await sleep(50);
        }
        await sleep(500);

        // Full load, with the shared volume's usage sampled throughout.
        const disk = watchDiskUsage(pod.sharedLogsDirectory(), 50);
        // The node's log path: containerd and this Pod's shim, which carry the sidecar's stdout to its CRI log file.
        const logPath = [clusterContainerdPid(), shimPidOf(pod.containerProcessIds(SIDECAR_CONTAINER))];
        const cpuAt = () => ({
            nginx: pod.containerCpuSeconds("nginx-container"),
            sidecar: pod.containerCpuSeconds(SIDECAR_CONTAINER),
            logPath: logPath.reduce((total, pid) => total + processCpuSeconds(pid), 0),
        });
        const cpuBefore = cpuAt();
        const load = await runLoad(`${pod.baseUrl}/`, { seconds: options.seconds, connections: CONNECTIONS, threads: 1 });
        const cpuAfter = cpuAt();
        const peak = disk.stop();
        await sleep(2000);

        const access = pod.truthText("access.log");
        const error = pod.truthText("error.log");
        // A sidecar that ships nothing has nothing to count: every line would be "lost".
        const chunks = shipsToContainerLog(variant) ? readCriLog(criLogFile(namespace, pod.name, pod.uid, SIDECAR_CONTAINER)) : [];
        const shipped = chunks.map((c) => c.text).join("");
        const lines = accountNginxLines(access, error, shipped);
        const latencies = accessLineLatencies(chunks, (line) => line.includes("GET /?idle="));
        return {
            round,
            position,
            variant,
            linesLogged: lines.written,
            linesLost: shipsToContainerLog(variant) ? lines.lost.length : 0,
            linesDuplicated: lines.duplicated.length,
            loggedBytes: Buffer.byteLength(access) + Buffer.byteLength(error),
            shippedBytes: Buffer.byteLength(shipped),
            idleLatencyMs: latencies.idle,
            loadLatencyMs: latencies.load,
            requestsPerSecond: load.requestsPerSecond,
            nginxCpuSecondsUnderLoad: cpuAfter.nginx - cpuBefore.nginx,
            sidecarCpuSecondsUnderLoad: cpuAfter.sidecar - cpuBefore.sidecar,
            sidecarCpuSecondsTotal: cpuAfter.sidecar,
            logPathCpuSecondsUnderLoad: cpuAfter.logPath - cpuBefore.logPath,
            peakSharedLogsBytes: peak,
        };
    } finally {
        await pod.delete().catch(() => undefined);
        pod.cleanUp();
    }
}

/** The command line that ran (`npm run bench:shipping` passes its options through, then adds --weights). */
function commandLine(): string {
    return ["node", ...process.execArgv, path.relative(process.cwd(), process.argv[1]), ...process.argv.slice(2)].join(" ");
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const measurements: RoundMeasurement[] = [];
    const namespace = `bench-shipping-${process.pid}`;
    const started = Date.now();
    kubectl(["create", "namespace", namespace]);
    try {
        for (let round = 0; round < options.rounds; round++) {
            const order = roundOrder(options.variants, round);
            for (const [position, variant] of order.entries()) {
                const elapsed = Math.round((Date.now() - started) / 1000);
                process.stderr.write(`bench: round ${round + 1}/${options.rounds}, ${variant} (${options.weights} CPU weights, ${elapsed} s in): `
                    + `${options.idleRequests} idle requests, then ${options.seconds} s of full load...\n`);
                measurements.push(await measureVariant(variant, round, position, options, namespace));
            }
        }
    } finally {
        kubectl(["delete", "namespace", namespace, "--wait=false"]);
    }
    process.stderr.write(`bench: ${options.rounds} rounds in ${Math.round((Date.now() - started) / 1000)} s\n`);

    const summaries = summarizeRounds(measurements);
    const streamsBoth = options.variants.includes("ours") && options.variants.includes("k8s-docs-tail");
    const table = renderShippingTable(summaries, {
        rounds: options.rounds,
        seconds: options.seconds,
        connections: CONNECTIONS,
        limit: options.limit,
        weights: options.weights,
        command: commandLine(),
        order: options.variants,
        idleRequestsPerSecond: measurements.filter((m) => m.variant === "idle").map((m) => m.requestsPerSecond),
        oursVsStreamingTail: streamsBoth ? pairedRatio(measurements, "ours", "k8s-docs-tail") : undefined,
    });
    const name = options.weights === "kubelet" ? "shipping" : "shipping-equal";
    // Latency samples (sorted), thinned to at most 20,000 per phase, for the plot; each round's
    // measurements without their samples, to check the summary against. Unindented: it is large.
    const thin = (values: number[]) => values.filter((_, i) => i % Math.max(1, Math.ceil(values.length / 20000)) === 0);
    writeResults(name, table, {
        options,
        command: commandLine(),
        machine: { cpus: os.cpus().length },
        results: summaries.map((s) => ({ ...s, idleLatencyMs: thin(s.idleLatencyMs), loadLatencyMs: thin(s.loadLatencyMs) })),
        runs: measurements.map(({ idleLatencyMs: _idle, loadLatencyMs: _load, ...m }) => m),
    }, 0);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
