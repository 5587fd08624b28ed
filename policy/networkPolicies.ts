/**
 * Which Pods of a stack no NetworkPolicy of the same stack selects: pure, so that it can be read
 * (and tested) apart from the Pulumi policy machinery.
 */

/** The parts of a stack's resource this check reads. */
export interface StackResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly props: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown };
}

/** A label selector, as in a NetworkPolicy's `podSelector`. */
interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const POD = "kubernetes:core/v1:Pod";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** Whether `selector` selects an object with `labels` (Kubernetes' rules; an empty selector selects all). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
    const matchLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const matchExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
        switch (operator) {
            case "In": return key in labels && values.includes(labels[key]);
            case "NotIn": return !(key in labels) || !values.includes(labels[key]);
            case "Exists": return key in labels;
            case "DoesNotExist": return !(key in labels);
            default: return false; // an operator Kubernetes would refuse selects nothing
        }
    });
    return matchLabels && matchExpressions;
}

/**
 * Each Pod that no NetworkPolicy in the same namespace selects, with a message naming it.
 * A namespace left unset (the provider's default) is compared as such: both unset is the same
 * namespace, which is how one provider deploys them.
 */
export function podsWithoutNetworkPolicy(resources: readonly StackResource[]): { urn: string; message: string }[] {
    const policies = resources.filter((r) => r.type === NETWORK_POLICY);
    return resources
        .filter((r) => r.type === POD)
        .filter((pod) => !policies.some((policy) => policy.props.metadata?.namespace === pod.props.metadata?.namespace
            && selects((policy.props.spec as { podSelector?: LabelSelector } | undefined)?.podSelector ?? {}, pod.props.metadata?.labels ?? {})))
        .map((pod) => ({
            urn: pod.urn,
            message: `Pod ${pod.props.metadata?.name ?? pod.name} is selected by no NetworkPolicy of this stack, so any source may reach it`
                + " and it may reach anything (the WebServer creates one unless networkPolicy is false)",
        }));
}
