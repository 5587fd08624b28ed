/**
 * Before any resource is registered: is any object the component would create, under its fixed
 * name, already in the namespace without being this stack's? Then `preview` and `up` stop, naming
 * each such object, and nothing changes. The rule is components/ownership.ts's, the reads
 * objectMetadata.ts's; this module puts them together with the reachability check.
 *
 * Why our own check rather than the provider's: the provider 4.25.0 applies a "create" over an
 * object that exists (server-side apply; pulumi-kubernetes #2926), takes it into the stack and
 * deletes it on destroy; from 4.29.0 (#4278, a client-side create) it fails the `up` with
 * AlreadyExists, but still passes the preview, and upserts again when set to upsertExistingObjects. This check holds on every provider version, in the preview too.
 *
 * Cost, on every preview and up: loading the Kubernetes client and one GET per object (at most six),
 * all at once, of the metadata only (no ConfigMap's data), while the reachability probe runs. On
 * the local cluster: 350 to 640 ms in a fresh process, of which 26 to 59 ms for five GETs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedWebServerArgs } from "../components/args";
import { ComponentObject, StackIdentity, componentObjects, ownerOf, ownershipProblem } from "../components/ownership";
import { ReachabilityOutcome } from "./clusterReachability";
import { MetadataReader, clusterMetadataReader } from "./objectMetadata";
import { ClusterSettings } from "./stackConfig";

/** What the reads found: every object that is not this stack's, and every one that could not be read. */
export interface OwnershipReport {
    /** How many objects were read. */
    readonly checked: number;
    /** One message per object that exists and is not this stack's (components/ownership.ts `ownershipProblem`). */
    readonly foreign: readonly string[];
    /** One message per object that could not be read (no answer, or an HTTP status other than 200 and 404). */
    readonly unreadable: readonly string[];
}

/** Thrown, by `preview` and `up` alike, when objects of the component's names are someone else's; a RunError prints as its message alone. */
export class ForeignObjectsError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ForeignObjectsError";
    }
}

/** The kind and name of an object, and its namespace, as messages name them. */
function describeObject(object: ComponentObject, namespace: string): string {
    return `${object.kind} "${object.name}" in namespace "${namespace}"`;
}

/**
 * Reads every object at once and sorts what it finds: absent (it will be created), this stack's,
 * someone else's, or unreadable.
 * @param owner the owner annotation this stack stamps (`ownerOf`).
 * @param instanceLabels the instance's selector labels (the upgrade rule of `ownershipProblem`).
 */
export async function inspectOwnership(
    objects: readonly ComponentObject[], namespace: string, owner: string, instanceLabels: Readonly<Record<string, string>>, read: MetadataReader,
): Promise<OwnershipReport> {
    const reads = await Promise.all(objects.map((object) => read(object, namespace)));
    const foreign: string[] = [];
    const unreadable: string[] = [];
    reads.forEach((result, i) => {
        if ("unreadable" in result) {
            unreadable.push(`${describeObject(objects[i], namespace)}: ${result.unreadable}`);
        } else if (result.found) {
            const problem = ownershipProblem(objects[i], namespace, result.metadata, owner, instanceLabels);
            if (problem !== undefined) {
                foreign.push(problem);
            }
        }
    });
    return { checked: objects.length, foreign, unreadable };
}

/** What acting on a report needs: whether this is a preview, and Pulumi's warning log. */
export interface OwnershipReportDependencies {
    readonly dryRun: boolean;
    readonly warn: (message: string) => void;
}

/**
 * Acts on a report: someone else's objects stop `preview` and `up`; objects that could not be read
 * stop `up` (which must not take them over unseen) and make a preview warn (it may run where the
 * cluster cannot be read, as the reachability check allows too).
 * @throws {ForeignObjectsError} listing every object that is not this stack's, or, on `up`, every one that could not be read.
 */
export function reportOwnership(report: OwnershipReport, deps: OwnershipReportDependencies): void {
    const list = (messages: readonly string[]) => messages.map((message) => `\n  - ${message}`).join("");
    if (report.foreign.length > 0) {
        throw new ForeignObjectsError(`webserver-sidecar: ${report.foreign.length} of the objects this stack would create `
            + `already exist${report.foreign.length === 1 ? "s" : ""} and ${report.foreign.length === 1 ? "is" : "are"} not this stack's; `
            + `nothing was created or changed:${list(report.foreign)}`);
    }
    if (report.unreadable.length === 0) {
        return;
    }
    const what = "could not check that the objects this stack would create are not someone else's";
    if (deps.dryRun) {
        deps.warn(`webserver-sidecar: ${what}:${list(report.unreadable)}\nThis preview did not check it; \`pulumi up\` will stop, creating nothing, until it can.`);
    } else {
        throw new ForeignObjectsError(`webserver-sidecar: ${what}; nothing was created or changed:${list(report.unreadable)}`);
    }
}

/**
 * Waits for the reachability check and the ownership reads, started together so that they overlap,
 * and acts on them in that order: a cluster that does not answer is reported as such (and on `up`
 * stops it) without the reads' own failures; a preview of a cluster that did not answer has said so
 * and skips the ownership report; otherwise the report is acted on ({@link reportOwnership}).
 * @throws what the reachability check throws, else what {@link reportOwnership} throws.
 */
export async function checkBeforeRegistering(
    reachability: Promise<ReachabilityOutcome>, ownership: Promise<OwnershipReport>, deps: OwnershipReportDependencies,
): Promise<void> {
    // Settled into a value at once: a rejection must not go unhandled while reachability is awaited.
    const settled = ownership.then((report) => ({ report }), (error: unknown) => ({ error }));
    const reached = await reachability;
    if (reached.checked && !reached.result.answered) {
        return;
    }
    const outcome = await settled;
    if ("error" in outcome) {
        throw outcome.error;
    }
    reportOwnership(outcome.report, deps);
}

/**
 * The program's ownership reads: every fixed-name object the component would create for `args`,
 * in its namespace (the provider's unless `args` names one), read from the cluster.
 * @param read the reader, by default {@link clusterMetadataReader} of `cluster`.
 */
export function inspectClusterOwnership(
    cluster: ClusterSettings, args: ResolvedWebServerArgs, stack: StackIdentity, read: MetadataReader = clusterMetadataReader(cluster),
): Promise<OwnershipReport> {
    return inspectOwnership(componentObjects(args), args.namespace ?? cluster.namespace, ownerOf(stack), args.selectorLabels, read);
}

/** The real dependencies of {@link reportOwnership}: whether this is a preview, and Pulumi's log. */
export function liveOwnershipReportDependencies(): OwnershipReportDependencies {
    return { dryRun: pulumi.runtime.isDryRun(), warn: (message) => void pulumi.log.warn(message) };
}
