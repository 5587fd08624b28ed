/**
 * The official Kubernetes client (@kubernetes/client-node), for the program's own reads of the
 * cluster (runningPods.ts, ownership.ts), configured as the provider is: the same kubeconfig
 * (file, inline contents or kubectl's defaults) and context.
 */
import type * as KubernetesClient from "@kubernetes/client-node";
import { ClusterSettings } from "./stackConfig";

/**
 * The client's module, loaded when first needed: an ES module of ~400 ms to load, which a program
 * that never reads the cluster itself does not pay for.
 */
export async function loadKubernetesClient(): Promise<typeof KubernetesClient> {
    return import("@kubernetes/client-node");
}

/** The client's kubeconfig for the cluster settings: the provider's file, inline contents or defaults, and context. */
export async function loadKubeConfig(cluster: ClusterSettings): Promise<KubernetesClient.KubeConfig> {
    const client = await loadKubernetesClient();
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
