import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterSettings } from "./stackConfig";

/**
 * The arguments of the program's one explicit `k8s.Provider`, from the cluster settings.
 * An explicit provider (rather than the ambient default) makes the target visible in code and in
 * the state, and lets the stack config choose kubeconfig, context and namespace.
 * Inline kubeconfig contents are credentials, so they are marked secret; so are a context and a
 * namespace set as secrets.
 *
 * Client-side apply (`enableServerSideApply: false`), so that every change previews as what it will
 * do. With server-side apply, the provider up to 4.28 (4.25.0 read and run here) previews the
 * replacement of a Pod (any change to its spec but the images) as a dry-run apply under the same
 * name, which the API server refuses as an update of the live Pod ("pod updates may not change
 * fields other than"): `pulumi preview` fails, and with it a team's pull-request check. In
 * client-side mode the provider plans the replacement from the inputs and `up` replaces the Pod.
 * The trade-off (docs/operating.md#how-changes-are-previewed): the preview of a create is not a
 * dry run on the server, and the provider keeps its own last-applied annotation on each object.
 */
export function buildProviderArgs(cluster: ClusterSettings, secretSettings: ReadonlySet<"context" | "namespace"> = new Set()): k8s.ProviderArgs {
    // A context or namespace set with --secret stays secret in the provider's inputs too.
    const keep = (setting: "context" | "namespace", value: string): pulumi.Input<string> => (secretSettings.has(setting) ? pulumi.secret(value) : value);
    const kubeconfig = cluster.kubeconfig.kind === "inline" ? pulumi.secret(cluster.kubeconfig.contents)
        : cluster.kubeconfig.kind === "file" ? cluster.kubeconfig.path
            : undefined; // the provider's own defaults: $KUBECONFIG, ~/.kube/config, in-cluster
    return {
        ...(kubeconfig !== undefined ? { kubeconfig } : {}),
        ...(cluster.context !== undefined ? { context: keep("context", cluster.context) } : {}),
        namespace: keep("namespace", cluster.namespace),
        enableServerSideApply: false,
    };
}
