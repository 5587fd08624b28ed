/**
 * What the fault tests read back about a namespace's Pods from the API server, and the out-of-band
 * change a user (or a node's failure) makes behind Pulumi's back: a Pod deleted with kubectl.
 */
import { kubectl } from "./pulumiHarness";

/** A container the kubelet is not running, and the kubelet's word for why. */
export interface WaitingContainer {
    readonly container: string;
    readonly reason: string;
    readonly message: string;
}

/** One Pod as the API server holds it. */
export interface LivePod {
    readonly name: string;
    readonly uid: string;
    /** Its Ready condition is True. */
    readonly ready: boolean;
    /** Its containers (init containers included) that are waiting. */
    readonly waiting: readonly WaitingContainer[];
}

interface PodJson {
    metadata: { name: string; uid: string };
    status?: {
        conditions?: { type: string; status: string }[];
        containerStatuses?: ContainerStatusJson[];
        initContainerStatuses?: ContainerStatusJson[];
    };
}
interface ContainerStatusJson {
    name: string;
    state?: { waiting?: { reason?: string; message?: string } };
}

/** The Pods of a namespace, sorted by name. */
export function livePods(namespace: string): LivePod[] {
    const list = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as { items: PodJson[] };
    return list.items.map((pod) => ({
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        ready: pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
        waiting: [...pod.status?.initContainerStatuses ?? [], ...pod.status?.containerStatuses ?? []]
            .filter((c) => c.state?.waiting !== undefined)
            .map((c) => ({ container: c.name, reason: c.state?.waiting?.reason ?? "", message: c.state?.waiting?.message ?? "" })),
    })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Deletes a Pod the way a user would behind Pulumi's back (`kubectl delete pod`), waiting until the
 * API server no longer has it. Returns the uid it had, to tell a recreated Pod from it.
 */
export function deletePodOutOfBand(name: string, namespace: string): string {
    const uid = kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.metadata.uid}"]);
    kubectl(["delete", "pod", name, "-n", namespace, "--wait=true"]);
    return uid;
}

/**
 * The names of the Pods `selector` picks in `namespace` that are not being deleted, sorted: what
 * `kubectl get pods -l <selector>` lists as running, less those an old revision is still stopping.
 */
export function runningPodsSelected(namespace: string, selector: string): string[] {
    const pods = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])) as
        { items: { metadata: { name: string; deletionTimestamp?: string } }[] };
    return pods.items.filter((pod) => pod.metadata.deletionTimestamp === undefined).map((pod) => pod.metadata.name).sort();
}
