/**
 * Node access ({@link NodeAccess}) on any cluster, through a helper Pod on the node: privileged,
 * in the node's PID namespace (hostPID), with the node's root filesystem at /host, as
 * `kubectl debug node/...` makes one; kind allows it, as do most clusters an administrator runs
 * tests on. The tests' Pods are pinned to the helper's node; what runs there is lab/nodeTools.py,
 * through `kubectl exec`. The node's own paths come from its kubelet (`configz`), not from
 * knowledge of one cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { OutputChunk, parseCriLog } from "./criLog";
import { kubectl, kubectlAsync } from "./localNode";
import { ContainerLogs, ExitWatch, KillOptions, NodeAccess, PodOnNode, SHARED_LOGS_MOUNT, StartedWatch, UsageWatch, exitWatchOf, startedWatch } from "./nodeAccess";

/** What runs on the node, passed to python3 -c. */
const NODE_TOOLS = fs.readFileSync(path.join(__dirname, "nodeTools.py"), "utf8");

/** Where on the node the helper makes directories for the tests' hostPath volumes. */
const SCRATCH_ON_NODE = "/var/tmp/webserver-sidecar-lab";

/**
 * The least container-log size before the kubelet rotates a container's log (its
 * `containerLogMaxSize`) that keeping every run needs: the keeper links each run's file once, and a
 * rotation would start a new file under the same name. A test under full load writes tens of MB.
 */
const LEAST_CONTAINER_LOG_MAX_BYTES = 512 * 2 ** 20;

/** The parts of the kubelet's configuration (`configz`) the helper reads. */
interface KubeletConfig {
    podLogsDir?: string;
    containerLogMaxSize?: string;
}

/** A Kubernetes quantity of bytes (`10Mi`, `2Gi`, `500M`), as a number. */
export function quantityBytes(quantity: string): number {
    const match = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
    if (match === null) {
        throw new Error(`not a quantity of bytes: ${quantity}`);
    }
    const units: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return Number(match[1]) * units[match[2] ?? ""];
}

function randomSuffix(): string {
    return crypto.randomBytes(3).toString("hex");
}

/** The helper Pod on one node, and what the tests do there through it. */
export class NodeHelper implements NodeAccess {
    readonly description: string;

    private constructor(
        readonly namespace: string,
        readonly podName: string,
        readonly nodeName: string,
        private readonly hostname: string,
        private readonly kubelet: KubeletConfig,
    ) {
        this.description = `the node ${nodeName}, through the helper Pod ${namespace}/${podName}`;
    }

    /**
     * Starts the helper Pod (on a node the scheduler picks) and waits until it is Ready.
     * @param image any image with python3 (the sidecar's will do).
     * @throws when it is not Ready in time, with its status and events (a cluster that refuses
     * privileged or hostPID Pods refuses it here).
     */
    static async start(namespace: string, image: string): Promise<NodeHelper> {
        const name = `node-helper-${randomSuffix()}`;
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace, labels: { app: "webserver-sidecar-node-helper" } },
            spec: {
                hostPID: true,
                terminationGracePeriodSeconds: 0,
                tolerations: [{ operator: "Exists" }],
                containers: [{
                    name: "tools",
                    image,
                    command: ["python3", "-c", "import time\nwhile True:\n    time.sleep(3600)"],
                    securityContext: { privileged: true },
                    volumeMounts: [{ name: "node-root", mountPath: "/host" }],
                }],
                volumes: [{ name: "node-root", hostPath: { path: "/" } }],
            },
        };
        kubectl(["apply", "-f", "-"], JSON.stringify(pod));
        try {
            await kubectlAsync(["wait", "--for=condition=Ready", `pod/${name}`, "-n", namespace, "--timeout=180s"]);
        } catch (e) {
            const describe = kubectl(["describe", "pod", name, "-n", namespace]);
            throw new Error(`the node helper Pod ${name} is not Ready: ${(e as Error).message}\n${describe}`, { cause: e });
        }
        const nodeName = kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.spec.nodeName}"]);
        const hostname = kubectl(["get", "node", nodeName, "-o", "jsonpath={.metadata.labels.kubernetes\\.io/hostname}"]);
        const configz = JSON.parse(kubectl(["get", "--raw", `/api/v1/nodes/${nodeName}/proxy/configz`])) as { kubeletconfig: KubeletConfig };
        return new NodeHelper(namespace, name, nodeName, hostname, configz.kubeletconfig);
    }

    private execArgs(args: readonly string[]): string[] {
        return ["exec", "-n", this.namespace, this.podName, "-c", "tools", "--", "python3", "-c", NODE_TOOLS, ...args];
    }

    /** Runs a nodeTools.py command on the node and returns its stdout. */
    private run(args: readonly string[]): string {
        return kubectl(this.execArgs(args));
    }

    /** Starts a watching nodeTools.py command (it ends when its stdin closes) and waits for its `ready` line. */
    private watch(args: readonly string[], ready: string): Promise<StartedWatch> {
        const [, ...rest] = this.execArgs(args);
        const child = spawn("kubectl", ["exec", "-i", ...rest], { stdio: ["pipe", "pipe", "inherit"] });
        return startedWatch(child, ready);
    }

    placement(): Partial<k8s.types.input.core.v1.PodSpec> {
        return { nodeSelector: { "kubernetes.io/hostname": this.hostname } };
    }

    makeDirectory(prefix: string): string {
        const directory = `${SCRATCH_ON_NODE}/${prefix}-${randomSuffix()}`;
        this.run(["mkdir", directory]);
        return directory;
    }

    readFile(nodePath: string): string {
        return this.run(["cat", nodePath]);
    }

    removeDirectory(nodePath: string): void {
        this.run(["rm", nodePath]);
    }

    readSharedLog(pod: PodOnNode, file: string): string {
        return this.run(["pod-cat", pod.uid, SHARED_LOGS_MOUNT, file]);
    }

    async watchSharedLogsUsage(pod: PodOnNode): Promise<UsageWatch> {
        const watch = await this.watch(["pod-usage", pod.uid, SHARED_LOGS_MOUNT, "20"], "watching");
        return { stop: async () => Number(await watch.finish()) };
    }

    async killContainer(pod: PodOnNode, containerId: string, signal: NodeJS.Signals, options: KillOptions = {}): Promise<void> {
        const waitFor = options.onceSharedLogExists === undefined ? []
            : [pod.uid, SHARED_LOGS_MOUNT, options.onceSharedLogExists, String(options.timeoutMs ?? 60_000)];
        await kubectlAsync(this.execArgs(["kill", signal, containerId, ...waitFor]));
    }

    dropNewConnections(_pod: PodOnNode, containerId: string, port: number): () => void {
        this.run(["netdrop", containerId, String(port), "-I"]);
        return () => { this.run(["netdrop", containerId, String(port), "-D"]); };
    }

    /**
     * Keeps every run of a container's output (lab/containerLogKeeper.ts, on the node): hard links
     * beside the kubelet's pod-logs directory, so on the same filesystem.
     * @throws when the kubelet rotates container logs too early for that.
     */
    async keepContainerLogs(pod: PodOnNode, container: string): Promise<ContainerLogs> {
        const maxSize = this.kubelet.containerLogMaxSize ?? "10Mi";
        if (quantityBytes(maxSize) < LEAST_CONTAINER_LOG_MAX_BYTES) {
            throw new Error(`the kubelet of ${this.nodeName} rotates container logs at ${maxSize} (containerLogMaxSize), within a test's output; `
                + `these tests need at least ${LEAST_CONTAINER_LOG_MAX_BYTES / 2 ** 20}Mi (test/integration/kind.yaml sets 2Gi for kind)`);
        }
        const podLogs = this.kubelet.podLogsDir ?? "/var/log/pods";
        const source = `${podLogs}/${pod.namespace}_${pod.name}_${pod.uid}/${container}`;
        const keep = `${path.posix.dirname(podLogs)}/webserver-sidecar-kept/${pod.name}-${container}-${randomSuffix()}`;
        const watch = await this.watch(["keep-logs", source, keep], "keeping");
        let runs: number[] = [];
        let finished = false;
        return {
            get runs() { return runs.length; },
            stop: async (): Promise<OutputChunk[]> => {
                finished = true;
                runs = JSON.parse(await watch.finish()) as number[];
                return runs.flatMap((run) => parseCriLog(this.run(["cat", `${keep}/${run}.log`])));
            },
            cleanUp: () => {
                if (!finished) {
                    finished = true;
                    watch.finish().catch(() => undefined);
                }
                try {
                    this.run(["rm", keep]);
                } catch {
                    // The helper is gone with its namespace: nothing else keeps the links.
                }
            },
        };
    }

    containerStarts(containerIds: readonly string[]): Map<string, number> {
        return new Map(Object.entries(JSON.parse(this.run(["starts", ...containerIds])) as Record<string, number>));
    }

    async watchContainerExits(containerIds: readonly string[]): Promise<ExitWatch> {
        return exitWatchOf(await this.watch(["exits", ...containerIds], "watching"));
    }
}
