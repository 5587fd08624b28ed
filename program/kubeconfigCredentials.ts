/**
 * Credentials must stay secret: an inline kubeconfig in stack config that holds a token, a client
 * key or a password must be a Pulumi secret. Plain config is written as is to
 * `Pulumi.<stack>.yaml`, which is committed with the project; a secret is stored encrypted there
 * and in the state.
 */
import { ConfigProblem } from "../components/errors";
import { isParsedKubeconfig, parseKubeconfig } from "./parseKubeconfig";

/** The stack config keys whose value may be a kubeconfig's contents: ours, and the provider's own. */
export const KUBECONFIG_CONFIG_KEYS = ["webserver-sidecar:kubeconfig", "kubernetes:kubeconfig"] as const;

/** The fields of a kubeconfig user that are credentials themselves (not paths to them). */
const USER_CREDENTIALS = ["token", "password", "client-key-data"];
/** The fields of an `auth-provider`'s config that are credentials (OIDC and the cloud plugins). */
const AUTH_PROVIDER_CREDENTIALS = ["access-token", "id-token", "refresh-token", "client-secret"];

/**
 * Where a kubeconfig document holds credentials, e.g. `users[0].user.token`; empty when it holds
 * none, or when it is not a kubeconfig document at all (such as a path).
 * An exec plugin's `env` values and `args` count as credentials: they are where a cloud key or a
 * token is handed to the plugin (`AWS_SECRET_ACCESS_KEY`, `--token`), and nothing tells those
 * apart from harmless ones.
 */
export function credentialFields(document: string): string[] {
    const parsed = parseKubeconfig(document);
    if (!isParsedKubeconfig(parsed)) {
        return []; // not a document: checkKubeconfig reports it
    }
    return parsed.users.flatMap(({ user }, index) => {
        const at = `users[${index}].user`;
        const authConfig = asRecord(asRecord(user["auth-provider"]).config);
        const exec = asRecord(user.exec);
        const execEnv = Array.isArray(exec.env) ? exec.env : [];
        return [
            ...USER_CREDENTIALS.filter((field) => nonEmpty(user[field])).map((field) => `${at}.${field}`),
            ...AUTH_PROVIDER_CREDENTIALS.filter((field) => nonEmpty(authConfig[field])).map((field) => `${at}.auth-provider.config.${field}`),
            ...execEnv.flatMap((entry: unknown, i) => (nonEmpty(asRecord(entry).value) ? [`${at}.exec.env[${i}].value`] : [])),
            ...(Array.isArray(exec.args) && exec.args.length > 0 ? [`${at}.exec.args`] : []),
        ];
    });
}

function asRecord(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function nonEmpty(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

/**
 * Refuses an inline kubeconfig with credentials that is set as plain config, showing the command
 * that sets it as a secret. The message names where the credentials are, never their values.
 * Pure: which keys are secret is passed in (the Pulumi runtime knows; see secretConfigKeys.ts).
 * @param rawConfig every config key of the stack (`project:key` → string).
 * @param secretKeys the keys whose values were set with `pulumi config set --secret`.
 * @returns the problems found (empty when all is well).
 */
export function plainCredentialProblems(rawConfig: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>): ConfigProblem[] {
    return KUBECONFIG_CONFIG_KEYS.flatMap((key) => {
        const value = rawConfig[key];
        if (value === undefined || secretKeys.has(key)) {
            return [];
        }
        const fields = credentialFields(value);
        if (fields.length === 0) {
            return [];
        }
        return [{
            key,
            value: `(an inline kubeconfig with credentials in plain config: ${fields.join(", ")})`,
            allowed: "a Pulumi secret, since plain config is written as is to Pulumi.<stack>.yaml (and so to git): "
                + `pulumi config set --secret ${key} "$(cat path/to/kubeconfig)"; or the path of a kubeconfig file`,
        }];
    });
}
