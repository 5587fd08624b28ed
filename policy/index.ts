/**
 * The WebServer's hardening as policies, for `pulumi preview --policy-pack policy`.
 * Each policy checks every Pod of the stack (the checks are in podPolicies.ts and networkPolicies.ts).
 *
 * All are mandatory but `images-pinned-by-digest`, which is advisory: the component accepts an
 * exact tag (its validation and the mandatory `pinned-images` agree on that), and a mandatory
 * digest rule would fail stacks the component itself accepts. Tags do move, though (see
 * undigestedImageViolations), so the preview warns; a team that wants digests enforced sets the
 * policy's enforcementLevel to mandatory in its policy pack config.
 */
import { EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { StackResource, podsWithoutNetworkPolicy } from "./networkPolicies";
import {
    PodSpec, probeViolations, resourceViolations, restrictedProfileViolations, serviceAccountTokenViolations,
    sharedLogsViolations, undigestedImageViolations, unpinnedImageViolations,
} from "./podPolicies";

/** A policy that reports each violation `check` finds in a Pod's spec. */
function podPolicy(name: string, description: string, check: (spec: PodSpec) => string[], enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) => {
            if (args.type !== "kubernetes:core/v1:Pod") {
                return;
            }
            for (const violation of check((args.props.spec ?? {}) as PodSpec)) {
                reportViolation(violation);
            }
        },
    };
}

/** Every Pod is selected by a NetworkPolicy of the same stack: it is closed unless a rule opens it. */
const networkPolicyPolicy: StackValidationPolicy = {
    name: "pods-have-network-policy",
    description: "Every Pod is selected by a NetworkPolicy in the stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const { urn, message } of podsWithoutNetworkPolicy(args.resources as StackResource[])) {
            reportViolation(message, urn);
        }
    },
};

new PolicyPack("webserver-sidecar-hardening", {
    policies: [
        podPolicy("pod-security-restricted", "Pods meet the Pod Security Standards' restricted profile.", restrictedProfileViolations),
        podPolicy("pinned-images", "Images are pinned to a tag other than latest, or to a digest.", unpinnedImageViolations),
        podPolicy("resource-requests-and-limits", "Containers request CPU and memory and limit memory.", resourceViolations),
        podPolicy("serving-containers-have-probes", "Containers that serve a port have readiness and liveness probes.", probeViolations),
        podPolicy("shared-logs-size-limit", "The shared-logs emptyDir has a sizeLimit.", sharedLogsViolations),
        podPolicy("no-service-account-token", "Pods do not mount a service account token.", serviceAccountTokenViolations),
        podPolicy("images-pinned-by-digest", "Images are pinned by digest, which no registry can re-point.", undigestedImageViolations, "advisory"),
        networkPolicyPolicy,
    ],
});
