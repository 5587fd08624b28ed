/**
 * `allowFrom`: who may connect to nginx when the NetworkPolicy is on. Its type as users write it,
 * and its check, which works on untyped input because stack config arrives as parsed JSON.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ProblemList } from "./errors";
import { LABEL_KEY_RULE, LABEL_VALUE_RULE, isLabelKey, isLabelValue, isStrictSubnet, parseCidr } from "./validators";

/**
 * One source allowed to reach nginx's port 80: Pods chosen by labels, or an IP block.
 * - `podSelector` alone: Pods with these labels in the WebServer's own namespace;
 * - `namespaceSelector` alone: every Pod in the namespaces with these labels (`{}`: all namespaces);
 * - both: Pods with `podSelector`'s labels in the namespaces with `namespaceSelector`'s;
 * - `cidr` (with optional `except`): addresses in that block, e.g. a load balancer's subnet.
 */
export interface NetworkPeer {
    /** Labels of the namespaces allowed (all must match). */
    readonly namespaceSelector?: pulumi.Input<Record<string, string>>;
    /** Labels of the Pods allowed (all must match). */
    readonly podSelector?: pulumi.Input<Record<string, string>>;
    /** An IPv4 or IPv6 block in CIDR notation (a network's `cidrBlock` output, say). Cannot be combined with the selectors. */
    readonly cidr?: pulumi.Input<string>;
    /** Blocks inside `cidr` that are not allowed. Only with `cidr`. */
    readonly except?: pulumi.Input<pulumi.Input<string>[]>;
}

/** A checked {@link NetworkPeer}: either selectors or an IP block. */
export type ResolvedNetworkPeer =
    | { readonly kind: "selector"; readonly namespaceSelector?: Readonly<Record<string, string>>; readonly podSelector?: Readonly<Record<string, string>> }
    | { readonly kind: "ipBlock"; readonly cidr: string; readonly except: readonly string[] };

/** What `allowFrom` must be, for error messages. */
export const ALLOW_FROM_RULE = "a non-empty list of peers, each { namespaceSelector?: {label: value}, podSelector?: {label: value} } "
    + "or { cidr: \"10.0.0.0/8\", except?: [\"10.1.0.0/16\"] }; leave allowFrom unset to allow any source";

const PEER_FIELDS = ["namespaceSelector", "podSelector", "cidr", "except"];

/**
 * Checks `allowFrom` and returns its peers, recording each problem (with the peer's index) in `problems`.
 * @param value the `allowFrom` argument as given (untyped: it may come from stack config JSON).
 * @param key how `allowFrom` is named in messages, e.g. `webserver-sidecar:allowFrom`.
 * @returns the peers, or an empty list when `value` is not a list at all.
 */
export function checkAllowFrom(value: unknown, key: string, problems: ProblemList): ResolvedNetworkPeer[] {
    // An empty list would render as `from: []`, which Kubernetes reads as "from anywhere": the
    // opposite of what an empty allow-list suggests, so it is refused rather than passed on.
    if (!Array.isArray(value) || value.length === 0) {
        problems.add(key, value, ALLOW_FROM_RULE);
        return [];
    }
    return value.flatMap((peer: unknown, index) => {
        const resolved = checkPeer(peer, `${key}[${index}]`, problems);
        return resolved === undefined ? [] : [resolved];
    });
}

function checkPeer(peer: unknown, key: string, problems: ProblemList): ResolvedNetworkPeer | undefined {
    if (typeof peer !== "object" || peer === null || Array.isArray(peer)) {
        problems.add(key, peer, ALLOW_FROM_RULE);
        return undefined;
    }
    const fields = peer as Record<string, unknown>;
    for (const field of Object.keys(fields).filter((f) => !PEER_FIELDS.includes(f))) {
        problems.add(`${key}.${field}`, fields[field], `only the fields ${PEER_FIELDS.join(", ")}`);
    }
    const hasSelector = fields.namespaceSelector !== undefined || fields.podSelector !== undefined;
    if (fields.cidr !== undefined && hasSelector) {
        // Kubernetes' NetworkPolicyPeer takes an ipBlock or selectors, never both.
        const selector = fields.podSelector !== undefined ? "podSelector" : "namespaceSelector";
        problems.add(`${key}.cidr + ${key}.${selector}`, { cidr: fields.cidr, [selector]: fields[selector] },
            "one of them: a peer is either an IP block or Pods chosen by labels; list them as two peers");
        return undefined;
    }
    if (fields.cidr !== undefined) {
        return checkIpBlock(fields.cidr, fields.except, key, problems);
    }
    if (fields.except !== undefined) {
        problems.add(`${key}.except`, fields.except, "only together with cidr, as blocks inside it");
        return undefined;
    }
    if (!hasSelector) {
        problems.add(key, peer, ALLOW_FROM_RULE);
        return undefined;
    }
    const namespaceSelector = checkSelector(fields.namespaceSelector, `${key}.namespaceSelector`, problems);
    const podSelector = checkSelector(fields.podSelector, `${key}.podSelector`, problems);
    return {
        kind: "selector",
        ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
        ...(podSelector !== undefined ? { podSelector } : {}),
    };
}

function checkIpBlock(cidr: unknown, except: unknown, key: string, problems: ProblemList): ResolvedNetworkPeer | undefined {
    const block = typeof cidr === "string" ? parseCidr(cidr) : undefined;
    if (block === undefined) {
        problems.add(`${key}.cidr`, cidr, "an IPv4 or IPv6 block in CIDR notation, e.g. 10.0.0.0/8 or fd00::/8");
        return undefined;
    }
    const exceptList = except ?? [];
    if (!Array.isArray(exceptList)) {
        problems.add(`${key}.except`, except, `a list of CIDR blocks inside ${cidr}`);
        return undefined;
    }
    exceptList.forEach((inner: unknown, index) => {
        const parsed = typeof inner === "string" ? parseCidr(inner) : undefined;
        if (parsed === undefined || !isStrictSubnet(parsed, block)) {
            problems.add(`${key}.except[${index}]`, inner, `a CIDR block strictly inside ${cidr}`);
        }
    });
    return { kind: "ipBlock", cidr: cidr as string, except: exceptList as string[] };
}

/** Checks a set of labels a selector matches, sorted by key; `undefined` when none is given. */
export function checkSelector(selector: unknown, key: string, problems: ProblemList): Record<string, string> | undefined {
    if (selector === undefined) {
        return undefined;
    }
    if (typeof selector !== "object" || selector === null || Array.isArray(selector)) {
        problems.add(key, selector, "an object of labels, e.g. { \"kubernetes.io/metadata.name\": \"ingress\" } ({} selects all)");
        return undefined;
    }
    const labels: Record<string, string> = {};
    // Sorted, so that the same labels always render the same spec (no diff on a re-ordered config).
    for (const [label, labelValue] of Object.entries(selector as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
        if (!isLabelKey(label)) {
            problems.add(`${key}.${label}`, label, LABEL_KEY_RULE);
        } else if (typeof labelValue !== "string" || !isLabelValue(labelValue)) {
            problems.add(`${key}.${label}`, labelValue, LABEL_VALUE_RULE);
        } else {
            labels[label] = labelValue;
        }
    }
    return labels;
}
