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
import * as pulumi from "@pulumi/pulumi";
import { PRE_STOP_SECONDS, ResolvedWebServerArgs } from "./args";
import { NGINX_CONTAINER, buildPodSpec } from "./podSpec";
import { PodConfigMapNames } from "./podFiles";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type PodDisruptionBudgetSpec = k8s.types.input.policy.v1.PodDisruptionBudgetSpec;

/** The node label that topology spread uses: one node, one domain. */
export const NODE_TOPOLOGY_KEY = "kubernetes.io/hostname";

/**
 * The Deployment's spec from its parts, each an Input of its own, so that an argument held in an
 * Output makes unknown (or secret) only the part that reads it (scopedArgs.ts): the selector, the
 * replicas and the strategy are always known.
 */
export interface DeploymentParts {
    readonly replicas: number;
    readonly selectorLabels: Record<string, string>;
    /** `readyTimeoutSeconds`: how long the rollout may make no progress. */
    readonly progressDeadlineSeconds: pulumi.Input<number>;
    readonly templateLabels: pulumi.Input<Record<string, string>>;
    /** The user's annotations and the files' digest: a new digest changes the template, and so rolls the Pods. */
    readonly templateAnnotations: pulumi.Input<Record<string, string>>;
    /** The Pod template's spec: {@link buildTemplatePodSpec} of the component's Pod. */
    readonly podSpec: pulumi.Input<PodSpec>;
}

/**
 * The Deployment: `replicas` Pods of the component's Pod, rolled one at a time with the new Pod
 * Ready before an old one goes (maxUnavailable 0, maxSurge 1), spread over nodes where it can be.
 */
export function assembleDeploymentSpec(parts: DeploymentParts): DeploymentSpec {
    return {
        replicas: parts.replicas,
        selector: { matchLabels: parts.selectorLabels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        // The rollout fails (ProgressDeadlineExceeded) when it makes no progress for as long as
        // `up` waits for a Pod to become Ready: the controller then says why, and `up` fails.
        progressDeadlineSeconds: parts.progressDeadlineSeconds,
        template: {
            metadata: { labels: parts.templateLabels, annotations: parts.templateAnnotations },
            spec: parts.podSpec,
        },
    };
}

/**
 * The component's Pod spec as a Deployment runs it: nginx keeps serving for a moment as it stops
 * (preStop), and the Pods prefer to spread over nodes.
 */
export function buildTemplatePodSpec(podSpec: PodSpec, selectorLabels: Record<string, string>): PodSpec {
    return {
        ...podSpec,
        containers: (podSpec.containers as k8s.types.input.core.v1.Container[]).map((container) =>
            container.name === NGINX_CONTAINER ? { ...container, lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } } } : container),
        // A preference, not a rule: one node still runs them all. Per revision (pod-template-hash),
        // so that a rollout's new Pods spread too, not only the old and new together.
        topologySpreadConstraints: [{
            maxSkew: 1,
            topologyKey: NODE_TOPOLOGY_KEY,
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: selectorLabels },
            matchLabelKeys: ["pod-template-hash"],
        }],
    };
}

/**
 * The Deployment's spec from resolved args alone (every part known): for tests and for the policy
 * pack's checks of a template.
 * @param templateAnnotations the Pod template's annotations.
 */
export function buildDeploymentSpec(
    args: ResolvedWebServerArgs, configMaps: PodConfigMapNames, templateAnnotations: Record<string, string>,
): DeploymentSpec {
    return assembleDeploymentSpec({
        replicas: args.replicas ?? 1,
        selectorLabels: args.selectorLabels,
        progressDeadlineSeconds: args.readyTimeoutSeconds,
        templateLabels: args.podLabels,
        templateAnnotations,
        podSpec: buildTemplatePodSpec(buildPodSpec(args, configMaps), args.selectorLabels),
    });
}

/**
 * How long `up` waits for a rollout: `readyTimeoutSeconds` for each Pod it starts, one after the
 * other (maxSurge 1), and one more for the scheduling and stopping around them. The progress
 * deadline holds each step to `readyTimeoutSeconds`, so a stuck rollout still fails after one
 * step's wait; this only keeps a long rollout that is making progress from being cut short.
 */
export function rolloutTimeoutSeconds(readyTimeoutSeconds: number, replicas: number): number {
    return readyTimeoutSeconds * (replicas + 1);
}

/** The smallest `replicas` that gets a PodDisruptionBudget: with one Pod, a budget could only block a node's drain. */
export const MIN_REPLICAS_FOR_BUDGET = 2;

/** The PodDisruptionBudget: a drain or an eviction takes at most one of the instance's Pods at a time. */
export function buildPodDisruptionBudgetSpec(selectorLabels: Record<string, string>): PodDisruptionBudgetSpec {
    return { maxUnavailable: 1, selector: { matchLabels: selectorLabels } };
}
