/**
 * `autoscaling` (issue 31, item 2): a HorizontalPodAutoscaler (`autoscaling/v2`) that sizes the
 * Deployment by the Pods' CPU, as the Bitnami chart's `autoscaling.*` and `kubectl autoscale` do.
 *
 * The count is then the autoscaler's. The Deployment is created with `replicas` (or `minReplicas`),
 * and after that the component never sets it again: webServer.ts gives the Deployment
 * `ignoreChanges: ["spec.replicas"]`, which the Kubernetes provider turns into the live count
 * (client-side apply) or leaves to the autoscaler's field manager (server-side apply); read in
 * pulumi-kubernetes 4.25.0, provider/pkg/await/await.go (handleCSAIgnoreFields,
 * handleSSAIgnoreFields). So an `up` never resets the count the autoscaler chose. Pure: nothing
 * here creates a resource.
 */
import type * as k8s from "@pulumi/kubernetes";
import { ProblemList, addUnknownKeys } from "./errors";

type HorizontalPodAutoscalerSpec = k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec;

/** The autoscaler's bounds and target. Plain values: they decide whether the autoscaler exists, and its bounds the rollout's wait. */
export interface Autoscaling {
    /**
     * The fewest Pods the autoscaler keeps.
     * Default: 1.
     */
    readonly minReplicas?: number;
    /** The most Pods the autoscaler may run: required, at most 100. */
    readonly maxReplicas: number;
    /**
     * The Pods' average CPU use the autoscaler aims at, in percent of what they request (both
     * containers' `resources.*.requests.cpu`), e.g. 80.
     * Default: 80 (`kubectl autoscale`'s).
     */
    readonly targetCPUUtilizationPercentage?: number;
}

/** The names of {@link Autoscaling}'s fields. */
export const AUTOSCALING_KEYS: readonly string[] = Object.keys(
    { minReplicas: true, maxReplicas: true, targetCPUUtilizationPercentage: true } as const satisfies Record<keyof Autoscaling, true>);

/** `autoscaling`, checked, with its defaults in place. */
export interface ResolvedAutoscaling {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCPUUtilizationPercentage: number;
}

export const AUTOSCALING_DEFAULTS = {
    minReplicas: 1,
    targetCPUUtilizationPercentage: 80,
} as const;

/** The highest target accepted: a bound on a typo, well above any sane use of a Pod's CPU request (nginx has no CPU limit). */
const MAX_TARGET_PERCENT = 1000;

/** What `autoscaling` must be, for messages. */
export const AUTOSCALING_RULE = "an object { minReplicas?: 1.., maxReplicas: minReplicas..100, targetCPUUtilizationPercentage?: 1..1000 }, e.g. { \"maxReplicas\": 5 }";

/**
 * Checks `autoscaling` against `replicas` (the count the Deployment starts with, which must lie
 * within the bounds).
 * @param maxReplicas the most Pods one instance may have (`replicas`' own bound).
 * @returns the bounds and target, or `undefined` when none (or a bad one) was given.
 */
export function resolveAutoscaling(
    value: unknown, replicas: unknown, maxReplicas: number, key: (name: string) => string, problems: ProblemList,
): ResolvedAutoscaling | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(key("autoscaling"), value, AUTOSCALING_RULE);
        return undefined;
    }
    const fields = value as Record<string, unknown>;
    const before = problems.all.length;
    addUnknownKeys(fields, AUTOSCALING_KEYS, key("autoscaling."), problems);
    const wholeIn = (field: string, got: unknown, low: number, high: number, what: string): got is number => {
        if (Number.isInteger(got) && (got as number) >= low && (got as number) <= high) {
            return true;
        }
        problems.add(key(`autoscaling.${field}`), got, what);
        return false;
    };
    const min = fields.minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas;
    const max = fields.maxReplicas;
    const target = fields.targetCPUUtilizationPercentage ?? AUTOSCALING_DEFAULTS.targetCPUUtilizationPercentage;
    const minOk = wholeIn("minReplicas", min, 1, maxReplicas, `a whole number from 1 to ${maxReplicas}: the fewest Pods the autoscaler keeps`);
    if (max === undefined) {
        problems.add(key("autoscaling.maxReplicas"), max, `required: a whole number from minReplicas to ${maxReplicas}, the most Pods the autoscaler may run`);
    } else if (wholeIn("maxReplicas", max, 1, maxReplicas, `a whole number from minReplicas to ${maxReplicas}: the most Pods the autoscaler may run`)
        && minOk && max < min) {
        problems.add(`${key("autoscaling.minReplicas")} + ${key("autoscaling.maxReplicas")}`, { minReplicas: min, maxReplicas: max }, "minReplicas at most maxReplicas");
    }
    wholeIn("targetCPUUtilizationPercentage", target, 1, MAX_TARGET_PERCENT,
        `a whole number of percent from 1 to ${MAX_TARGET_PERCENT}: the Pods' average CPU use the autoscaler aims at, against their CPU requests`);
    if (problems.all.length > before) {
        return undefined;
    }
    const resolved = { minReplicas: min as number, maxReplicas: max as number, targetCPUUtilizationPercentage: target as number };
    if (replicas !== undefined && Number.isInteger(replicas)
        && ((replicas as number) < resolved.minReplicas || (replicas as number) > resolved.maxReplicas)) {
        problems.add(`${key("replicas")} + ${key("autoscaling")}`, { replicas, minReplicas: resolved.minReplicas, maxReplicas: resolved.maxReplicas },
            "replicas (the count the Deployment starts with) from minReplicas to maxReplicas, or unset to start at minReplicas");
        return undefined;
    }
    return resolved;
}

/**
 * The autoscaler's spec: the Deployment named `deploymentName`, sized by the Pods' average CPU
 * against their requests. The scaling behaviour is Kubernetes' default (out at once, in after five
 * minutes of lower use): what `kubectl autoscale` gives.
 */
export function buildHorizontalPodAutoscalerSpec(autoscaling: ResolvedAutoscaling, deploymentName: string): HorizontalPodAutoscalerSpec {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [{
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCPUUtilizationPercentage } },
        }],
    };
}
