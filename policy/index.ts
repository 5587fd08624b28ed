/**
 * The WebServer's hardening as mandatory policies, for `pulumi preview --policy-pack policy`.
 * Each policy checks every Pod of the stack (the checks are in podPolicies.ts).
 */
import { PolicyPack, ResourceValidationPolicy } from "@pulumi/policy";
import {
    PodSpec, probeViolations, resourceViolations, restrictedProfileViolations, serviceAccountTokenViolations,
    sharedLogsViolations, unpinnedImageViolations,
} from "./podPolicies";

/** A mandatory policy that reports each violation `check` finds in a Pod's spec. */
function podPolicy(name: string, description: string, check: (spec: PodSpec) => string[]): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
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

new PolicyPack("webserver-sidecar-hardening", {
    policies: [
        podPolicy("pod-security-restricted", "Pods meet the Pod Security Standards' restricted profile.", restrictedProfileViolations),
        podPolicy("pinned-images", "Images are pinned to a tag other than latest, or to a digest.", unpinnedImageViolations),
        podPolicy("resource-requests-and-limits", "Containers request CPU and memory and limit memory.", resourceViolations),
        podPolicy("serving-containers-have-probes", "Containers that serve a port have readiness and liveness probes.", probeViolations),
        podPolicy("shared-logs-size-limit", "The shared-logs emptyDir has a sizeLimit.", sharedLogsViolations),
        podPolicy("no-service-account-token", "Pods do not mount a service account token.", serviceAccountTokenViolations),
    ],
});
