/**
 * The cluster's nodes as the multi-node tests see them: which ones a Pod with given tolerations can
 * be scheduled on, where an instance's Pods run, and the project's local second node
 * (scripts/cluster/secondNode.sh), which registers with a taint so that only the Pods that ask
 * for it run there.
 */
import { PodPlacement } from "./clientPod";
import { kubectl } from "./pulumiHarness";

/** The taint the local cluster's second node registers with (NoSchedule). */
export const SECOND_NODE_TAINT = "webserver-sidecar/second-node";

/** A toleration of {@link SECOND_NODE_TAINT}: harmless on a cluster without it (kind's). */
export const SECOND_NODE_TOLERATION = { key: SECOND_NODE_TAINT, operator: "Exists", effect: "NoSchedule" } as const;

interface NodeList {
    items: { metadata: { name: string; labels: Record<string, string> }; spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] } }[];
}

/** The nodes a Pod tolerating exactly {@link SECOND_NODE_TAINT} can be scheduled on, by name, sorted. */
export function schedulableNodes(): string[] {
    const nodes = JSON.parse(kubectl(["get", "nodes", "-o", "json"])) as NodeList;
    return nodes.items
        .filter((node) => !node.spec.unschedulable
            && !(node.spec.taints ?? []).some((taint) => taint.effect === "NoSchedule" && taint.key !== SECOND_NODE_TAINT))
        .map((node) => node.metadata.name)
        .sort();
}

/** A Pod's placement on one node by its hostname label, tolerating the second node's taint. */
export function placementOn(node: string): PodPlacement {
    const hostname = kubectl(["get", "node", node, "-o", "jsonpath={.metadata.labels.kubernetes\\.io/hostname}"]);
    return { nodeSelector: { "kubernetes.io/hostname": hostname }, tolerations: [SECOND_NODE_TOLERATION] };
}

/** The nodes the running (not terminating) Pods of `selector` are on, sorted, each once. */
export function nodesOfPods(namespace: string, selector: string): string[] {
    const pods = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])) as
        { items: { metadata: { deletionTimestamp?: string }; spec: { nodeName?: string } }[] };
    return [...new Set(pods.items.filter((pod) => pod.metadata.deletionTimestamp === undefined).map((pod) => pod.spec.nodeName ?? ""))].sort();
}
