/**
 * Routes into the Service (issue 31, item 1): an Ingress (`networking.k8s.io/v1`) and a Gateway API
 * HTTPRoute (`gateway.networking.k8s.io/v1`), each optional. Both send a host's requests under a
 * path to the component's Service, which they need. A route's controller, named by its namespace
 * and its Pods' labels, is what the NetworkPolicy then admits (args.ts merges it into the policy's
 * peers): with a controller named and no `allowFrom`, nothing else reaches nginx.
 * The types as users write them, their checks (on untyped input: stack config arrives as parsed
 * JSON) and the pure spec builders. Nothing here creates a resource.
 */
import type * as k8s from "@pulumi/kubernetes";
import { ResolvedNetworkPeer, checkSelector } from "./allowFrom";
import { ProblemList, addUnknownKeys } from "./errors";
import { RESERVED_OBJECT_ANNOTATIONS, resolveAnnotations } from "./podSettings";
import { READINESS_PATH_RULE, isReadinessPath } from "./readinessPath";
import { DNS_LABEL_RULE, DNS_SUBDOMAIN_RULE, isDnsLabel, isDnsSubdomain } from "./validators";

type IngressSpec = k8s.types.input.networking.v1.IngressSpec;

/** A route controller's Pods: what the NetworkPolicy admits when a route names it. */
export interface RouteController {
    /** The controller's namespace, e.g. "traefik" or "ingress-nginx". */
    readonly namespace: string;
    /** Labels its Pods carry (all must match), e.g. { "app.kubernetes.io/name": "traefik" }. */
    readonly podLabels: Record<string, string>;
}

/** An Ingress for the Service. Plain: it decides which resources exist and what the policy admits. */
export interface Ingress {
    /** The host names routed to the Service, e.g. ["www.example.com"] (a leading `*.` for a wildcard). At least one. */
    readonly hosts: string[];
    /**
     * The URL path prefix routed (pathType Prefix).
     * Default: "/".
     */
    readonly path?: string;
    /**
     * The IngressClass, e.g. "traefik" or "nginx".
     * Default: unset (the cluster's default IngressClass).
     */
    readonly ingressClassName?: string;
    /**
     * A Secret of type kubernetes.io/tls in the Pod's namespace, whose certificate the controller
     * answers TLS with for every host.
     * Default: unset (no TLS).
     */
    readonly tlsSecretName?: string;
    /**
     * Annotations for the controller (e.g. Traefik's `traefik.ingress.kubernetes.io/router.middlewares`).
     * Default: none.
     */
    readonly annotations?: Record<string, string>;
    /**
     * The controller's Pods, which the NetworkPolicy admits to nginx's port.
     * Default: unset (the policy is left as `allowFrom` makes it).
     */
    readonly controller?: RouteController;
}

/** A Gateway (or another parent) an HTTPRoute attaches to. */
export interface RouteParent {
    /** The Gateway's name. */
    readonly name: string;
    /**
     * The Gateway's namespace.
     * Default: unset (the route's own).
     */
    readonly namespace?: string;
    /**
     * One listener of the Gateway.
     * Default: unset (every listener that admits the route).
     */
    readonly sectionName?: string;
}

/** A Gateway API HTTPRoute for the Service. Plain: it decides which resources exist and what the policy admits. */
export interface HttpRoute {
    /** The Gateways it attaches to: at least one. */
    readonly parentRefs: RouteParent[];
    /**
     * The host names it matches, e.g. ["www.example.com"].
     * Default: unset (every host the Gateway's listeners accept).
     */
    readonly hostnames?: string[];
    /**
     * The URL path prefix routed (PathPrefix).
     * Default: "/".
     */
    readonly path?: string;
    /**
     * The Gateway's Pods, which the NetworkPolicy admits to nginx's port.
     * Default: unset (the policy is left as `allowFrom` makes it).
     */
    readonly controller?: RouteController;
}

export const INGRESS_KEYS: readonly string[] = Object.keys(
    { hosts: true, path: true, ingressClassName: true, tlsSecretName: true, annotations: true, controller: true } as const satisfies Record<keyof Ingress, true>);
export const HTTP_ROUTE_KEYS: readonly string[] = Object.keys(
    { parentRefs: true, hostnames: true, path: true, controller: true } as const satisfies Record<keyof HttpRoute, true>);
export const ROUTE_PARENT_KEYS: readonly string[] = Object.keys(
    { name: true, namespace: true, sectionName: true } as const satisfies Record<keyof RouteParent, true>);
export const ROUTE_CONTROLLER_KEYS: readonly string[] = Object.keys(
    { namespace: true, podLabels: true } as const satisfies Record<keyof RouteController, true>);

export const ROUTE_DEFAULTS = { path: "/" } as const;

export interface ResolvedIngress {
    readonly hosts: readonly string[];
    readonly path: string;
    readonly ingressClassName: string | undefined;
    readonly tlsSecretName: string | undefined;
    readonly annotations: Record<string, string> | undefined;
    readonly controller: ResolvedNetworkPeer | undefined;
}

export interface ResolvedHttpRoute {
    readonly parentRefs: readonly RouteParent[];
    readonly hostnames: readonly string[] | undefined;
    readonly path: string;
    readonly controller: ResolvedNetworkPeer | undefined;
}

/** The routes, checked; each `undefined` when not given (or given wrong). */
export interface ResolvedRoutes {
    readonly ingress: ResolvedIngress | undefined;
    readonly httpRoute: ResolvedHttpRoute | undefined;
}

/** A host name: a DNS-1123 subdomain, with an optional leading `*.` (Ingress' and Gateway API's wildcards). */
export const HOST_RULE = "a host name: a DNS-1123 subdomain (lower case), optionally with a leading '*.' for a wildcard, e.g. www.example.com";
export function isHostName(value: unknown): value is string {
    return typeof value === "string" && isDnsSubdomain(value.startsWith("*.") ? value.slice(2) : value);
}

/** The namespace label every namespace carries (Kubernetes 1.21+): how a controller's namespace is selected by name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Checks `ingress` and `httpRoute`, and that a Service is there for them to route to.
 * @param serviceGiven whether `service` is given.
 * @param networkPolicyOn whether the NetworkPolicy exists (a controller is admitted by it).
 */
export function resolveRoutes(
    args: { readonly ingress?: unknown; readonly httpRoute?: unknown }, serviceGiven: boolean, networkPolicyOn: boolean,
    key: (name: string) => string, problems: ProblemList,
): ResolvedRoutes {
    for (const route of ["ingress", "httpRoute"] as const) {
        const value = args[route] as { controller?: unknown } | undefined;
        if (value === undefined) {
            continue;
        }
        if (!serviceGiven) {
            problems.add(`${key(route)} + ${key("service")}`, { [route]: value, service: "(not set)" },
                `${route} routes to the component's Service: set service too (type ClusterIP is enough behind a route)`);
        }
        if (!networkPolicyOn && typeof value === "object" && value !== null && value.controller !== undefined) {
            problems.add(`${key(`${route}.controller`)} + ${key("networkPolicy")}`, { controller: value.controller, networkPolicy: false },
                "one of them: the controller is what the NetworkPolicy admits, which networkPolicy: false turns off");
        }
    }
    return {
        ingress: args.ingress === undefined ? undefined : checkIngress(args.ingress, key, problems),
        httpRoute: args.httpRoute === undefined ? undefined : checkHttpRoute(args.httpRoute, key, problems),
    };
}

/** The peers the NetworkPolicy admits for the routes: each route's controller, once. */
export function routeControllerPeers(routes: ResolvedRoutes): ResolvedNetworkPeer[] {
    const peers = [routes.ingress?.controller, routes.httpRoute?.controller].filter((peer) => peer !== undefined);
    return peers.filter((peer, index) => peers.findIndex((other) => JSON.stringify(other) === JSON.stringify(peer)) === index);
}

function checkIngress(value: unknown, key: (name: string) => string, problems: ProblemList): ResolvedIngress | undefined {
    const fields = objectOf(value, key("ingress"), "an object { hosts: [\"www.example.com\"], path?, ingressClassName?, tlsSecretName?, annotations?, controller? }", problems);
    if (fields === undefined) {
        return undefined;
    }
    const before = problems.all.length;
    addUnknownKeys(fields, INGRESS_KEYS, key("ingress."), problems);
    const hosts = checkHosts(fields.hosts, key("ingress.hosts"), true, problems);
    const path = checkPath(fields.path, key("ingress.path"), problems);
    const ingressClassName = checkName(fields.ingressClassName, key("ingress.ingressClassName"), "an IngressClass's name", problems);
    const tlsSecretName = checkName(fields.tlsSecretName, key("ingress.tlsSecretName"), "the name of a kubernetes.io/tls Secret in the Pod's namespace", problems);
    const annotations = resolveAnnotations(fields.annotations, key("ingress.annotations"), problems, RESERVED_OBJECT_ANNOTATIONS);
    const controller = checkController(fields.controller, key("ingress.controller"), problems);
    return problems.all.length > before ? undefined
        : { hosts: hosts!, path, ingressClassName, tlsSecretName, annotations, controller };
}

function checkHttpRoute(value: unknown, key: (name: string) => string, problems: ProblemList): ResolvedHttpRoute | undefined {
    const fields = objectOf(value, key("httpRoute"), "an object { parentRefs: [{ name, namespace?, sectionName? }], hostnames?, path?, controller? }", problems);
    if (fields === undefined) {
        return undefined;
    }
    const before = problems.all.length;
    addUnknownKeys(fields, HTTP_ROUTE_KEYS, key("httpRoute."), problems);
    const parentRefs: RouteParent[] = [];
    if (!Array.isArray(fields.parentRefs) || fields.parentRefs.length === 0) {
        problems.add(key("httpRoute.parentRefs"), fields.parentRefs, "a non-empty list of Gateways, each { name, namespace?, sectionName? }");
    } else {
        fields.parentRefs.forEach((parent: unknown, index) => {
            const parentKey = key(`httpRoute.parentRefs[${index}]`);
            const parentFields = objectOf(parent, parentKey, "an object { name, namespace?, sectionName? }", problems);
            if (parentFields === undefined) {
                return;
            }
            addUnknownKeys(parentFields, ROUTE_PARENT_KEYS, `${parentKey}.`, problems);
            const name = parentFields.name;
            if (typeof name !== "string" || !isDnsSubdomain(name)) {
                problems.add(`${parentKey}.name`, name, `the Gateway's name: ${DNS_SUBDOMAIN_RULE}`);
            }
            for (const field of ["namespace", "sectionName"] as const) {
                const given = parentFields[field];
                if (given !== undefined && (typeof given !== "string" || !isDnsLabel(given))) {
                    problems.add(`${parentKey}.${field}`, given, field === "namespace" ? `the Gateway's namespace: ${DNS_LABEL_RULE}` : `a listener's name: ${DNS_LABEL_RULE}`);
                }
            }
            parentRefs.push({
                name: name as string,
                ...(parentFields.namespace !== undefined ? { namespace: parentFields.namespace as string } : {}),
                ...(parentFields.sectionName !== undefined ? { sectionName: parentFields.sectionName as string } : {}),
            });
        });
    }
    const hostnames = fields.hostnames === undefined ? undefined : checkHosts(fields.hostnames, key("httpRoute.hostnames"), false, problems);
    const path = checkPath(fields.path, key("httpRoute.path"), problems);
    const controller = checkController(fields.controller, key("httpRoute.controller"), problems);
    return problems.all.length > before ? undefined : { parentRefs, hostnames, path, controller };
}

function objectOf(value: unknown, key: string, rule: string, problems: ProblemList): Record<string, unknown> | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(key, value, rule);
        return undefined;
    }
    return value as Record<string, unknown>;
}

function checkHosts(value: unknown, key: string, required: boolean, problems: ProblemList): string[] | undefined {
    if (!Array.isArray(value) || (required && value.length === 0)) {
        problems.add(key, value, `a ${required ? "non-empty " : ""}list of host names, e.g. ["www.example.com"]`);
        return undefined;
    }
    value.forEach((host: unknown, index) => {
        if (!isHostName(host)) {
            problems.add(`${key}[${index}]`, host, HOST_RULE);
        } else if (value.indexOf(host) !== index) {
            problems.add(`${key}[${index}]`, host, "each host once");
        }
    });
    return value as string[];
}

function checkPath(value: unknown, key: string, problems: ProblemList): string {
    const path = value ?? ROUTE_DEFAULTS.path;
    if (!isReadinessPath(path)) {
        problems.add(key, path, READINESS_PATH_RULE);
    }
    return path as string;
}

function checkName(value: unknown, key: string, what: string, problems: ProblemList): string | undefined {
    if (value !== undefined && (typeof value !== "string" || !isDnsSubdomain(value))) {
        problems.add(key, value, `${what}: ${DNS_SUBDOMAIN_RULE}`);
    }
    return value as string | undefined;
}

/** A controller as the NetworkPolicy's peer: its namespace by name, its Pods by labels. */
function checkController(value: unknown, key: string, problems: ProblemList): ResolvedNetworkPeer | undefined {
    if (value === undefined) {
        return undefined;
    }
    const rule = "an object { namespace: \"traefik\", podLabels: { \"app.kubernetes.io/name\": \"traefik\" } }: the controller's namespace and its Pods' labels";
    const fields = objectOf(value, key, rule, problems);
    if (fields === undefined) {
        return undefined;
    }
    addUnknownKeys(fields, ROUTE_CONTROLLER_KEYS, `${key}.`, problems);
    const namespace = fields.namespace;
    if (typeof namespace !== "string" || !isDnsLabel(namespace)) {
        problems.add(`${key}.namespace`, namespace, `the controller's namespace: ${DNS_LABEL_RULE}`);
    }
    const podLabels = fields.podLabels;
    // At least one label: with none, every Pod of the namespace would be admitted, not the controller.
    if (typeof podLabels !== "object" || podLabels === null || Array.isArray(podLabels) || Object.keys(podLabels).length === 0) {
        problems.add(`${key}.podLabels`, podLabels, "a non-empty object of the controller's Pod labels, e.g. { \"app.kubernetes.io/name\": \"traefik\" }");
        return undefined;
    }
    const labels = checkSelector(podLabels, `${key}.podLabels`, problems) ?? {};
    return { kind: "selector", namespaceSelector: { [NAMESPACE_NAME_LABEL]: namespace as string }, podSelector: labels };
}

/**
 * The Ingress's spec: each host's requests under `path` (pathType Prefix) to the Service's port, and
 * TLS for every host from the Secret when one is named.
 */
export function buildIngressSpec(ingress: ResolvedIngress, service: { readonly name: string; readonly port: number }): IngressSpec {
    const backend = { service: { name: service.name, port: { number: service.port } } };
    return {
        ...(ingress.ingressClassName !== undefined ? { ingressClassName: ingress.ingressClassName } : {}),
        ...(ingress.tlsSecretName !== undefined ? { tls: [{ hosts: [...ingress.hosts], secretName: ingress.tlsSecretName }] } : {}),
        rules: ingress.hosts.map((host) => ({ host, http: { paths: [{ path: ingress.path, pathType: "Prefix", backend }] } })),
    };
}

/** The HTTPRoute's spec (Gateway API v1): requests under `path` (PathPrefix) to the Service's port. */
export function buildHttpRouteSpec(route: ResolvedHttpRoute, service: { readonly name: string; readonly port: number }): Record<string, unknown> {
    return {
        parentRefs: route.parentRefs.map((parent) => ({ ...parent })),
        ...(route.hostnames !== undefined ? { hostnames: [...route.hostnames] } : {}),
        rules: [{
            matches: [{ path: { type: "PathPrefix", value: route.path } }],
            backendRefs: [{ name: service.name, port: service.port }],
        }],
    };
}
