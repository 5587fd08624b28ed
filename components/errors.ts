import * as pulumi from "@pulumi/pulumi";
import { nearestWord } from "./validators";

/**
 * One problem with one input: which key, what value it had, and what is allowed.
 * Kept structured so that tests can match on each part and the message stays uniform.
 */
export interface ConfigProblem {
    /** The config key or component argument, e.g. `webserver-sidecar:service.port` or `logSizeLimit`. */
    readonly key: string;
    /** The value as the user wrote it (`undefined` when the problem is that it is missing). */
    readonly value: unknown;
    /** What would have been accepted, phrased to follow "allowed: ". */
    readonly allowed: string;
}

/** Renders a value the way the user typed it, so the message can be searched for in their config. */
export function describeValue(value: unknown): string {
    if (value === undefined) {
        return "(not set)";
    }
    // JSON quotes strings and shows objects as written in stack config; functions etc. fall back.
    return JSON.stringify(value) ?? String(value);
}

/** Formats one problem as a single line: `key: got "value"; allowed: ...`. */
export function formatProblem(problem: ConfigProblem): string {
    return `${problem.key}: got ${describeValue(problem.value)}; allowed: ${problem.allowed}`;
}

/** How a secret value appears in a message: never its contents, not even a part of them. */
export const SECRET_VALUE_SHOWN = "[secret]";

/**
 * The problems with the value of every secret key hidden: a value set with `--secret`, or given as
 * a secret Output, holds something its owner never wants printed, and an error message ends up in
 * CI logs and pull-request comments. A problem's key is the secret key itself or a part of it
 * (`service.port` of `service`, `serverConfig (log_format, line 4)` of `serverConfig`), alone or in
 * a pair (`a + b`).
 */
export function hideSecretValues(problems: readonly ConfigProblem[], secretKeys: ReadonlySet<string>): ConfigProblem[] {
    if (secretKeys.size === 0) {
        return [...problems];
    }
    // The secret key a key is part of: a part's name (an annotation's key, a file's path) is the
    // secret's too, so the message names the secret key alone.
    const secretOf = (key: string) => [...secretKeys].find((secret) =>
        key === secret || [".", "[", " "].some((separator) => key.startsWith(`${secret}${separator}`)));
    return problems.map((problem) => {
        const parts = problem.key.split(" + ");
        if (!parts.some((part) => secretOf(part) !== undefined)) {
            return problem;
        }
        return { ...problem, key: parts.map((part) => secretOf(part) ?? part).join(" + "), value: SECRET_VALUE_SHOWN };
    });
}

/**
 * Thrown before any resource is registered when stack config or component arguments are invalid.
 * It carries every problem found, not just the first, so one `pulumi preview` shows them all.
 * A RunError, so the CLI prints just the message: the problem is in the user's input, and a stack
 * trace of our code would only bury it.
 */
export class WebServerConfigError extends pulumi.RunError {
    readonly problems: readonly ConfigProblem[];

    constructor(problems: readonly ConfigProblem[]) {
        const lines = problems.map((p) => `  - ${formatProblem(p)}`);
        super(`invalid webserver-sidecar configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
        this.name = "WebServerConfigError";
        this.problems = problems;
    }
}

/**
 * Collects problems while inputs are checked, then throws them together.
 * Validators push into it instead of throwing, so later checks still run.
 */
export class ProblemList {
    private readonly problems: ConfigProblem[] = [];

    /** Records one problem. */
    add(key: string, value: unknown, allowed: string): void {
        this.problems.push({ key, value, allowed });
    }

    /** Records the problems of another list (e.g. one built by a nested validator). */
    addAll(problems: readonly ConfigProblem[]): void {
        this.problems.push(...problems);
    }

    /** Every problem recorded so far, in order. */
    get all(): readonly ConfigProblem[] {
        return [...this.problems];
    }

    /** True when nothing has been recorded. */
    get isEmpty(): boolean {
        return this.problems.length === 0;
    }

    /**
     * Throws every recorded problem at once.
     * @throws {WebServerConfigError} when at least one problem was recorded.
     */
    throwIfAny(): void {
        if (!this.isEmpty) {
            throw new WebServerConfigError(this.problems);
        }
    }
}

/**
 * Records each key of `value` that is not one of `known`, with the nearest known key as a hint: an
 * argument misspelled from JavaScript or through `as any` (`nginxImag`) would otherwise be dropped
 * and its default deployed. The message has the stack config's form (program/stackConfig.ts).
 * @param prefix the key of `value` in messages, ending in `.` for a nested object (`service.`).
 */
export function addUnknownKeys(value: object, known: readonly string[], prefix: string, problems: ProblemList): void {
    for (const [field, fieldValue] of Object.entries(value)) {
        if (!known.includes(field)) {
            const suggestion = nearestWord(field, known);
            problems.add(`${prefix}${field}`, fieldValue, `${suggestion ? `did you mean ${prefix}${suggestion}? ` : ""}known keys: ${known.join(", ")}`);
        }
    }
}
