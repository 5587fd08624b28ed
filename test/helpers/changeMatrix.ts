/**
 * The change matrix's table (issue 27, item 9): for every stack key the program accepts
 * (program/stackConfig.ts CONFIG_KEYS), a valid value other than the default, what a preview of
 * that change must show, and where the change is seen on the live cluster. The end-to-end test
 * (test/integration/changeMatrix.test.ts) takes a deployed stack of each kind through every row,
 * one at a time; test/changeMatrix.test.ts holds the table to the keys, so that a new key without
 * a row (or a reason to be left out) fails a unit test.
 */
import { CONFIG_KEYS } from "../../program/stackConfig";

/** A stack key, without the `webserver-sidecar:` prefix. */
export type StackKey = keyof typeof CONFIG_KEYS;

/** The two kinds of deployed stack: the tutorial's bare Pod, and the same Pod under a Deployment (`replicas`). */
export type StackKind = "bare" | "replicas";

/** The replicas the `replicas` stack runs: 2, the fewest with a PodDisruptionBudget, and fast to roll. */
export const MATRIX_REPLICAS = 2;

/** What a row's value and expectations depend on: the cluster and namespaces the test deployed to. */
export interface MatrixEnvironment {
    /** The kubeconfig file the stack deploys with (a copy holding a second context). */
    readonly kubeconfig: string;
    /** Another path to a kubeconfig of the same cluster: the `kubeconfig` row's value. */
    readonly otherKubeconfig: string;
    /** A second context of `kubeconfig`, on the same cluster and user: the `context` row's value. */
    readonly secondContext: string;
    /** The stack's namespace, and a second one for the `namespace` row. */
    readonly namespace: string;
    readonly otherNamespace: string;
    /** The images the stack runs (the local node's stand-ins, or the component's defaults). */
    readonly nginxImage: string;
    readonly sidecarImage: string;
}

/**
 * Where a row's change is seen, read again after each `up`:
 * - `pods`: a jsonpath on every running Pod of the instance (all must agree);
 * - `object`: a jsonpath on one object of the namespace, `(absent)` when it does not exist;
 * - `podNamespaces`: the namespaces (of the stack's two) where the instance's Pods run;
 * - `http`: a GET of `/` from a running Pod through `kubectl port-forward`: the body, or one header;
 * - `state`: a field of one resource in the stack's state (what no Kubernetes object holds).
 */
export type Observation =
    | { readonly kind: "pods"; readonly jsonpath: string }
    | { readonly kind: "object"; readonly resource: string; readonly jsonpath: string }
    | { readonly kind: "podNamespaces" }
    | { readonly kind: "http"; readonly header?: string }
    | { readonly kind: "state"; readonly type: string; readonly field: readonly string[] };

/** A step the preview must show: a resource of `type` with one of `ops` (Pulumi's step ops). */
export interface ExpectedStep {
    readonly type: string;
    readonly ops: readonly string[];
}

/** How one stack kind meets a row: what its preview shows, where the change is seen, and what is seen. */
export interface RowExpectation {
    /** The stack config value to set (as `pulumi config set` stores it: JSON for objects and lists). */
    readonly value: string;
    /** The steps the change's preview must include; empty: it must change nothing (see the row's `why`). */
    readonly preview: readonly ExpectedStep[];
    readonly observation: Observation;
    /** What the observation reads once the change is applied. */
    readonly changed: string;
}

/** One stack key of the matrix. */
export interface MatrixRow {
    readonly key: StackKey;
    /** Why this value, and anything the row does not check. */
    readonly why: string;
    readonly bare: RowExpectation;
    readonly replicas: RowExpectation;
}

export const POD = "kubernetes:core/v1:Pod";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const PROVIDER = "pulumi:providers:kubernetes";

/** A change to the Pod's spec or metadata: an update in place (images, metadata) or a replacement (the rest). */
const POD_CHANGED: ExpectedStep = { type: POD, ops: ["update", "replace"] };
/** The same change under `replicas`: an update of the Deployment's template, which rolls the Pods. */
const DEPLOYMENT_UPDATED: ExpectedStep = { type: DEPLOYMENT, ops: ["update"] };

/** A row whose change is in the Pod: read on each running Pod, previewed as a change of the Pod or the Deployment. */
function podRow(key: StackKey, value: string, jsonpath: string, changed: string, why: string): MatrixRow {
    return sameOnBoth(key, value, why, (workload) => ({ preview: [workload], observation: { kind: "pods", jsonpath }, changed }));
}

/**
 * A row with one value, seen the same way on both kinds of stack, whose preview differs only in the
 * workload it changes (the bare Pod, or the Deployment).
 */
function sameOnBoth(key: StackKey, value: string, why: string, expectation: (workload: ExpectedStep) => Omit<RowExpectation, "value">): MatrixRow {
    return { key, why, bare: { value, ...expectation(POD_CHANGED) }, replicas: { value, ...expectation(DEPLOYMENT_UPDATED) } };
}

/** The image's reference pinned by its digest alone (`repo:tag@sha256:…` → `repo@sha256:…`): the same bytes, another valid value. */
export function digestOnlyReference(image: string): string {
    const at = image.indexOf("@");
    if (at < 0) {
        throw new Error(`the matrix changes an image pinned by digest to its digest alone; ${JSON.stringify(image)} has no digest`);
    }
    const name = image.slice(0, at);
    const lastSlash = name.lastIndexOf("/");
    const tagColon = name.lastIndexOf(":");
    return `${tagColon > lastSlash ? name.slice(0, tagColon) : name}${image.slice(at)}`;
}

/** A server block with a header of its own, serving the image's pages as its default server does. */
export const MATRIX_SERVER_CONFIG = `server {
    listen 80;
    root /usr/share/nginx/html;
    add_header X-Change-Matrix on always;
    location / {
        index index.html;
    }
}
`;

/** What an `object` observation reads when the object does not exist. */
export const ABSENT = "(absent)";

/** The pull Secret the `imagePullSecrets` row names: the end-to-end test creates it in the stack's namespace. */
export const MATRIX_PULL_SECRET = "matrix-pull";

/** The page the `content` row serves, and the one `binaryContent` serves from bytes. */
export const MATRIX_PAGE = "<h1>change matrix</h1>\n";
export const MATRIX_BINARY_PAGE = "<h1>change matrix, from bytes</h1>\n";

/** The keys the matrix leaves out, and why: printed by the end-to-end test. */
export const EXCLUDED_KEYS: Readonly<Partial<Record<StackKey, string>>> = {
    uidAssignment: "its other value, platform, leaves the uid to an admission that assigns one (OpenShift's SCCs), which the local node has not: "
        + "the kubelet then refuses the root images (runAsNonRoot), as it must, and the Pod never becomes Ready (test/podSpec.test.ts holds the spec)",
    ingress: "it needs service set too, which a one-key change of the stack without a Service cannot give; "
        + "test/integration/routes.test.ts previews, applies and removes an Ingress on a stack with a Service",
    httpRoute: "it needs service set too, which a one-key change of the stack without a Service cannot give; "
        + "test/integration/routes.test.ts previews, applies and removes an HTTPRoute on a stack with a Service",
    contentFrom: "it names an object the team owns, which the matrix's stacks would have to find in their namespace beside them; "
        + "not a row yet (test/podSpec.test.ts and test/webServer.test.ts hold the volume and that nothing of it is created)",
};

const NGINX = `@.name=="nginx-container"`;
const SIDECAR = `@.name=="sidecar-container"`;

/**
 * The matrix: one row per stack key but those in {@link EXCLUDED_KEYS}, in the README's order.
 * @param env the cluster, namespaces and images of the stack under test.
 */
export function matrixRows(env: MatrixEnvironment): MatrixRow[] {
    const provider = (field: string, value: string): Omit<RowExpectation, "value"> => ({
        preview: [{ type: PROVIDER, ops: ["update"] }],
        observation: { kind: "state", type: PROVIDER, field: ["inputs", field] },
        changed: value,
    });
    const serviceRead: Observation = { kind: "object", resource: "service/webserver", jsonpath: "{.spec.type} {.spec.ports[0].port}" };
    const policyRead = (jsonpath: string): Observation => ({ kind: "object", resource: "networkpolicy/webserver", jsonpath });
    const readyReplicas: Observation = { kind: "object", resource: "deployment/webserver", jsonpath: "{.status.readyReplicas}" };
    const autoscalerRead: Observation = { kind: "object", resource: "horizontalpodautoscaler/webserver", jsonpath: "{.spec.minReplicas} {.spec.maxReplicas}" };
    return [
        sameOnBoth("kubeconfig", env.otherKubeconfig,
            "another kubeconfig file of the same cluster (a second cluster is not cheap here): the provider is updated, no object changes",
            () => provider("kubeconfig", env.otherKubeconfig)),
        sameOnBoth("context", env.secondContext, "a second context of the same cluster and user: the provider is updated, no object changes",
            () => provider("context", env.secondContext)),
        {
            key: "namespace", why: "a second namespace of the same cluster: every object is replaced there",
            bare: { value: env.otherNamespace, preview: [{ type: POD, ops: ["replace"] }], observation: { kind: "podNamespaces" }, changed: env.otherNamespace },
            replicas: { value: env.otherNamespace, preview: [{ type: DEPLOYMENT, ops: ["replace"] }], observation: { kind: "podNamespaces" }, changed: env.otherNamespace },
        },
        sameOnBoth("service", JSON.stringify({ type: "NodePort", port: 8080 }), "a Service where there was none: created, then deleted on the revert",
            () => ({ preview: [{ type: SERVICE, ops: ["create"] }], observation: serviceRead, changed: "NodePort 8080" })),
        podRow("nginxImage", digestOnlyReference(env.nginxImage), `{.spec.containers[?(${NGINX})].image}`, digestOnlyReference(env.nginxImage),
            "the same image pinned by digest alone (nothing else can be pulled on the local node): a Pod's image changes in place"),
        podRow("sidecarImage", digestOnlyReference(env.sidecarImage), `{.spec.initContainers[?(${SIDECAR})].image}`, digestOnlyReference(env.sidecarImage),
            "the same image pinned by digest alone; the native sidecar is an init container"),
        podRow("logSizeLimit", "64Mi", `{.spec.volumes[?(@.name=="shared-logs")].emptyDir.sizeLimit}`, "64Mi", "half the default"),
        podRow("sidecarMode", "classic", `{.spec.containers[?(${SIDECAR})].name}`, "sidecar-container",
            "the sidecar moves from the init containers to the containers"),
        sameOnBoth("networkPolicy", "false", "the NetworkPolicy goes, and comes back on the revert",
            () => ({ preview: [{ type: NETWORK_POLICY, ops: ["delete"] }], observation: policyRead("{.metadata.name}"), changed: ABSENT })),
        sameOnBoth("allowFrom", JSON.stringify([{ podSelector: { role: "matrix-client" } }]), "only Pods labelled role: matrix-client of the namespace may reach port 80",
            () => ({ preview: [{ type: NETWORK_POLICY, ops: ["update"] }], observation: policyRead("{.spec.ingress[0].from[0].podSelector.matchLabels.role}"), changed: "matrix-client" })),
        {
            key: "readyTimeoutSeconds",
            why: "the bare Pod's wait is a Pulumi customTimeout, in no Kubernetes object (so its preview changes nothing, and the state holds it); "
                + "under replicas it is the Deployment's progressDeadlineSeconds",
            bare: { value: "120", preview: [], observation: { kind: "state", type: POD, field: ["customTimeouts", "create"] }, changed: "120" },
            replicas: { value: "120", preview: [DEPLOYMENT_UPDATED], observation: { kind: "object", resource: "deployment/webserver", jsonpath: "{.spec.progressDeadlineSeconds}" }, changed: "120" },
        },
        podRow("podLabels", JSON.stringify({ team: "matrix" }), "{.metadata.labels.team}", "matrix", "one extra label"),
        podRow("podAnnotations", JSON.stringify({ note: "matrix" }), "{.metadata.annotations.note}", "matrix", "one extra annotation"),
        podRow("resources", JSON.stringify({ nginx: { limits: { memory: "96Mi" } } }), `{.spec.containers[?(${NGINX})].resources.limits.memory}`, "96Mi",
            "nginx's memory limit lowered from 128Mi, above its 64Mi request"),
        podRow("nodeSelector", JSON.stringify({ "kubernetes.io/os": "linux" }), "{.spec.nodeSelector.kubernetes\\.io/os}", "linux",
            "a label every Linux node has, so the Pod still schedules"),
        podRow("tolerations", JSON.stringify([{ key: "example.com/matrix", operator: "Exists", effect: "NoSchedule" }]),
            `{.spec.tolerations[?(@.key=="example.com/matrix")].effect}`, "NoSchedule", "a toleration of a taint no node has"),
        podRow("affinity", JSON.stringify({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 7, preference: { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] } }] } }),
            "{.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight}", "7", "a preferred node affinity every Linux node meets"),
        podRow("imagePullSecrets", JSON.stringify([MATRIX_PULL_SECRET]), "{.spec.imagePullSecrets[0].name}", MATRIX_PULL_SECRET,
            "a Secret the test creates; the images are on the node, so nothing is pulled with it"),
        podRow("hostUsers", "false", "{.spec.hostUsers}", "false",
            "the Pod in its own user namespace (the local node's containerd 2 and runc 1.5 run it, through idmapped mounts)"),
        sameOnBoth("content", JSON.stringify({ "index.html": MATRIX_PAGE }), "the team's page in place of the image's, from a new ConfigMap",
            (workload) => ({ preview: [{ type: CONFIG_MAP, ops: ["create"] }, workload], observation: { kind: "http" }, changed: MATRIX_PAGE })),
        sameOnBoth("binaryContent", JSON.stringify({ "index.html": Buffer.from(MATRIX_BINARY_PAGE).toString("base64") }), "the page as base64 bytes, from a new ConfigMap",
            (workload) => ({ preview: [{ type: CONFIG_MAP, ops: ["create"] }, workload], observation: { kind: "http" }, changed: MATRIX_BINARY_PAGE })),
        {
            key: "replicas",
            why: `the bare stack goes to ${MATRIX_REPLICAS} replicas (its Pod deleted, a Deployment and a PodDisruptionBudget created); the replicas stack scales ${MATRIX_REPLICAS} → 1 (its budget deleted)`,
            bare: { value: String(MATRIX_REPLICAS), preview: [{ type: POD, ops: ["delete"] }, { type: DEPLOYMENT, ops: ["create"] }, { type: PDB, ops: ["create"] }], observation: readyReplicas, changed: String(MATRIX_REPLICAS) },
            replicas: { value: "1", preview: [DEPLOYMENT_UPDATED, { type: PDB, ops: ["delete"] }], observation: readyReplicas, changed: "1" },
        },
        sameOnBoth("serverConfig", MATRIX_SERVER_CONFIG, "a server block adding its own header to the image's pages, from a new ConfigMap",
            (workload) => ({ preview: [{ type: CONFIG_MAP, ops: ["create"] }, workload], observation: { kind: "http", header: "x-change-matrix" }, changed: "on" })),
        podRow("readinessPath", "/index.html", `{.spec.containers[?(${NGINX})].readinessProbe.httpGet.path}`, "/index.html",
            "the probe asks for the image's index.html by name"),
        sameOnBoth("accessLogFormat", "json", "nginx's own nginx.conf with JSON access lines, from a new ConfigMap",
            (workload) => ({
                preview: [{ type: CONFIG_MAP, ops: ["create"] }, workload],
                observation: { kind: "pods", jsonpath: `{.spec.volumes[?(@.name=="nginx-config")].name}` }, changed: "nginx-config",
            })),
        {
            key: "autoscaling",
            why: `the bare stack goes to a Deployment of 1 Pod sized by an autoscaler up to 3 (its Pod deleted); the replicas stack gets an autoscaler from ${MATRIX_REPLICAS} to 3, `
                + "its Deployment unchanged (the count is then the autoscaler's)",
            bare: {
                value: JSON.stringify({ maxReplicas: 3 }), preview: [{ type: POD, ops: ["delete"] }, { type: DEPLOYMENT, ops: ["create"] }, { type: HPA, ops: ["create"] }],
                observation: autoscalerRead, changed: "1 3",
            },
            replicas: {
                value: JSON.stringify({ minReplicas: MATRIX_REPLICAS, maxReplicas: 3 }), preview: [{ type: HPA, ops: ["create"] }],
                observation: autoscalerRead, changed: `${MATRIX_REPLICAS} 3`,
            },
        },
    ];
}

/**
 * The keys of the matrix's rows, in order, before the environment is known (mocha declares a test
 * per row before the stacks exist): the rows of a placeholder environment, whose values only have
 * the right shapes.
 */
export function matrixKeys(): StackKey[] {
    const digest = `sha256:${"0".repeat(64)}`;
    return matrixRows({
        kubeconfig: "/kubeconfig", otherKubeconfig: "/other-kubeconfig", secondContext: "second", namespace: "a", otherNamespace: "b",
        nginxImage: `nginx:1@${digest}`, sidecarImage: `python:3@${digest}`,
    }).map((row) => row.key);
}

/** The steps a revert must show: a created object is deleted again, a deleted one created; updates and replacements stay. */
export function revertedSteps(steps: readonly ExpectedStep[]): ExpectedStep[] {
    const inverse: Record<string, string> = { create: "delete", delete: "create" };
    return steps.map((step) => ({ type: step.type, ops: step.ops.map((op) => inverse[op] ?? op) }));
}
