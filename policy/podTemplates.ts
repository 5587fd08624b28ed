/**
 * Where a resource of the stack describes Pods: a Pod itself, or the Pod template of any kind that
 * has one (a Deployment, a Job, a CronJob's Job template, ...), in every API version and as a
 * server-side apply `*Patch` resource too. The policies check the Pods a stack will run, whichever
 * object describes them.
 */

/** How to reach the Pod template in the inputs of each kind that describes Pods. */
type TemplatePath = "self" | "spec.template" | "template" | "spec.jobTemplate.spec.template";

/**
 * Each kind whose objects describe Pods, by Kubernetes kind, whatever its API group and version:
 * the provider registers every version it knows (apps/v1beta1 and extensions/v1beta1 Deployments,
 * batch/v1beta1 CronJobs), and a cluster that still serves one runs its Pods all the same.
 */
const POD_TEMPLATE_PATHS: Readonly<Record<string, TemplatePath>> = {
    Pod: "self",
    Deployment: "spec.template",
    StatefulSet: "spec.template",
    DaemonSet: "spec.template",
    ReplicaSet: "spec.template",
    ReplicationController: "spec.template",
    Job: "spec.template",
    CronJob: "spec.jobTemplate.spec.template",
    // A PodTemplate runs nothing itself, but whatever references it (a controller of some other
    // project) runs its Pods as written.
    PodTemplate: "template",
};

/** The Pulumi type a Helm release has: the provider installs the chart, and the pack sees only its values. */
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Pod's metadata and spec, as a Pod or a Pod template holds them. */
export interface PodTemplate<Spec> {
    readonly metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    readonly spec?: Spec;
}

/**
 * The Kubernetes kind of a Pulumi type (`kubernetes:batch/v1:CronJobPatch` is a CronJob), and
 * whether it is a server-side apply patch; `undefined` for a type outside the kubernetes provider's
 * API kinds.
 */
export function kindOf(type: string): { kind: string; patch: boolean } | undefined {
    const match = /^kubernetes:[^:/]+\/[^:/]+:([A-Za-z]+)$/.exec(type);
    if (match === null) return undefined;
    const patch = match[1].endsWith("Patch") && match[1] !== "Patch";
    return { kind: patch ? match[1].slice(0, -"Patch".length) : match[1], patch };
}

/**
 * Every Pod a resource describes: {@link podTemplateOf} of the resource, or of each item of a
 * `*List` kind (a `kubernetes:apps/v1:DeploymentList` creates each of its Deployments).
 */
export function podTemplatesOf<Spec>(type: string, props: unknown): PodTemplate<Spec>[] {
    const kind = kindOf(type);
    if (kind !== undefined && !kind.patch && kind.kind.endsWith("List")) {
        const itemType = type.replace(/List$/, "");
        const items = (props as { items?: unknown[] } | undefined)?.items ?? [];
        return items.flatMap((item) => podTemplatesOf<Spec>(itemType, item));
    }
    const template = podTemplateOf<Spec>(type, props);
    return template === undefined ? [] : [template];
}

function at(value: unknown, keys: string[]): unknown {
    return keys.reduce<unknown>((object, key) => (typeof object === "object" && object !== null ? (object as Record<string, unknown>)[key] : undefined), value);
}

/**
 * The Pod a resource describes: the Pod's own inputs, or a workload's Pod template (named and
 * placed as the workload, whose namespace its Pods share); `undefined` for any other resource.
 *
 * A `*Patch` resource is judged as its kind: a patch that carries a Pod spec must carry the whole
 * hardening (a server-side apply patch that restates a field changes nothing), because the pack
 * cannot see what the live object it merges into holds. A patch that leaves the Pod's spec alone
 * (only labels, or replicas) describes no Pod here.
 */
export function podTemplateOf<Spec>(type: string, props: unknown): PodTemplate<Spec> | undefined {
    const kind = kindOf(type);
    const path = kind === undefined ? undefined : POD_TEMPLATE_PATHS[kind.kind];
    if (kind === undefined || path === undefined) {
        return undefined;
    }
    const owner = props as { metadata?: { name?: string; namespace?: string } } | undefined;
    const template = (path === "self" ? props : at(props, path.split("."))) as PodTemplate<Spec> | undefined;
    if (kind.patch && template?.spec === undefined) {
        return undefined;
    }
    if (path === "self") {
        return template ?? {};
    }
    return {
        metadata: { ...template?.metadata, name: owner?.metadata?.name, namespace: owner?.metadata?.namespace },
        spec: template?.spec,
    };
}
