/**
 * What the plugin changes in the schema Pulumi's component analyzer derives from the TypeScript
 * arguments, before any SDK is generated from it (issue 31, item 6). TypeScript has one `number`
 * type, which the analyzer writes as the schema's `number`, a float in every other language
 * (`pulumi.Float64(8080)` in Go, `float` in Python); the component's numbers are all counts (ports,
 * replicas, seconds, weights), which it refuses unless whole. Here they become `integer`.
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
 * Every numeric property of the schema, each an integer (test/pluginSchema.test.ts fails on a
 * `number` left out of this list, so a new numeric argument needs a decision here).
 */
export const INTEGER_PROPERTIES: readonly PropertyPlace[] = [
    { owner: `${INDEX}WebServer`, property: "terminationGracePeriodSeconds" },
    { owner: `${INDEX}WebServer`, property: "readyTimeoutSeconds" },
    { owner: `${INDEX}WebServer`, property: "replicas" },
    { owner: `${INDEX}Service`, property: "port" },
    { owner: `${INDEX}Toleration`, property: "tolerationSeconds" },
    // Kubernetes' Affinity, as the analyzer copies it from the provider's types.
    { owner: `${INDEX}PreferredSchedulingTerm`, property: "weight" },
    { owner: `${INDEX}WeightedPodAffinityTerm`, property: "weight" },
];

type Properties = Record<string, { type?: string; [key: string]: unknown }>;
interface SchemaShape {
    resources?: Record<string, { inputProperties?: Properties; [key: string]: unknown }>;
    types?: Record<string, { properties?: Properties; [key: string]: unknown }>;
    [key: string]: unknown;
}

/**
 * The schema with {@link INTEGER_PROPERTIES} typed `integer`. Pure: returns a new object. A listed
 * property that is missing or not a `number` is left as it is (the schema test names it).
 */
export function refineSchema<T extends object>(schema: T): T {
    const refined = JSON.parse(JSON.stringify(schema)) as SchemaShape;
    for (const { owner, property } of INTEGER_PROPERTIES) {
        const properties = refined.resources?.[owner]?.inputProperties ?? refined.types?.[owner]?.properties;
        if (properties?.[property]?.type === "number") {
            properties[property] = { ...properties[property], type: "integer" };
        }
    }
    return refined as T;
}
