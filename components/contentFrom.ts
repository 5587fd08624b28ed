/**
 * `contentFrom`: the team's site served from a ConfigMap or a PersistentVolumeClaim the team owns
 * (issue 31, item 3), for a site past a ConfigMap of ours (`content`, 1 MiB) or built elsewhere.
 * The object is the team's: the component only mounts it, read-only, on nginx's document root. It
 * never creates, adopts or deletes it, so nothing here reads it: what it holds is checked by nginx's
 * readiness probe once the Pod runs, not at preview time (docs/operating.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { ProblemList, addUnknownKeys } from "./errors";
import { DNS_SUBDOMAIN_RULE, isDnsSubdomain } from "./validators";

/** Where the site comes from, when it is the team's object: exactly one of the two. */
export interface ContentFrom {
    /** The name of a ConfigMap in the Pod's namespace: each key a file at the document root (a key holds no `/`: no subdirectories). */
    readonly configMap?: pulumi.Input<string>;
    /** The name of a PersistentVolumeClaim in the Pod's namespace, mounted read-only: a tree of any size. */
    readonly persistentVolumeClaim?: pulumi.Input<string>;
}

/** The names of {@link ContentFrom}'s fields. */
export const CONTENT_FROM_KEYS: readonly string[] = Object.keys(
    { configMap: true, persistentVolumeClaim: true } as const satisfies Record<keyof ContentFrom, true>);

/** `contentFrom`, checked: which kind of object, and its name. */
export interface ResolvedContentFrom {
    readonly kind: "configMap" | "persistentVolumeClaim";
    readonly name: string;
}

/** What `contentFrom` must be, for messages. */
export const CONTENT_FROM_RULE =
    "an object with exactly one of configMap or persistentVolumeClaim: the name of the team's object in the Pod's namespace, e.g. { \"persistentVolumeClaim\": \"site\" }";

/**
 * Checks `contentFrom`, and that no site of ours (`content`, `binaryContent`) is given with it: one
 * document root, one source.
 * @param ownConfigMaps the names of the ConfigMaps the component owns, which cannot be the team's.
 * @returns the source, or `undefined` when none (or a bad one) was given.
 */
export function resolveContentFrom(
    value: unknown, siteGiven: { readonly content: boolean; readonly binaryContent: boolean }, ownConfigMaps: readonly string[],
    key: (name: string) => string, problems: ProblemList,
): ResolvedContentFrom | undefined {
    if (value === undefined) {
        return undefined;
    }
    for (const other of ["content", "binaryContent"] as const) {
        if (siteGiven[other]) {
            problems.add(`${key(other)} + ${key("contentFrom")}`, { [other]: "(given)", contentFrom: value },
                `one of them: ${other} is a site the component keeps in a ConfigMap of its own, contentFrom the team's own ConfigMap or PersistentVolumeClaim; both would mount on the one document root`);
        }
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(key("contentFrom"), value, CONTENT_FROM_RULE);
        return undefined;
    }
    const fields = value as Record<string, unknown>;
    const before = problems.all.length;
    addUnknownKeys(fields, CONTENT_FROM_KEYS, key("contentFrom."), problems);
    const given = CONTENT_FROM_KEYS.filter((field) => fields[field] !== undefined) as ResolvedContentFrom["kind"][];
    if (given.length !== 1) {
        problems.add(key("contentFrom"), value, CONTENT_FROM_RULE);
        return undefined;
    }
    const kind = given[0];
    const name = fields[kind];
    if (typeof name !== "string" || !isDnsSubdomain(name)) {
        problems.add(key(`contentFrom.${kind}`), name, `the name of the team's ${kind === "configMap" ? "ConfigMap" : "PersistentVolumeClaim"}: ${DNS_SUBDOMAIN_RULE}`);
    } else if (kind === "configMap" && ownConfigMaps.includes(name)) {
        // Mounting one of ours would serve the shipper's program or nginx's configuration as the site.
        problems.add(key("contentFrom.configMap"), name, `a ConfigMap of the team's, not one the component owns (${ownConfigMaps.join(", ")})`);
    }
    return problems.all.length > before ? undefined : { kind, name: name as string };
}
