/**
 * A stand-in kubelet for the local cluster. kwok fakes the node and the Pods' status; this runs the
 * Pods for real: every Pod scheduled on the kwok node whose images have local stand-ins is started
 * as a local Pod (nginx and the sidecar's exact command, from the live spec read back from the API
 * server), and stopped the kubelet's way when the Pod is deleted. For each running Pod it registers
 * kwok's per-Pod `Logs` and `PortForward` objects, so that `kubectl logs webserver -c
 * sidecar-container` reads the sidecar's real stdout and `kubectl port-forward pod/webserver
 * 8080:80` reaches the real nginx inside the Pod's network namespace.
 *
 *   node -r ts-node/register/transpile-only test/localPod/localKubelet.ts --kubeconfig F --dir D
 *        [--node kwok-node-0] [--namespace N]... [--poll-ms 300]
 * (scripts/local-kubelet.sh start|stop|status runs it in the background.)
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalPod } from "./localPod";
import { buildLogsObject, buildPortForwardObject } from "./kwokObjects";

/** The part of a Pod that this kubelet reads. */
interface LivePod {
    metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
    // Passed to the local Pod runner as is.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    spec: any;
}

interface KubeletOptions {
    readonly kubeconfig: string;
    readonly directory: string;
    readonly nodeName: string;
    readonly namespaces: string[];
    readonly pollMs: number;
}

function log(message: string): void {
    process.stderr.write(`local-kubelet: ${new Date().toISOString()} ${message}\n`);
}

class LocalKubelet {
    private readonly pods = new Map<string, { pod: LivePod; local: Promise<LocalPod | undefined> }>();
    /** Pods that cannot run here (an image without a stand-in): reported once, then left to kwok. */
    private readonly unsupported = new Set<string>();

    constructor(private readonly options: KubeletOptions) {}

    private kubectl(args: string[], input?: string): Promise<string> {
        return new Promise((resolve, reject) => {
            const child = execFile("kubectl", ["--kubeconfig", this.options.kubeconfig, ...args], { maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
                (error ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout)));
            if (input !== undefined) {
                child.stdin?.end(input);
            }
        });
    }

    /** Brings the local Pods in line with the Pods the API server has on the node. */
    async sync(): Promise<void> {
        const list = JSON.parse(await this.kubectl(["get", "pods", "--all-namespaces", "--field-selector", `spec.nodeName=${this.options.nodeName}`, "-o", "json"])) as { items: LivePod[] };
        const wanted = new Map<string, LivePod>();
        for (const pod of list.items) {
            const inScope = this.options.namespaces.length === 0 || this.options.namespaces.includes(pod.metadata.namespace);
            if (inScope && pod.metadata.deletionTimestamp === undefined && !this.unsupported.has(pod.metadata.uid)) {
                wanted.set(pod.metadata.uid, pod);
            }
        }
        for (const [uid, pod] of wanted) {
            if (!this.pods.has(uid)) {
                this.pods.set(uid, { pod, local: this.start(pod) });
            }
        }
        for (const uid of [...this.pods.keys()]) {
            if (!wanted.has(uid)) {
                await this.stop(uid);
            }
        }
    }

    private podDirectory(pod: LivePod): string {
        return path.join(this.options.directory, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
    }

    private async start(pod: LivePod): Promise<LocalPod | undefined> {
        const { name, namespace, uid } = pod.metadata;
        const directory = this.podDirectory(pod);
        fs.mkdirSync(directory, { recursive: true });
        const logFile = (container: string) => path.join(directory, `${container}.log`);
        let local: LocalPod;
        try {
            local = await LocalPod.start(pod.spec, {
                podName: name,
                directory,
                truthLogs: false,
                keepSidecarOutput: false,
                sidecarLogFile: logFile("sidecar-container"),
                mainLogFile: logFile("nginx-container"),
            });
        } catch (error) {
            log(`${namespace}/${name}: not run locally: ${(error as Error).message}`);
            this.unsupported.add(uid);
            this.pods.delete(uid);
            fs.rmSync(directory, { recursive: true, force: true });
            return undefined;
        }
        const containers = local.plan.containers.map((c) => c.name);
        const objects = [
            buildLogsObject(name, namespace, Object.fromEntries(containers.map((c) => [c, logFile(c)]))),
            buildPortForwardObject(name, namespace, containerPorts(pod), (port) => local.inPodNetwork(["socat", "-", `TCP:127.0.0.1:${port}`])),
        ];
        await this.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
        log(`${namespace}/${name}: running (${containers.join(", ")}) in ${directory}`);
        return local;
    }

    private async stop(uid: string): Promise<void> {
        const entry = this.pods.get(uid);
        if (entry === undefined) {
            return;
        }
        this.pods.delete(uid);
        const { name, namespace } = entry.pod.metadata;
        const local = await entry.local;
        if (local === undefined) {
            return;
        }
        await local.stop();
        local.remove();
        await this.kubectl(["delete", "-n", namespace, "logs.kwok.x-k8s.io/" + name, "portforwards.kwok.x-k8s.io/" + name, "--ignore-not-found", "--wait=false"]).catch((e) => log(String(e)));
        fs.rmSync(this.podDirectory(entry.pod), { recursive: true, force: true });
        log(`${namespace}/${name}: stopped`);
    }

    /** Stops every local Pod, as the kubelet does when it drains. */
    async stopAll(): Promise<void> {
        await Promise.all([...this.pods.keys()].map((uid) => this.stop(uid)));
    }
}

/** Every containerPort the Pod declares. */
function containerPorts(pod: LivePod): number[] {
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers] as { ports?: { containerPort: number }[] }[];
    return containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
}

function parseOptions(argv: string[]): KubeletOptions {
    const values = (flag: string) => argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1]] : []));
    const one = (flag: string, fallback?: string) => values(flag)[0] ?? fallback ?? (() => { throw new Error(`${flag} is required`); })();
    return {
        kubeconfig: one("--kubeconfig"),
        directory: one("--dir"),
        nodeName: one("--node", "kwok-node-0"),
        namespaces: values("--namespace"),
        pollMs: Number(one("--poll-ms", "300")),
    };
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const kubelet = new LocalKubelet(options);
    let stopping = false;
    const shutdown = () => {
        if (!stopping) {
            stopping = true;
            log("stopping every local Pod");
            void kubelet.stopAll().then(() => process.exit(0));
        }
    };
    process.on("SIGTERM", shutdown);
    process.on("SIGINT", shutdown);
    log(`watching node ${options.nodeName}${options.namespaces.length > 0 ? ` (namespaces ${options.namespaces.join(", ")})` : ""}`);
    while (!stopping) {
        await kubelet.sync().catch((error) => log(`sync failed: ${(error as Error).message}`));
        await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
}

void main();
