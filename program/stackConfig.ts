import { isDeepStrictEqual } from "util";
import { PlainWebServerArgs, SERVICE_KEYS, ServiceType, SidecarMode, checkArgs } from "../components/args";
import { ClusterSetting, KeyedValue, readClusterSetting } from "./clusterKeys";
import { ProblemList, WebServerConfigError, hideSecretValues } from "../components/errors";
import { KubeconfigEnvironment, KubeconfigSource, checkKubeconfig, kubeconfigSource, machineEnvironment } from "./kubeconfig";
import { plainCredentialProblems } from "./kubeconfigCredentials";
import { secretPlainOnlyProblems } from "./secretArgs";
import { DNS_LABEL_RULE, isDnsLabel, nearestWord } from "../components/validators";

/** The stack config namespace of this project: keys are `webserver-sidecar:<key>`. */
export const CONFIG_NAMESPACE = "webserver-sidecar";
const PREFIX = `${CONFIG_NAMESPACE}:`;

/** Every key this program reads, with what it means; an unknown key is an error, not ignored. */
export const CONFIG_KEYS = {
    kubeconfig: "path (or inline contents) of a kubeconfig; default: $KUBECONFIG, else ~/.kube/config",
    context: "a context of that kubeconfig; default: its current-context",
    namespace: "the namespace for the Pod and Service (a DNS-1123 label); default: default",
    service: "object { type: ClusterIP | NodePort | LoadBalancer, port: 1..65535, annotations?: {key: value}, loadBalancerSourceRanges?: [CIDR] }; default: no Service",
    nginxImage: "the nginx image, pinned (a tag other than latest, or a digest)",
    sidecarImage: "the log sidecar's image, pinned; it must provide python3",
    logSizeLimit: "sizeLimit of the shared-logs emptyDir, a Kubernetes quantity; default: 128Mi",
    sidecarMode: "native (init container with restartPolicy Always, Kubernetes 1.29+) | classic; default: native",
    networkPolicy: "true | false: a NetworkPolicy allowing ingress only to nginx's port 80 and no egress; default: true",
    allowFrom: "list of peers allowed to reach port 80, each { namespaceSelector?, podSelector? } or { cidr, except? }; default: any source",
    readyTimeoutSeconds: "seconds pulumi up waits for the Pod to become Ready before failing with the kubelet's reason, at least 10; default: 300",
    podLabels: "object of extra Pod labels (not app.kubernetes.io/name or /instance); the program always adds app: webserver",
    podAnnotations: "object of extra Pod annotations (not pulumi.com/waitFor, pulumi.com/timeoutSeconds or webserver-sidecar/files-sha256); default: none",
    resources: "object { nginx?: {requests?, limits?}, sidecar?: {requests?, limits?} } of quantities, merged over the defaults",
    nodeSelector: "object of node labels the Pod's node must have; default: any node",
    tolerations: "list of { key?, operator?: Equal | Exists, value?, effect?: NoSchedule | PreferNoSchedule | NoExecute, tolerationSeconds? }; default: none",
    affinity: "Kubernetes' Affinity object { nodeAffinity?, podAffinity?, podAntiAffinity? }; default: none",
    imagePullSecrets: "list of Secret names in the namespace, for private registries; default: none",
    hostUsers: "false: the Pod in its own user namespace (Kubernetes 1.36); default: unset (the node's)",
    content: "object of the site's text files, path → contents, with an index.html unless serverConfig answers /; default: the image's pages",
    binaryContent: "object of the site's binary files, path → base64 of their bytes (with content, at most 1 MiB); default: none",
    replicas: "1..100: that many Pods under a Deployment (rolling updates, a PodDisruptionBudget from 2); default: unset, the one bare Pod",
    serverConfig: "nginx server {} blocks replacing the image's default server; each must listen 80 on every address, logs stay the component's; default: the image's",
    readinessPath: "the absolute URL path nginx's readiness probe asks for, e.g. /healthz (no spaces, '?' or '#'); default: /",
    accessLogFormat: "combined | json: nginx's access lines, json one object per line; default: unset (the image's nginx.conf, combined)",
    contentFrom: "object { configMap: name } or { persistentVolumeClaim: name }: the site from the team's own object, mounted read-only; not with content or binaryContent; default: unset",
    uidAssignment: "pinned (uid and gid 10101) | platform (the uid the platform's admission assigns, e.g. OpenShift's restricted-v2); default: pinned",
    ingress: "object { hosts: [host], path?, ingressClassName?, tlsSecretName?, annotations?, controller?: { namespace, podLabels } }: an Ingress to the Service (which it needs); a controller named is what the NetworkPolicy admits; default: unset",
    httpRoute: "object { parentRefs: [{ name, namespace?, sectionName? }], hostnames?, path?, controller?: { namespace, podLabels } }: a Gateway API HTTPRoute to the Service (which it needs); default: unset",
    autoscaling: "object { minReplicas?: 1.., maxReplicas: ..100, targetCPUUtilizationPercentage?: 1..1000 }: a HorizontalPodAutoscaler sizes the Deployment by CPU (defaults 1 and 80), which starts at replicas or minReplicas; up never resets its count; default: unset",
} as const;
type ConfigKey = keyof typeof CONFIG_KEYS;

/** The namespace used when none is configured. */
export const DEFAULT_NAMESPACE = "default";

/** Where and how to reach the cluster: what the program builds its `k8s.Provider` from. */
export interface ClusterSettings {
    readonly kubeconfig: KubeconfigSource;
    /** `undefined`: the kubeconfig's current-context. */
    readonly context: string | undefined;
    readonly namespace: string;
}

/** The stack's configuration, checked: the cluster to deploy to and the component's arguments. */
export interface StackConfig {
    readonly cluster: ClusterSettings;
    /** The component's arguments as the stack gives them: plain values, checked. */
    readonly webServer: PlainWebServerArgs;
}

/**
 * Reads and checks every `webserver-sidecar:` key of the stack, reporting all problems at once.
 * It takes the raw config map (`pulumi.runtime.allConfig()`): Pulumi's typed getters throw on the
 * first bad key and cannot list the keys, so they could neither collect problems nor catch typos.
 * Pure apart from reading the kubeconfig (through `env`).
 * @param rawConfig every config key of the stack (`project:key` → string; objects as JSON).
 * @param env where kubeconfig files are read from.
 * @param secretKeys the keys of `rawConfig` set as Pulumi secrets (see secretConfigKeys.ts): an
 *   inline kubeconfig holding credentials must be one of them.
 * @throws {WebServerConfigError} naming each bad key, its value and what is allowed.
 */
export function readStackConfig(
    rawConfig: Readonly<Record<string, string>>, env: KubeconfigEnvironment = machineEnvironment(), secretKeys: ReadonlySet<string> = new Set(),
): StackConfig {
    const problems = new ProblemList();
    const values = new Map<ConfigKey, string>();
    for (const [fullKey, value] of Object.entries(rawConfig)) {
        if (!fullKey.startsWith(PREFIX)) {
            continue; // other namespaces are not ours to judge (the cluster keys of kubernetes: are read below)
        }
        const key = fullKey.slice(PREFIX.length);
        if (key in CONFIG_KEYS) {
            values.set(key as ConfigKey, value);
        } else {
            const suggestion = nearestWord(key, Object.keys(CONFIG_KEYS));
            problems.add(fullKey, value, `${suggestion ? `did you mean ${PREFIX}${suggestion}? ` : ""}known keys: ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }

    // The cluster settings may also come from Pulumi's conventional kubernetes: keys (clusterKeys.ts).
    const clusterSetting = (setting: ClusterSetting, sameValue?: (a: string, b: string) => boolean): KeyedValue | undefined => {
        const ours = values.get(setting);
        return readClusterSetting(setting, ours !== undefined ? { key: `${PREFIX}${setting}`, value: ours } : undefined, rawConfig, problems, sameValue, secretKeys);
    };

    const namespaceSetting = clusterSetting("namespace");
    const namespace = namespaceSetting?.value ?? DEFAULT_NAMESPACE;
    if (namespaceSetting !== undefined && !isDnsLabel(namespace)) {
        problems.add(namespaceSetting.key, namespace, DNS_LABEL_RULE);
    }

    const webServer: PlainWebServerArgs = {
        nginxImage: values.get("nginxImage"),
        sidecarImage: values.get("sidecarImage"),
        logSizeLimit: values.get("logSizeLimit"),
        sidecarMode: values.get("sidecarMode") as SidecarMode | undefined,
        service: parseService(values.get("service"), problems),
        readyTimeoutSeconds: parseWholeNumber(values.get("readyTimeoutSeconds")),
        networkPolicy: parseBoolean(values.get("networkPolicy")),
        allowFrom: parseJson(values.get("allowFrom")) as PlainWebServerArgs["allowFrom"],
        // Structured values arrive as JSON; their shapes are checked by checkArgs, like the rest.
        podLabels: parseJson(values.get("podLabels")) as PlainWebServerArgs["podLabels"],
        podAnnotations: parseJson(values.get("podAnnotations")) as PlainWebServerArgs["podAnnotations"],
        resources: parseJson(values.get("resources")) as PlainWebServerArgs["resources"],
        nodeSelector: parseJson(values.get("nodeSelector")) as PlainWebServerArgs["nodeSelector"],
        tolerations: parseJson(values.get("tolerations")) as PlainWebServerArgs["tolerations"],
        affinity: parseJson(values.get("affinity")) as PlainWebServerArgs["affinity"],
        imagePullSecrets: parseJson(values.get("imagePullSecrets")) as PlainWebServerArgs["imagePullSecrets"],
        hostUsers: parseBoolean(values.get("hostUsers")),
        content: parseJson(values.get("content")) as PlainWebServerArgs["content"],
        binaryContent: parseJson(values.get("binaryContent")) as PlainWebServerArgs["binaryContent"],
        serverConfig: values.get("serverConfig"),
        replicas: parseWholeNumber(values.get("replicas")),
        readinessPath: values.get("readinessPath"),
        accessLogFormat: values.get("accessLogFormat") as PlainWebServerArgs["accessLogFormat"],
        contentFrom: parseJson(values.get("contentFrom")) as PlainWebServerArgs["contentFrom"],
        uidAssignment: values.get("uidAssignment") as PlainWebServerArgs["uidAssignment"],
        autoscaling: parseJson(values.get("autoscaling")) as PlainWebServerArgs["autoscaling"],
        ingress: parseJson(values.get("ingress")) as PlainWebServerArgs["ingress"],
        httpRoute: parseJson(values.get("httpRoute")) as PlainWebServerArgs["httpRoute"],
    };
    const webServerCheck = checkArgs(webServer, { keyPrefix: PREFIX });
    if (!webServerCheck.ok) {
        problems.addAll(webServerCheck.problems);
    }

    // Two spellings of one file (`~/k.yaml` and `/home/me/k.yaml`) are the same kubeconfig.
    const kubeconfigSetting = clusterSetting("kubeconfig", (a, b) => isDeepStrictEqual(kubeconfigSource(a, env), kubeconfigSource(b, env)));
    const contextSetting = clusterSetting("context");
    const kubeconfig = kubeconfigSource(kubeconfigSetting?.value, env);
    const context = contextSetting?.value;
    problems.addAll(checkKubeconfig(kubeconfig, context, env, {
        kubeconfig: kubeconfigSetting?.key ?? `${PREFIX}kubeconfig`,
        context: contextSetting?.key ?? `${PREFIX}context`,
    }));
    problems.addAll(plainCredentialProblems(rawConfig, secretKeys));
    problems.addAll(secretPlainOnlyProblems(secretKeys));

    if (!problems.isEmpty) {
        throw new WebServerConfigError(hideSecretValues(problems.all, secretKeys));
    }
    return { cluster: { kubeconfig, context, namespace }, webServer };
}

/** `true`/`false` as booleans; anything else is passed on as given, for resolveArgs to report. */
function parseBoolean(raw: string | undefined): boolean | undefined {
    return raw === "true" ? true : raw === "false" ? false : (raw as boolean | undefined);
}

/** Digits as the number they are (config values are strings); anything else is passed on as given, for resolveArgs to report. */
function parseWholeNumber(raw: string | undefined): number | undefined {
    return raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : (raw as number | undefined);
}

/** A JSON value (lists and objects arrive as JSON); a string that is not JSON is passed on as given, for resolveArgs to report. */
function parseJson(raw: string | undefined): unknown {
    if (raw === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** Parses the `service` object; its fields are checked with the other arguments by resolveArgs. */
function parseService(raw: string | undefined, problems: ProblemList): PlainWebServerArgs["service"] {
    if (raw === undefined) {
        return undefined;
    }
    const allowed = CONFIG_KEYS.service;
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        parsed = raw; // a plain string such as `NodePort`: reported below
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.add(`${PREFIX}service`, parsed, allowed);
        return undefined;
    }
    const fields = parsed as Record<string, unknown>;
    for (const field of Object.keys(fields)) {
        if (!SERVICE_KEYS.includes(field)) {
            problems.add(`${PREFIX}service.${field}`, fields[field], `only the fields ${SERVICE_KEYS.join(", ")}${field.toLowerCase().includes("port") ? " (did you mean port?)" : ""}`);
        }
    }
    // `pulumi config set --path ...service.port 8080` stores a string: accept it as the number it is.
    const port = typeof fields.port === "string" && /^[0-9]+$/.test(fields.port) ? Number(fields.port) : fields.port;
    return {
        type: fields.type as ServiceType | undefined,
        port: port as number | undefined,
        ...(fields.annotations !== undefined ? { annotations: fields.annotations as Record<string, string> } : {}),
        ...(fields.loadBalancerSourceRanges !== undefined ? { loadBalancerSourceRanges: fields.loadBalancerSourceRanges as string[] } : {}),
    };
}
