/**
 * CPU shares for the local Pod's containers, as the kubelet sets them on a cgroup v1 node: a
 * `kubepods` group weighted by the node's CPUs, a group for the Pod, and one per container with
 * `cpu.shares = milliCPU request * 1024 / 1000` (2 without a request). Without this every process
 * on this machine would compete as an equal, and a lightly loaded sidecar would wait behind wrk
 * and nginx's workers in a way it does not on a node.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const CPU_CGROUP_ROOT = "/sys/fs/cgroup/cpu";
const MIN_SHARES = 2;

/** The kubelet's conversion of a CPU request ("100m", "0.5", "1") to cgroup v1 cpu.shares. */
export function cpuSharesFor(request: string | undefined): number {
    if (request === undefined) {
        return MIN_SHARES;
    }
    const milliCpu = request.endsWith("m") ? Number(request.slice(0, -1)) : Number(request) * 1000;
    return Math.max(MIN_SHARES, Math.floor((milliCpu * 1024) / 1000));
}

/** Whether this machine has a writable cgroup v1 cpu hierarchy to place containers in. */
export function cpuCgroupsAvailable(): boolean {
    try {
        fs.accessSync(path.join(CPU_CGROUP_ROOT, "cpu.shares"), fs.constants.W_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * Creates kubepods/<pod>/<container> groups with the kubelet's shares.
 * @returns each container's `cgroup.procs` file, to write its pid into before it starts.
 */
export function createPodCgroups(podId: string, containerShares: Record<string, number>): Record<string, string> {
    const kubepods = path.join(CPU_CGROUP_ROOT, "webserver-sidecar-kubepods");
    fs.mkdirSync(kubepods, { recursive: true });
    fs.writeFileSync(path.join(kubepods, "cpu.shares"), String(os.cpus().length * 1024));
    const pod = path.join(kubepods, podId);
    fs.mkdirSync(pod, { recursive: true });
    fs.writeFileSync(path.join(pod, "cpu.shares"), String(Object.values(containerShares).reduce((a, b) => a + b, 0)));
    const procsFiles: Record<string, string> = {};
    for (const [container, shares] of Object.entries(containerShares)) {
        const group = path.join(pod, container);
        fs.mkdirSync(group, { recursive: true });
        fs.writeFileSync(path.join(group, "cpu.shares"), String(shares));
        procsFiles[container] = path.join(group, "cgroup.procs");
    }
    return procsFiles;
}

/** Removes the Pod's groups once its processes are gone. */
export function removePodCgroups(podId: string): void {
    const pod = path.join(CPU_CGROUP_ROOT, "webserver-sidecar-kubepods", podId);
    if (!fs.existsSync(pod)) {
        return;
    }
    for (const entry of fs.readdirSync(pod, { withFileTypes: true })) {
        if (entry.isDirectory()) {
            fs.rmdirSync(path.join(pod, entry.name));
        }
    }
    fs.rmdirSync(pod);
}
