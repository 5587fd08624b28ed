/**
 * Past one Pod (`replicas`): the Deployment that runs the same hardened Pod as the bare one, and
 * the PodDisruptionBudget beside it. Pure builders: they create nothing.
 *
 * Why a Deployment and not a StatefulSet: the Pods keep nothing (their only state is the log
 * emptyDir, shipped as it is written), serve the same files, and are reached through the Service,
 * so stable names and ordered rollouts would buy nothing; a Deployment's surge rollout starts the
 * new Pod before the old one stops, which a StatefulSet cannot do.
 */
import * as k8s from "@pulumi/kubernetes";
import { PRE_STOP_SECONDS, ResolvedWebServerArgs } from "./args";
import { NGINX_CONTAINER, buildPodSpec } from "./podSpec";
import { PodConfigMapNames } from "./podFiles";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type PodDisruptionBudgetSpec = k8s.types.input.policy.v1.PodDisruptionBudgetSpec;

/** The node label that topology spread uses: one node, one domain. */
export const NODE_TOPOLOGY_KEY = "kubernetes.io/hostname";

/**
 * The Deployment: `replicas` Pods of the component's Pod, rolled one at a time with the new Pod
 * Ready before an old one goes (maxUnavailable 0, maxSurge 1), spread over nodes where it can be.
 * @param templateAnnotations the Pod template's annotations (the user's and the files' digest:
 *   a new digest changes the template, and so rolls the Pods).
 */
export function buildDeploymentSpec(
    args: ResolvedWebServerArgs, configMaps: PodConfigMapNames, templateAnnotations: Record<string, string>,
): DeploymentSpec {
    const podSpec = buildPodSpec(args, configMaps);
    return {
        replicas: args.replicas,
        selector: { matchLabels: args.selectorLabels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        // The rollout fails (ProgressDeadlineExceeded) when it makes no progress for as long as
        // `up` waits for a Pod to become Ready: the controller then says why, and `up` fails.
        progressDeadlineSeconds: args.readyTimeoutSeconds,
        template: {
            metadata: { labels: args.podLabels, annotations: templateAnnotations },
            spec: {
                ...podSpec,
                containers: (podSpec.containers as k8s.types.input.core.v1.Container[]).map((container) =>
                    container.name === NGINX_CONTAINER ? { ...container, lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } } } : container),
                // A preference, not a rule: one node still runs them all. Per revision (pod-template-hash),
                // so that a rollout's new Pods spread too, not only the old and new together.
                topologySpreadConstraints: [{
                    maxSkew: 1,
                    topologyKey: NODE_TOPOLOGY_KEY,
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: args.selectorLabels },
                    matchLabelKeys: ["pod-template-hash"],
                }],
            },
        },
    };
}

/** The smallest `replicas` that gets a PodDisruptionBudget: with one Pod, a budget could only block a node's drain. */
export const MIN_REPLICAS_FOR_BUDGET = 2;

/** The PodDisruptionBudget: a drain or an eviction takes at most one of the instance's Pods at a time. */
export function buildPodDisruptionBudgetSpec(selectorLabels: Record<string, string>): PodDisruptionBudgetSpec {
    return { maxUnavailable: 1, selector: { matchLabels: selectorLabels } };
}
