/**
 * Which objects in a namespace are this stack's: the annotation the component stamps on every
 * object it creates, the list of fixed-name objects it would create, and the rule that tells an
 * object found in the cluster under one of those names as ours or someone else's. Pure: the reads
 * are the program's (program/ownership.ts), or a library program's own.
 *
 * Why: with server-side apply, the Kubernetes provider 4.25.0 "creates" an object that already
 * exists by applying over it (pulumi-kubernetes #2926): the team's own `webserver` Pod, Service or
 * ConfigMap would then be merged with ours, belong to the stack, and be deleted by its destroy.
 * Providers from 4.29.0 fail such an `up` with AlreadyExists, but their preview still passes. The
 * check built on this module stops both, on every provider version, before anything is registered.
 */
// Types only, like args.ts (which imports this module's annotation): the Pulumi runtime is passed in.
import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedWebServerArgs } from "./args";
import { configMapNamesFor, configMapNamingFor } from "./podFiles";

/** The annotation on every object the component creates: the stack that owns it, `<organization>/<project>/<stack>`. */
export const OWNER_ANNOTATION = "webserver-sidecar/owner";

/**
 * The organization of a stack when the engine names none (older CLIs, unit-test mocks given no
 * organization): the name every backend other than Pulumi Cloud uses.
 */
export const DEFAULT_ORGANIZATION = "organization";

/** A stack, as its owner annotation names it. */
export interface StackIdentity {
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
}

/** What {@link currentStack} reads: `@pulumi/pulumi` itself, or a test's stand-in. */
export type StackMetadata = Pick<typeof pulumi, "getOrganization" | "getProject" | "getStack">;

/**
 * The stack a program runs as.
 * @param runtime `@pulumi/pulumi` (`import * as pulumi from "@pulumi/pulumi"; currentStack(pulumi)`).
 */
export function currentStack(runtime: StackMetadata): StackIdentity {
    let organization = DEFAULT_ORGANIZATION;
    try {
        organization = runtime.getOrganization();
    } catch {
        // The SDK throws when the engine passed no organization; such a stack is in the default one.
    }
    return { organization: organization === "" ? DEFAULT_ORGANIZATION : organization, project: runtime.getProject(), stack: runtime.getStack() };
}

/**
 * The value of {@link OWNER_ANNOTATION} for a stack.
 * @example ownerOf({ organization: "organization", project: "webserver-sidecar", stack: "dev" }) === "organization/webserver-sidecar/dev"
 */
export function ownerOf(stack: StackIdentity): string {
    return `${stack.organization}/${stack.project}/${stack.stack}`;
}

/** The owner annotation of a stack, to merge into the metadata of every object the component creates. */
export function ownerAnnotations(stack: StackIdentity): Record<string, string> {
    return { [OWNER_ANNOTATION]: ownerOf(stack) };
}

/** An object the component would create under a fixed name, as the API addresses it. */
export interface ComponentObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
}

/**
 * The objects with fixed names that the component creates for these arguments, in its namespace:
 * the Pod (or, with `replicas`, the Deployment, and from 2 replicas its PodDisruptionBudget), the
 * NetworkPolicy unless it is off, the Service when one is asked for, and the ConfigMaps. Under
 * `autoName` none: every name then gets a random suffix, so none can already be taken.
 */
export function componentObjects(args: ResolvedWebServerArgs): ComponentObject[] {
    const name = args.podName;
    if (name === undefined) {
        return [];
    }
    const configMaps = configMapNamesFor(name, args, configMapNamingFor(args));
    const objects: (ComponentObject | false)[] = [
        args.replicas === undefined && { apiVersion: "v1", kind: "Pod", name },
        args.replicas !== undefined && { apiVersion: "apps/v1", kind: "Deployment", name },
        // workloadSpec.ts's MIN_REPLICAS_FOR_BUDGET, not imported: it imports args.ts, which imports this
        // module (through podSettings.ts), a cycle. test/ownership.test.ts holds the two equal.
        (args.autoscaling?.minReplicas ?? args.replicas ?? 0) >= 2 && { apiVersion: "policy/v1", kind: "PodDisruptionBudget", name },
        args.autoscaling !== undefined && { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name },
        args.networkPolicy !== undefined && { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name },
        args.service !== undefined && { apiVersion: "v1", kind: "Service", name },
        args.routes.ingress !== undefined && { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name },
        args.routes.httpRoute !== undefined && { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", name },
        ...[configMaps.shipper, configMaps.site, configMaps.serverConfig, configMaps.nginxConfig].map((configMap) =>
            configMap !== undefined && { apiVersion: "v1", kind: "ConfigMap", name: configMap }),
    ];
    return objects.filter((object): object is ComponentObject => object !== false);
}

/** What the check reads of an object found in the cluster: its metadata's annotations and labels. */
export interface LiveMetadata {
    readonly annotations?: Readonly<Record<string, string>> | null;
    readonly labels?: Readonly<Record<string, string>> | null;
}

/**
 * Whether an object found in the cluster under one of the component's names may be taken as this
 * stack's. It is when its {@link OWNER_ANNOTATION} is `expectedOwner`. The upgrade rule: with no
 * owner annotation at all, an object carrying the instance's selector labels was made by an earlier
 * version of the component, from before the annotation, and is taken as ours (the next `up` stamps
 * it). Anything else, another stack's annotation included, is not ours.
 * @param namespace the namespace it was found in, for the message.
 * @param instanceLabels the instance's selector labels (`selectorLabelsFor` in naming.ts).
 * @returns `undefined` when it is ours; else a message naming its kind, name and namespace, the
 *   owner found and what to do.
 */
export function ownershipProblem(
    object: ComponentObject, namespace: string, live: LiveMetadata, expectedOwner: string, instanceLabels: Readonly<Record<string, string>>,
): string | undefined {
    const owner = live.annotations?.[OWNER_ANNOTATION];
    if (owner === expectedOwner) {
        return undefined;
    }
    if (owner === undefined && Object.entries(instanceLabels).every(([key, value]) => live.labels?.[key] === value)) {
        return undefined;
    }
    const found = owner === undefined ? "none" : JSON.stringify(owner);
    const annotate = `kubectl annotate --overwrite -n ${namespace} ${object.kind.toLowerCase()}/${object.name} ${OWNER_ANNOTATION}=${expectedOwner}`;
    return `${object.kind} "${object.name}" in namespace "${namespace}" exists and is not this stack's `
        + `(its ${OWNER_ANNOTATION} annotation: ${found}; this stack: "${expectedOwner}"). `
        + "Delete or rename it, or deploy to another namespace (in your own program, another podName). "
        + `Only if it is this stack's (a stack renamed since it was deployed) or you mean this stack to take it over and delete it on destroy: \`${annotate}\``;
}
