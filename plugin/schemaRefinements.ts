/**
 * What the plugin changes in the schema Pulumi's component analyzer derives from the TypeScript
 * arguments, before any SDK is generated from it (issue 31, item 6). TypeScript has one `number`
 * type, which the analyzer writes as the schema's `number`, a float in every other language
 * (`pulumi.Float64(8080)` in Go, `float` in Python); the component's own numbers are all counts (ports,
 * replicas, seconds), which it refuses unless whole. Here they become `integer`.
 *
 * The analyzer also copies the Kubernetes provider's `Affinity` into this package's own types
 * (`webserver-sidecar:index:NodeAffinity`, ...), and the component has its own `Toleration`: other
 * languages then meet a second `Affinity` beside the `kubernetes` package's. Here both arguments
 * refer to the `kubernetes` package's types instead (`pulumi_kubernetes.core.v1.AffinityArgs`,
 * `corev1.AffinityArgs`), at the version the outputs already refer to, and the copies go.
 */

/** Where a property sits in the schema: the component's inputs, or an object type's properties. */
export interface PropertyPlace {
    /** A type token (`webserver-sidecar:index:Service`), or a resource token for its inputs. */
    readonly owner: string;
    readonly property: string;
}

/** The token prefix of the package's own types and resources. */
const INDEX = "webserver-sidecar:index:";

/**
 * Every numeric property of the package's own types, each an integer. (The tolerations' seconds
 * and the affinity's weights are the `kubernetes` package's types, integers there.)
 * test/pluginSchema.test.ts fails on a `number` left out of this list: a new numeric argument
 * needs a decision here.
 */
export const INTEGER_PROPERTIES: readonly PropertyPlace[] = [
    { owner: `${INDEX}WebServer`, property: "terminationGracePeriodSeconds" },
    { owner: `${INDEX}WebServer`, property: "readyTimeoutSeconds" },
    { owner: `${INDEX}WebServer`, property: "replicas" },
    { owner: `${INDEX}Service`, property: "port" },
    { owner: `${INDEX}Autoscaling`, property: "minReplicas" },
    { owner: `${INDEX}Autoscaling`, property: "maxReplicas" },
    { owner: `${INDEX}Autoscaling`, property: "targetCPUUtilizationPercentage" },
];

/** The component's inputs typed as the `kubernetes` package's types: input → type token (`items` for a list). */
export const KUBERNETES_TYPE_INPUTS: Readonly<Record<string, string>> = {
    affinity: "kubernetes:core/v1:Affinity",
    tolerations: "kubernetes:core/v1:Toleration",
};

type Properties = Record<string, { type?: string; [key: string]: unknown }>;
interface SchemaShape {
    resources?: Record<string, { inputProperties?: Properties; properties?: Properties; [key: string]: unknown }>;
    types?: Record<string, { properties?: Properties; [key: string]: unknown }>;
    [key: string]: unknown;
}

/**
 * The schema with {@link INTEGER_PROPERTIES} typed `integer`. Pure: returns a new object. A listed
 * property that is missing or not a `number` is left as it is (the schema test names it).
 */
export function refineSchema<T extends object>(schema: T): T {
    const refined = JSON.parse(JSON.stringify(schema)) as SchemaShape;
    referKubernetesTypes(refined);
    for (const { owner, property } of INTEGER_PROPERTIES) {
        const properties = refined.resources?.[owner]?.inputProperties ?? refined.types?.[owner]?.properties;
        if (properties?.[property]?.type === "number") {
            properties[property] = { ...properties[property], type: "integer" };
        }
    }
    return refined as T;
}

/**
 * Types {@link KUBERNETES_TYPE_INPUTS} as the `kubernetes` package's types, at the version the
 * outputs refer to, and drops the package's own types nothing refers to any more.
 */
function referKubernetesTypes(schema: SchemaShape): void {
    const component = schema.resources?.[`${INDEX}WebServer`];
    const outputRefs = JSON.stringify(component?.properties ?? {});
    const schemaUrl = /"(\/kubernetes\/v[^/"]+\/schema\.json)#/.exec(outputRefs)?.[1];
    const inputs = component?.inputProperties;
    if (schemaUrl === undefined || inputs === undefined) {
        return;
    }
    for (const [input, token] of Object.entries(KUBERNETES_TYPE_INPUTS)) {
        const property = inputs[input];
        if (property === undefined) {
            continue;
        }
        const ref = { $ref: `${schemaUrl}#/types/${token.replace("/", "%2F")}` };
        inputs[input] = property.type === "array" ? { ...property, items: ref } : { ...withoutRef(property), ...ref };
    }
    pruneUnreferencedTypes(schema);
}

function withoutRef(property: Record<string, unknown>): Record<string, unknown> {
    const { $ref: _ref, ...rest } = property;
    return rest;
}

/** Removes the package's own types that no resource refers to, directly or through other types. */
function pruneUnreferencedTypes(schema: SchemaShape): void {
    const types = schema.types ?? {};
    const referenced = new Set<string>();
    const visit = (value: unknown) => {
        for (const match of JSON.stringify(value).matchAll(/"#\/types\/([^"]+)"/g)) {
            if (!referenced.has(match[1])) {
                referenced.add(match[1]);
                visit(types[match[1]]);
            }
        }
    };
    visit(schema.resources);
    for (const token of Object.keys(types)) {
        if (!referenced.has(token)) {
            delete types[token];
        }
    }
}
