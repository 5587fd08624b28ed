/**
 * The Pod settings teams expect (issue 18, item 5): resources per container, annotations, node
 * selection, tolerations, affinity and image pull secrets. Their types as users write them, and
 * their checks, which work on untyped input because stack config arrives as parsed JSON.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ProblemList, addUnknownKeys } from "./errors";
import { sortedByKey } from "./naming";
import { OWNER_ANNOTATION } from "./ownership";
import { FILES_DIGEST_ANNOTATION } from "./podFiles";
import {
    ANNOTATION_KEY_RULE, DNS_SUBDOMAIN_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, QUANTITY_RULE, isDnsSubdomain, isLabelKey, isLabelValue, nearestWord, parseQuantity,
} from "./validators";

/** Requests and limits of one container, by resource name (`cpu`, `memory`, `ephemeral-storage`). */
export interface ContainerResources {
    /** What the scheduler reserves, e.g. `{ cpu: "250m", memory: "128Mi" }`; merged over the defaults. */
    readonly requests?: pulumi.Input<Record<string, string>>;
    /** The most the container may use, e.g. `{ memory: "256Mi" }`; merged over the defaults. */
    readonly limits?: pulumi.Input<Record<string, string>>;
}

/** Resources for each container, each merged over its defaults resource by resource. */
export interface Resources {
    /** nginx's. @default requests cpu 100m, memory 64Mi; limits memory 128Mi */
    readonly nginx?: ContainerResources;
    /** The log sidecar's. @default requests cpu 50m, memory 32Mi; limits memory 64Mi */
    readonly sidecar?: ContainerResources;
}

/** How a toleration matches a taint's value. */
export const TolerationOperator = {
    /** The taint's value must equal the toleration's. */
    Equal: "Equal",
    /** Any value (the toleration has none). */
    Exists: "Exists",
} as const;
/** How a toleration matches a taint's value: `"Equal"` or `"Exists"`. */
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];

/** The taint effect a toleration tolerates. */
export const TolerationEffect = {
    /** New Pods are not scheduled on the node. */
    NoSchedule: "NoSchedule",
    /** The scheduler avoids the node. */
    PreferNoSchedule: "PreferNoSchedule",
    /** Running Pods are evicted. */
    NoExecute: "NoExecute",
} as const;
/** The taint effect a toleration tolerates. */
export type TolerationEffect = (typeof TolerationEffect)[keyof typeof TolerationEffect];

/** A toleration of the Pod, as in Kubernetes' `PodSpec.tolerations`. */
export interface Toleration {
    /** The taint's key; empty with `Exists` tolerates every taint. */
    readonly key?: pulumi.Input<string>;
    /** @default "Equal" */
    readonly operator?: pulumi.Input<TolerationOperator>;
    /** The taint's value; only with `Equal`. */
    readonly value?: pulumi.Input<string>;
    /** The effect tolerated; unset tolerates every effect. */
    readonly effect?: pulumi.Input<TolerationEffect>;
    /** How long the Pod stays on a `NoExecute`-tainted node; only with `effect: NoExecute`. */
    readonly tolerationSeconds?: pulumi.Input<number>;
}

/** A checked toleration: the fields given, no others. */
export type ResolvedToleration = k8s.types.input.core.v1.Toleration;

/** Requests and limits of one container, checked and merged over its defaults. */
export interface ResolvedContainerResources {
    readonly requests: Record<string, string>;
    readonly limits: Record<string, string>;
}

const RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"];
const RESOURCE_NAME_RULE = `${RESOURCE_NAMES.join(", ")}, or an extended resource with a domain (example.com/gpu)`;

/**
 * One container's resources: the user's requests and limits merged over the defaults, resource by
 * resource, each a quantity, and no request above its limit (the API server refuses that).
 */
export function resolveContainerResources(value: unknown, defaults: ResolvedContainerResources, key: string, problems: ProblemList): ResolvedContainerResources {
    if (value === undefined) {
        return defaults;
    }
    if (!isObject(value)) {
        problems.add(key, value, "an object { requests?: {cpu?, memory?}, limits?: {cpu?, memory?} }");
        return defaults;
    }
    addUnknownKeys(value, ["requests", "limits"], `${key}.`, problems);
    const requests = { ...defaults.requests, ...quantities(value.requests, `${key}.requests`, problems) };
    const limits = { ...defaults.limits, ...quantities(value.limits, `${key}.limits`, problems) };
    for (const [name, limit] of Object.entries(limits)) {
        const request = requests[name];
        if (request !== undefined && (parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? Infinity)) {
            problems.add(`${key}.requests.${name} + ${key}.limits.${name}`, { request, limit }, "a request no larger than its limit (the defaults count when only one is given)");
        }
    }
    return { requests: sortedByKey(requests), limits: sortedByKey(limits) };
}

function quantities(value: unknown, key: string, problems: ProblemList): Record<string, string> {
    if (value === undefined) {
        return {};
    }
    if (!isObject(value)) {
        problems.add(key, value, `an object of quantities by resource name: ${RESOURCE_NAME_RULE}`);
        return {};
    }
    const checked: Record<string, string> = {};
    for (const [name, quantity] of Object.entries(value)) {
        if (!RESOURCE_NAMES.includes(name) && !(name.includes("/") && isLabelKey(name))) {
            const suggestion = nearestWord(name, RESOURCE_NAMES);
            problems.add(`${key}.${name}`, quantity, `${suggestion !== undefined ? `did you mean ${suggestion}? ` : ""}a resource name: ${RESOURCE_NAME_RULE}`);
        } else if (typeof quantity !== "string" || parseQuantity(quantity) === undefined) {
            problems.add(`${key}.${name}`, quantity, QUANTITY_RULE);
        } else {
            checked[name] = quantity;
        }
    }
    return checked;
}

/** The component's own annotations on the Pod, which `podAnnotations` may not set. */
export const RESERVED_ANNOTATIONS = ["pulumi.com/waitFor", "pulumi.com/timeoutSeconds", FILES_DIGEST_ANNOTATION, OWNER_ANNOTATION];

/** The component's own annotation on every object, which no user's annotations (the Service's included) may set. */
export const RESERVED_OBJECT_ANNOTATIONS = [OWNER_ANNOTATION];

/** The largest total size of an object's annotations the API server accepts (keys and values). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * Annotations (the Pod's or the Service's): keys as Kubernetes has them, string values, at most
 * 256 KiB in all, none of `reserved`.
 * @returns them sorted by key, or `undefined` when none were given.
 */
export function resolveAnnotations(value: unknown, key: string, problems: ProblemList, reserved: readonly string[] = []): Record<string, string> | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isObject(value)) {
        problems.add(key, value, "an object of annotations, e.g. { \"prometheus.io/scrape\": \"true\" }");
        return undefined;
    }
    const checked: Record<string, string> = {};
    for (const [name, annotation] of Object.entries(value)) {
        if (reserved.includes(name)) {
            // A user's owner annotation would make the ownership check (ownership.ts) take a stranger's object as this stack's.
            const why = name === OWNER_ANNOTATION ? "it names the stack that created the object" : "readyTimeoutSeconds is the argument for the wait";
            problems.add(`${key}.${name}`, annotation, `an annotation other than ${reserved.join(" and ")}, which the component sets (${why})`);
        } else if (!isLabelKey(name)) {
            problems.add(`${key}.${name}`, name, ANNOTATION_KEY_RULE);
        } else if (typeof annotation !== "string") {
            problems.add(`${key}.${name}`, annotation, "a string (quote numbers and booleans: \"true\", \"8080\")");
        } else {
            checked[name] = annotation;
        }
    }
    const size = Object.entries(checked).reduce((total, [name, annotation]) => total + Buffer.byteLength(name) + Buffer.byteLength(annotation), 0);
    if (size > MAX_ANNOTATIONS_BYTES) {
        problems.add(key, `(${size} bytes of keys and values)`, `at most ${MAX_ANNOTATIONS_BYTES} bytes (256 KiB) of keys and values in all, the API server's limit`);
    }
    return sortedByKey(checked);
}

/**
 * `nodeSelector`: node labels the Pod's node must have.
 * @returns them sorted by key, or `undefined` when none were given.
 */
export function resolveNodeSelector(value: unknown, key: string, problems: ProblemList): Record<string, string> | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isObject(value)) {
        problems.add(key, value, "an object of node labels, e.g. { \"kubernetes.io/arch\": \"arm64\" }");
        return undefined;
    }
    const checked: Record<string, string> = {};
    for (const [name, labelValue] of Object.entries(value)) {
        if (!isLabelKey(name)) {
            problems.add(`${key}.${name}`, name, LABEL_KEY_RULE);
        } else if (typeof labelValue !== "string" || !isLabelValue(labelValue)) {
            problems.add(`${key}.${name}`, labelValue, LABEL_VALUE_RULE);
        } else {
            checked[name] = labelValue;
        }
    }
    return sortedByKey(checked);
}

const TOLERATION_FIELDS = ["key", "operator", "value", "effect", "tolerationSeconds"];
const OPERATORS: readonly string[] = Object.values(TolerationOperator);
const EFFECTS: readonly string[] = Object.values(TolerationEffect);

/**
 * `tolerations`, each checked as the API server does: operator and effect from their enums, `Exists`
 * without a value, an empty key only with `Exists`, `tolerationSeconds` only with `NoExecute`.
 * @returns them in the order given, or `undefined` when none were given.
 */
export function resolveTolerations(value: unknown, key: string, problems: ProblemList): ResolvedToleration[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!Array.isArray(value)) {
        problems.add(key, value, "a list of tolerations, each { key?, operator?: Equal | Exists, value?, effect?: NoSchedule | PreferNoSchedule | NoExecute, tolerationSeconds? }");
        return undefined;
    }
    return value.flatMap((toleration: unknown, index) => {
        const at = `${key}[${index}]`;
        if (!isObject(toleration)) {
            problems.add(at, toleration, "an object { key?, operator?, value?, effect?, tolerationSeconds? }");
            return [];
        }
        addUnknownKeys(toleration, TOLERATION_FIELDS, `${at}.`, problems);
        const before = problems.all.length;
        const { key: tolerationKey, operator = "Equal", value: tolerationValue, effect, tolerationSeconds } = toleration;
        if (!OPERATORS.includes(operator as string)) {
            problems.add(`${at}.operator`, operator, OPERATORS.join(" | "));
        }
        if (effect !== undefined && !EFFECTS.includes(effect as string)) {
            problems.add(`${at}.effect`, effect, `${EFFECTS.join(" | ")}, or unset for every effect`);
        }
        if (tolerationKey !== undefined && (typeof tolerationKey !== "string" || (tolerationKey !== "" && !isLabelKey(tolerationKey)))) {
            problems.add(`${at}.key`, tolerationKey, LABEL_KEY_RULE);
        }
        if ((tolerationKey === undefined || tolerationKey === "") && operator !== "Exists") {
            problems.add(`${at}.key + ${at}.operator`, { key: tolerationKey, operator }, "a key, unless operator is Exists (which then tolerates every taint)");
        }
        if (tolerationValue !== undefined && (typeof tolerationValue !== "string" || !isLabelValue(tolerationValue))) {
            problems.add(`${at}.value`, tolerationValue, LABEL_VALUE_RULE);
        } else if (operator === "Exists" && tolerationValue !== undefined && tolerationValue !== "") {
            problems.add(`${at}.value + ${at}.operator`, { value: tolerationValue, operator }, "no value with operator Exists, which matches any value");
        }
        if (tolerationSeconds !== undefined && (!Number.isInteger(tolerationSeconds) || effect !== "NoExecute")) {
            problems.add(`${at}.tolerationSeconds`, tolerationSeconds, "a whole number of seconds, only with effect NoExecute");
        }
        if (problems.all.length > before) {
            return [];
        }
        return [Object.fromEntries(TOLERATION_FIELDS.filter((field) => toleration[field] !== undefined).map((field) => [field, toleration[field]])) as ResolvedToleration];
    });
}

const AFFINITY_FIELDS = ["nodeAffinity", "podAffinity", "podAntiAffinity"];

/**
 * `affinity`: Kubernetes' `Affinity`, passed on as given. Its top level is checked here; its deep
 * structure (selector terms, topology keys) is the API server's to check, which a preview's
 * server-side dry run does before anything changes.
 */
export function resolveAffinity(value: unknown, key: string, problems: ProblemList): k8s.types.input.core.v1.Affinity | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isObject(value)) {
        problems.add(key, value, "an object { nodeAffinity?, podAffinity?, podAntiAffinity? }, as Kubernetes' Affinity");
        return undefined;
    }
    addUnknownKeys(value, AFFINITY_FIELDS, `${key}.`, problems);
    for (const field of AFFINITY_FIELDS.filter((f) => value[f] !== undefined && !isObject(value[f]))) {
        problems.add(`${key}.${field}`, value[field], `an object, as Kubernetes' ${field[0].toUpperCase()}${field.slice(1)}`);
    }
    return value as k8s.types.input.core.v1.Affinity;
}

/**
 * `imagePullSecrets`: names of Secrets in the Pod's namespace, each once.
 * @returns the names in the order given, or `undefined` when none were given.
 */
export function resolveImagePullSecrets(value: unknown, key: string, problems: ProblemList): string[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!Array.isArray(value)) {
        problems.add(key, value, "a list of Secret names in the Pod's namespace, e.g. [\"registry-credentials\"]");
        return undefined;
    }
    value.forEach((name: unknown, index) => {
        if (typeof name !== "string" || !isDnsSubdomain(name)) {
            problems.add(`${key}[${index}]`, name, `a Secret's name: ${DNS_SUBDOMAIN_RULE}`);
        } else if (value.indexOf(name) !== index) {
            problems.add(`${key}[${index}]`, name, "each Secret once");
        }
    });
    return value as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
