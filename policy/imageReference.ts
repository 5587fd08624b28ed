/**
 * Image references, as the policies read them. The same rules as the component's own validation
 * (components/validators.ts): copied rather than imported, so that the pack is self-contained and
 * `pulumi policy publish` from policy/ works. test/policyChecks.test.ts holds the two in agreement.
 */

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
