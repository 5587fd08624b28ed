/**
 * Pure checks for the values users type: Kubernetes names, quantities, image references, ports.
 * Each returns a verdict instead of throwing, so callers can collect every problem at once.
 */

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
export const PINNED_IMAGE_RULE = "an image reference pinned to a tag other than 'latest' or to a digest, e.g. nginx:1.30.3 or nginx@sha256:<64 hex digits>";

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
