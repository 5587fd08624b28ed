import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterSettings } from "./stackConfig";

/**
 * The arguments of the program's one explicit `k8s.Provider`, from the cluster settings.
 * An explicit provider (rather than the ambient default) makes the target visible in code and in
 * the state, and lets the stack config choose kubeconfig, context and namespace.
 * Inline kubeconfig contents are credentials, so they are marked secret.
 */
export function buildProviderArgs(cluster: ClusterSettings): k8s.ProviderArgs {
    const kubeconfig = cluster.kubeconfig.kind === "inline" ? pulumi.secret(cluster.kubeconfig.contents)
        : cluster.kubeconfig.kind === "file" ? cluster.kubeconfig.path
            : undefined; // the provider's own defaults: $KUBECONFIG, ~/.kube/config, in-cluster
    return {
        ...(kubeconfig !== undefined ? { kubeconfig } : {}),
        ...(cluster.context !== undefined ? { context: cluster.context } : {}),
        namespace: cluster.namespace,
    };
}
