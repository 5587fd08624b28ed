/**
 * Rollout benchmark, against the local cluster's real node (with its kube-proxy, DNS and
 * NetworkPolicy), in one run:
 * - for 1 and 3 replicas: how long `pulumi up` takes to roll every Pod to a new site, and how many
 *   requests of a sustained load through the Service (a python3 client Pod, 4 connections, by the
 *   Service's DNS name) failed meanwhile, with the lines lost or duplicated across old and new Pods;
 * - nginx's request rate through the Service's ClusterIP against the Pod's own IP, with wrk from the
 *   node (1 replica, so both reach the same nginx): what kube-proxy's rules cost.
 *
 *   npm run bench:rollout [-- --repeats 2 --seconds 10]
 *
 * Prints a Markdown table and writes bench/results/rollout.md and rollout.json. Expects the
 * environment of scripts/toolchain.sh env and scripts/cluster.sh env (bench/rollout.sh sets both up).
 */
import { ClientPod } from "../lab/clientPod";
import { runLoad } from "../lab/load";
import { sleep } from "../lab/polling";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, localClusterImages } from "../lab/pulumiHarness";
import { ServiceLoad, accountLoadLines } from "../lab/serviceLoad";
import { SidecarLogCollector } from "../lab/sidecarLogCollector";
import { writeResults } from "./results";

const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

interface RolloutRun {
    readonly replicas: number;
    readonly seconds: number;
    readonly answered: number;
    readonly failed: number;
    readonly lost: number;
    readonly duplicated: number;
}

interface RateRun {
    readonly target: string;
    readonly requestsPerSecond: number;
}

function stackConfig(namespace: string, replicas: number, page: string): Record<string, string> {
    return {
        kubeconfig: clusterKubeconfig(), namespace, replicas: String(replicas), service: JSON.stringify({ type: "ClusterIP", port: 80 }),
        content: JSON.stringify({ "index.html": page }),
    };
}

/** One rollout of `replicas` Pods to a new site, under load through the Service. */
async function rollout(replicas: number): Promise<RolloutRun> {
    const namespace = createNamespace(`bench-rollout-${replicas}`);
    const stack = await TestStack.create(stackConfig(namespace, replicas, "<h1>before</h1>\n"));
    try {
        await stack.up();
        const client = await ClientPod.start(localClusterImages().sidecarImage ?? "", namespace, "load-client");
        const collector = new SidecarLogCollector(namespace, SELECTOR);
        const load = ServiceLoad.start(client, `http://webserver.${namespace}.svc.cluster.local/`);
        await sleep(5_000);
        await stack.setConfig(stackConfig(namespace, replicas, "<h1>after</h1>\n"));
        const start = process.hrtime.bigint();
        await stack.up();
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        await sleep(5_000);
        const result = await load.stop();
        const outputs = await collector.stop((all) => accountLoadLines(result.answered, [all]).lost.length === 0, 60_000).catch(() => collector.outputs());
        const { lost, duplicated } = accountLoadLines(result.answered, outputs.values());
        return { replicas, seconds, answered: result.answered.length, failed: result.failed.length, lost: lost.length, duplicated: duplicated.length };
    } finally {
        await stack.dispose();
        deleteNamespace(namespace);
    }
}

/** nginx's rate through the ClusterIP and at the Pod's IP, with wrk from the node, `seconds` each. */
async function rates(seconds: number): Promise<RateRun[]> {
    const namespace = createNamespace("bench-rate");
    const stack = await TestStack.create(stackConfig(namespace, 1, "<h1>rate</h1>\n"));
    try {
        await stack.up();
        const clusterIp = kubectl(["get", "service", "webserver", "-n", namespace, "-o", "jsonpath={.spec.clusterIP}"]);
        const podIp = kubectl(["get", "pods", "-n", namespace, "-l", SELECTOR, "-o", "jsonpath={.items[0].status.podIP}"]);
        const runs: RateRun[] = [];
        for (const [target, url] of [["the Pod's IP", `http://${podIp}:80/`], ["the Service's ClusterIP (kube-proxy, iptables)", `http://${clusterIp}:80/`]]) {
            const result = await runLoad(url, { seconds, connections: 16, threads: 2 });
            runs.push({ target, requestsPerSecond: result.requestsPerSecond });
        }
        return runs;
    } finally {
        await stack.dispose();
        deleteNamespace(namespace);
    }
}

function value(argv: string[], flag: string, fallback: string): string {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : fallback;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const repeats = Number(value(argv, "--repeats", "2"));
    const seconds = Number(value(argv, "--seconds", "10"));
    const rollouts: RolloutRun[] = [];
    for (let i = 0; i < repeats; i++) {
        for (const replicas of [1, 3]) {
            process.stderr.write(`bench: rollout of ${replicas} replica(s) under load, run ${i + 1} of ${repeats}...\n`);
            rollouts.push(await rollout(replicas));
        }
    }
    process.stderr.write(`bench: nginx's rate through the Service and at the Pod's IP, ${seconds} s each...\n`);
    const rateRuns = await rates(seconds);

    const lines = [
        "| replicas | rollout (pulumi up, s) | requests answered | failed | lines lost | lines duplicated |",
        "|---|---|---|---|---|---|",
        ...rollouts.map((r) => `| ${r.replicas} | ${r.seconds.toFixed(1)} | ${r.answered} | ${r.failed} | ${r.lost} | ${r.duplicated} |`),
        "",
        `| wrk from the node to (16 connections, ${seconds} s) | requests/s |`,
        "|---|---|",
        ...rateRuns.map((r) => `| ${r.target} | ${r.requestsPerSecond.toFixed(0)} |`),
    ];
    writeResults("rollout", lines.join("\n"), { repeats, seconds, rollouts, rates: rateRuns });
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
