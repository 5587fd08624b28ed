/**
 * The WebServer's hardening as policies, for `pulumi preview --policy-pack policy`.
 * Each policy checks every Pod of the stack (a Pod, or any kind's Pod template: podTemplates.ts) or NetworkPolicy; the checks are pure functions in
 * podSecurity.ts, podPolicies.ts and networkPolicies.ts. The pack imports nothing from outside this
 * directory, so that `pulumi policy publish` from policy/ publishes all of it.
 *
 * Every configuration the WebServer accepts passes. `networkPolicy: false` (a namespace whose owner
 * manages policies) declares no NetworkPolicy: its Pod is noted by the advisory
 * `pods-left-to-namespace-policies`, while a NetworkPolicy a stack does declare is held to
 * `network-policies-restrict-traffic` and must select the stack's Pods in its namespace
 * (`pods-have-network-policy`).
 *
 * All are mandatory but `images-pinned-by-digest` and `pods-left-to-namespace-policies`, which are
 * advisory. For `images-pinned-by-digest`: the component accepts an exact tag (its validation and
 * the mandatory `pinned-images` agree on that), and a mandatory digest rule would fail stacks the
 * component itself accepts. Tags do move, though (see
 * undigestedImageViolations), so the preview warns; a team that wants digests enforced sets the
 * policy's enforcementLevel to mandatory in its policy pack config.
 */
import { EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { NetworkPolicySpec, StackResource, networkPolicyViolations, podsLeftToNamespacePolicies, podsWithoutNetworkPolicy } from "./networkPolicies";
import {
    PodSpec, probeViolations, resourceViolations, serviceAccountTokenViolations,
    sharedLogsViolations, undigestedImageViolations, unpinnedImageViolations,
} from "./podPolicies";
import { restrictedProfileViolations } from "./podSecurity";
import { HELM_RELEASE, podTemplatesOf } from "./podTemplates";

/**
 * A policy that reports each violation `check` finds in the spec of a Pod, or of any Pod template
 * (podTemplates.ts: workloads, Jobs, CronJobs, ReplicationControllers, PodTemplates, their `*Patch`
 * and `*List` forms).
 */
function podPolicy(name: string, description: string, check: (spec: PodSpec, annotations: Record<string, string>) => string[], enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            for (const pod of podTemplatesOf<PodSpec>(args.type, args.props)) {
                for (const violation of check(pod.spec ?? {}, pod.metadata?.annotations ?? {})) {
                    reportViolation(violation);
                }
            }
        },
    };
}

/**
 * A helm.v3.Release installs its chart inside the provider: the stack holds the release's values,
 * never the Pods the chart renders, so no policy above could judge them. Refused, rather than let
 * through unseen. helm.v4.Chart (and yaml/v2, kustomize/v2) register each rendered object as a
 * resource of the stack, which the pack judges like any other.
 */
const helmReleasePolicy: ResourceValidationPolicy = {
    name: "no-unseen-helm-releases",
    description: "No helm.v3.Release: the pack cannot see the Pods its chart renders (use helm.v4.Chart, whose objects it judges).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === HELM_RELEASE) {
            reportViolation("a helm.v3.Release installs a chart whose Pods this policy pack cannot see; deploy the chart with helm.v4.Chart"
                + " (each object it renders is a resource the pack judges), or keep the release out of this stack");
        }
    },
};

/** In a namespace where the stack declares NetworkPolicies, they select every Pod of the stack. */
const networkPolicyPolicy: StackValidationPolicy = {
    name: "pods-have-network-policy",
    description: "Where the stack declares NetworkPolicies, every Pod of the stack in that namespace is selected by one.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const { urn, message } of podsWithoutNetworkPolicy(args.resources as StackResource[])) {
            reportViolation(message, urn);
        }
    },
};

/** A note on each Pod whose namespace's policies the stack leaves to the namespace's owner. */
const namespacePoliciesPolicy: StackValidationPolicy = {
    name: "pods-left-to-namespace-policies",
    description: "Pods in a namespace where the stack declares no NetworkPolicy (networkPolicy: false) rely on the namespace's own.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        for (const { urn, message } of podsLeftToNamespacePolicies(args.resources as StackResource[])) {
            reportViolation(message, urn);
        }
    },
};

/** Each NetworkPolicy the stack declares restricts both directions and opens no rule to every port. */
const networkPolicyRulesPolicy: ResourceValidationPolicy = {
    name: "network-policies-restrict-traffic",
    description: "NetworkPolicies restrict ingress and egress, and open no rule to every port.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy") {
            return;
        }
        for (const violation of networkPolicyViolations((args.props.spec ?? {}) as NetworkPolicySpec)) {
            reportViolation(violation);
        }
    },
};

new PolicyPack("webserver-sidecar-hardening", {
    policies: [
        podPolicy("pod-security-restricted", "Pods meet the whole restricted profile of the Pod Security Standards (Kubernetes 1.36).", restrictedProfileViolations),
        podPolicy("pinned-images", "Images are pinned to a tag other than latest, or to a digest.", unpinnedImageViolations),
        podPolicy("resource-requests-and-limits", "Containers request CPU and memory and limit memory.", resourceViolations),
        podPolicy("serving-containers-have-probes", "Containers that serve a port have readiness and liveness probes.", probeViolations),
        podPolicy("shared-logs-size-limit", "The shared-logs emptyDir has a sizeLimit.", sharedLogsViolations),
        podPolicy("no-service-account-token", "Pods do not mount a service account token.", serviceAccountTokenViolations),
        podPolicy("images-pinned-by-digest", "Images are pinned by digest, which no registry can re-point.", undigestedImageViolations, "advisory"),
        helmReleasePolicy,
        networkPolicyPolicy,
        networkPolicyRulesPolicy,
        namespacePoliciesPolicy,
    ],
});
