/**
 * Makes a Pod on the local node stop accepting connections without touching its processes: a
 * rule in the Pod's own network namespace drops new TCP connections (SYNs) to a port, while
 * connections already open keep working. To the kubelet's probes this is an nginx that has wedged:
 * its tcpSocket liveness probe times out, and after failureThreshold tries the kubelet restarts it.
 *
 * Entered through a process of one of the Pod's containers (all of them share the Pod's network
 * namespace), with nsenter and the host's iptables; root only.
 */
import { execFileSync } from "child_process";

/** A Pod's containers' processes: anything that can name a pid inside the Pod. */
export interface PodProcesses {
    containerProcessIds(container: string): number[];
}

/**
 * Drops new connections to `port` in the Pod's network namespace; returns the function that
 * lifts it. `viaContainer` must keep running meanwhile (its namespace handle is a process of it).
 */
export function dropNewConnections(pod: PodProcesses, viaContainer: string, port: number): () => void {
    const pid = pod.containerProcessIds(viaContainer)[0];
    if (pid === undefined) {
        throw new Error(`container ${viaContainer} has no process to enter the Pod's network through`);
    }
    const rule = ["INPUT", "-p", "tcp", "--dport", String(port), "--syn", "-j", "DROP"];
    const iptables = (action: string) => execFileSync("nsenter", ["--target", String(pid), "--net", "iptables", "-w", action, ...rule], { stdio: "pipe" });
    iptables("-I");
    return () => iptables("-D");
}
