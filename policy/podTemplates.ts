/**
 * Where a resource of the stack describes Pods: a Pod itself, or a workload's Pod template (the
 * WebServer's Deployment, with `replicas`). The policies check the Pods a stack will run, whichever
 * object describes them.
 */

/** The Pulumi types whose resources describe Pods, and how to reach the Pod's metadata and spec in their inputs. */
const POD = "kubernetes:core/v1:Pod";
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet"];

/** A Pod's metadata and spec, as a Pod or a Pod template holds them. */
export interface PodTemplate<Spec> {
    readonly metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    readonly spec?: Spec;
}

/**
 * The Pod a resource describes: the Pod's own inputs, or a workload's `spec.template` (named and
 * placed as the workload, whose namespace its Pods share); `undefined` for any other resource.
 */
export function podTemplateOf<Spec>(type: string, props: unknown): PodTemplate<Spec> | undefined {
    if (type === POD) {
        return props as PodTemplate<Spec>;
    }
    if (WORKLOADS.includes(type)) {
        const workload = props as { metadata?: { name?: string; namespace?: string }; spec?: { template?: PodTemplate<Spec> } };
        const template = workload.spec?.template ?? {};
        return {
            metadata: { ...template.metadata, name: workload.metadata?.name, namespace: workload.metadata?.namespace },
            spec: template.spec,
        };
    }
    return undefined;
}
