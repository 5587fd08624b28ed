/**
 * The official Kubernetes client (@kubernetes/client-node), for the program's own reads of the
 * cluster (runningPods.ts, ownership.ts), configured as the provider is: the same kubeconfig
 * (file, inline contents or kubectl's defaults) and context.
 */
import type * as KubernetesClient from "@kubernetes/client-node";
import { proxyFor } from "./clusterEndpoint";
import { ClusterSettings } from "./stackConfig";

/**
 * The client's module, loaded when first needed: an ES module of ~400 ms to load, which a program
 * that never reads the cluster itself does not pay for.
 */
export async function loadKubernetesClient(): Promise<typeof KubernetesClient> {
    return import("@kubernetes/client-node");
}

/**
 * The client's kubeconfig for the cluster settings: the provider's file, inline contents or
 * defaults, and context; and the proxy the provider would go through.
 * @param environment the process environment, for HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
 * @default environment process.env
 */
export async function loadKubeConfig(
    cluster: ClusterSettings, environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<KubernetesClient.KubeConfig> {
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
    // The provider (client-go) takes HTTPS_PROXY and HTTP_PROXY from the environment; this client
    // only a cluster's proxy-url. Without this, a machine that reaches its cluster only through a
    // proxy would see every read fail. (A NO_PROXY given as a CIDR is not matched: such a server
    // is read through the proxy.)
    const current = config.getCurrentCluster();
    const proxy = current === null ? undefined
        : proxyFor({ context: config.getCurrentContext(), server: current.server, origin: "", ...(current.proxyUrl !== undefined ? { proxyUrl: current.proxyUrl } : {}) }, environment);
    if (current !== null && proxy !== undefined && current.proxyUrl === undefined) {
        config.clusters = config.clusters.map((entry) => (entry.name === current.name ? { ...entry, proxyUrl: proxy } : entry));
    }
    return config;
}
