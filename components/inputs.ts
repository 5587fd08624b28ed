/**
 * Arguments that may hold Outputs: which parts are known now, so that they can be checked before
 * anything is registered, and the rest checked once known (pulumi-eks's `validatedInput`, for a
 * whole argument object).
 */
import * as pulumi from "@pulumi/pulumi";
import { PlainWebServerArgs, ResolvedWebServerArgs, WebServerArgs, resolveArgs } from "./args";
import { ProblemList } from "./errors";

/** Whether `value` is an Output or a Promise, or holds one anywhere inside (lists, plain objects). */
export function holdsUnknown(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(holdsUnknown);
    }
    if (isPlainObject(value)) {
        return Object.values(value).some(holdsUnknown);
    }
    return false;
}

/**
 * The fields of `args` that hold no Output or Promise, and the names of those that do. A field is
 * left out whole, never in part: a check across its parts (a peer's `cidr` and `except`) must not
 * see half of it. Checking the known fields alone applies the defaults to the others, which only
 * ever passes a check that the full check then makes.
 */
export function splitKnown<T extends object>(args: T): { readonly known: Partial<T>; readonly deferred: readonly string[] } {
    const known: Partial<T> = {};
    const deferred: string[] = [];
    for (const [field, value] of Object.entries(args)) {
        if (holdsUnknown(value)) {
            deferred.push(field);
        } else {
            (known as Record<string, unknown>)[field] = value;
        }
    }
    return { known, deferred };
}

/**
 * Every argument, Outputs included, resolved once its values are known: the same check as for plain
 * values, so a bad Output value fails with the same message. The Output fails (and with it every
 * resource built from it, and so the `up`) with the {@link WebServerConfigError}.
 * @param name the component's name.
 */
export function resolveWhenKnown(name: string, args: WebServerArgs): pulumi.Output<ResolvedWebServerArgs> {
    return pulumi.output(args).apply((plain) => resolveArgs(plain as PlainWebServerArgs, { name }));
}

/**
 * The fields in `plainOnly` given as an Output or a Promise: they decide which resources exist or
 * how they are named, which must be known when the component is constructed.
 */
export function plainOnlyProblems(args: object, plainOnly: readonly string[], problems: ProblemList): void {
    for (const [field, value] of Object.entries(args)) {
        if (plainOnly.includes(field) && (pulumi.Output.isInstance(value) || value instanceof Promise)) {
            problems.add(field, "(an Output)", "a plain value: it decides which resources exist or their names, which must be known when the WebServer is constructed");
        }
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
