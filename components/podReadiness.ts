/**
 * How `pulumi up` waits for the Pod to become Ready, and for how long: an annotation that picks the
 * Kubernetes provider's await, and the Pod's customTimeouts.
 *
 * Why not the provider's own Pod await (pulumi-kubernetes 4.25.0): it restarts its timer whenever
 * the Pod changes. A container whose image cannot be pulled changes the Pod at every retry of the
 * kubelet (ErrImagePull, then ImagePullBackOff, with a back-off doubling from 10 s to 5 minutes), so
 * with the provider's default 10 minutes `up` never ends, and with a timeout of T it ends only once
 * a back-off gap exceeds T (a 40 s timeout ended after 160 s; see test/integration/imagePullTimeout.test.ts).
 * With a `pulumi.com/waitFor` annotation the provider uses its generic await instead, which treats
 * the timeout as a deadline from the start of the wait.
 *
 * That await's own timeout error says only "timed out waiting for the condition". At the deadline it
 * evaluates the conditions once more and reports a JSONPath condition's error, and a JSONPath that
 * is compared with a value but selects an object fails with that object in the message. The first
 * condition uses this to carry the kubelet's word into the error: it selects the status list of any
 * container that is waiting (`ImagePullBackOff` with "Back-off pulling image ...", `CrashLoopBackOff`,
 * ...) and, only when none is, the Pod's phase, which must be `Running`. The second is `Ready`.
 */
import * as pulumi from "@pulumi/pulumi";

/** The provider's annotation that replaces its built-in await with the conditions it lists. */
export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";

/**
 * The conditions the Pod must meet, all of them, for `up` to go on (the provider's `pulumi.com/waitFor`
 * syntax: kubectl wait's `jsonpath=` and `condition=`).
 *
 * `status[...]` selects, in order: the `containerStatuses` or `initContainerStatuses` list when one of
 * its containers is waiting, then `phase`. A list is not a value, so while a container waits the
 * condition fails with the list (its `state.waiting.reason` and `message` are the kubelet's); when
 * none waits, the phase is compared with `Running`. A container waiting only because an init
 * container has not started (`PodInitializing`: nginx behind a native sidecar) does not count: the
 * provider prints the first list selected, in no fixed order, and it must be the one with the cause.
 * (No `!=`: the provider splits the expression at a lone `=`.)
 */
export const READY_CONDITIONS: readonly string[] = [
    "jsonpath={.status[?@[?@.state.waiting && !(@.state.waiting.reason == 'PodInitializing')], 'phase']}=Running",
    "condition=Ready",
];

/**
 * {@link READY_CONDITIONS} for a Pod with an init container that runs to completion (the check of a
 * team's nginx image, nginxLayout.ts). One that fails stays `terminated` (exit code above 0, its
 * message in the status) through the kubelet's back-off, never `waiting`, as measured on Kubernetes
 * 1.36 (test/integration/nginxLayout.test.ts): so such a container selects its list too, and its
 * message reaches `up`'s error. Only those Pods carry it: every other Pod's annotation, and so an
 * existing stack's preview, stays as it was.
 */
export const CHECKED_READY_CONDITIONS: readonly string[] = [
    "jsonpath={.status[?@[?(@.state.waiting && !(@.state.waiting.reason == 'PodInitializing')) || @.state.terminated.exitCode > 0], 'phase']}=Running",
    "condition=Ready",
];

/** The provider's annotation that sets a resource's create and update timeout, in seconds. */
export const TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/**
 * The Pod's annotations that make the provider wait for {@link READY_CONDITIONS}.
 * @param initCheck whether the Pod runs an init container to completion (then {@link CHECKED_READY_CONDITIONS}).
 * @param timeoutSeconds set only when `readyTimeoutSeconds` was an Output, which the Pod's
 *   customTimeouts (a resource option, known at construction) cannot hold: the provider's timeout
 *   annotation then carries it. Changing it then changes the Pod object (an update in place).
 */
export function buildReadinessAnnotations(timeoutSeconds?: number, initCheck = false): Record<string, string> {
    return {
        [WAIT_FOR_ANNOTATION]: JSON.stringify(initCheck ? CHECKED_READY_CONDITIONS : READY_CONDITIONS),
        ...(timeoutSeconds !== undefined ? { [TIMEOUT_ANNOTATION]: String(timeoutSeconds) } : {}),
    };
}

/**
 * The Pod's customTimeouts: `readyTimeoutSeconds` for create and update, the operations that wait for
 * Ready. Delete keeps the provider's default: it waits for the Pod to stop, which the grace period
 * bounds. (customTimeouts rather than the `pulumi.com/timeoutSeconds` annotation, which the provider
 * also reads: a new timeout then changes no Kubernetes object.)
 */
export function buildReadinessTimeouts(readyTimeoutSeconds: number): pulumi.CustomTimeouts {
    return { create: `${readyTimeoutSeconds}s`, update: `${readyTimeoutSeconds}s` };
}
