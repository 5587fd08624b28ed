import { NetworkPeer, ResolvedNetworkPeer, checkAllowFrom } from "./allowFrom";
import type * as pulumi from "@pulumi/pulumi";
import { ConfigProblem, ProblemList, WebServerConfigError, addUnknownKeys, hideSecretValues } from "./errors";
import {
    ContainerResources, RESERVED_ANNOTATIONS, RESERVED_OBJECT_ANNOTATIONS, ResolvedContainerResources, ResolvedToleration, Resources, Toleration,
    resolveAffinity, resolveAnnotations, resolveContainerResources, resolveImagePullSecrets, resolveNodeSelector, resolveTolerations,
} from "./podSettings";
// Types only: the arguments module stays free of the SDK's runtime.
import type * as k8s from "@pulumi/kubernetes";
import { INSTANCE_LABEL, NAME_LABEL, selectorLabelsFor, sortedByKey } from "./naming";
import { resolveServerConfig } from "./serverConfig";
import { SiteFile, resolveSiteContent } from "./siteContent";
import { Autoscaling, ResolvedAutoscaling, resolveAutoscaling } from "./autoscaling";
import { ContentFrom, ResolvedContentFrom, resolveContentFrom } from "./contentFrom";
import { HttpRoute, Ingress, ResolvedRoutes, resolveRoutes, routeControllerPeers } from "./routes";
import { fixedConfigMapNames } from "./podFiles";
import { DEFAULT_READINESS_PATH, READINESS_PATH_RULE, isReadinessPath, probedSitePaths } from "./readinessPath";
import { ACCESS_LOG_FORMATS, AccessLogFormat } from "./accessLog";
import {
    DNS_LABEL_RULE, LABEL_KEY_RULE, LABEL_VALUE_RULE, PINNED_IMAGE_RULE, isDnsLabel, isLabelKey, isLabelValue, isPinnedImage, isPort,
    parseByteQuantity, parseCidr,
} from "./validators";

/*
 * The enums are `as const` objects with a type of the same name, not TypeScript `enum`s and not bare
 * string-literal unions. Pulumi's component analyzer refuses a bare union but reads this pattern as
 * an enum (it is also how Pulumi's generated TypeScript SDKs write enums), so other languages get
 * `SidecarMode.NATIVE`-style enums; and TypeScript users may still write the literal
 * (`sidecarMode: "native"`) as well as `SidecarMode.Native`, which a TypeScript `enum` would refuse.
 * The object is declared before the type: the analyzer takes the enum's members from the first
 * declaration of the name.
 */

/** How the log sidecar runs next to nginx. */
export const SidecarMode = {
    /** An init container with `restartPolicy: Always` (Kubernetes 1.29+): starts before nginx, stops after it. */
    Native: "native",
    /** A second regular container, for older clusters; on shutdown it waits for nginx to exit. */
    Classic: "classic",
} as const;
/** How the log sidecar runs next to nginx: `"native"` or `"classic"`. */
export type SidecarMode = (typeof SidecarMode)[keyof typeof SidecarMode];
/** The sidecar modes, for validation and messages. */
export const SIDECAR_MODES: readonly SidecarMode[] = Object.values(SidecarMode);

/** Who chooses the uid and gid the Pod's containers run as. */
export const UidAssignment = {
    /** The component: uid and gid 10101 for both containers, and the volumes' group (`runAsUser`, `runAsGroup`, `fsGroup`). */
    Pinned: "pinned",
    /** The platform's admission (OpenShift's restricted-v2 SCC): the Pod sets none of them, and still requires a non-root uid. */
    Platform: "platform",
} as const;
/** Who chooses the uid and gid the Pod's containers run as: `"pinned"` or `"platform"`. */
export type UidAssignment = (typeof UidAssignment)[keyof typeof UidAssignment];
/** The uid assignments, for validation and messages. */
export const UID_ASSIGNMENTS: readonly UidAssignment[] = Object.values(UidAssignment);

/** The Service types this component can create. */
export const ServiceType = {
    /** Reachable inside the cluster only. */
    ClusterIP: "ClusterIP",
    /** Also on a port of every node. */
    NodePort: "NodePort",
    /** Also through the cloud's load balancer. */
    LoadBalancer: "LoadBalancer",
} as const;
/** The Service types this component can create: `"ClusterIP"`, `"NodePort"` or `"LoadBalancer"`. */
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];
/** The Service types, for validation and messages. */
export const SERVICE_TYPES: readonly ServiceType[] = Object.values(ServiceType);

/** A Service in front of the Pod. */
export interface Service {
    /**
     * The Service type.
     * Default: "ClusterIP".
     * @default "ClusterIP"
     */
    readonly type?: pulumi.Input<ServiceType>;
    /**
     * The port the Service listens on; it forwards to nginx's port 80.
     * Default: 80.
     * @default 80
     */
    readonly port?: pulumi.Input<number>;
    /**
     * Annotations of the Service, e.g. a cloud load balancer's settings.
     * Default: unset (none).
     * @default undefined (none)
     */
    readonly annotations?: pulumi.Input<Record<string, string>>;
    /**
     * The client address blocks (CIDR) a `LoadBalancer` Service admits, where the cloud supports it.
     * Only with `type: LoadBalancer` (the API server refuses it on other types).
     * Default: unset (any client).
     * @default undefined (any client)
     */
    readonly loadBalancerSourceRanges?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The arguments of a {@link WebServer}. Every field is optional; the defaults reproduce the tutorial's Pod, hardened.
 *
 * A field that a user could hold as an Output (an image built by the same program, a port from
 * config, a namespace created alongside) is a `pulumi.Input`. A plain value is checked before
 * anything is registered; a field holding an Output (anywhere inside) is checked once its value is
 * known, with the same message, and fails the `up`. The fields that decide which resources exist or
 * what they are named (`podName`, `autoName`, `networkPolicy`, whether `service` is set) are plain:
 * they must be known when the component is constructed.
 *
 * Each field's default is also said in its text ("Default: ..."), not only in its `@default` tag:
 * Pulumi's component analyzer keeps a comment's text and drops its tags, and the text is what
 * other languages' SDKs and the plugin's schema (plugin/schema.json) show.
 */
export interface WebServerArgs {
    /**
     * The Kubernetes name of the Pod, the Service and the NetworkPolicy, and the value of their
     * `app.kubernetes.io/instance` label, which the Service and the NetworkPolicy select on. A
     * DNS-1123 label. The tutorial's program passes `webserver`, which keeps its
     * `kubectl logs webserver -c sidecar-container` working as written.
     * Default: the component's name (`new WebServer("api")` names its objects `api`).
     * @default the component's name (`new WebServer("api")` names its objects `api`)
     */
    readonly podName?: string;
    /**
     * Leave the Kubernetes names to Pulumi's auto-naming (`<resource name>-<random suffix>`)
     * instead of `podName`. Auto-named Pods are replaced create-before-delete, with no gap. The
     * `app.kubernetes.io/instance` label is then the component's name.
     * Cannot be combined with `podName`.
     * Default: false.
     * @default false
     */
    readonly autoName?: boolean;
    /**
     * The namespace of the Pod, the Service and the NetworkPolicy (a DNS-1123 label), e.g. a
     * `k8s.core.v1.Namespace`'s `metadata.name`. Unset, the objects go where the provider puts
     * them: its `namespace`, else the kubeconfig context's, else `default`. Changing it replaces them.
     * Default: unset (the provider's namespace).
     * @default undefined (the provider's namespace)
     */
    readonly namespace?: pulumi.Input<string>;
    /**
     * Extra labels of the Pod (the tutorial's program adds `app: webserver`). They may not set the
     * selector's labels, `app.kubernetes.io/name` and `app.kubernetes.io/instance`, which the
     * component owns. The Service and the NetworkPolicy never select on them.
     * Default: {} (only the selector's labels).
     * @default {} (only the selector's labels)
     */
    readonly podLabels?: pulumi.Input<Record<string, string>>;
    /**
     * The nginx image, pinned to a version.
     * Default: nginx 1.30.5, pinned by digest (`DEFAULTS.nginxImage`).
     * @default DEFAULTS.nginxImage
     */
    readonly nginxImage?: pulumi.Input<string>;
    /**
     * The log sidecar's image, pinned to a version. It must provide `python3` (3.8 or later, the
     * oldest the shipper's fast tests run it under): the sidecar runs the log shipper with the
     * standard library only.
     * Default: python 3.11.16-slim-bookworm, pinned by digest (`DEFAULTS.sidecarImage`).
     * @default DEFAULTS.sidecarImage
     */
    readonly sidecarImage?: pulumi.Input<string>;
    /**
     * The `sizeLimit` of the `shared-logs` emptyDir, as a Kubernetes quantity of at least 1Mi.
     * The sidecar rotates each log file at an eighth of it, so the volume stays well below it.
     * Default: "128Mi".
     * @default "128Mi"
     */
    readonly logSizeLimit?: pulumi.Input<string>;
    /**
     * `native`: the sidecar is an init container with `restartPolicy: Always` (Kubernetes 1.29+):
     * it starts before nginx and stops after nginx, so nginx's last lines are shipped.
     * `classic`: a second regular container, for older clusters; on shutdown it waits for nginx to exit.
     * Default: "native".
     * @default "native"
     */
    readonly sidecarMode?: pulumi.Input<SidecarMode>;
    /**
     * A Service in front of the Pod, or none when undefined. Plain (whether it exists must be known),
     * its fields Inputs.
     * Default: unset (no Service).
     * @default undefined (no Service)
     */
    readonly service?: Service;
    /**
     * Seconds the kubelet gives the Pod to stop: nginx's graceful quit, then the sidecar's drain.
     * Default: 30.
     * @default 30
     */
    readonly terminationGracePeriodSeconds?: pulumi.Input<number>;
    /**
     * Seconds `pulumi up` waits for the Pod to become Ready (each time it is created or updated)
     * before it fails with what the kubelet reports: an image that cannot be pulled, a container
     * that keeps crashing. A deadline from the start of the wait, whatever the Pod does meanwhile.
     * A plain value becomes the Pod's customTimeouts; an Output, which a resource option cannot
     * hold, the provider's `pulumi.com/timeoutSeconds` annotation (podReadiness.ts).
     * Default: 300.
     * @default 300
     */
    readonly readyTimeoutSeconds?: pulumi.Input<number>;
    /**
     * A NetworkPolicy selecting the Pod: ingress only to nginx's port 80, no egress. Only a
     * network plugin that enforces NetworkPolicy applies it; elsewhere it is stored and ignored.
     * `false` creates none (for namespaces whose owner manages policies). Plain: whether the
     * NetworkPolicy exists must be known.
     * Default: true.
     * @default true
     */
    readonly networkPolicy?: boolean;
    /**
     * Who may connect to nginx's port 80 under the NetworkPolicy. Cannot be combined with
     * `networkPolicy: false`.
     * Default: unset (any source).
     * @default undefined (any source)
     */
    readonly allowFrom?: pulumi.Input<pulumi.Input<NetworkPeer>[]>;
    /**
     * Requests and limits for each container, merged over the defaults resource by resource (so a
     * memory limit stays unless replaced). Quantities; no request above its limit.
     * Default: nginx: requests cpu 100m, memory 64Mi, limits memory 128Mi; sidecar: requests cpu 50m, memory 32Mi, limits memory 64Mi.
     * @default nginx: requests cpu 100m, memory 64Mi, limits memory 128Mi; sidecar: requests cpu 50m, memory 32Mi, limits memory 64Mi
     */
    readonly resources?: pulumi.Input<Resources>;
    /**
     * Extra annotations of the Pod. Not `pulumi.com/waitFor`, `pulumi.com/timeoutSeconds`,
     * `webserver-sidecar/files-sha256` (the digest of the Pod's files) nor `webserver-sidecar/owner`
     * (the stack that created each object), which the component sets.
     * Default: unset (only the component's).
     * @default undefined (only the component's)
     */
    readonly podAnnotations?: pulumi.Input<Record<string, string>>;
    /**
     * Node labels the Pod's node must have, e.g. `{ "kubernetes.io/arch": "arm64" }`.
     * Default: unset (any node).
     * @default undefined (any node)
     */
    readonly nodeSelector?: pulumi.Input<Record<string, string>>;
    /**
     * Tolerations of the Pod, for tainted nodes.
     * Default: unset (none).
     * @default undefined (none)
     */
    readonly tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
    /**
     * Kubernetes' `Affinity` for the Pod (node affinity, Pod affinity and anti-affinity), passed on
     * as given; its top level is checked, the rest by the API server (a preview's dry run).
     * Default: unset (none).
     * @default undefined (none)
     */
    readonly affinity?: pulumi.Input<k8s.types.input.core.v1.Affinity>;
    /**
     * Names of Secrets (in the Pod's namespace) holding credentials for private registries.
     * Default: unset (none).
     * @default undefined (none)
     */
    readonly imagePullSecrets?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * `false` runs the Pod in its own user namespace (`hostUsers: false`, stable in Kubernetes
     * 1.36): its uid 10101 maps to an unprivileged uid on the node. Needs a node whose runtime and
     * filesystems support it; elsewhere the Pod does not start, and `up` fails with the kubelet's reason.
     * Default: unset (the node's user namespace, Kubernetes' default).
     * @default undefined (the node's user namespace, Kubernetes' default)
     */
    readonly hostUsers?: pulumi.Input<boolean>;
    /**
     * The team's site: text files, path under nginx's document root → contents, e.g.
     * `{ "index.html": "<h1>Hello</h1>", "css/site.css": "..." }`. Served from a ConfigMap mounted
     * on the document root in place of the image's pages; with `binaryContent`, at most 1 MiB in all
     * (a ConfigMap's limit). Without a `serverConfig`, it must have an `index.html` (nginx's
     * readiness probe asks for `/`; with a `readinessPath`, a file that answers it). A change replaces
     * the Pod, which then serves the new files.
     * Default: unset (the image's own pages).
     * @default undefined (the image's own pages)
     */
    readonly content?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * The site's binary files (images, fonts): path → the file's bytes in base64
     * (`fs.readFileSync(file).toString("base64")`). Kept with `content` in one ConfigMap.
     * Default: unset (none).
     * @default undefined (none)
     */
    readonly binaryContent?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * nginx `server {}` blocks in place of the image's default server (its conf.d/default.conf),
     * e.g. for redirects, caching headers or a proxy. Each must `listen 80;` (the Pod's
     * port). The log format and files stay the component's, which the shipper reads: an
     * `access_log` or `error_log` elsewhere, or a `log_format`, is refused. A change replaces the Pod.
     * Default: unset (the image's default server: static files from the document root).
     * @default undefined (the image's default server: static files from the document root)
     */
    readonly serverConfig?: pulumi.Input<string>;
    /**
     * Run this many Pods under a Deployment instead of the one bare Pod: a change rolls them one at
     * a time, each new Pod Ready before an old one stops (docs/operating.md). From 2, a
     * PodDisruptionBudget lets a drain take one at a time. The Pods get generated names; the
     * Deployment (and the PodDisruptionBudget) take `podName`. Plain: it decides which resources exist.
     * Default: unset (one bare Pod, the tutorial's).
     * @default undefined (one bare Pod, the tutorial's)
     */
    readonly replicas?: number;
    // readinessPath (issue 31, item 4)
    /**
     * The path nginx's readiness probe asks for (an HTTP GET on port 80; any status from 200 to 399
     * is Ready), for a server block whose `/` redirects elsewhere or needs authentication, e.g.
     * `/healthz`. An absolute URL path: no spaces, control characters, `?` or `#`. Without a
     * `serverConfig`, a `content` site must hold the file it asks for.
     * Default: "/".
     * @default "/"
     */
    readonly readinessPath?: pulumi.Input<string>;
    // accessLogFormat (issue 31, item 7)
    /**
     * How nginx writes access.log, which the sidecar ships unchanged. `combined`: the image's `main`
     * format (NCSA combined, then X-Forwarded-For). `json`: one JSON object per line (nginx's
     * `escape=json`) with time, msec, remote_addr, request, status, bytes, duration, upstream_time,
     * user_agent, referer, forwarded_for and request_id, for a log pipeline that parses without a
     * regex. Given (either value), the Pod mounts the component's nginx.conf over the image's (the
     * image's settings, this format; docs/operating.md); a server block's own `access_log ... main`
     * keeps `main`. A change replaces the Pod.
     * Default: unset (the image's nginx.conf, which writes `combined`).
     * @default undefined (the image's nginx.conf, which writes `combined`)
     */
    readonly accessLogFormat?: pulumi.Input<AccessLogFormat>;
    // contentFrom (issue 31, item 3)
    /**
     * The site from an object the team owns, in place of `content` and `binaryContent` (not with
     * them): `{ configMap: "<name>" }` (its keys are the files at the document root) or
     * `{ persistentVolumeClaim: "<name>" }` (a tree of any size), in the Pod's namespace. Mounted
     * read-only on nginx's document root; the component never creates, changes or deletes it.
     * Without a `serverConfig`, it must hold the page the readiness probe asks for (`index.html`
     * for `/`), which only the running Pod can tell. docs/operating.md says how a change reaches the Pods.
     * Default: unset (the image's pages, or `content`).
     * @default undefined (the image's pages, or `content`)
     */
    readonly contentFrom?: pulumi.Input<ContentFrom>;
    // uidAssignment (issue 31, item 5)
    /**
     * Who chooses the uid both containers run as. `pinned`: uid and gid 10101, set in the Pod.
     * `platform`: the Pod sets no uid, gid or fsGroup, for a platform whose admission assigns them,
     * such as OpenShift's restricted-v2 SCC (one uid from the namespace's range, to every
     * container); nginx then runs as that uid in group 0. Either way the Pod requires a non-root
     * uid: where nothing assigns one, the kubelet refuses to start the containers, and `up` fails
     * with its reason. docs/security.md says what the platform must guarantee.
     * Default: "pinned".
     * @default "pinned"
     */
    readonly uidAssignment?: pulumi.Input<UidAssignment>;
    // autoscaling (issue 31, item 2)
    /**
     * A HorizontalPodAutoscaler (`autoscaling/v2`) sizes the Deployment by the Pods' average CPU
     * against their requests, between `minReplicas` (default 1) and `maxReplicas` (required), aiming
     * at `targetCPUUtilizationPercentage` (default 80). The Deployment starts with `replicas`, or
     * `minReplicas` when unset; after that the count is the autoscaler's, and an `up` never sets it
     * again, whatever `replicas` says (docs/operating.md). Needs a metrics API in the cluster
     * (metrics-server). Plain: it decides which resources exist.
     * Default: unset (no autoscaler; `replicas` is the count).
     * @default undefined (no autoscaler; `replicas` is the count)
     */
    readonly autoscaling?: Autoscaling;
    // ingress, httpRoute (issue 31, item 1)
    /**
     * An Ingress (`networking.k8s.io/v1`) routing `hosts` under `path` to the Service (which it
     * needs), with TLS from a Secret when `tlsSecretName` is given. With a `controller` named (its
     * namespace and its Pods' labels), the NetworkPolicy admits that controller, and, without
     * `allowFrom`, nothing else. Plain: it decides which resources exist.
     * Default: unset (no Ingress).
     * @default undefined (no Ingress)
     */
    readonly ingress?: Ingress;
    /**
     * A Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`) attaching to `parentRefs`' Gateways
     * and routing `hostnames` under `path` to the Service (which it needs). The cluster must have
     * the Gateway API's CRDs. With a `controller` named, the NetworkPolicy admits it, and, without
     * `allowFrom`, nothing else. Plain: it decides which resources exist.
     * Default: unset (no HTTPRoute).
     * @default undefined (no HTTPRoute)
     */
    readonly httpRoute?: HttpRoute;
}

/**
 * {@link WebServerArgs} with every Output's value known: what {@link resolveArgs} checks. A plain
 * `WebServerArgs` is one; so is what `pulumi.output(args)` gives once its values are known.
 */
export type PlainWebServerArgs = pulumi.Unwrap<WebServerArgs>;

/**
 * Every argument's name, for the unknown-key check (a typo from JavaScript or through `as any` is
 * an error, not silently dropped). `satisfies` makes the compiler refuse a list that misses a field.
 */
const ARG_KEYS_CHECKED = {
    podName: true, autoName: true, namespace: true, podLabels: true, nginxImage: true, sidecarImage: true, logSizeLimit: true,
    sidecarMode: true, service: true, terminationGracePeriodSeconds: true, readyTimeoutSeconds: true,
    networkPolicy: true, allowFrom: true, resources: true, podAnnotations: true, nodeSelector: true, tolerations: true,
    affinity: true, imagePullSecrets: true, hostUsers: true, content: true, binaryContent: true, serverConfig: true, replicas: true,
    readinessPath: true,
    accessLogFormat: true,
    contentFrom: true,
    uidAssignment: true,
    autoscaling: true,
    ingress: true,
    httpRoute: true,
} as const satisfies Record<keyof WebServerArgs, true>;
/** The names of {@link WebServerArgs}' fields. */
export const ARG_KEYS: readonly string[] = Object.keys(ARG_KEYS_CHECKED);
/** The names of {@link Service}' fields. */
export const SERVICE_KEYS: readonly string[] = Object.keys(
    { type: true, port: true, annotations: true, loadBalancerSourceRanges: true } as const satisfies Record<keyof Service, true>);
/** The names of {@link Resources}' fields. */
export const RESOURCES_KEYS: readonly string[] = Object.keys({ nginx: true, sidecar: true } as const satisfies Record<keyof Resources, true>);

/** The NetworkPolicy to create: `allowFrom` checked, `undefined` meaning any source. */
export interface ResolvedNetworkPolicy {
    readonly allowFrom: readonly ResolvedNetworkPeer[] | undefined;
}

/** The Service to create, every field set. */
export interface ResolvedService {
    readonly type: ServiceType;
    readonly port: number;
    /** The Service's annotations, sorted, or `undefined` when none were given. */
    readonly annotations: Record<string, string> | undefined;
    readonly loadBalancerSourceRanges: string[] | undefined;
}

/** {@link WebServerArgs} with every default applied and every value checked: what the builders take. */
export interface ResolvedWebServerArgs {
    /** The Kubernetes name of the Pod, Service and NetworkPolicy, or `undefined` for auto-naming. */
    readonly podName: string | undefined;
    /** The namespace given, or `undefined` for the provider's. */
    readonly namespace: string | undefined;
    /** The value of `app.kubernetes.io/instance`: `podName`, or the component's name under auto-naming. */
    readonly instance: string;
    /** The labels the Service and NetworkPolicy select on: this instance's, and no other's. */
    readonly selectorLabels: Record<string, string>;
    /** Every label of the Pod: `podLabels` and the selector's labels, sorted by key. */
    readonly podLabels: Record<string, string>;
    readonly nginxImage: string;
    readonly sidecarImage: string;
    readonly logSizeLimit: string;
    /** `logSizeLimit` in bytes. */
    readonly logSizeLimitBytes: number;
    readonly sidecarMode: SidecarMode;
    readonly service: ResolvedService | undefined;
    readonly terminationGracePeriodSeconds: number;
    readonly readyTimeoutSeconds: number;
    /** The NetworkPolicy, or `undefined` when `networkPolicy` is false. */
    readonly networkPolicy: ResolvedNetworkPolicy | undefined;
    /** Each container's requests and limits, the defaults merged with the user's. */
    readonly resources: { readonly nginx: ResolvedContainerResources; readonly sidecar: ResolvedContainerResources };
    /** The user's Pod annotations, sorted, or `undefined` when none were given. */
    readonly podAnnotations: Record<string, string> | undefined;
    /** The settings below are `undefined` when not given, and then left out of the Pod's spec. */
    readonly nodeSelector: Record<string, string> | undefined;
    readonly tolerations: ResolvedToleration[] | undefined;
    readonly affinity: k8s.types.input.core.v1.Affinity | undefined;
    readonly imagePullSecrets: string[] | undefined;
    readonly hostUsers: boolean | undefined;
    /** The site's files from `content` and `binaryContent`, sorted by path, or `undefined` for the image's pages. */
    readonly site: readonly SiteFile[] | undefined;
    /** The server block, or `undefined` for the image's default server. */
    readonly serverConfig: string | undefined;
    /** How many Pods the Deployment runs, or `undefined` for the one bare Pod. */
    readonly replicas: number | undefined;
    /** The path of nginx's readiness probe. */
    readonly readinessPath: string;
    /** The access log's format, or `undefined` for the image's nginx.conf (`combined`). */
    readonly accessLogFormat: AccessLogFormat | undefined;
    /** The team's ConfigMap or PersistentVolumeClaim holding the site, or `undefined`. */
    readonly contentFrom: ResolvedContentFrom | undefined;
    readonly uidAssignment: UidAssignment;
    /** The autoscaler's bounds and target, or `undefined` for none (then `replicas` is the count). */
    readonly autoscaling: ResolvedAutoscaling | undefined;
    /** The Ingress and the HTTPRoute, each `undefined` when not asked for. */
    readonly routes: ResolvedRoutes;
    /** Whether `nginxImage` was given (a value or an Output): then the Pod checks the image's layout first (nginxLayout.ts). */
    readonly nginxImageGiven: boolean;
}

/**
 * Every default, in one place.
 * Both images are pinned by tag (for people) and by the digest of the multi-architecture image index
 * (for the runtime, which pulls by digest and so gets exactly these bytes on every architecture).
 */
export const DEFAULTS = {
    autoName: false,
    // nginx 1.30.5, the current stable release, Debian-based like the tutorial's nginx:latest.
    // Index digest (OCI image index, 16 platform entries) confirmed in two public sources:
    //   docker-library/repo-info repos/nginx/remote/1.30.5.md (commit 337eeee5), the Docker
    //     Official Images' own record of `nginx:1.30.5`: "docker pull nginx@sha256:b972f831...";
    //   schubydoo/lodger scripts/proxy-smoke.sh (commit 8e183a31): NGINX_IMAGE=nginx:1.30.5@sha256:b972f831...
    // The tag is rebuilt when Debian updates (other digests of 1.30.5 exist); a digest never moves.
    nginxImage: "nginx:1.30.5@sha256:b972f831f200b19ef0767938224f9711e74cd783718738cd7405d5cabf75c442",
    // CPython 3.11.16 (the newest 3.11 patch) on Debian bookworm, the same Python 3.11 and Debian
    // release as the python3 the local tests run the shipper with.
    // Index digest confirmed in two public sources, both pinning `python:3.11-slim-bookworm` (which
    // is 3.11.16 there: docker-library/repo-info repos/python/remote/3.11-slim-bookworm.md shows
    // PYTHON_VERSION=3.11.16 and no 3.11.17 exists):
    //   Mahaboob-Ashraf/Repo-Pilot docker/test-runner/Dockerfile (commit 9d4d05d6);
    //   AetherAI3/agent-browser Dockerfile (commit 1d5d97ff).
    sidecarImage: "python:3.11.16-slim-bookworm@sha256:528257d48c1da0dcecc2e725d1ae34498d60c965f1241e39cd6a85a8859bdf84",
    // At nginx's full rate on a 2-core node (~5 MB/s of logs) files rotate every ~3 s and usage
    // stays under a quarter of this; the rest absorbs bursts and ~15 s of a restarting sidecar.
    logSizeLimit: "128Mi",
    sidecarMode: "native",
    serviceType: "ClusterIP",
    servicePort: 80,
    // The Kubernetes default: nginx's graceful quit and the sidecar's drain fit well inside it.
    terminationGracePeriodSeconds: 30,
    // A first pull of both default images (tens of MB each, compressed) on a slow node or from a
    // slow registry takes a minute or two; 5 minutes leaves room for that and for nginx's first
    // readiness probes, and is half the provider's own 10, so a Pod that cannot start fails `up`
    // in 5 minutes (the provider's own await never fails it: see podReadiness.ts).
    readyTimeoutSeconds: 300,
    // The site's root, as the tutorial's Pod is asked.
    readinessPath: DEFAULT_READINESS_PATH,
    // The uid every Kubernetes without an assigning admission needs, and what stacks deployed so far run as.
    uidAssignment: "pinned",
    // Closed by default: neither container needs the network beyond nginx answering on port 80.
    networkPolicy: true,
    // Requests leave room on small nodes; memory limits bound a leak. No CPU limits: CFS throttling
    // would add latency to nginx's requests and to log shipping, and requests already set the share.
    resources: {
        nginx: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        sidecar: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    },
} as const;

/**
 * Seconds nginx goes on serving after one of the Deployment's Pods starts terminating, before it
 * is told to quit: the Pod leaves the Service's endpoints at that moment, and every kube-proxy (or
 * load balancer) takes a moment to stop sending it connections. Part of the grace period.
 */
export const PRE_STOP_SECONDS = 5;

/** The most `replicas` accepted: a bound on a typo (1000 for 10), far above what one instance needs. */
export const MAX_REPLICAS = 100;

/** The shortest grace period accepted: nginx needs a moment to finish requests, the sidecar to drain. */
export const MIN_GRACE_PERIOD_SECONDS = 5;

/** The shortest `readyTimeoutSeconds`: a healthy Pod needs a few seconds to start and pass nginx's readiness probe (every 5 s). */
export const MIN_READY_TIMEOUT_SECONDS = 10;

/** The smallest `logSizeLimit`: below it, rotation would run on every few lines. */
export const MIN_LOG_SIZE_LIMIT_BYTES = 2 ** 20;

/**
 * The component's name when {@link resolveArgs} is called without one (the spec builders' tests and
 * the benchmarks): the tutorial's.
 */
export const DEFAULT_COMPONENT_NAME = "webserver";

/** Who the arguments are for, and how to name them in messages. */
export interface ArgsContext {
    /**
     * The component's (Pulumi) name: the default `podName` and, under `autoName`, the instance label.
     * @default DEFAULT_COMPONENT_NAME
     */
    readonly name?: string;
    /** How the keys are named in messages: `""` for component args, `webserver-sidecar:` for stack config. @default "" */
    readonly keyPrefix?: string;
    /** The arguments whose values are secrets (by name, without the prefix): messages never show them. @default none */
    readonly secretKeys?: ReadonlySet<string>;
    /**
     * The arguments left out because they hold Outputs, checked later with their values: a check
     * across arguments that reads one of them waits for that later check (the site's probe page
     * needs `serverConfig` and `readinessPath`). @default none
     */
    readonly deferred?: ReadonlySet<string>;
}

/** What {@link checkArgs} found: the resolved arguments, or every problem with them. */
export type ArgsCheck =
    | { readonly ok: true; readonly resolved: ResolvedWebServerArgs }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Applies defaults and checks every argument, throwing every problem at once.
 * Pure: it registers nothing, so a bad argument fails before any resource exists.
 * @param args the component's arguments as given.
 * @param context the component's name and the prefix of keys in messages.
 * @throws {WebServerConfigError} naming each bad argument, its value and what is allowed.
 */
export function resolveArgs(args: PlainWebServerArgs, context: ArgsContext = {}): ResolvedWebServerArgs {
    const checked = checkArgs(args, context);
    if (!checked.ok) {
        throw new WebServerConfigError(checked.problems);
    }
    return checked.resolved;
}

/**
 * Applies defaults and checks every argument, collecting all problems: for callers that report
 * them together with problems of their own (the stack config), rather than catching a throw.
 * @param args the component's arguments as given.
 * @param context the component's name and the prefix of keys in messages, as for {@link resolveArgs}.
 */
export function checkArgs(args: PlainWebServerArgs, context: ArgsContext = {}): ArgsCheck {
    const problems = new ProblemList();
    const keyPrefix = context.keyPrefix ?? "";
    const componentName = context.name ?? DEFAULT_COMPONENT_NAME;
    const key = (name: string) => `${keyPrefix}${name}`;

    addUnknownKeys(args, ARG_KEYS, key(""), problems);

    if (args.autoName === true && args.podName !== undefined) {
        problems.add(`${key("podName")} + ${key("autoName")}`, { podName: args.podName, autoName: true },
            "one of them: podName fixes the name, autoName lets Pulumi choose it");
    }
    const podName = args.autoName === true ? undefined : args.podName ?? componentName;
    if (podName !== undefined && !isDnsLabel(podName)) {
        // The default name is the component's: say so, since the user never wrote a podName.
        problems.add(args.podName === undefined ? `${key("podName")} (the component's name)` : key("podName"), podName,
            `${DNS_LABEL_RULE}${args.podName === undefined ? "; or pass podName, or autoName: true" : ""}`);
    }
    const instance = podName ?? componentName;
    if (podName === undefined && !isLabelValue(instance)) {
        problems.add(`${key("autoName")} (the component's name, its instance label)`, instance, LABEL_VALUE_RULE);
    }
    const namespace = args.namespace;
    if (namespace !== undefined && (typeof namespace !== "string" || !isDnsLabel(namespace))) {
        problems.add(key("namespace"), namespace, `${DNS_LABEL_RULE}; or leave it unset for the provider's namespace`);
    }
    const selectorLabels = selectorLabelsFor(instance);
    const podLabels = resolvePodLabels(args.podLabels, selectorLabels, key("podLabels"), problems);

    const nginxImage = args.nginxImage ?? DEFAULTS.nginxImage;
    if (!isPinnedImage(nginxImage)) {
        problems.add(key("nginxImage"), nginxImage, PINNED_IMAGE_RULE);
    }
    const sidecarImage = args.sidecarImage ?? DEFAULTS.sidecarImage;
    if (!isPinnedImage(sidecarImage)) {
        problems.add(key("sidecarImage"), sidecarImage, PINNED_IMAGE_RULE);
    }

    const logSizeLimit = args.logSizeLimit ?? DEFAULTS.logSizeLimit;
    const logSizeLimitBytes = parseByteQuantity(logSizeLimit);
    if (logSizeLimitBytes === undefined || logSizeLimitBytes < MIN_LOG_SIZE_LIMIT_BYTES) {
        problems.add(key("logSizeLimit"), logSizeLimit, "a Kubernetes quantity of bytes of at least 1Mi, e.g. 128Mi, 64M or 134217728");
    }

    const sidecarMode = args.sidecarMode ?? DEFAULTS.sidecarMode;
    if (!SIDECAR_MODES.includes(sidecarMode)) {
        problems.add(key("sidecarMode"), sidecarMode, SIDECAR_MODES.join(" | "));
    }

    if (args.service !== undefined) {
        addUnknownKeys(args.service, SERVICE_KEYS, key("service."), problems);
    }
    const service: ResolvedService | undefined = args.service === undefined ? undefined : {
        type: args.service.type ?? DEFAULTS.serviceType,
        port: args.service.port ?? DEFAULTS.servicePort,
        annotations: resolveAnnotations(args.service.annotations, key("service.annotations"), problems, RESERVED_OBJECT_ANNOTATIONS),
        loadBalancerSourceRanges: resolveSourceRanges(args.service.loadBalancerSourceRanges, args.service.type ?? DEFAULTS.serviceType, key, problems),
    };
    if (service !== undefined && !SERVICE_TYPES.includes(service.type)) {
        problems.add(key("service.type"), service.type, SERVICE_TYPES.join(" | "));
    }
    if (service !== undefined && !isPort(service.port)) {
        problems.add(key("service.port"), service.port, "an integer port from 1 to 65535");
    }

    const terminationGracePeriodSeconds = args.terminationGracePeriodSeconds ?? DEFAULTS.terminationGracePeriodSeconds;
    if (!Number.isInteger(terminationGracePeriodSeconds) || terminationGracePeriodSeconds < MIN_GRACE_PERIOD_SECONDS) {
        problems.add(key("terminationGracePeriodSeconds"), terminationGracePeriodSeconds,
            `a whole number of seconds, at least ${MIN_GRACE_PERIOD_SECONDS} (nginx's quit and the sidecar's drain need time)`);
    }

    const readyTimeoutSeconds = args.readyTimeoutSeconds ?? DEFAULTS.readyTimeoutSeconds;
    if (!Number.isInteger(readyTimeoutSeconds) || readyTimeoutSeconds < MIN_READY_TIMEOUT_SECONDS) {
        problems.add(key("readyTimeoutSeconds"), readyTimeoutSeconds,
            `a whole number of seconds, at least ${MIN_READY_TIMEOUT_SECONDS} (the Pod needs time to start and pass its readiness probe)`);
    }

    const ownPolicy = resolveNetworkPolicy(args, key, problems);
    const routes = resolveRoutes(args, args.service !== undefined, (args.networkPolicy ?? DEFAULTS.networkPolicy) !== false, key, problems);
    // A route's controller is admitted beside allowFrom's peers; named without allowFrom, it is the only one.
    const controllers = routeControllerPeers(routes);
    const networkPolicy: ResolvedNetworkPolicy | undefined = ownPolicy !== undefined && controllers.length > 0
        ? { allowFrom: [...controllers, ...ownPolicy.allowFrom ?? []] } : ownPolicy;

    if (args.resources !== undefined && (typeof args.resources !== "object" || args.resources === null)) {
        problems.add(key("resources"), args.resources, "an object { nginx?: {requests?, limits?}, sidecar?: {requests?, limits?} }");
    } else if (args.resources !== undefined) {
        addUnknownKeys(args.resources, RESOURCES_KEYS, key("resources."), problems);
    }
    const resources = {
        nginx: resolveContainerResources(args.resources?.nginx, DEFAULTS.resources.nginx, key("resources.nginx"), problems),
        sidecar: resolveContainerResources(args.resources?.sidecar, DEFAULTS.resources.sidecar, key("resources.sidecar"), problems),
    };
    const podAnnotations = resolveAnnotations(args.podAnnotations, key("podAnnotations"), problems, RESERVED_ANNOTATIONS);
    const nodeSelector = resolveNodeSelector(args.nodeSelector, key("nodeSelector"), problems);
    const tolerations = resolveTolerations(args.tolerations, key("tolerations"), problems);
    const affinity = resolveAffinity(args.affinity, key("affinity"), problems);
    const imagePullSecrets = resolveImagePullSecrets(args.imagePullSecrets, key("imagePullSecrets"), problems);
    const hostUsers: unknown = args.hostUsers;
    if (hostUsers !== undefined && typeof hostUsers !== "boolean") {
        problems.add(key("hostUsers"), hostUsers, "true | false (false: the Pod's own user namespace), or unset");
    }
    const serverConfig = resolveServerConfig(args.serverConfig, key("serverConfig"), problems);
    const readinessPath: unknown = args.readinessPath ?? DEFAULTS.readinessPath;
    if (!isReadinessPath(readinessPath)) {
        problems.add(key("readinessPath"), readinessPath, READINESS_PATH_RULE);
    }
    const probe = isReadinessPath(readinessPath) ? { path: readinessPath, files: probedSitePaths(readinessPath) } : undefined;
    // Whether the site must hold the probe's page is known only once serverConfig and readinessPath are.
    const probePageDecidedLater = context.deferred?.has("serverConfig") === true || context.deferred?.has("readinessPath") === true;
    const site = resolveSiteContent(args.content, args.binaryContent, args.serverConfig !== undefined || probePageDecidedLater, key, problems, probe);
    const contentFrom = resolveContentFrom(args.contentFrom, { content: args.content !== undefined, binaryContent: args.binaryContent !== undefined },
        podName === undefined ? [] : Object.values(fixedConfigMapNames(podName, { site: true, serverConfig: true, nginxConfig: true })).filter((n) => n !== undefined),
        key, problems);
    const uidAssignment: unknown = args.uidAssignment ?? DEFAULTS.uidAssignment;
    if (!UID_ASSIGNMENTS.includes(uidAssignment as UidAssignment)) {
        problems.add(key("uidAssignment"), uidAssignment,
            `${UID_ASSIGNMENTS.join(" | ")} (pinned: uid and gid 10101; platform: the uid the platform's admission assigns, e.g. OpenShift's restricted-v2)`);
    }
    const accessLogFormat: unknown = args.accessLogFormat;
    if (accessLogFormat !== undefined && !ACCESS_LOG_FORMATS.includes(accessLogFormat as AccessLogFormat)) {
        problems.add(key("accessLogFormat"), accessLogFormat, `${ACCESS_LOG_FORMATS.join(" | ")}, or unset for the image's nginx.conf (combined)`);
    }
    const replicas: unknown = args.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 1 || (replicas as number) > MAX_REPLICAS)) {
        problems.add(key("replicas"), replicas, `a whole number from 1 to ${MAX_REPLICAS} (Pods under a Deployment), or unset for the one bare Pod`);
    } else if ((replicas !== undefined || args.autoscaling !== undefined) && Number.isInteger(terminationGracePeriodSeconds)
        && terminationGracePeriodSeconds < PRE_STOP_SECONDS + MIN_GRACE_PERIOD_SECONDS) {
        // A Deployment's Pod stops serving only after preStop: replicas and autoscaling each make one.
        const deploymentKey = replicas !== undefined ? "replicas" : "autoscaling";
        problems.add(`${key(deploymentKey)} + ${key("terminationGracePeriodSeconds")}`, { [deploymentKey]: args[deploymentKey], terminationGracePeriodSeconds },
            `a grace period of at least ${PRE_STOP_SECONDS + MIN_GRACE_PERIOD_SECONDS} s with ${deploymentKey}: ${PRE_STOP_SECONDS} s of serving while the Service lets go of the Pod, then nginx's quit and the shipper's drain`);
    }
    const autoscaling = resolveAutoscaling(args.autoscaling, replicas, MAX_REPLICAS, key, problems);

    if (!problems.isEmpty) {
        return { ok: false, problems: hideSecretValues(problems.all, new Set([...context.secretKeys ?? []].map(key))) };
    }
    return {
        ok: true,
        resolved: {
            podName,
            namespace,
            instance,
            selectorLabels,
            podLabels,
            nginxImage,
            sidecarImage,
            logSizeLimit,
            logSizeLimitBytes: logSizeLimitBytes ?? 0,
            sidecarMode,
            service,
            terminationGracePeriodSeconds,
            readyTimeoutSeconds,
            networkPolicy,
            resources,
            podAnnotations,
            nodeSelector,
            tolerations,
            affinity,
            imagePullSecrets,
            hostUsers: hostUsers as boolean | undefined,
            site,
            serverConfig,
            // With an autoscaler and no replicas, the Deployment starts with minReplicas.
            replicas: (replicas as number | undefined) ?? autoscaling?.minReplicas,
            readinessPath: readinessPath as string,
            accessLogFormat: accessLogFormat as AccessLogFormat | undefined,
            contentFrom,
            uidAssignment: uidAssignment as UidAssignment,
            autoscaling,
            routes,
            nginxImageGiven: args.nginxImage !== undefined || context.deferred?.has("nginxImage") === true,
        },
    };
}

/** The `networkPolicy` and `allowFrom` arguments, checked together. */
function resolveNetworkPolicy(args: PlainWebServerArgs, key: (name: string) => string, problems: ProblemList): ResolvedNetworkPolicy | undefined {
    const enabled: unknown = args.networkPolicy ?? DEFAULTS.networkPolicy;
    if (typeof enabled !== "boolean") {
        problems.add(key("networkPolicy"), enabled, "true | false");
        return undefined;
    }
    if (!enabled && args.allowFrom !== undefined) {
        problems.add(`${key("networkPolicy")} + ${key("allowFrom")}`, { networkPolicy: false, allowFrom: args.allowFrom },
            "one of them: allowFrom restricts the NetworkPolicy that networkPolicy: false turns off");
        return undefined;
    }
    if (!enabled) {
        return undefined;
    }
    const allowFrom = args.allowFrom === undefined ? undefined : checkAllowFrom(args.allowFrom, key("allowFrom"), problems);
    return { allowFrom };
}

/** What `podLabels` must be, for error messages. */
export const POD_LABELS_RULE = "an object of labels, e.g. { \"app\": \"webserver\", \"team\": \"web\" }";

/**
 * The Pod's labels: the user's, checked, with the selector's labels, sorted by key (deterministic specs).
 * A user label may not set a selector label: the Pod would then be selected by another instance's
 * Service and NetworkPolicy, or by none.
 */
export function resolvePodLabels(value: unknown, selectorLabels: Record<string, string>, key: string, problems: ProblemList): Record<string, string> {
    const labels: Record<string, string> = { ...selectorLabels };
    if (value === undefined) {
        return sortedByKey(labels);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(key, value, POD_LABELS_RULE);
        return sortedByKey(labels);
    }
    for (const [label, labelValue] of Object.entries(value as Record<string, unknown>)) {
        if (label === NAME_LABEL || label === INSTANCE_LABEL) {
            problems.add(`${key}.${label}`, labelValue, `a label other than ${NAME_LABEL} and ${INSTANCE_LABEL}, which the component sets to select this instance (${INSTANCE_LABEL} follows podName)`);
        } else if (!isLabelKey(label)) {
            problems.add(`${key}.${label}`, label, LABEL_KEY_RULE);
        } else if (typeof labelValue !== "string" || !isLabelValue(labelValue)) {
            problems.add(`${key}.${label}`, labelValue, LABEL_VALUE_RULE);
        } else {
            labels[label] = labelValue;
        }
    }
    return sortedByKey(labels);
}


/**
 * `service.loadBalancerSourceRanges`: CIDR blocks, only on a `LoadBalancer` Service.
 * @returns the blocks in the order given, or `undefined` when none were given.
 */
function resolveSourceRanges(value: unknown, type: unknown, key: (name: string) => string, problems: ProblemList): string[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    const rangesKey = key("service.loadBalancerSourceRanges");
    if (!Array.isArray(value)) {
        problems.add(rangesKey, value, "a list of CIDR blocks, e.g. [\"203.0.113.0/24\"]");
        return undefined;
    }
    value.forEach((cidr: unknown, index) => {
        if (typeof cidr !== "string" || parseCidr(cidr) === undefined) {
            problems.add(`${rangesKey}[${index}]`, cidr, "an IPv4 or IPv6 block in CIDR notation, e.g. 203.0.113.0/24");
        }
    });
    if (type !== "LoadBalancer") {
        problems.add(`${key("service.type")} + ${rangesKey}`, { type, loadBalancerSourceRanges: value },
            "loadBalancerSourceRanges only with type LoadBalancer (the API server refuses it on other types)");
    }
    return value as string[];
}

// Deprecated names (issue 31, item 6). Other languages' SDKs add "Args" to an input type's name, so
// `ServiceArgs` read `ServiceArgsArgs` in Go; the types are now named for what they are.
/** @deprecated Renamed {@link Service}; this alias stays for existing TypeScript programs. */
export type ServiceArgs = Service;
/** @deprecated Renamed {@link Resources}; this alias stays for existing TypeScript programs. */
export type ResourcesArgs = Resources;
/** @deprecated Renamed {@link Toleration}; this alias stays for existing TypeScript programs. */
export type TolerationArgs = Toleration;
/** @deprecated Renamed {@link ContainerResources}; this alias stays for existing TypeScript programs. */
export type ContainerResourcesArgs = ContainerResources;
