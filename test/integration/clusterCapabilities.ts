/**
 * What the cluster under test can do beyond plain Kubernetes. The end-to-end suite runs against
 * whatever cluster KUBECONFIG names (the project's local cluster here, a kind cluster on GitHub's
 * runners, a user's own); the few tests that need the project's local cluster and its node's extras
 * ask {@link skipUnlessLocalCluster}, which skips them elsewhere and says why. The tests that look at
 * the node a Pod runs on reach it through {@link nodeAccessFor}, on any cluster.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import { DEFAULTS } from "../../components/args";
import { NodeAccess, THIS_MACHINE } from "../../lab/nodeAccess";
import { NodeHelper } from "../../lab/nodeHelper";
import { localClusterImages } from "../../lab/pulumiHarness";

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

/**
 * Set to 1 to run the end-to-end tests on the project's local cluster as on any other: every test
 * then takes the path it takes on kind (a helper Pod for the node, no local-only test), which is how
 * those paths are proven without a kind cluster at hand.
 */
export const GENERIC_ENV = "WEBSERVER_SIDECAR_E2E_GENERIC";

/**
 * True when KUBECONFIG's current context is the project's local cluster (scripts/cluster.sh), and
 * {@link GENERIC_ENV} does not ask to treat it as any cluster.
 */
export function isLocalCluster(): boolean {
    return currentContext() === LOCAL_CLUSTER_CONTEXT && process.env[GENERIC_ENV] !== "1";
}

/**
 * Skips the running test (or hook's suite) unless the cluster is the project's local one, printing
 * the reason, so that a run elsewhere shows what it did not check.
 * @param context mocha's `this` inside `it` or `before`.
 * @param needs what the test needs that only the local cluster has, e.g. "the local node's cgroups".
 */
export function skipUnlessLocalCluster(context: Mocha.Context, needs: string): void {
    if (!isLocalCluster()) {
        const generic = process.env[GENERIC_ENV] === "1" ? ` (${GENERIC_ENV}=1)` : "";
        skipBecause(context, `needs ${needs}, which only the project's local cluster (context ${LOCAL_CLUSTER_CONTEXT}) has; KUBECONFIG's context is ${currentContext() ?? "(none)"}${generic}`);
    }
}

/**
 * How the tests reach the node their Pods run on: on the project's local cluster, this machine;
 * elsewhere, a privileged helper Pod in `namespace` (lab/nodeHelper.ts), on whose node the tests'
 * Pods are then pinned.
 */
export async function nodeAccessFor(namespace: string): Promise<NodeAccess> {
    if (isLocalCluster()) {
        return THIS_MACHINE;
    }
    const helper = await NodeHelper.start(namespace, testImages().sidecarImage);
    console.log(`      the node: ${helper.description}`);
    return helper;
}

/**
 * The images the tests' Pods run: the local cluster's stand-ins where `scripts/cluster.sh env` names
 * them (nothing can be pulled there), else the component's pinned defaults.
 */
export function testImages(): { nginxImage: string; sidecarImage: string } {
    const standIns = localClusterImages();
    return { nginxImage: standIns.nginxImage ?? DEFAULTS.nginxImage, sidecarImage: standIns.sidecarImage ?? DEFAULTS.sidecarImage };
}

/** Skips the running test (or hook's suite), printing why. */
export function skipBecause(context: Mocha.Context, reason: string): never {
    console.log(`      skipped: ${reason}`);
    context.skip();
}
