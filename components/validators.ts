/**
 * Pure checks for the values users type: Kubernetes names and labels, quantities, image references,
 * ports, CIDRs.
 * Each returns a verdict instead of throwing, so callers can collect every problem at once.
 */
import * as net from "net";

/** A DNS-1123 label (namespaces, Service names): lower-case alphanumerics and '-', at most 63. */
export const DNS_LABEL_RULE = "a DNS-1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

/** Whether `value` is a DNS-1123 label. */
export function isDnsLabel(value: string): boolean {
    return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** Where a byte quantity ends in one of these suffixes, it is multiplied by the factor. */
const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
    "": 1,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * Parses a Kubernetes resource quantity that counts bytes (`128Mi`, `64M`, `1e9`, `1048576`).
 * Milli-bytes (`m`) and signs are refused: they make no sense for a volume size.
 * @returns the number of bytes, or `undefined` when `value` is not such a quantity.
 */
export function parseByteQuantity(value: string): number | undefined {
    const match = /^([0-9]+(?:\.[0-9]+)?)(?:([kMGTPE]i?|Ki)|[eE]([0-9]+))?$/.exec(value);
    if (!match) {
        return undefined;
    }
    const [, digits, suffix, exponent] = match;
    const factor = exponent !== undefined ? 10 ** Number(exponent) : QUANTITY_SUFFIXES[suffix ?? ""];
    if (factor === undefined) {
        return undefined;
    }
    return Math.floor(Number(digits) * factor);
}

/** The parts of a container image reference. */
export interface ImageReference {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/**
 * Splits an image reference (`[registry[:port]/]path[:tag][@sha256:<64 hex>]`) into its parts.
 * @returns the parts, or `undefined` when `value` is not a well-formed reference.
 */
export function parseImageReference(value: string): ImageReference | undefined {
    const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    const registry = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
    const pattern = new RegExp(
        `^((?:${registry}/)?${component}(?:/${component})*)` + // repository
        "(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?" + // tag
        "(?:@(sha256:[a-f0-9]{64}))?$", // digest
    );
    const match = pattern.exec(value);
    if (!match) {
        return undefined;
    }
    const [, repository, tag, digest] = match;
    return { repository, tag, digest };
}

/** What a pinned image reference must look like, for error messages. */
export const PINNED_IMAGE_RULE = "an image reference pinned to a tag other than 'latest' or to a digest, e.g. nginx:1.30.5 or nginx@sha256:<64 hex digits>";

/**
 * Whether an image reference pins a version: it has a digest, or a tag that is not `latest`.
 * A reference without either means `:latest`, which changes under you.
 */
export function isPinnedImage(value: string): boolean {
    const reference = parseImageReference(value);
    if (reference === undefined) {
        return false;
    }
    return reference.digest !== undefined || (reference.tag !== undefined && reference.tag !== "latest");
}

/** Whether `value` is a TCP port number. */
export function isPort(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * The candidate closest to `word` by edit distance, when it is close enough to be a typo.
 * Used to turn "unknown key `namspace`" into "did you mean `namespace`?".
 */
export function nearestWord(word: string, candidates: readonly string[]): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (best === undefined || distance < best.distance) {
            best = { candidate, distance };
        }
    }
    // Farther than a third of the word is a different word, not a typo.
    return best !== undefined && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

/** Levenshtein distance: the fewest one-character inserts, deletes or substitutions from a to b. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}

/** What a label key must look like, for error messages. */
export const LABEL_KEY_RULE = "a label key: an optional DNS subdomain prefix and '/', then at most 63 characters of a-z, A-Z, 0-9, '-', '_' and '.', starting and ending with a letter or digit";
/** What a label value must look like, for error messages. */
export const LABEL_VALUE_RULE = "a label value: at most 63 characters of a-z, A-Z, 0-9, '-', '_' and '.', starting and ending with a letter or digit (or empty)";

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `value` is a Kubernetes label key (`app`, `app.kubernetes.io/name`). */
export function isLabelKey(value: string): boolean {
    const slash = value.lastIndexOf("/");
    const [prefix, name] = slash === -1 ? [undefined, value] : [value.slice(0, slash), value.slice(slash + 1)];
    if (!LABEL_NAME.test(name)) {
        return false;
    }
    // The prefix is a DNS-1123 subdomain: dot-separated labels, at most 253 characters.
    return prefix === undefined || (prefix.length <= 253 && prefix.split(".").every(isDnsLabel));
}

/** Whether `value` is a Kubernetes label value (which may be empty). */
export function isLabelValue(value: string): boolean {
    return value === "" || LABEL_NAME.test(value);
}

/** An IP block in CIDR notation, parsed. */
export interface Cidr {
    readonly family: "ipv4" | "ipv6";
    readonly address: string;
    readonly prefix: number;
}

/**
 * Parses `10.0.0.0/8` or `fd00::/8`.
 * @returns the parts, or `undefined` when `value` is not an address, a slash and a prefix length in range.
 */
export function parseCidr(value: string): Cidr | undefined {
    const match = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
    if (!match) {
        return undefined;
    }
    const [, address, prefixText] = match;
    const prefix = Number(prefixText);
    if (net.isIPv4(address) && prefix <= 32) {
        return { family: "ipv4", address, prefix };
    }
    if (net.isIPv6(address) && prefix <= 128) {
        return { family: "ipv6", address, prefix };
    }
    return undefined;
}

/** Whether the block `inner` lies inside `outer` and is smaller (what NetworkPolicy's `except` requires). */
export function isStrictSubnet(inner: Cidr, outer: Cidr): boolean {
    if (inner.family !== outer.family || inner.prefix <= outer.prefix) {
        return false;
    }
    // A longer prefix whose address is inside `outer` keeps the whole block inside it.
    const block = new net.BlockList();
    block.addSubnet(outer.address, outer.prefix, outer.family);
    return block.check(inner.address, inner.family);
}

/** What a DNS-1123 subdomain must look like (a Secret's name), for error messages. */
export const DNS_SUBDOMAIN_RULE = "a DNS-1123 subdomain: at most 253 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit";

/** Whether `value` is a DNS-1123 subdomain (the names of most objects, Secrets included). */
export function isDnsSubdomain(value: string): boolean {
    return value.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value);
}

/** What a resource quantity must look like, for error messages. */
export const QUANTITY_RULE = "a Kubernetes quantity, e.g. 100m or 0.5 (CPU), 64Mi or 1G (memory)";

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * Parses any Kubernetes resource quantity (`100m`, `0.5`, `64Mi`, `1e3`), as the API server's
 * `resource.Quantity` grammar has it, to its value as a number (milli-units included).
 * @returns the value, or `undefined` when `value` is not a quantity (negative ones included).
 */
export function parseQuantity(value: string): number | undefined {
    const match = /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([-+]?[0-9]+))?$/.exec(value);
    if (!match) {
        return undefined;
    }
    const [, digits, suffix, exponent] = match;
    const factor = exponent !== undefined ? 10 ** Number(exponent) : suffix?.endsWith("i") ? QUANTITY_SUFFIXES[suffix] : DECIMAL_SUFFIXES[suffix ?? ""];
    return factor === undefined ? undefined : Number(digits) * factor;
}

/** What an annotation key must look like (a label key's syntax), for error messages. */
export const ANNOTATION_KEY_RULE = "an annotation key: an optional DNS subdomain prefix and '/', then at most 63 characters of a-z, A-Z, 0-9, '-', '_' and '.', starting and ending with a letter or digit";
