/**
 * The arguments as each part of the component reads them, so that an unknown or secret argument
 * stays where it is used (STYLE.md 20). Resolving every argument in one Output would make the
 * whole of it unknown in a preview when one image is an Output of a build, and secret when one
 * annotation is a secret: the Deployment's selector, the Service's spec and the NetworkPolicy
 * would follow, although none of them reads either.
 *
 * Each part names the arguments its builder reads ({@link ArgScope}). Its Output waits for those
 * alone; the other arguments that hold Outputs are at their defaults there, which that builder
 * never reads (test/scopedArgs.test.ts builds every part with every argument held in an Output,
 * and compares with the plain build). A bad value still fails the part that reads it, with the same
 * message, and in an `up` (where every value becomes known) every part also waits for the check of
 * all the arguments together, so that a bad value creates nothing at all.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlainWebServerArgs, ResolvedWebServerArgs, WebServerArgs, resolveArgs } from "./args";
import { holdsUnknown } from "./inputs";

/** An argument's name. */
export type ArgName = keyof WebServerArgs;

/**
 * Which arguments each part of the component reads, beyond those that must be plain (podName,
 * autoName, networkPolicy, service's presence, replicas) and so are always known.
 */
export const ArgScope = {
    /** The namespace of every object. */
    namespace: ["namespace"],
    /** The NetworkPolicy's spec. */
    networkPolicy: ["networkPolicy", "allowFrom"],
    /** The Service's spec and annotations. */
    service: ["service"],
    /** The Pod's (or the Pod template's) labels. */
    podLabels: ["podLabels"],
    /** The Pod's (or the Pod template's) annotations: the user's and the digest of the files. */
    podAnnotations: ["podAnnotations", "content", "binaryContent", "serverConfig", "readinessPath", "accessLogFormat", "contentFrom"],
    /** The files of the site and the server block, and so the ConfigMaps' data and names. */
    files: ["content", "binaryContent", "serverConfig", "readinessPath", "accessLogFormat"],
    /** How long `up` waits. */
    readyTimeout: ["readyTimeoutSeconds"],
    /** The Pod's spec, without its images (see {@link IMAGE_ARGS}). */
    podSpec: [
        "logSizeLimit", "sidecarMode", "terminationGracePeriodSeconds", "resources", "nodeSelector", "tolerations", "affinity",
        "imagePullSecrets", "hostUsers", "content", "binaryContent", "serverConfig", "readinessPath", "accessLogFormat", "contentFrom", "uidAssignment",
    ],
} as const satisfies Record<string, readonly ArgName[]>;

/** The images: each goes into one container's `image` and nowhere else, so it can stay a leaf of the spec. */
export const IMAGE_ARGS = ["nginxImage", "sidecarImage"] as const satisfies readonly ArgName[];

/** The arguments as the parts of one component read them. */
export class ScopedArgs {
    private readonly gate: pulumi.Output<boolean>;

    /**
     * @param name the component's name.
     * @param args the arguments as given.
     * @param known the arguments that hold no Output, checked already (with defaults for the others).
     * @param deferred the names of the arguments that hold an Output or a Promise.
     */
    constructor(
        private readonly name: string,
        private readonly args: WebServerArgs,
        readonly known: ResolvedWebServerArgs,
        private readonly deferred: readonly string[],
    ) {
        // The check of everything together, in an `up` only: a preview has no value for an unknown
        // argument to check, and waiting for it there would make every part unknown. Its result
        // says nothing of the values, so it is never secret.
        this.gate = deferred.length === 0 || pulumi.runtime.isDryRun() ? pulumi.output(true)
            : pulumi.unsecret(this.resolveFields(deferred as ArgName[]).apply(() => true));
    }

    /** Whether any of `scope` holds an Output: if not, {@link known} has their values now. */
    isKnown(scope: readonly ArgName[]): boolean {
        return !scope.some((field) => this.deferred.includes(field));
    }

    /**
     * The resolved arguments once the arguments of `scope` are known, and (in an `up`) all of them
     * are valid. Unknown in a preview only when one of `scope` is; secret only when one of `scope` is.
     * Fails with the {@link WebServerConfigError} of a bad value of `scope`, naming the argument but,
     * for a secret one, not its value.
     */
    resolved(scope: readonly ArgName[]): pulumi.Output<ResolvedWebServerArgs> {
        return pulumi.all([this.gate, this.resolveFields(scope)]).apply(([, resolved]) => resolved);
    }

    /** The arguments resolved once those of `scope` that hold Outputs are known, naming none of the secret ones' values in a problem. */
    private resolveFields(scope: readonly ArgName[]): pulumi.Output<ResolvedWebServerArgs> {
        const fields = scope.filter((field) => this.deferred.includes(field));
        const values = fields.map((field) => pulumi.output(this.args[field] as pulumi.Input<unknown>));
        // Whether each is secret: known at once, and never secret itself.
        const secrets = pulumi.output(Promise.all(values.map((value) => pulumi.isSecret(value)))) as pulumi.Output<boolean[]>;
        return pulumi.all([secrets, pulumi.all(values)]).apply(([secretFlags, plain]) => {
            const given: Record<string, unknown> = { ...knownArgs(this.args) };
            fields.forEach((field, i) => { given[field] = plain[i]; });
            const secretKeys = new Set(fields.filter((_, i) => secretFlags[i]));
            return resolveArgs(given as PlainWebServerArgs, { name: this.name, secretKeys });
        });
    }

    /**
     * What `build` makes of the arguments of `scope`: a plain value when they are all known now
     * (in an `up` with other arguments held in Outputs, an Output waiting for the check of them all),
     * else an Output of {@link resolved}.
     */
    part<T>(scope: readonly ArgName[], build: (resolved: ResolvedWebServerArgs) => T): pulumi.Input<T> {
        if (!this.isKnown(scope)) {
            return this.resolved(scope).apply(build);
        }
        return this.deferred.length === 0 || pulumi.runtime.isDryRun() ? build(this.known) : this.gate.apply(() => build(this.known));
    }

    /** One image, checked: its own part, so that an image built in the same `up` leaves the rest of the spec known. */
    image(field: (typeof IMAGE_ARGS)[number]): pulumi.Input<string> {
        return this.part([field], (resolved) => resolved[field]);
    }
}

/** The arguments that hold no Output, as given (the defaults apply to the others). */
function knownArgs(args: WebServerArgs): Record<string, unknown> {
    return Object.fromEntries(Object.entries(args).filter(([, value]) => !holdsUnknown(value)));
}
