/**
 * Which Pods of a stack no NetworkPolicy of the same stack selects: pure, so that it can be read
 * (and tested) apart from the Pulumi policy machinery.
 */
import { podTemplatesOf } from "./podTemplates";

/** The parts of a stack's resource this check reads. */
export interface StackResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly props: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown };
    /** Its provider, whose `namespace` is where a resource with no `metadata.namespace` goes. */
    readonly provider?: { readonly props?: { namespace?: unknown } };
}

/** A label selector, as in a NetworkPolicy's `podSelector`. */
interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

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
 * The namespace a resource goes to: its own, else its provider's; `undefined` when neither says
 * (the kubeconfig context's, which the pack cannot see: two such resources count as in the same one).
 */
function namespaceOf(resource: StackResource): string | undefined {
    const own = resource.props.metadata?.namespace;
    if (typeof own === "string" && own !== "") return own;
    const providers = resource.provider?.props?.namespace;
    return typeof providers === "string" && providers !== "" ? providers : undefined;
}

/**
 * The stack's resources that describe Pods (Pods, and workloads by their Pod template), each as a
 * Pod: the template's labels, the workload's name and namespace.
 */
function podsOf(resources: readonly StackResource[]): StackResource[] {
    return resources.flatMap((resource) => {
        return podTemplatesOf<unknown>(resource.type, resource.props).map((pod) => ({ ...resource, props: { metadata: pod.metadata, spec: pod.spec } }));
    });
}

/** A stack's resources, split into its Pods and NetworkPolicies, grouped by namespace. */
function podsByCoverage(resources: readonly StackResource[]): { covered: StackResource[]; uncovered: StackResource[]; unmanaged: StackResource[] } {
    const policies = resources.filter((r) => r.type === NETWORK_POLICY);
    const result = { covered: [] as StackResource[], uncovered: [] as StackResource[], unmanaged: [] as StackResource[] };
    for (const pod of podsOf(resources)) {
        const sameNamespace = policies.filter((policy) => namespaceOf(policy) === namespaceOf(pod));
        if (sameNamespace.length === 0) {
            result.unmanaged.push(pod);
        } else if (sameNamespace.some((policy) => selects((policy.props.spec as { podSelector?: LabelSelector } | undefined)?.podSelector ?? {}, pod.props.metadata?.labels ?? {}))) {
            result.covered.push(pod);
        } else {
            result.uncovered.push(pod);
        }
    }
    return result;
}

function podName(pod: StackResource): string {
    return pod.props.metadata?.name ?? pod.name;
}

/**
 * Each Pod that no NetworkPolicy of the stack selects, in a namespace where the stack does declare
 * NetworkPolicies: there the stack manages the namespace's policies, and a Pod they miss (a label
 * that does not match, a selector for another Pod) is open to any source. Pods in a namespace where
 * the stack declares none are not reported here: that is `networkPolicy: false`, for namespaces
 * whose owner manages policies (see {@link podsLeftToNamespacePolicies}).
 */
export function podsWithoutNetworkPolicy(resources: readonly StackResource[]): { urn: string; message: string }[] {
    return podsByCoverage(resources).uncovered.map((pod) => ({
        urn: pod.urn,
        message: `Pod ${podName(pod)} is selected by none of the NetworkPolicies this stack declares in its namespace,`
            + " so any source may reach it and it may reach anything",
    }));
}

/**
 * Each Pod in a namespace where the stack declares no NetworkPolicy at all (the WebServer with
 * `networkPolicy: false`): whatever isolates it is the namespace owner's, which a policy pack
 * cannot see. An advisory note, so that a reviewer knows.
 */
export function podsLeftToNamespacePolicies(resources: readonly StackResource[]): { urn: string; message: string }[] {
    return podsByCoverage(resources).unmanaged.map((pod) => ({
        urn: pod.urn,
        message: `Pod ${podName(pod)}: this stack declares no NetworkPolicy in its namespace (networkPolicy: false),`
            + " so its isolation is left to the namespace's own policies",
    }));
}

/** A NetworkPolicy rule's port: a number or a named port, and optionally the end of a range. */
interface NetworkPolicyPort {
    protocol?: string;
    port?: number | string;
    endPort?: number;
}

/** The parts of a NetworkPolicy's spec {@link networkPolicyViolations} reads. */
export interface NetworkPolicySpec {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: { ports?: NetworkPolicyPort[] }[];
    egress?: { ports?: NetworkPolicyPort[] }[];
}

/**
 * Why one port entry of a rule opens more than one port, or `undefined` when it opens exactly one.
 * An entry without `port` matches every port of its protocol (Kubernetes' API: "If this field is
 * not provided, this matches all port names and numbers"), and `endPort` opens the whole range
 * from `port`; the WebServer opens single ports only.
 */
function widePortReason(entry: NetworkPolicyPort): string | undefined {
    if (entry.port === undefined || entry.port === null || entry.port === "") {
        return `opens every ${entry.protocol ?? "TCP"} port (no port)`;
    }
    if (entry.endPort !== undefined && entry.endPort !== null && entry.endPort !== entry.port) {
        return `opens the range ${String(entry.port)}-${entry.endPort} (endPort); name single ports`;
    }
    return undefined;
}

/**
 * What every NetworkPolicy of the stack must do to isolate what it selects: name both Ingress and
 * Egress in `policyTypes` (a type left out is left open), and open no rule to every port: each rule
 * names its ports, one by one (no entry without `port`, no `endPort` range). The WebServer's opens
 * nginx's port (to `allowFrom` or to any source) and no egress.
 */
export function networkPolicyViolations(spec: NetworkPolicySpec): string[] {
    const found: string[] = [];
    for (const type of ["Ingress", "Egress"]) {
        if (!(spec.policyTypes ?? []).includes(type)) found.push(`policyTypes does not include ${type}, so that direction is not restricted`);
    }
    for (const direction of ["ingress", "egress"] as const) {
        (spec[direction] ?? []).forEach((rule, index) => {
            const ports = rule.ports ?? [];
            if (ports.length === 0) found.push(`${direction}[${index}] names no ports, so it opens every port`);
            ports.forEach((entry, portIndex) => {
                const reason = widePortReason(entry ?? {});
                if (reason !== undefined) found.push(`${direction}[${index}].ports[${portIndex}] ${reason}`);
            });
        });
    }
    return found;
}
