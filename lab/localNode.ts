/**
 * The project's local cluster (scripts/cluster.sh) as tests and benchmarks see it: kubectl against
 * it, the images its node has, and where its kubelet keeps what a Pod writes (volumes, container
 * logs) on this machine.
 *
 * Expects the environment of `eval "$(bash scripts/cluster.sh env)"`.
 */
import { execFile, execFileSync } from "child_process";
import * as path from "path";

/** An environment variable that `scripts/cluster.sh env` sets, or an error saying how to set it. */
function fromClusterEnv(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`${name} is not set: run through scripts/test.sh, or eval "$(bash scripts/cluster.sh env)" first`);
    }
    return value;
}

/**
 * The cluster's directory: scripts/cluster/lib.sh's DIR, which `scripts/cluster.sh env` exports, so
 * that its default (under WEBSERVER_SIDECAR_CACHE) is written in one place only.
 */
export function clusterDirectory(): string {
    return fromClusterEnv("WEBSERVER_SIDECAR_CLUSTER_DIR");
}

/** The locally built stand-in images the node has (scripts/images/): never the official names. */
export function localImages(): { readonly nginx: string; readonly python: string; readonly busybox: string } {
    return {
        nginx: fromClusterEnv("WEBSERVER_SIDECAR_NGINX_IMAGE"),
        python: fromClusterEnv("WEBSERVER_SIDECAR_PYTHON_IMAGE"),
        busybox: fromClusterEnv("WEBSERVER_SIDECAR_BUSYBOX_IMAGE"),
    };
}

/** Runs kubectl against the local cluster and returns its stdout. */
export function kubectl(args: string[], input?: string): string {
    return execFileSync("kubectl", ["--kubeconfig", fromClusterEnv("KUBECONFIG"), ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30 });
}

/** kubectl without blocking the event loop (for output that keeps arriving meanwhile). */
export function kubectlAsync(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("kubectl", ["--kubeconfig", fromClusterEnv("KUBECONFIG"), ...args], { encoding: "utf8", maxBuffer: 1 << 30 },
            (error, stdout, stderr) => (error ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout)));
    });
}

/** scripts/cluster.sh, which starts and stops the node's parts. */
const CLUSTER_SCRIPT = path.join(__dirname, "..", "scripts", "cluster.sh");

/**
 * Stops the node's kubelet alone (`scripts/cluster.sh stop-kubelet`): the Pods' containers keep
 * running in containerd, as they do while a kubelet restarts or is upgraded.
 */
export function stopKubelet(): void {
    execFileSync("bash", [CLUSTER_SCRIPT, "stop-kubelet"], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Starts the node's kubelet again and waits until the node is Ready (`scripts/cluster.sh start-kubelet`). */
export function startKubelet(): void {
    execFileSync("bash", [CLUSTER_SCRIPT, "start-kubelet"], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Loses the local cluster's second node as a failed machine is: its link down, its components and
 * containers killed (`scripts/cluster.sh lose-second-node`). Its Node object stays.
 */
export function loseSecondNode(): void {
    execFileSync("bash", [CLUSTER_SCRIPT, "lose-second-node"], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Brings the second node back after {@link loseSecondNode} and waits until it is Ready (`scripts/cluster.sh restore-second-node`). */
export function restoreSecondNode(): void {
    execFileSync("bash", [CLUSTER_SCRIPT, "restore-second-node"], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Where the kubelet mounts a Pod's emptyDir on this machine (its root-dir, scripts/cluster/kubelet.sh). */
export function emptyDirOnNode(podUid: string, volume: string): string {
    return path.join(clusterDirectory(), "node", "kubelet", "root", "pods", podUid, "volumes", "kubernetes.io~empty-dir", volume);
}

/**
 * The cgroup (v1) the kubelet made for a Pod's container under one controller's hierarchy
 * (`cpuacct`, `pids`, ...), found by the container's ID.
 */
export function containerCgroupDirectory(controller: string, podUid: string, containerId: string, qosClass: string): string {
    const id = containerId.replace(/^containerd:\/\//, "");
    const qos = qosClass === "Guaranteed" ? "" : qosClass.toLowerCase();
    return path.join("/sys/fs/cgroup", controller, "kubepods", qos, `pod${podUid}`, id);
}
