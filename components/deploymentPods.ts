/**
 * The running Pods of a Deployment, as the cluster has it now: the names a `podNames` output lists
 * with `replicas`. Read live at every `up`, never from the revision Pulumi's state holds: a
 * `kubectl rollout restart` or `kubectl scale` made out of band leaves the state's revision behind
 * (its ReplicaSet has no Pods left, and is pruned in time), and a `pulumi up` with no change does not
 * refresh it.
 *
 * The API is reached through {@link DeploymentPodsReader}, a small interface the caller fills with
 * its own Kubernetes client (the program uses @kubernetes/client-node: program/runningPods.ts), so
 * that this package depends on no client.
 */

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

/** A Deployment as far as these functions read it: its revision and its rollout's status. */
export interface LiveDeployment {
    readonly metadata?: {
        readonly generation?: number;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec?: { readonly replicas?: number; readonly paused?: boolean };
    readonly status?: {
        readonly observedGeneration?: number;
        readonly replicas?: number;
        readonly updatedReplicas?: number;
        readonly availableReplicas?: number;
        readonly conditions?: readonly { readonly type?: string; readonly reason?: string; readonly message?: string }[];
    };
}

/**
 * What {@link listDeploymentPodNames} reads from the API server; fill it with your client's calls
 * (with @kubernetes/client-node: `readNamespacedDeployment`, `listNamespacedReplicaSet(...).items`,
 * `listNamespacedPod(...).items`).
 */
export interface DeploymentPodsReader {
    /** The Deployment `name` in `namespace`, as the API server has it now. */
    readDeployment(namespace: string, name: string): Promise<LiveDeployment>;
    /** The ReplicaSets `labelSelector` (`key=value,...`) picks in `namespace`. */
    listReplicaSets(namespace: string, labelSelector: string): Promise<readonly ListedObject[]>;
    /** The Pods `labelSelector` (`key=value,...`) picks in `namespace`. */
    listPods(namespace: string, labelSelector: string): Promise<readonly ListedObject[]>;
}

/** A label selector as the API takes it: `key=value,key=value`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(",");
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

/** Where a Deployment's rollout stands: done, still going (and why), or stuck for good. */
export type RolloutState =
    | { readonly kind: "done"; readonly revision: string }
    | { readonly kind: "progressing"; readonly reason: string }
    | { readonly kind: "failed"; readonly reason: string };

/**
 * Where the live Deployment's rollout stands, as `kubectl rollout status` judges it: the controller
 * has seen the latest spec, every replica runs the current revision and is available, and no Pod
 * of an older revision is counted any more.
 */
export function rolloutState(deployment: LiveDeployment): RolloutState {
    const generation = deployment.metadata?.generation ?? 0;
    const status = deployment.status ?? {};
    const stalled = status.conditions?.find((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded");
    if (stalled !== undefined) {
        return { kind: "failed", reason: `its rollout exceeded its progress deadline: ${stalled.message ?? "no message"}` };
    }
    if ((status.observedGeneration ?? 0) < generation) {
        return { kind: "progressing", reason: `the controller has not yet seen generation ${generation} (it has seen ${status.observedGeneration ?? 0})` };
    }
    // The API's default for an absent spec.replicas.
    const wanted = deployment.spec?.replicas ?? 1;
    const updated = status.updatedReplicas ?? 0;
    if (updated < wanted) {
        return { kind: "progressing", reason: `${updated} of ${wanted} replicas run the current revision` };
    }
    if ((status.replicas ?? 0) > updated) {
        return { kind: "progressing", reason: `${(status.replicas ?? 0) - updated} replicas of an older revision are still counted` };
    }
    if ((status.availableReplicas ?? 0) < updated) {
        return { kind: "progressing", reason: `${status.availableReplicas ?? 0} of ${updated} replicas of the current revision are available` };
    }
    const revision = deployment.metadata?.annotations?.[REVISION_ANNOTATION];
    if (revision === undefined) {
        return { kind: "progressing", reason: `it has no ${REVISION_ANNOTATION} annotation yet` };
    }
    return { kind: "done", revision };
}

/** How {@link listDeploymentPodNames} waits for a rollout in progress. */
export interface PodListingWait {
    /** How long an unfinished rollout is waited for, in seconds (the component's `readyTimeoutSeconds`). */
    readonly timeoutSeconds: number;
    /** Between two looks. @default 1000 */
    readonly pollMs?: number;
    /** The clock, in ms (tests pass a fake one). @default Date.now */
    readonly now?: () => number;
    /** Waiting between two looks (tests pass a fake one). @default setTimeout */
    readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The names of the running Pods of the Deployment `name` in `namespace`, as they are now: those
 * of its current revision (read live, from its `deployment.kubernetes.io/revision` annotation), not
 * being deleted, sorted. When a rollout is in progress (one made out of band: `kubectl rollout
 * restart`, `kubectl scale`), waits up to `wait.timeoutSeconds` for it to finish, so that the list
 * is that of the finished rollout.
 * @param selector the labels that select the Deployment's Pods (the component's `selectorLabels`).
 * @throws when the rollout failed (its progress deadline passed) or has not finished in time,
 *   naming the Deployment, what it waits for, and the bound.
 */
export async function listDeploymentPodNames(
    reader: DeploymentPodsReader, namespace: string, name: string, selector: Readonly<Record<string, string>>, wait: PodListingWait,
): Promise<string[]> {
    const now = wait.now ?? Date.now;
    const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = now() + wait.timeoutSeconds * 1000;
    const selected = labelSelector(selector);
    for (;;) {
        const state = rolloutState(await reader.readDeployment(namespace, name));
        if (state.kind === "failed") {
            throw new Error(`podNames: the Deployment ${namespace}/${name} cannot list its running Pods: ${state.reason}`);
        }
        let waitingFor: string;
        if (state.kind === "done") {
            const templateHash = revisionTemplateHash(await reader.listReplicaSets(namespace, selected), state.revision);
            if (templateHash !== undefined) {
                return runningPodNames(await reader.listPods(namespace, `${selected},${TEMPLATE_HASH_LABEL}=${templateHash}`), templateHash);
            }
            // A newer rollout began between the two reads: look again.
            waitingFor = `no ReplicaSet selected by ${selected} has revision ${state.revision}`;
        } else {
            waitingFor = state.reason;
        }
        if (now() >= deadline) {
            throw new Error(`podNames: the Deployment ${namespace}/${name} was still rolling out after ${wait.timeoutSeconds} s (readyTimeoutSeconds): ${waitingFor}`);
        }
        await sleep(wait.pollMs ?? 1000);
    }
}
