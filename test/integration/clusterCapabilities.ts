/**
 * What the cluster under test can do beyond plain Kubernetes. The end-to-end suite runs against
 * whatever cluster KUBECONFIG names (the project's local cluster here, a kind cluster on GitHub's
 * runners, a user's own); the few tests that need the project's local cluster and its node's extras
 * ask {@link skipUnlessLocalCluster}, which skips them elsewhere and says why.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";

/** The kubeconfig context that scripts/cluster.sh writes for the project's local cluster. */
export const LOCAL_CLUSTER_CONTEXT = "webserver-sidecar-local";

/** The current-context of the kubeconfig file KUBECONFIG names, or undefined when there is none. */
export function currentContext(kubeconfig = process.env.KUBECONFIG): string | undefined {
    if (kubeconfig === undefined || !fs.existsSync(kubeconfig)) {
        return undefined;
    }
    const config = yaml.load(fs.readFileSync(kubeconfig, "utf8")) as { "current-context"?: string } | undefined;
    const name = config?.["current-context"];
    // kubectl treats an empty current-context as none.
    return name ? name : undefined;
}

/** True when KUBECONFIG's current context is the project's local cluster (scripts/cluster.sh). */
export function isLocalCluster(): boolean {
    return currentContext() === LOCAL_CLUSTER_CONTEXT;
}

/**
 * Skips the running test (or hook's suite) unless the cluster is the project's local one, printing
 * the reason, so that a run elsewhere shows what it did not check.
 * @param context mocha's `this` inside `it` or `before`.
 * @param needs what the test needs that only the local cluster has, e.g. "the local node's cgroups".
 */
export function skipUnlessLocalCluster(context: Mocha.Context, needs: string): void {
    if (!isLocalCluster()) {
        skipBecause(context, `needs ${needs}, which only the project's local cluster (context ${LOCAL_CLUSTER_CONTEXT}) has; KUBECONFIG's context is ${currentContext() ?? "(none)"}`);
    }
}

/** Skips the running test (or hook's suite), printing why. */
export function skipBecause(context: Mocha.Context, reason: string): never {
    console.log(`      skipped: ${reason}`);
    context.skip();
}
