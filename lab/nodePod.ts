/**
 * One Pod on a real node, from a Pod spec (the component's, or a variant), for tests and benchmarks
 * that watch it work: its address, its containers' output through `kubectl logs`, its shared volume
 * and processes on the node (through a {@link NodeAccess}: this machine for the local cluster, a
 * helper Pod elsewhere), and its deletion the kubelet's way. Its cgroups' CPU and pids are read on
 * this machine only (the benchmarks').
 *
 * With `measuring` (the default) nginx runs with the measuring configuration
 * (lab/measuringNginxConfig.ts), mounted over the image's nginx.conf: the image's settings plus
 * `$msec` on each access line and unrotated "truth" copies of both logs in a directory on the
 * node (a hostPath), against which the sidecar's output is checked. Nothing else of the spec changes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { NGINX_CONTAINER } from "../components/podSpec";
import { containerCgroupDirectory, emptyDirOnNode, kubectl, kubectlAsync } from "./localNode";
import { LogFollower, readContainerOutputAsync } from "./logFollower";
import { renderNginxConfig } from "./measuringNginxConfig";
import { KillOptions, NodeAccess, PodOnNode, THIS_MACHINE, UsageWatch } from "./nodeAccess";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** Where the truth copies are mounted in the nginx container. */
const TRUTH_MOUNT = "/var/log/truth";

/** How a Pod is started. */
export interface NodePodOptions {
    readonly namespace: string;
    /** The Pod's name; a random one by default. */
    readonly name?: string;
    /** Mount the measuring nginx.conf and the truth copies. @default true */
    readonly measuring?: boolean;
    /** Seconds to wait for Ready. @default 90 */
    readonly readyTimeoutSeconds?: number;
    /** How to reach the node the Pod runs on. @default THIS_MACHINE */
    readonly node?: NodeAccess;
    /** ConfigMaps the spec mounts (the component's shipper, site, server block): created first, removed with the Pod. */
    readonly configMaps?: readonly NodePodConfigMap[];
}

/** A ConfigMap a Pod mounts: its name, and its data as the component builds it (components/podFiles.ts). */
export interface NodePodConfigMap {
    readonly name: string;
    readonly data: Record<string, string>;
    readonly binaryData?: Record<string, string>;
}

/** The parts of the live Pod object the lab reads. */
interface LivePod {
    metadata: { uid: string };
    spec: { nodeName?: string };
    status: {
        podIP?: string;
        qosClass?: string;
        phase?: string;
        reason?: string;
        message?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: ContainerStatus[];
        initContainerStatuses?: ContainerStatus[];
    };
}

/** A container's status, as the kubelet reports it. */
export interface ContainerStatus {
    name: string;
    containerID?: string;
    restartCount: number;
    ready: boolean;
    state: { running?: { startedAt: string }; terminated?: { exitCode: number; reason?: string; startedAt: string; finishedAt: string } };
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `spec` with the measuring nginx.conf and the truth directory mounted into nginx. */
function withMeasuring(spec: PodSpec, configMapName: string, truthDirectory: string): PodSpec {
    const mounts: VolumeMount[] = [
        { name: "measuring-nginx-conf", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true },
        { name: "measuring-truth", mountPath: TRUTH_MOUNT },
    ];
    const addMounts = (containers: Container[] | undefined): Container[] | undefined => containers?.map((c) =>
        (c.name === NGINX_CONTAINER ? { ...c, volumeMounts: [...(c.volumeMounts as VolumeMount[] ?? []), ...mounts] } : c));
    return {
        ...spec,
        containers: addMounts(spec.containers as Container[])!,
        ...(spec.initContainers !== undefined ? { initContainers: addMounts(spec.initContainers as Container[]) } : {}),
        volumes: [
            ...(spec.volumes as Volume[] ?? []),
            { name: "measuring-nginx-conf", configMap: { name: configMapName } },
            { name: "measuring-truth", hostPath: { path: truthDirectory, type: "Directory" } },
        ],
    };
}

/** A Pod running on the local node. */
export class NodePod {
    private constructor(
        readonly namespace: string,
        readonly name: string,
        readonly uid: string,
        readonly ip: string,
        private readonly truthDirectory: string | undefined,
        private readonly configMaps: readonly string[],
        /** How the Pod's node is reached. */
        readonly node: NodeAccess,
        /** The node the Pod runs on. */
        readonly nodeName: string,
    ) {}

    /**
     * Creates the Pod and waits until it is Ready.
     * @throws when it is not Ready in time, with its status and events.
     */
    static async start(spec: PodSpec, options: NodePodOptions): Promise<NodePod> {
        const name = options.name ?? `lab-${crypto.randomBytes(3).toString("hex")}`;
        const measuring = options.measuring ?? true;
        const node = options.node ?? THIS_MACHINE;
        let truthDirectory: string | undefined;
        let podSpec: PodSpec = { ...spec, ...node.placement() };
        if (measuring) {
            // Written by nginx as the Pod's user: any uid may write there, as in an emptyDir.
            truthDirectory = node.makeDirectory(`${name}-truth`);
            const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-measuring`, namespace: options.namespace }, data: { "nginx.conf": renderNginxConfig(TRUTH_MOUNT) } };
            kubectl(["apply", "-f", "-"], JSON.stringify(configMap));
            podSpec = withMeasuring(podSpec, `${name}-measuring`, truthDirectory);
        }
        for (const configMap of options.configMaps ?? []) {
            const { name: configMapName, ...contents } = configMap;
            kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: configMapName, namespace: options.namespace }, ...contents }));
        }
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: options.namespace, labels: { app: name } }, spec: podSpec };
        kubectl(["apply", "-f", "-"], JSON.stringify(pod));
        const timeout = options.readyTimeoutSeconds ?? 90;
        try {
            await kubectlAsync(["wait", "--for=condition=Ready", `pod/${name}`, "-n", options.namespace, `--timeout=${timeout}s`]);
        } catch (e) {
            const describe = kubectl(["describe", "pod", name, "-n", options.namespace]);
            throw new Error(`pod ${name} not Ready after ${timeout} s: ${(e as Error).message}\n${describe}`, { cause: e });
        }
        const live = NodePod.read(options.namespace, name);
        return new NodePod(options.namespace, name, live.metadata.uid, live.status.podIP!, truthDirectory, (options.configMaps ?? []).map((c) => c.name), node, live.spec.nodeName!);
    }

    private static read(namespace: string, name: string): LivePod {
        return JSON.parse(kubectl(["get", "pod", name, "-n", namespace, "-o", "json"])) as LivePod;
    }

    /** nginx's address, without a trailing slash: `http://<pod IP>:80`. */
    get baseUrl(): string {
        return `http://${this.ip}:80`;
    }

    /** The Pod as the API server has it now. */
    live(): LivePod {
        return NodePod.read(this.namespace, this.name);
    }

    /** The cores of the node the Pod runs on (its capacity, as the kubelet reports it); also once the Pod is gone. */
    nodeCpus(): number {
        return Number(kubectl(["get", "node", this.nodeName, "-o", "jsonpath={.status.capacity.cpu}"]));
    }

    /** The status of one container (regular or init), or undefined when it has none yet. */
    containerStatus(container: string): ContainerStatus | undefined {
        const status = this.live().status;
        return [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])].find((c) => c.name === container);
    }

    /** The shared-logs emptyDir, where the kubelet keeps it on this machine (the local cluster's node only). */
    sharedLogsDirectory(): string {
        return emptyDirOnNode(this.uid, "shared-logs");
    }

    /** A file of the shared-logs volume (`access.log`), as the Pod's containers see it now. */
    readSharedLog(file: string): string {
        return this.node.readSharedLog(this.onNode(), file);
    }

    /** Samples the shared-logs volume's disk usage (as the kubelet counts it against sizeLimit) until stopped. */
    watchSharedLogsUsage(): Promise<UsageWatch> {
        return this.node.watchSharedLogsUsage(this.onNode());
    }

    /** The Pod as node access knows it. */
    onNode(): PodOnNode {
        return { namespace: this.namespace, name: this.name, uid: this.uid, qosClass: this.live().status.qosClass ?? "BestEffort" };
    }

    /** nginx's truth copy of a log: every line it wrote, unrotated. */
    truthText(file: "access.log" | "error.log"): string {
        if (this.truthDirectory === undefined) {
            throw new Error(`pod ${this.name} was started without measuring`);
        }
        return this.node.readFile(path.posix.join(this.truthDirectory, file));
    }

    /**
     * What a container shipped, from `kubectl logs`: its current run, or the one before (the
     * shipper's stderr notices left out).
     * @throws {LogReaderError} when kubectl or the kubelet failed to read it.
     */
    async logs(container: string, previous = false): Promise<string> {
        return (await readContainerOutputAsync({ namespace: this.namespace, pod: this.name, container, previous })).shipped;
    }

    /**
     * Follows a container's output (`kubectl logs -f`) until the container exits: the stream the
     * kubelet serves, complete up to the container's last write.
     */
    follow(container: string): LogFollower {
        return LogFollower.start({ namespace: this.namespace, pod: this.name, container });
    }

    /** The directory of a container's cgroup under one controller, from its live status. */
    private containerCgroup(container: string, controller: string): string {
        const live = this.live();
        const id = [...(live.status.containerStatuses ?? []), ...(live.status.initContainerStatuses ?? [])].find((c) => c.name === container)?.containerID;
        if (id === undefined) {
            throw new Error(`container ${container} of ${this.name} has no ID`);
        }
        return containerCgroupDirectory(controller, this.uid, id, live.status.qosClass ?? "BestEffort");
    }

    /** CPU seconds a container has used, from the cgroup the kubelet made for it. */
    containerCpuSeconds(container: string): number {
        return Number(fs.readFileSync(path.join(this.containerCgroup(container, "cpuacct"), "cpuacct.usage"), "utf8")) / 1e9;
    }

    /** The host pids of a container's processes, from the cgroup the kubelet made for it. */
    containerProcessIds(container: string): number[] {
        const procs = fs.readFileSync(path.join(this.containerCgroup(container, "pids"), "cgroup.procs"), "utf8");
        return procs.trim().split("\n").filter((p) => p !== "").map(Number);
    }

    /** The ID the runtime gave a container's current run. */
    containerId(container: string): string {
        const id = this.containerStatus(container)?.containerID;
        if (id === undefined) {
            throw new Error(`container ${container} of ${this.name} has no ID`);
        }
        return id;
    }

    /** Kills a container's processes (as a crash would), once `options` allow; the kubelet restarts it per its policy. */
    killContainer(container: string, signal: NodeJS.Signals = "SIGKILL", options?: KillOptions): Promise<void> {
        return this.node.killContainer(this.onNode(), this.containerId(container), signal, options);
    }

    /**
     * Drops new TCP connections to `port` in the Pod's network (established ones go on), entered
     * through a process of `viaContainer`, which must keep running meanwhile; returns the function
     * that lifts it.
     */
    dropNewConnections(viaContainer: string, port: number): () => void {
        return this.node.dropNewConnections(this.onNode(), this.containerId(viaContainer), port);
    }

    /**
     * Deletes the Pod the way `kubectl delete` does (the kubelet stops its containers in order,
     * within the grace period) and resolves once it is gone, with the moments each container was
     * first seen terminated (polled from its status every 50 ms).
     */
    async delete(): Promise<Map<string, number>> {
        const deletion = kubectlAsync(["delete", "pod", this.name, "-n", this.namespace, "--wait=true", "--timeout=120s"]);
        let deleted = false;
        deletion.then(() => { deleted = true; }, () => { deleted = true; });
        const terminatedAt = new Map<string, number>();
        while (!deleted) {
            try {
                const status = this.live().status;
                for (const c of [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])]) {
                    if (c.state.terminated !== undefined && !terminatedAt.has(c.name)) {
                        terminatedAt.set(c.name, Date.now());
                    }
                }
            } catch {
                break; // gone
            }
            await sleep(50);
        }
        await deletion;
        return terminatedAt;
    }

    /** Removes what `start` made besides the Pod (its ConfigMaps, the truth directory). */
    cleanUp(): void {
        kubectl(["delete", "pod", this.name, "-n", this.namespace, "--ignore-not-found", "--wait=false"]);
        for (const configMap of [`${this.name}-measuring`, ...this.configMaps]) {
            kubectl(["delete", "configmap", configMap, "-n", this.namespace, "--ignore-not-found"]);
        }
        if (this.truthDirectory !== undefined) {
            this.node.removeDirectory(this.truthDirectory);
        }
    }
}

/** The follower {@link NodePod.follow} returns (lab/logFollower.ts). */
export { LogFollower };
