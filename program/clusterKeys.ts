/**
 * Pulumi's conventional cluster keys. `kubernetes:kubeconfig`, `kubernetes:context` and
 * `kubernetes:namespace` configure Pulumi's default Kubernetes provider, the one a program gets
 * when it names none. This program deploys through an explicit provider (index.ts), which never
 * reads them; so that they are not silently ignored, they are read here as what a user means by
 * them: the same settings as `webserver-sidecar:kubeconfig`, `:context` and `:namespace`.
 */
import { describeValue, ProblemList } from "../components/errors";
import { isInlineKubeconfig } from "./kubeconfig";

/** The cluster settings that both config namespaces can hold. */
export type ClusterSetting = "kubeconfig" | "context" | "namespace";

/** The config namespace of Pulumi's default Kubernetes provider. */
export const PROVIDER_CONFIG_NAMESPACE = "kubernetes";

/** A setting's value and the key it was read from, so that messages name the key the user wrote. */
export interface KeyedValue {
    readonly key: string;
    readonly value: string;
}

/**
 * Reads one cluster setting from this project's key and from Pulumi's conventional key.
 * Either may be set; both may be, to values that mean the same.
 * @param setting which setting.
 * @param ours the value under this project's key, and that key, when set.
 * @param rawConfig every config key of the stack, where the `kubernetes:` key is looked up.
 * @param problems where a conflict is recorded.
 * @param sameValue whether two values mean the same (for example two spellings of one path);
 *   by default, whether they are equal strings.
 * @param secretKeys the keys set as Pulumi secrets: their values are never put into a message.
 * @returns the value and its key (this project's when both are set), or `undefined` when neither is
 *   set. When both are set to different values, a problem naming both keys and both values is
 *   recorded and this project's value is returned, so that the other checks still run.
 */
export function readClusterSetting(
    setting: ClusterSetting,
    ours: KeyedValue | undefined,
    rawConfig: Readonly<Record<string, string>>,
    problems: ProblemList,
    sameValue: (a: string, b: string) => boolean = (a, b) => a === b,
    secretKeys: ReadonlySet<string> = new Set(),
): KeyedValue | undefined {
    const key = `${PROVIDER_CONFIG_NAMESPACE}:${setting}`;
    const conventional = key in rawConfig ? { key, value: rawConfig[key] } : undefined;
    if (ours === undefined || conventional === undefined) {
        return ours ?? conventional;
    }
    if (!sameValue(ours.value, conventional.value)) {
        // An inline kubeconfig holds credentials, and a secret is a secret: name them, never print them.
        const shown = ({ key, value }: KeyedValue) => (secretKeys.has(key) ? "[secret]"
            : setting === "kubeconfig" && isInlineKubeconfig(value) ? "(inline contents)" : value);
        problems.add(ours.key, shown(ours),
            `the same value as ${conventional.key}, which sets the same ${setting} and is ${describeValue(shown(conventional))}: set only one of the two keys, or both alike`);
    }
    return ours;
}
