/**
 * Which stack config keys are Pulumi secrets: the one thing `pulumi.runtime.allConfig()` does not
 * say. The language host passes them to the program (PULUMI_CONFIG_SECRET_KEYS), and
 * `@pulumi/pulumi` answers for one key with `runtime.isConfigSecret`, which it exports but marks
 * internal, so its type is not published: it is declared here. Going through it (rather than the
 * environment variable) also sees the secret keys that `runtime.setAllConfig` gives under mocks.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module the SDK's typings do not publish
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };

/**
 * The keys of `rawConfig` whose values are secrets.
 * @throws {Error} when the installed `@pulumi/pulumi` no longer provides `isConfigSecret`: without it,
 *   a secret could not be told from plain config, and guessing either way would be wrong.
 */
export function secretConfigKeys(rawConfig: Readonly<Record<string, string>>): Set<string> {
    const isConfigSecret = runtimeConfig.isConfigSecret;
    if (typeof isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi/runtime/config no longer exports isConfigSecret: update program/secretConfigKeys.ts");
    }
    // Older language hosts name keys `project:config:key`; allConfig() has already dropped `:config:`.
    const isSecret = (key: string) => isConfigSecret(key) || isConfigSecret(key.replace(":", ":config:"));
    return new Set(Object.keys(rawConfig).filter(isSecret));
}

/**
 * Which of the cluster settings that the provider takes as plain inputs were set as secrets, under
 * this project's key or Pulumi's conventional `kubernetes:` one (clusterKeys.ts).
 */
export function secretClusterSettings(secretKeys: ReadonlySet<string>): Set<"context" | "namespace"> {
    const settings = ["context", "namespace"] as const;
    return new Set(settings.filter((setting) => secretKeys.has(`webserver-sidecar:${setting}`) || secretKeys.has(`kubernetes:${setting}`)));
}
