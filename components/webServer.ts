import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServerArgs, resolveArgs } from "./args";
import { childName } from "./naming";
import { buildNetworkPolicySpec } from "./networkPolicySpec";
import { buildReadinessAnnotations, buildReadinessTimeouts } from "./podReadiness";
import { buildPodSpec } from "./podSpec";
import { buildServiceSpec } from "./serviceSpec";

/** The Pulumi type token of the component. */
export const WEB_SERVER_TYPE = "webserver-sidecar:index:WebServer";

/**
 * nginx with a log-shipping sidecar in one Pod, a NetworkPolicy closing it (unless turned off), and
 * optionally a Service in front of it.
 * The tutorial's Pod, hardened: docs/security.md and docs/shipper.md give each choice.
 *
 * Children are created with `{ parent: this }`, so they use the provider given to this component
 * (`providers: { kubernetes: p }` or `provider: p` in its options).
 */
export class WebServer extends pulumi.ComponentResource {
    /** The Pod. */
    readonly pod: k8s.core.v1.Pod;
    /** The Pod's Kubernetes name. */
    readonly podName: pulumi.Output<string>;
    /** The Service, or `undefined` when no Service was asked for. */
    readonly service: k8s.core.v1.Service | undefined;
    /** The Service's Kubernetes name, or `undefined` when no Service was asked for. */
    readonly serviceName: pulumi.Output<string> | undefined;
    /** The NetworkPolicy, or `undefined` when `networkPolicy` is false. */
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy | undefined;
    /** The NetworkPolicy's Kubernetes name, or `undefined` when `networkPolicy` is false. */
    readonly networkPolicyName: pulumi.Output<string> | undefined;

    /**
     * @param name the Pulumi name of the component; its children are named `<name>-pod`, `<name>-service`,
     *   `<name>-network-policy`, and, unless `podName` or `autoName` says otherwise, their Kubernetes
     *   objects are named `<name>`.
     * @param args see {@link WebServerArgs}; all optional.
     * @throws {WebServerConfigError} before anything is registered, when an argument is invalid.
     */
    constructor(name: string, args: WebServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Validate first: a bad argument must fail before the component itself is registered.
        const resolved = resolveArgs(args, { name });
        super(WEB_SERVER_TYPE, name, {}, opts);

        // Every object carries the selector's labels; the Pod also the user's, which nothing selects on.
        const labels = resolved.selectorLabels;
        const metadata = { name: resolved.podName, labels };

        // The policy goes first and the Pod waits for it, so that the Pod never runs unprotected.
        this.networkPolicy = resolved.networkPolicy === undefined ? undefined : new k8s.networking.v1.NetworkPolicy(childName(name, "network-policy"), {
            metadata,
            spec: buildNetworkPolicySpec(resolved.networkPolicy, labels),
        }, { parent: this });
        this.networkPolicyName = this.networkPolicy?.metadata.name;

        // `up` waits for Ready until readyTimeoutSeconds, then fails with the kubelet's reason (podReadiness.ts).
        this.pod = new k8s.core.v1.Pod(childName(name, "pod"), {
            metadata: { ...metadata, labels: resolved.podLabels, annotations: buildReadinessAnnotations() },
            spec: buildPodSpec(resolved),
        }, {
            parent: this,
            dependsOn: this.networkPolicy !== undefined ? [this.networkPolicy] : [],
            customTimeouts: buildReadinessTimeouts(resolved.readyTimeoutSeconds),
        });
        this.podName = this.pod.metadata.name;

        this.service = resolved.service === undefined ? undefined : new k8s.core.v1.Service(childName(name, "service"), {
            metadata,
            spec: buildServiceSpec(resolved.service, labels),
        }, { parent: this });
        this.serviceName = this.service?.metadata.name;

        this.registerOutputs({
            pod: this.pod,
            podName: this.podName,
            service: this.service,
            serviceName: this.serviceName,
            networkPolicy: this.networkPolicy,
            networkPolicyName: this.networkPolicyName,
        });
    }
}
