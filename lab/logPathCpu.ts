/**
 * CPU the node spends carrying a Pod's stdout into its CRI log files, outside the Pod's cgroups:
 * the Pod's containerd-shim copies each container's stdout pipe into a FIFO, and the containerd
 * daemon (its CRI plugin) reads the FIFO, stamps each line and writes the file in the kubelet's
 * pod-logs directory. Neither is charged to the Pod, so a sidecar's cgroup CPU leaves it out,
 * and neither is weighed by the Pod's cpu.shares. Read-only: /proc of this machine.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { clusterDirectory } from "./localNode";
import { parentPid, statFields } from "./processes";

let ticksPerSecond: number | undefined;

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
    ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime: fields 14 and 15
}

/**
 * The local cluster's containerd daemon: the process started with the cluster's config file
 * (scripts/cluster.sh), not any other containerd on the machine.
 * @throws when none runs.
 */
export function clusterContainerdPid(): number {
    const config = path.join(clusterDirectory(), "node", "containerd", "config.toml");
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        let argv: string[];
        try {
            argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        } catch {
            continue; // gone meanwhile
        }
        if (path.basename(argv[0]) === "containerd" && argv.includes(config)) {
            return Number(entry);
        }
    }
    throw new Error(`no containerd runs with --config ${config}: is the local cluster up (scripts/cluster.sh up)?`);
}

/**
 * The containerd-shim of a container, from the container's processes (its cgroup's): the parent
 * of the one whose parent is outside the container.
 * @throws when that parent is not a containerd-shim.
 */
export function shimPidOf(containerPids: readonly number[]): number {
    const top = containerPids.find((pid) => !containerPids.includes(parentPid(pid)));
    const shim = top === undefined ? undefined : parentPid(top);
    const name = shim === undefined ? "none" : fs.readFileSync(`/proc/${shim}/comm`, "utf8").trim();
    if (shim === undefined || !name.startsWith("containerd-shim")) {
        throw new Error(`the container's processes ${containerPids.join(", ")} have no containerd-shim parent (found ${name})`);
    }
    return shim;
}
