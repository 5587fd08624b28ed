/**
 * The `podNames` stack output when a Deployment runs the Pods (`replicas`): their names are
 * generated, so they are read from the cluster at every `up` (components/deploymentPods.ts: the
 * live Deployment's revision, not the state's), with the official Kubernetes client
 * (@kubernetes/client-node), through the same kubeconfig and context as the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../components/args";
import { DeploymentPodsReader, listDeploymentPodNames } from "../components/deploymentPods";
import { loadKubeConfig, loadKubernetesClient } from "./kubernetesClient";
import { ClusterSettings } from "./stackConfig";

export { REVISION_ANNOTATION, TEMPLATE_HASH_LABEL, labelSelector, revisionTemplateHash, runningPodNames } from "../components/deploymentPods";

/**
 * The reader components/deploymentPods.ts asks for, made of @kubernetes/client-node's calls,
 * through the cluster settings' kubeconfig and context.
 */
export async function clientNodeReader(cluster: ClusterSettings): Promise<DeploymentPodsReader> {
    // Loaded when first needed (kubernetesClient.ts): a stack without replicas never pays for it.
    const [client, config] = await Promise.all([loadKubernetesClient(), loadKubeConfig(cluster)]);
    const apps = config.makeApiClient(client.AppsV1Api);
    const core = config.makeApiClient(client.CoreV1Api);
    return {
        readDeployment: (namespace, name) => apps.readNamespacedDeployment({ namespace, name }),
        listReplicaSets: async (namespace, labelSelector) => (await apps.listNamespacedReplicaSet({ namespace, labelSelector })).items,
        listPods: async (namespace, labelSelector) => (await core.listNamespacedPod({ namespace, labelSelector })).items,
    };
}

/**
 * The names of the Deployment's running Pods after `up`, read live: those of the Deployment's
 * current revision, also after a `kubectl rollout restart` or `kubectl scale` made out of band
 * (waiting up to `readyTimeoutSeconds` for such a rollout to finish). Unknown in a preview, which
 * changes nothing and so cannot say which Pods will run.
 * @param deploymentMetadata the Deployment's metadata: its name, and its namespace when set; the
 *   list is read once the Deployment is (`up` waits for its rollout before it resolves them).
 * @param readyTimeoutSeconds the stack's `readyTimeoutSeconds`. @default DEFAULTS.readyTimeoutSeconds
 */
export function deploymentPodNames(
    cluster: ClusterSettings,
    deploymentMetadata: pulumi.Output<{ name?: string; namespace?: string }>,
    selector: pulumi.Output<Record<string, string>>,
    readyTimeoutSeconds: number | undefined,
): pulumi.Output<string[]> {
    // `pulumi.unknown` from an apply makes its output unknown, as the engine's own unknowns are.
    return pulumi.all([deploymentMetadata, selector]).apply(async ([metadata, labels]): Promise<string[]> => {
        if (pulumi.runtime.isDryRun()) {
            return pulumi.unknown as unknown as string[];
        }
        if (metadata.name === undefined) {
            throw new Error("podNames: the Deployment's metadata has no name, so its Pods cannot be listed");
        }
        const reader = await clientNodeReader(cluster);
        return listDeploymentPodNames(reader, metadata.namespace ?? cluster.namespace, metadata.name, labels,
            { timeoutSeconds: readyTimeoutSeconds ?? DEFAULTS.readyTimeoutSeconds });
    });
}
