/**
 * The component as teams compose it (issue 18), for real: two WebServers in one namespace of one
 * stack, each selecting only its own Pod; Outputs as arguments; and what an existing stack's next
 * `up` does when the selector moves from the tutorial's `app: webserver` to the instance's
 * recommended labels (updates in place, the Pod kept). Through an inline Automation API program
 * that uses the component as a library, against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer, WebServerArgs } from "../../components";
import { InlineStack } from "../../lab/inlineStack";
import { readContainerOutput } from "../../lab/logFollower";
import { waitFor } from "../../lab/polling";
import { getThroughPortForward } from "../../lab/portForward";
import { clusterKubeconfig, createNamespace, deleteNamespace, kubectl, localClusterImages } from "../../lab/pulumiHarness";

/** The Pods a label selector picks in `namespace`, by name. */
function podsSelectedBy(selector: Record<string, string>, namespace: string): string[] {
    const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
    return kubectl(["get", "pods", "-n", namespace, "-l", labels, "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").filter((n) => n !== "").sort();
}

/** The Pods behind a Service, from its EndpointSlices (filled by the controller-manager). */
function endpointPods(service: string, namespace: string): string[] {
    const slices = JSON.parse(kubectl(["get", "endpointslices", "-n", namespace, "-l", `kubernetes.io/service-name=${service}`, "-o", "json"]));
    return slices.items.flatMap((s: { endpoints?: { targetRef?: { name: string } }[] }) => (s.endpoints ?? []).map((e) => e.targetRef?.name ?? "")).sort();
}

describe("WebServers composed in one stack, against a real API server", function () {
    this.timeout(600_000);

    describe("two instances in one namespace", () => {
        let namespace: string;
        let stack: InlineStack;
        const images = localClusterImages();

        before(async () => {
            namespace = createNamespace("two");
            stack = await InlineStack.create("webserver-sidecar-instances");
            stack.program = async () => {
                const provider = new k8s.Provider("k8s", { kubeconfig: clusterKubeconfig(), namespace });
                // site-b takes Outputs where a team would hold them: its image and its Service's port.
                const a = new WebServer("site-a", { ...images, service: {} }, { providers: [provider] });
                const bArgs: WebServerArgs = {
                    ...images,
                    ...(images.nginxImage !== undefined ? { nginxImage: pulumi.output(images.nginxImage) } : {}),
                    service: { port: pulumi.output(8080) },
                };
                const b = new WebServer("site-b", bArgs, { providers: [provider] });
                return { pods: pulumi.all([a.podName, b.podName]), services: pulumi.all([a.serviceName!, b.serviceName!]) };
            };
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("comes up with objects named after each component", async () => {
            const result = await stack.up();
            expect(result.outputs.pods.value).to.deep.equal(["site-a", "site-b"]);
            expect(result.outputs.services.value).to.deep.equal(["site-a", "site-b"]);
            const port = JSON.parse(kubectl(["get", "service", "site-b", "-n", namespace, "-o", "json"])).spec.ports[0].port;
            expect(port, "site-b's port, from an Output").to.equal(8080);
        });

        it("gives each Service the endpoints of its own Pod only", () => {
            expect(endpointPods("site-a", namespace)).to.deep.equal(["site-a"]);
            expect(endpointPods("site-b", namespace)).to.deep.equal(["site-b"]);
        });

        it("makes each NetworkPolicy select its own Pod only", () => {
            for (const name of ["site-a", "site-b"]) {
                const policy = JSON.parse(kubectl(["get", "networkpolicy", name, "-n", namespace, "-o", "json"]));
                expect(podsSelectedBy(policy.spec.podSelector.matchLabels, namespace), name).to.deep.equal([name]);
            }
        });

        it("ships each instance's own request lines", async () => {
            for (const name of ["site-a", "site-b"]) {
                expect((await getThroughPortForward(name, namespace, [`/?from=${name}`]))[0].status).to.equal(200);
            }
            for (const name of ["site-a", "site-b"]) {
                const other = name === "site-a" ? "site-b" : "site-a";
                const logs = await waitFor(`${name}'s request line`, () => {
                    const shipped = readContainerOutput({ namespace, pod: name, container: "sidecar-container" }).shipped;
                    return shipped.includes(`GET /?from=${name}`) ? shipped : undefined;
                }, 10_000, 100);
                expect(logs, `${name} ships no line of ${other}`).to.not.include(`GET /?from=${other}`);
            }
        });
    });

    describe("an existing stack moving from app: webserver to the instance's labels", () => {
        let namespace: string;
        let stack: InlineStack;
        /** The tutorial's program as on main before: selecting `app: webserver` (reproduced with a transformation). */
        let oldSelector = true;

        before(async () => {
            namespace = createNamespace("relabel");
            stack = await InlineStack.create("webserver-sidecar-relabel");
            stack.program = async () => {
                const provider = new k8s.Provider("k8s", { kubeconfig: clusterKubeconfig(), namespace });
                const asBefore: pulumi.ResourceTransformation = (child) => {
                    if (!oldSelector || !child.type.startsWith("kubernetes:")) {
                        return undefined;
                    }
                    const props: Record<string, unknown> = { ...child.props, metadata: pulumi.output(child.props.metadata).apply((m) => ({ ...m, labels: { app: "webserver" } })) };
                    if (child.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy") {
                        props.spec = pulumi.output(child.props.spec).apply((s) => ({ ...s, podSelector: { matchLabels: { app: "webserver" } } }));
                    } else if (child.type === "kubernetes:core/v1:Service") {
                        props.spec = pulumi.output(child.props.spec).apply((s) => ({ ...s, selector: { app: "webserver" } }));
                    }
                    return { props, opts: child.opts };
                };
                const web = new WebServer("webserver", { podName: "webserver", podLabels: { app: "webserver" }, service: {}, ...localClusterImages() },
                    { providers: [provider], transformations: [asBefore] });
                return { podName: web.podName };
            };
            await stack.up();
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("updates the NetworkPolicy, Pod and Service in place on the next up, keeping the running Pod", async () => {
            const uidBefore = kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "jsonpath={.metadata.uid}"]);
            oldSelector = false;
            await stack.up();
            expect(stack.operationsOn("kubernetes:core/v1:Pod")).to.deep.equal(["update"]);
            expect(stack.operationsOn("kubernetes:core/v1:Service")).to.deep.equal(["update"]);
            expect(stack.operationsOn("kubernetes:networking.k8s.io/v1:NetworkPolicy")).to.deep.equal(["update"]);
            expect(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "jsonpath={.metadata.uid}"]), "the same Pod").to.equal(uidBefore);
            const instance = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };
            expect(podsSelectedBy(instance, namespace)).to.deep.equal(["webserver"]);
            expect(endpointPods("webserver", namespace)).to.deep.equal(["webserver"]);
        });
    });
});
