/**
 * The `podNames` stack output when a Deployment runs the Pods (`replicas`): their names are
 * generated, so they are read from the cluster once `up` has waited for the rollout, with the
 * official Kubernetes client (@kubernetes/client-node), through the same kubeconfig and context
 * as the provider.
 */
import type * as KubernetesClient from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import { ClusterSettings } from "./stackConfig";

/** A label selector as the API takes it: `key=value,key=value`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(",");
}

/** A Pod as far as {@link runningPodNames} reads it. */
export interface ListedPod {
    readonly metadata?: { readonly name?: string; readonly deletionTimestamp?: unknown };
}

/**
 * The names of the Pods that run: those not being deleted (an old revision's Pods are stopping for
 * a while after the rollout that replaced them), sorted.
 */
export function runningPodNames(pods: readonly ListedPod[]): string[] {
    return pods.filter((pod) => pod.metadata?.deletionTimestamp === undefined || pod.metadata.deletionTimestamp === null)
        .map((pod) => pod.metadata?.name ?? "").filter((name) => name !== "").sort();
}

/** The client's kubeconfig for the cluster settings: the provider's file, inline contents or defaults, and context. */
async function loadKubeConfig(cluster: ClusterSettings): Promise<KubernetesClient.KubeConfig> {
    // Loaded when first needed (an ES module of ~400 ms to load): a stack without replicas never pays for it.
    const client: typeof KubernetesClient = await import("@kubernetes/client-node");
    const config = new client.KubeConfig();
    if (cluster.kubeconfig.kind === "inline") {
        config.loadFromString(cluster.kubeconfig.contents);
    } else if (cluster.kubeconfig.kind === "file") {
        config.loadFromFile(cluster.kubeconfig.path);
    } else {
        config.loadFromDefault();
    }
    if (cluster.context !== undefined) {
        config.setCurrentContext(cluster.context);
    }
    return config;
}

/** Lists the running Pods `selector` picks in the cluster's namespace. */
export async function listRunningPodNames(cluster: ClusterSettings, selector: Readonly<Record<string, string>>): Promise<string[]> {
    const client: typeof KubernetesClient = await import("@kubernetes/client-node");
    const api = (await loadKubeConfig(cluster)).makeApiClient(client.CoreV1Api);
    const list = await api.listNamespacedPod({ namespace: cluster.namespace, labelSelector: labelSelector(selector) });
    return runningPodNames(list.items);
}

/**
 * The names of the Deployment's running Pods once its rollout is done (`up` waits for it before it
 * resolves `status`); unknown in a preview, which changes nothing and so cannot say which Pods will run.
 * @param rolledOut an output that resolves once the rollout is done: the Deployment's `status`.
 */
export function deploymentPodNames(cluster: ClusterSettings, rolledOut: pulumi.Output<unknown>, selector: pulumi.Output<Record<string, string>>): pulumi.Output<string[]> {
    // `pulumi.unknown` from an apply makes its output unknown, as the engine's own unknowns are.
    return pulumi.all([rolledOut, selector]).apply(async ([, labels]): Promise<string[]> =>
        pulumi.runtime.isDryRun() ? (pulumi.unknown as unknown as string[]) : listRunningPodNames(cluster, labels));
}
