/**
 * The `podNames` stack output when a Deployment runs the Pods (`replicas`): their names are
 * generated, so they are read from the cluster once `up` has waited for the rollout, with the
 * official Kubernetes client (@kubernetes/client-node), through the same kubeconfig and context
 * as the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadKubeConfig, loadKubernetesClient } from "./kubernetesClient";
import { ClusterSettings } from "./stackConfig";

/** A label selector as the API takes it: `key=value,key=value`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(",");
}

/** The annotation the Deployment controller keeps on a Deployment and its ReplicaSets: the revision. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** The label the Deployment controller puts on a revision's ReplicaSet and Pods. */
export const TEMPLATE_HASH_LABEL = "pod-template-hash";

/** An object as far as these functions read it (a Pod or a ReplicaSet from the API). */
export interface ListedObject {
    readonly metadata?: {
        readonly name?: string;
        readonly deletionTimestamp?: unknown;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
    };
}

/**
 * The `pod-template-hash` of the Deployment's revision `revision`: the label its ReplicaSet (and
 * that ReplicaSet's Pods) carry. `undefined` when no ReplicaSet has that revision.
 */
export function revisionTemplateHash(replicaSets: readonly ListedObject[], revision: string): string | undefined {
    return replicaSets.find((set) => set.metadata?.annotations?.[REVISION_ANNOTATION] === revision)?.metadata?.labels?.[TEMPLATE_HASH_LABEL];
}

/**
 * The names of the Pods that run the revision whose template hash is `templateHash`: not those of
 * an older revision (which may not even be told to stop yet when the rollout is declared done), nor
 * those being deleted, sorted.
 */
export function runningPodNames(pods: readonly ListedObject[], templateHash: string): string[] {
    return pods.filter((pod) => pod.metadata?.labels?.[TEMPLATE_HASH_LABEL] === templateHash)
        .filter((pod) => pod.metadata?.deletionTimestamp === undefined || pod.metadata.deletionTimestamp === null)
        .map((pod) => pod.metadata?.name ?? "").filter((name) => name !== "").sort();
}

/**
 * Lists the running Pods of the Deployment's revision `revision`, among those `selector` picks in
 * the cluster's namespace.
 * @throws when no ReplicaSet of the selector has that revision.
 */
export async function listRunningPodNames(cluster: ClusterSettings, selector: Readonly<Record<string, string>>, revision: string): Promise<string[]> {
    const [client, config] = await Promise.all([loadKubernetesClient(), loadKubeConfig(cluster)]);
    const query = { namespace: cluster.namespace, labelSelector: labelSelector(selector) };
    const replicaSets = await config.makeApiClient(client.AppsV1Api).listNamespacedReplicaSet(query);
    const templateHash = revisionTemplateHash(replicaSets.items, revision);
    if (templateHash === undefined) {
        throw new Error(`podNames: no ReplicaSet of revision ${revision} selected by ${query.labelSelector} in namespace ${cluster.namespace}`);
    }
    const pods = await config.makeApiClient(client.CoreV1Api).listNamespacedPod({ ...query, labelSelector: `${query.labelSelector},${TEMPLATE_HASH_LABEL}=${templateHash}` });
    return runningPodNames(pods.items, templateHash);
}

/**
 * The names of the Deployment's running Pods once its rollout is done (`up` waits for it before it
 * resolves the Deployment's outputs); unknown in a preview, which changes nothing and so cannot say
 * which Pods will run.
 * @param deploymentMetadata the Deployment's live metadata, whose revision annotation names the rollout's revision.
 */
export function deploymentPodNames(
    cluster: ClusterSettings, deploymentMetadata: pulumi.Output<{ annotations?: Record<string, string> }>, selector: pulumi.Output<Record<string, string>>,
): pulumi.Output<string[]> {
    // `pulumi.unknown` from an apply makes its output unknown, as the engine's own unknowns are.
    return pulumi.all([deploymentMetadata, selector]).apply(async ([metadata, labels]): Promise<string[]> =>
        pulumi.runtime.isDryRun() ? (pulumi.unknown as unknown as string[])
            : listRunningPodNames(cluster, labels, metadata.annotations?.[REVISION_ANNOTATION] ?? "1"));
}
