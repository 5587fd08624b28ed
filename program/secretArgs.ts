/**
 * Stack keys set with `--secret` stay secret from the config read to the last field that carries
 * them (issue 27, item 7; STYLE.md 20). `pulumi.runtime.allConfig()` hands the program every value
 * as a plain string, so a secret annotation would otherwise be stored in plain text in the state
 * and shown by `preview --diff`: each argument read from a secret key is wrapped in
 * `pulumi.secret` again, and the component keeps it to the fields it reaches (scopedArgs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { PlainWebServerArgs, WebServerArgs } from "../components/args";
import { ConfigProblem } from "../components/errors";

/** The stack config namespace: keys are `webserver-sidecar:<argument>`. */
const PREFIX = "webserver-sidecar:";

/**
 * The arguments that decide which objects exist, or their names: they must be plain, so that a
 * preview can show the objects; a secret could only be printed in their names and counts.
 */
export const PLAIN_ONLY_KEYS = ["networkPolicy", "replicas", "autoscaling", "ingress", "httpRoute"] as const;

/**
 * The arguments with each one read from a secret key held in `pulumi.secret`. The Service's
 * presence decides whether it exists, so a secret `service` has its fields made secret instead.
 * @param secretKeys the stack's secret keys (secretConfigKeys.ts), `webserver-sidecar:<argument>`.
 */
export function withSecretArgs(args: PlainWebServerArgs, secretKeys: ReadonlySet<string>): WebServerArgs {
    const secret = Object.entries(args).map(([field, value]): [string, unknown] => {
        if (value === undefined || !secretKeys.has(`${PREFIX}${field}`)) {
            return [field, value];
        }
        if (field === "service") {
            const fields = Object.entries(value as object).filter(([, inner]) => inner !== undefined);
            return [field, Object.fromEntries(fields.map(([key, inner]) => [key, pulumi.secret(inner)]))];
        }
        return [field, pulumi.secret(value)];
    });
    return Object.fromEntries(secret) as WebServerArgs;
}

/** A problem for each plain-only key that was set as a secret (see {@link PLAIN_ONLY_KEYS}). */
export function secretPlainOnlyProblems(secretKeys: ReadonlySet<string>): ConfigProblem[] {
    return PLAIN_ONLY_KEYS.filter((key) => secretKeys.has(`${PREFIX}${key}`)).map((key) => ({
        key: `${PREFIX}${key}`,
        value: "[secret]",
        allowed: `a plain value (pulumi config set ${PREFIX}${key} VALUE, without --secret): it decides which objects exist, which a preview shows`,
    }));
}
