import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARG_KEYS, PlainWebServerArgs, ResolvedWebServerArgs, WebServerArgs, checkArgs } from "./args";
import { buildHorizontalPodAutoscalerSpec } from "./autoscaling";
import { ProblemList, WebServerConfigError, addUnknownKeys } from "./errors";
import { plainOnlyProblems, splitKnown } from "./inputs";
import { childName } from "./naming";
import { buildNetworkPolicySpec } from "./networkPolicySpec";
import { currentStack, ownerAnnotations } from "./ownership";
import { TIMEOUT_ANNOTATION, buildReadinessAnnotations, buildReadinessTimeouts } from "./podReadiness";
import {
    CONFIG_MAP_ROLES, ConfigMapData, ConfigMapNaming, FILES_DIGEST_ANNOTATION, PodConfigMapNames, buildServerConfigMapData,
    buildNginxConfigMapData, buildShipperConfigMapData, buildSiteConfigMapData, configMapNamesFor, configMapNamingFor, fixedConfigMapNames, podFilesDigest,
} from "./podFiles";
import { NGINX_CONTAINER, SIDECAR_CONTAINER, buildPodSpec } from "./podSpec";
import { NGINX_LAYOUT_CONTAINER } from "./nginxLayout";
import { ArgScope, IMAGE_ARGS, ScopedArgs } from "./scopedArgs";
import { buildHttpRouteSpec, buildIngressSpec } from "./routes";
import { buildServiceSpec } from "./serviceSpec";
import {
    MIN_REPLICAS_FOR_BUDGET, assembleDeploymentSpec, buildPodDisruptionBudgetSpec, buildTemplatePodSpec, rolloutTimeoutSeconds,
} from "./workloadSpec";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** The Pulumi type token of the component. */
export const WEB_SERVER_TYPE = "webserver-sidecar:index:WebServer";

/**
 * What replaces the bare Pod besides the changes the provider replaces it for: the digest of its
 * files (which nginx and the shipper read once, at start), its tolerations (of which the API
 * server takes only additions in place), and `hostUsers`, which the API server never changes in
 * place and which provider 4.25.0's list of a Pod's replacing fields (`provider/pkg/provider/diff.go`)
 * predates: without it the change previews as an update, and the preview fails.
 */
const POD_REPLACE_ON_CHANGES = [`metadata.annotations["${FILES_DIGEST_ANNOTATION}"]`, "spec.tolerations", "spec.hostUsers"];

/** The arguments that must be plain values: they decide which resources exist and their names. */
const PLAIN_ONLY_ARGS = ["podName", "autoName", "networkPolicy", "service", "replicas", "autoscaling", "ingress", "httpRoute"] as const;

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
    /** The PodDisruptionBudget, with 2 or more `replicas` (or `autoscaling.minReplicas`); otherwise `undefined`. */
    readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
    /** The HorizontalPodAutoscaler sizing the Deployment, with `autoscaling`; otherwise `undefined`. */
    readonly horizontalPodAutoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | undefined;
    /** The labels that select this instance's Pods, and only them (its Service and NetworkPolicy select on them). */
    readonly selectorLabels: pulumi.Output<Record<string, string>>;
    /** The Service, or `undefined` when no Service was asked for. */
    readonly service: k8s.core.v1.Service | undefined;
    /** The Service's Kubernetes name, or `undefined` when no Service was asked for. */
    readonly serviceName: pulumi.Output<string> | undefined;
    /** The Ingress routing to the Service, with `ingress`; otherwise `undefined`. */
    readonly ingress: k8s.networking.v1.Ingress | undefined;
    /**
     * The Kubernetes name of the Gateway API HTTPRoute routing to the Service, with `httpRoute`;
     * otherwise `undefined`. (A name, not the resource: an HTTPRoute is a custom resource, which
     * other languages' SDKs cannot type.)
     */
    readonly httpRouteName: pulumi.Output<string> | undefined;
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
    /** The ConfigMap holding nginx.conf (`accessLogFormat`), or `undefined` when none was given. */
    readonly nginxConfigMap: k8s.core.v1.ConfigMap | undefined;

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

        // Every argument, Outputs included, checked again once known, as each part reads it: an
        // unknown or secret argument stays in the fields that depend on it (scopedArgs.ts).
        const scoped = new ScopedArgs(name, args, early.resolved, early.deferred);
        const podName = early.resolved.podName;
        // The selector and every name are known now: they come from the component's name and podName.
        const selectorLabels = early.resolved.selectorLabels;
        const metadata = {
            name: podName,
            // Only when given: unset, the provider's namespace applies (and an existing stack sees no change).
            ...(args.namespace !== undefined ? { namespace: scoped.part(ArgScope.namespace, (r) => r.namespace ?? "") } : {}),
            labels: selectorLabels,
            // On every object: the stack that created it, so that a later preview or up can tell it from
            // an object of the same name that someone else made (ownership.ts). The Pod and the Service
            // replace these annotations with their own, into which these are spread (last: args.ts reserves the key).
            annotations: ownerAnnotations(currentStack(pulumi)),
        };

        // The policy goes first and the Pod waits for it, so that the Pod never runs unprotected.
        this.networkPolicy = early.resolved.networkPolicy === undefined ? undefined : new k8s.networking.v1.NetworkPolicy(childName(name, "network-policy"), {
            metadata,
            spec: scoped.part(ArgScope.networkPolicy, (r) => buildNetworkPolicySpec(r.networkPolicy!, r.selectorLabels)),
        }, { parent: this });
        this.networkPolicyName = this.networkPolicy?.metadata.name;

        // The files the Pod reads, each kind in its own ConfigMap (podFiles.ts). Whether each exists is
        // known now: the argument is given or not, even while its value is an Output. A Deployment's
        // are named by their content, so that its old Pods keep their own files through a rollout.
        const naming: ConfigMapNaming = configMapNamingFor(early.resolved);
        // Fixed names depend only on which files are given, which is known now; names by content on the
        // files, known now unless one of them is an Output.
        const fixedNames = podName === undefined ? undefined : naming === "fixed"
            ? fixedConfigMapNames(podName, {
                site: args.content !== undefined || args.binaryContent !== undefined, serverConfig: args.serverConfig !== undefined,
                nginxConfig: args.accessLogFormat !== undefined,
            })
            : scoped.isKnown(ArgScope.files) ? configMapNamesFor(podName, scoped.known, naming)
                : scoped.part(ArgScope.files, (r) => configMapNamesFor(podName, r, naming));
        // The shipper's name is known now, whichever the naming: its file is the component's.
        const configMapName = (role: keyof typeof CONFIG_MAP_ROLES): pulumi.Input<string> => role === "shipper"
            ? configMapNamesFor(podName!, { site: undefined, serverConfig: undefined, accessLogFormat: undefined }, naming).shipper
            : pulumi.Output.isInstance(fixedNames) ? fixedNames.apply((names) => names[role]!) : (fixedNames as PodConfigMapNames)[role]!;
        // Named by content and known now, each revision's ConfigMap is a Pulumi resource of its own
        // (`<name>-content-<digest>`), not a replacement of one resource: an `up` that fails mid-rollout
        // leaves the old one in the state as it is, so an `up` back to the old files finds it there
        // rather than creating it again over the live one (which client-side apply refuses,
        // AlreadyExists). Held in Outputs, the names are not known when the resources must be
        // named: one resource, replaced (docs/operating.md says what that costs).
        const resourceName = (role: keyof typeof CONFIG_MAP_ROLES): string => {
            const kubernetesName = podName === undefined ? undefined : configMapName(role);
            return naming === "byContent" && typeof kubernetesName === "string"
                ? childName(name, kubernetesName.slice(podName!.length + 1)) : childName(name, CONFIG_MAP_ROLES[role]);
        };
        const configMap = (role: keyof typeof CONFIG_MAP_ROLES, data: pulumi.Input<ConfigMapData>) => new k8s.core.v1.ConfigMap(resourceName(role), {
            metadata: { ...metadata, name: podName === undefined ? undefined : configMapName(role) },
            data: pulumi.output(data).apply((d) => d.data),
            // Only for the site, and only when binaryContent is given, which is known now: an Output
            // that turns out undefined cannot be sent as a secret (the engine refuses a secret
            // without a value), and an unchanged stack's ConfigMaps keep no empty property.
            ...(role === "site" && args.binaryContent !== undefined ? { binaryData: pulumi.output(data).apply((d) => d.binaryData ?? {}) } : {}),
            // Named by their content, they never change: the API server then holds them to it.
            ...(naming === "byContent" ? { immutable: true } : {}),
        }, { parent: this });
        // Known now, but in an `up` with arguments held in Outputs it still waits for their check (scopedArgs.ts).
        this.shipperConfigMap = configMap("shipper", scoped.part([], buildShipperConfigMapData));
        this.siteConfigMap = args.content === undefined && args.binaryContent === undefined ? undefined
            : configMap("site", scoped.part(ArgScope.files, (r) => buildSiteConfigMapData(r.site ?? [])));
        this.serverConfigMap = args.serverConfig === undefined ? undefined
            : configMap("serverConfig", scoped.part(ArgScope.files, (r) => buildServerConfigMapData(r.serverConfig ?? "")));
        this.nginxConfigMap = args.accessLogFormat === undefined ? undefined
            : configMap("nginxConfig", scoped.part(ArgScope.files, (r) => buildNginxConfigMapData(r.accessLogFormat ?? "combined")));
        // Under a fixed name, the Pod refers to its ConfigMaps by that name, not by their outputs: a
        // ConfigMap whose files change is replaced, and a property that depends on a resource so
        // replaced becomes unknown in Pulumi's plan, which would make it replace the Deployment whole
        // (its selector unknown) instead of rolling it. The ConfigMaps still come first (dependsOn).
        // Auto-named, a ConfigMap's replacement gets a new name, which the Pod must follow: its outputs then.
        const configMapNames: pulumi.Input<PodConfigMapNames> = fixedNames
            ?? pulumi.all([this.shipperConfigMap.metadata.name, this.siteConfigMap?.metadata.name, this.serverConfigMap?.metadata.name, this.nginxConfigMap?.metadata.name])
                .apply(([shipper, site, serverConfig, nginxConfig]) => ({ shipper, site, serverConfig, nginxConfig }));

        // The Pod's spec: known but for its images while only they are Outputs (an image built in
        // the same program), whose values then stay leaves of the spec.
        const podSpec = buildPodSpecInput(scoped, configMapNames);
        const podLabels = scoped.part(ArgScope.podLabels, (r) => r.podLabels);
        // The user's annotations, then the component's, which the user's may not set (args.ts).
        const filesAnnotations = scoped.part(ArgScope.podAnnotations, (r) => ({ ...r.podAnnotations, [FILES_DIGEST_ANNOTATION]: podFilesDigest(r) }));

        // `up` waits for Ready until readyTimeoutSeconds, then fails with the kubelet's reason (podReadiness.ts).
        // An Output timeout cannot be a resource option: it goes in the provider's annotation instead.
        const timeoutIsOutput = !scoped.isKnown(ArgScope.readyTimeout);
        const readyTimeout = scoped.part(ArgScope.readyTimeout, (r) => r.readyTimeoutSeconds);
        const dependsOn = [this.networkPolicy, this.shipperConfigMap, this.siteConfigMap, this.serverConfigMap, this.nginxConfigMap].filter((r) => r !== undefined);
        const replicas = early.resolved.replicas;
        const autoscaling = early.resolved.autoscaling;
        // The most Pods a rollout may have to start in turn: the autoscaler's bound, when it sizes them.
        const mostPods = autoscaling?.maxReplicas ?? replicas;
        if (replicas === undefined) {
            this.pod = new k8s.core.v1.Pod(childName(name, "pod"), {
                metadata: {
                    ...metadata,
                    labels: podLabels,
                    annotations: pulumi.all([filesAnnotations, readyTimeout]).apply(([annotations, timeout]) => ({
                        ...annotations, ...buildReadinessAnnotations(timeoutIsOutput ? timeout : undefined, early.resolved.nginxImageGiven), ...metadata.annotations,
                    })),
                },
                spec: podSpec,
            }, {
                parent: this,
                dependsOn,
                customTimeouts: timeoutIsOutput ? undefined : buildReadinessTimeouts(early.resolved.readyTimeoutSeconds),
                // nginx and the shipper read their files once, at start: new files need a new Pod. A Pod's
                // annotation may change in place, so the digest of the files is made a reason to replace it.
                // Tolerations too: the API server takes only additions to a live Pod's tolerations, but
                // the provider (4.25.0) plans every change to them as an update, so removing one failed
                // even its preview ("existing toleration can not be modified"; the change matrix's revert).
                replaceOnChanges: POD_REPLACE_ON_CHANGES,
                // A fixed name cannot be held by two Pods: the old one goes first (the provider does the
                // same when it replaces a Pod for a change to its spec). Auto-named, the new one starts first.
                deleteBeforeReplace: podName !== undefined,
            });
            this.deployment = undefined;
        } else {
            // The provider's own Deployment await waits for the rollout (every Pod of the new revision
            // Ready and available) and fails when the controller reports ProgressDeadlineExceeded,
            // which the spec sets to readyTimeoutSeconds: that holds each Pod of the rollout to it, and
            // the whole wait is as long as a rollout of every Pod in turn (rolloutTimeoutSeconds).
            this.deployment = new k8s.apps.v1.Deployment(childName(name, "deployment"), {
                metadata: timeoutIsOutput
                    ? {
                        ...metadata,
                        annotations: pulumi.output(readyTimeout).apply((timeout) => ({
                            [TIMEOUT_ANNOTATION]: String(rolloutTimeoutSeconds(timeout, mostPods!)), ...metadata.annotations,
                        })),
                    }
                    : metadata,
                spec: assembleDeploymentSpec({
                    replicas,
                    selectorLabels,
                    progressDeadlineSeconds: readyTimeout,
                    templateLabels: podLabels,
                    templateAnnotations: filesAnnotations,
                    podSpec: mapPodSpec(podSpec, (spec) => buildTemplatePodSpec(spec, selectorLabels)),
                }),
            }, {
                parent: this,
                dependsOn,
                customTimeouts: timeoutIsOutput ? undefined : buildReadinessTimeouts(rolloutTimeoutSeconds(early.resolved.readyTimeoutSeconds, mostPods!)),
                // With an autoscaler the count is its own after the Deployment's creation: the
                // provider then keeps the live count (autoscaling.ts says how, for either apply).
                ...(autoscaling !== undefined ? { ignoreChanges: ["spec.replicas"] } : {}),
            });
            this.pod = undefined;
        }
        // The fewest Pods there will be: the autoscaler may go down to minReplicas.
        this.podDisruptionBudget = (autoscaling?.minReplicas ?? replicas ?? 0) < MIN_REPLICAS_FOR_BUDGET ? undefined
            : new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), {
                metadata,
                spec: scoped.part([], () => buildPodDisruptionBudgetSpec(selectorLabels)),
            }, { parent: this });
        this.horizontalPodAutoscaler = autoscaling === undefined ? undefined
            : new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "autoscaler"), {
                metadata,
                // A fixed name is known now; generated (autoName), it is the Deployment's once created.
                spec: pulumi.output(podName ?? this.deployment!.metadata.name).apply((deploymentName) =>
                    buildHorizontalPodAutoscalerSpec(autoscaling, deploymentName)),
            }, { parent: this });
        this.podName = this.pod?.metadata.name;
        this.selectorLabels = pulumi.output(selectorLabels);

        this.service = args.service === undefined ? undefined : new k8s.core.v1.Service(childName(name, "service"), {
            metadata: args.service.annotations === undefined ? metadata
                : { ...metadata, annotations: scoped.part(ArgScope.service, (r) => ({ ...r.service?.annotations, ...metadata.annotations })) },
            spec: scoped.part(ArgScope.service, (r) => buildServiceSpec(r.service!, r.selectorLabels)),
        }, { parent: this });
        this.serviceName = this.service?.metadata.name;

        // The routes send their hosts' requests to the Service (args.ts holds that one is given): by
        // its fixed name, known now (not its output, which a replacement of the Service would make
        // unknown in a preview), or by its generated one under autoName; to its port as given.
        const { ingress, httpRoute } = early.resolved.routes;
        const backend = this.service === undefined || (ingress === undefined && httpRoute === undefined) ? undefined
            : pulumi.all([podName ?? this.service.metadata.name, scoped.part(ArgScope.service, (r) => r.service!.port)]).apply(([serviceName, port]) => ({ name: serviceName, port }));
        this.ingress = ingress === undefined || backend === undefined ? undefined : new k8s.networking.v1.Ingress(childName(name, "ingress"), {
            metadata: ingress.annotations === undefined ? metadata : { ...metadata, annotations: { ...ingress.annotations, ...metadata.annotations } },
            spec: backend.apply((service) => buildIngressSpec(ingress, service)),
        }, { parent: this });
        const route = httpRoute === undefined || backend === undefined ? undefined : new k8s.apiextensions.CustomResource(childName(name, "http-route"), {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata,
            spec: backend.apply((service) => buildHttpRouteSpec(httpRoute, service)),
        }, { parent: this });
        this.httpRouteName = route?.metadata.name;

        this.registerOutputs({
            pod: this.pod,
            podName: this.podName,
            deployment: this.deployment,
            podDisruptionBudget: this.podDisruptionBudget,
            horizontalPodAutoscaler: this.horizontalPodAutoscaler,
            selectorLabels: this.selectorLabels,
            service: this.service,
            serviceName: this.serviceName,
            ingress: this.ingress,
            httpRouteName: this.httpRouteName,
            networkPolicy: this.networkPolicy,
            networkPolicyName: this.networkPolicyName,
            shipperConfigMap: this.shipperConfigMap,
            siteConfigMap: this.siteConfigMap,
            serverConfigMap: this.serverConfigMap,
            nginxConfigMap: this.nginxConfigMap,
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
    const checked = checkArgs(known as PlainWebServerArgs, { name, deferred: new Set(deferred) });
    if (!checked.ok || !problems.isEmpty) {
        throw new WebServerConfigError([...problems.all, ...(checked.ok ? [] : checked.problems)]);
    }
    return { resolved: checked.resolved, deferred };
}

/**
 * The Pod's spec as an Input: a plain object whose images may be Outputs, while the rest of its
 * arguments are known now; otherwise one Output.
 */
function buildPodSpecInput(scoped: ScopedArgs, configMapNames: pulumi.Input<PodConfigMapNames>): pulumi.Input<PodSpec> {
    if (scoped.isKnown(ArgScope.podSpec) && !pulumi.Output.isInstance(configMapNames)) {
        return withImages(buildPodSpec(scoped.known, configMapNames as PodConfigMapNames), {
            [NGINX_CONTAINER]: scoped.image("nginxImage"), [NGINX_LAYOUT_CONTAINER]: scoped.image("nginxImage"), [SIDECAR_CONTAINER]: scoped.image("sidecarImage"),
        });
    }
    return pulumi.all([scoped.resolved([...ArgScope.podSpec, ...IMAGE_ARGS]), configMapNames])
        .apply(([resolved, names]) => buildPodSpec(resolved, names));
}

/** The spec with each container's image replaced by the one given for its name. */
function withImages(spec: PodSpec, images: Readonly<Record<string, pulumi.Input<string>>>): PodSpec {
    const withImage = (containers: pulumi.Input<pulumi.Input<Container>[]> | undefined) => (containers as Container[] | undefined)
        ?.map((container) => ({ ...container, image: images[container.name as string] ?? container.image }));
    return {
        ...spec,
        containers: withImage(spec.containers)!,
        ...(spec.initContainers !== undefined ? { initContainers: withImage(spec.initContainers) } : {}),
    };
}

/** A Pod spec mapped: at once when it is a plain object, through `apply` when it is an Output. */
function mapPodSpec(spec: pulumi.Input<PodSpec>, map: (spec: PodSpec) => PodSpec): pulumi.Input<PodSpec> {
    return pulumi.Output.isInstance(spec) ? spec.apply((plain) => map(plain as PodSpec)) : map(spec as PodSpec);
}
