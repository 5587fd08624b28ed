import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARG_KEYS, PlainWebServerArgs, ResolvedWebServerArgs, WebServerArgs, checkArgs } from "./args";
import { ProblemList, WebServerConfigError, addUnknownKeys } from "./errors";
import { plainOnlyProblems, resolveWhenKnown, splitKnown } from "./inputs";
import { childName } from "./naming";
import { buildNetworkPolicySpec } from "./networkPolicySpec";
import { currentStack, ownerAnnotations } from "./ownership";
import { buildReadinessAnnotations, buildReadinessTimeouts } from "./podReadiness";
import {
    CONFIG_MAP_ROLES, ConfigMapData, FILES_DIGEST_ANNOTATION, PodConfigMapNames, buildServerConfigMapData, buildShipperConfigMapData,
    buildSiteConfigMapData, configMapNamesFor, podFilesDigest,
} from "./podFiles";
import { buildPodSpec } from "./podSpec";
import { buildServiceSpec } from "./serviceSpec";
import { MIN_REPLICAS_FOR_BUDGET, buildDeploymentSpec, buildPodDisruptionBudgetSpec } from "./workloadSpec";

/** The Pulumi type token of the component. */
export const WEB_SERVER_TYPE = "webserver-sidecar:index:WebServer";

/** The arguments that must be plain values: they decide which resources exist and their names. */
const PLAIN_ONLY_ARGS = ["podName", "autoName", "networkPolicy", "service", "replicas"] as const;

/**
 * nginx with a log-shipping sidecar in one Pod, a NetworkPolicy closing it (unless turned off), and
 * optionally a Service in front of it.
 * The tutorial's Pod, hardened: docs/security.md and docs/shipper.md give each choice.
 *
 * Children are created with `{ parent: this }`, so they use the provider given to this component
 * (`providers: { kubernetes: p }` or `provider: p` in its options).
 */
export class WebServer extends pulumi.ComponentResource {
    /** The Pod, or `undefined` with `replicas` (the Deployment runs the Pods then). */
    readonly pod: k8s.core.v1.Pod | undefined;
    /** The Pod's Kubernetes name, or `undefined` with `replicas` (the Pods' names are generated: list them by {@link selectorLabels}). */
    readonly podName: pulumi.Output<string> | undefined;
    /** The Deployment running the Pods, with `replicas`; otherwise `undefined`. */
    readonly deployment: k8s.apps.v1.Deployment | undefined;
    /** The PodDisruptionBudget, with 2 or more `replicas`; otherwise `undefined`. */
    readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
    /** The labels that select this instance's Pods, and only them (its Service and NetworkPolicy select on them). */
    readonly selectorLabels: pulumi.Output<Record<string, string>>;
    /** The Service, or `undefined` when no Service was asked for. */
    readonly service: k8s.core.v1.Service | undefined;
    /** The Service's Kubernetes name, or `undefined` when no Service was asked for. */
    readonly serviceName: pulumi.Output<string> | undefined;
    /** The NetworkPolicy, or `undefined` when `networkPolicy` is false. */
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy | undefined;
    /** The NetworkPolicy's Kubernetes name, or `undefined` when `networkPolicy` is false. */
    readonly networkPolicyName: pulumi.Output<string> | undefined;
    /** The ConfigMap holding the log shipper's program, which the sidecar runs. */
    readonly shipperConfigMap: k8s.core.v1.ConfigMap;
    /** The ConfigMap holding the site (`content`, `binaryContent`), or `undefined` when none was given. */
    readonly siteConfigMap: k8s.core.v1.ConfigMap | undefined;
    /** The ConfigMap holding the server block (`serverConfig`), or `undefined` when none was given. */
    readonly serverConfigMap: k8s.core.v1.ConfigMap | undefined;

    /**
     * @param name the Pulumi name of the component; its children are named `<name>-pod`, `<name>-service`,
     *   `<name>-network-policy` and `<name>-shipper` (with `<name>-content` and `<name>-server-config`
     *   when given), and, unless `podName` or `autoName` says otherwise, their Kubernetes objects are
     *   named `<name>` (the ConfigMaps `<name>-<role>`).
     * @param args see {@link WebServerArgs}; all optional.
     * @throws {WebServerConfigError} before anything is registered, when a plain argument is invalid;
     *   an argument holding an Output fails the `up` with the same message once its value is known.
     */
    constructor(name: string, args: WebServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Validate first: a bad plain argument must fail before the component itself is registered.
        const early = checkEarly(name, args);
        super(WEB_SERVER_TYPE, name, {}, opts);

        // Every argument, Outputs included, checked again once known: the specs are built from this.
        const resolved = resolveWhenKnown(name, args);
        const selectorLabels = resolved.apply((r) => r.selectorLabels);
        // The name is known now (podName is plain), so a preview shows it even while an Output is not.
        const metadata = {
            name: early.resolved.podName,
            // Only when given: unset, the provider's namespace applies (and an existing stack sees no change).
            ...(args.namespace !== undefined ? { namespace: resolved.apply((r) => r.namespace ?? "") } : {}),
            labels: selectorLabels,
            // On every object: the stack that created it, so that a later preview or up can tell it from
            // an object of the same name that someone else made (ownership.ts). The Pod and the Service
            // replace these annotations with their own, into which these are spread (last: args.ts reserves the key).
            annotations: ownerAnnotations(currentStack(pulumi)),
        };

        // The policy goes first and the Pod waits for it, so that the Pod never runs unprotected.
        this.networkPolicy = early.resolved.networkPolicy === undefined ? undefined : new k8s.networking.v1.NetworkPolicy(childName(name, "network-policy"), {
            metadata,
            spec: resolved.apply((r) => buildNetworkPolicySpec(r.networkPolicy!, r.selectorLabels)),
        }, { parent: this });
        this.networkPolicyName = this.networkPolicy?.metadata.name;

        // The files the Pod reads, each kind in its own ConfigMap (podFiles.ts). Whether each exists is
        // known now: the argument is given or not, even while its value is an Output.
        const configMap = (role: keyof typeof CONFIG_MAP_ROLES, data: pulumi.Output<ConfigMapData>) => new k8s.core.v1.ConfigMap(childName(name, CONFIG_MAP_ROLES[role]), {
            metadata: { ...metadata, name: early.resolved.podName === undefined ? undefined : `${early.resolved.podName}-${CONFIG_MAP_ROLES[role]}` },
            data: data.apply((d) => d.data),
            // Undefined when there are no binary files: the property is then left out, not sent empty.
            binaryData: data.apply((d) => d.binaryData) as pulumi.Output<Record<string, string>>,
        }, { parent: this });
        this.shipperConfigMap = configMap("shipper", pulumi.output(buildShipperConfigMapData()));
        this.siteConfigMap = args.content === undefined && args.binaryContent === undefined ? undefined
            : configMap("site", resolved.apply((r) => buildSiteConfigMapData(r.site ?? [])));
        this.serverConfigMap = args.serverConfig === undefined ? undefined
            : configMap("serverConfig", resolved.apply((r) => buildServerConfigMapData(r.serverConfig ?? "")));
        // Under a fixed name, the Pod refers to its ConfigMaps by that name, not by their outputs: a
        // ConfigMap whose files change is replaced (deleted first: the provider treats ConfigMaps
        // as immutable), and a property that depends on a resource so replaced becomes unknown in
        // Pulumi's plan, which would make it replace the Deployment whole (its selector unknown)
        // instead of rolling it. The ConfigMaps still come first (dependsOn). Auto-named, a
        // ConfigMap's replacement gets a new name, which the Pod must follow: its outputs then.
        const configMapNames: pulumi.Output<PodConfigMapNames> = early.resolved.podName !== undefined
            ? resolved.apply((r) => configMapNamesFor(early.resolved.podName!, r))
            : pulumi.all([this.shipperConfigMap.metadata.name, this.siteConfigMap?.metadata.name, this.serverConfigMap?.metadata.name])
                .apply(([shipper, site, serverConfig]) => ({ shipper, site, serverConfig }));

        // `up` waits for Ready until readyTimeoutSeconds, then fails with the kubelet's reason (podReadiness.ts).
        // An Output timeout cannot be a resource option: it goes in the provider's annotation instead.
        const timeoutIsOutput = early.deferred.includes("readyTimeoutSeconds");
        const dependsOn = [this.networkPolicy, this.shipperConfigMap, this.siteConfigMap, this.serverConfigMap].filter((r) => r !== undefined);
        const customTimeouts = timeoutIsOutput ? undefined : buildReadinessTimeouts(early.resolved.readyTimeoutSeconds);
        // The user's annotations, then the component's, which the user's may not set (args.ts).
        const filesAnnotations = resolved.apply((r) => ({ ...r.podAnnotations, [FILES_DIGEST_ANNOTATION]: podFilesDigest(r) }));
        if (early.resolved.replicas === undefined) {
            this.pod = new k8s.core.v1.Pod(childName(name, "pod"), {
                metadata: {
                    ...metadata,
                    labels: resolved.apply((r) => r.podLabels),
                    annotations: pulumi.all([resolved, filesAnnotations]).apply(([r, annotations]) => ({
                        ...annotations, ...buildReadinessAnnotations(timeoutIsOutput ? r.readyTimeoutSeconds : undefined), ...metadata.annotations,
                    })),
                },
                spec: pulumi.all([resolved, configMapNames]).apply(([r, names]) => buildPodSpec(r, names)),
            }, {
                parent: this,
                dependsOn,
                customTimeouts,
                // nginx and the shipper read their files once, at start: new files need a new Pod. A Pod's
                // annotation may change in place, so the digest of the files is made a reason to replace it.
                replaceOnChanges: [`metadata.annotations["${FILES_DIGEST_ANNOTATION}"]`],
                // A fixed name cannot be held by two Pods: the old one goes first (the provider does the
                // same when it replaces a Pod for a change to its spec). Auto-named, the new one starts first.
                deleteBeforeReplace: early.resolved.podName !== undefined,
            });
            this.deployment = undefined;
        } else {
            // The provider's own Deployment await waits for the rollout (every Pod of the new revision
            // Ready and available) and fails when the controller reports ProgressDeadlineExceeded,
            // which the spec sets to readyTimeoutSeconds: no Pod annotation is needed here.
            this.deployment = new k8s.apps.v1.Deployment(childName(name, "deployment"), {
                metadata,
                spec: pulumi.all([resolved, configMapNames, filesAnnotations]).apply(([r, names, annotations]) => buildDeploymentSpec(r, names, annotations)),
            }, { parent: this, dependsOn, customTimeouts });
            this.pod = undefined;
        }
        this.podDisruptionBudget = (early.resolved.replicas ?? 0) < MIN_REPLICAS_FOR_BUDGET ? undefined
            : new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), {
                metadata,
                spec: resolved.apply((r) => buildPodDisruptionBudgetSpec(r.selectorLabels)),
            }, { parent: this });
        this.podName = this.pod?.metadata.name;
        this.selectorLabels = selectorLabels;

        this.service = args.service === undefined ? undefined : new k8s.core.v1.Service(childName(name, "service"), {
            metadata: args.service.annotations === undefined ? metadata : { ...metadata, annotations: resolved.apply((r) => ({ ...r.service?.annotations, ...metadata.annotations })) },
            spec: resolved.apply((r) => buildServiceSpec(r.service!, r.selectorLabels)),
        }, { parent: this });
        this.serviceName = this.service?.metadata.name;

        this.registerOutputs({
            pod: this.pod,
            podName: this.podName,
            deployment: this.deployment,
            podDisruptionBudget: this.podDisruptionBudget,
            selectorLabels: this.selectorLabels,
            service: this.service,
            serviceName: this.serviceName,
            networkPolicy: this.networkPolicy,
            networkPolicyName: this.networkPolicyName,
            shipperConfigMap: this.shipperConfigMap,
            siteConfigMap: this.siteConfigMap,
            serverConfigMap: this.serverConfigMap,
        });
    }
}

/**
 * Checks what is known at construction: every argument that holds no Output (with the defaults in
 * place of the others), and that the plain-only arguments are plain.
 * @throws {WebServerConfigError} naming every problem found.
 */
function checkEarly(name: string, args: WebServerArgs): { resolved: ResolvedWebServerArgs; deferred: readonly string[] } {
    const problems = new ProblemList();
    plainOnlyProblems(args, PLAIN_ONLY_ARGS, problems);
    const { known, deferred } = splitKnown(args);
    // A misspelled key is an error whatever its value: checkArgs sees the plain ones, these the rest.
    const unknownOutputs = deferred.filter((field) => !ARG_KEYS.includes(field));
    addUnknownKeys(Object.fromEntries(unknownOutputs.map((field) => [field, "(an Output)"])), ARG_KEYS, "", problems);
    const checked = checkArgs(known as PlainWebServerArgs, { name });
    if (!checked.ok || !problems.isEmpty) {
        throw new WebServerConfigError([...problems.all, ...(checked.ok ? [] : checked.problems)]);
    }
    return { resolved: checked.resolved, deferred };
}
