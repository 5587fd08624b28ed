/**
 * Tests that need the project's own local cluster (its real node's files, cgroups and bridge, and
 * its stand-in images) say so here, and skip with the reason on any other cluster.
 */
import { execFileSync } from "child_process";

/** The context name of the project's local cluster (scripts/cluster/lib.sh). */
export const LOCAL_CLUSTER_CONTEXT = "webserver-sidecar-local";

/** True when KUBECONFIG's current context is the project's local cluster. */
export function onLocalCluster(): boolean {
    try {
        return execFileSync("kubectl", ["config", "current-context"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() === LOCAL_CLUSTER_CONTEXT;
    } catch {
        return false;
    }
}

/** Skips the calling suite or test, with the reason printed, unless on the project's local cluster. */
export function requireLocalNode(context: Mocha.Context): void {
    if (!onLocalCluster()) {
        console.log(`      skipped: needs the project's local cluster (context ${LOCAL_CLUSTER_CONTEXT}): its node's files, cgroups and local images`);
        context.skip();
    }
}
