/**
 * `pulumi preview`, `up` and `destroy` for real: the Pulumi CLI through the Automation API, against
 * the cluster KUBECONFIG names: the project's local cluster (scripts/test.sh, after
 * scripts/cluster.sh up), or any other, such as kind on GitHub's runners (.github/workflows/test.yml).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, kubectlError, liveNames } from "../../lab/pulumiHarness";

const TUTORIAL_POD = fs.readFileSync(path.join(__dirname, "..", "fixtures", "tutorial-pod.yaml"), "utf8");
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };

describe("pulumi preview, up and destroy against a real API server", function () {
    this.timeout(600_000);

    describe("the dev stack's Pod, in a namespace enforcing the restricted Pod Security profile", () => {
        let namespace: string;
        let stack: TestStack;

        before(async () => {
            namespace = createNamespace("web", RESTRICTED);
            stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("previews exactly the expected creates", async () => {
            await stack.preview();
            expect(stack.steps()).to.have.deep.members([
                ["create", "pulumi:pulumi:Stack"],
                ["create", "pulumi:providers:kubernetes"],
                ["create", "webserver-sidecar:index:WebServer"],
                ["create", "kubernetes:core/v1:ConfigMap"],
                ["create", "kubernetes:networking.k8s.io/v1:NetworkPolicy"],
                ["create", "kubernetes:core/v1:Pod"],
            ]);
            expect(liveNames("pods", namespace), "a preview creates nothing").to.deep.equal([]);
        });

        it("comes up with no warning: the Pod is admitted, Ready, and podNames is what the API server holds", async () => {
            const result = await stack.up();
            const warnings = stack.events.flatMap((e) => (e.diagnosticEvent?.severity === "warning" ? [e.diagnosticEvent.message] : []));
            expect(warnings, "a clean up of the dev stack's program warns of nothing").to.deep.equal([]);
            expect(result.outputs.podNames.value).to.deep.equal(["webserver"]);
            expect(result.outputs.namespace.value).to.equal(namespace);
            expect(liveNames("pods", namespace)).to.deep.equal(result.outputs.podNames.value);
            const pod = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"]));
            const ready = pod.status.conditions.find((c: { type: string }) => c.type === "Ready");
            expect(ready.status).to.equal("True");
            expect(pod.spec.initContainers[0]).to.deep.include({ name: "sidecar-container", restartPolicy: "Always" });
            for (const container of [...pod.spec.initContainers, ...pod.spec.containers]) {
                expect(container.image, container.name).to.match(/@sha256:[0-9a-f]{64}$/);
            }
        });

        it("creates the NetworkPolicy on the cluster: selecting the Pod, ingress only to port 80, no egress", async () => {
            const outputs = await stack.stack.outputs();
            expect(outputs.networkPolicyName.value).to.equal("webserver");
            const policy = JSON.parse(kubectl(["get", "networkpolicy", "webserver", "-n", namespace, "-o", "json"]));
            const pod = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"]));
            // It selects the instance's recommended labels only; the Pod also keeps the tutorial's app: webserver.
            const instance = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };
            expect(policy.spec.podSelector).to.deep.equal({ matchLabels: instance });
            // And the provider's own label, which it adds to what it creates with client-side apply
            // (program/provider.ts; pulumi-kubernetes 4.25.0 provider.go Check, TrySetManagedByLabel).
            expect(pod.metadata.labels).to.deep.equal({ app: "webserver", ...instance, "app.kubernetes.io/managed-by": "pulumi" });
            expect(policy.spec.policyTypes).to.deep.equal(["Ingress", "Egress"]);
            expect(policy.spec.ingress).to.deep.equal([{ ports: [{ protocol: "TCP", port: 80 }] }]);
            // The API server drops an empty list: no egress rule at all, which with Egress in policyTypes denies all egress.
            expect(policy.spec.egress ?? []).to.deep.equal([]);
        });

        it("rejects the tutorial's Pod in the same namespace: the hardening is what gets ours admitted", () => {
            const tutorial = yaml.load(TUTORIAL_POD) as { metadata: { name: string } };
            tutorial.metadata.name = "tutorial-webserver";
            const error = kubectlError(["apply", "-n", namespace, "-f", "-"], JSON.stringify(tutorial));
            expect(error).to.match(/violates PodSecurity "restricted:latest"/);
            expect(error).to.match(/runAsNonRoot|allowPrivilegeEscalation|capabilities|seccompProfile/);
        });

        it("reports no changes on a second up", async () => {
            const result = await stack.up();
            expect(result.summary.resourceChanges).to.deep.equal({ same: 6 });
        });

        it("replaces the Pod when its volumes change (logSizeLimit)", async () => {
            const before = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"])).metadata.uid;
            await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace, logSizeLimit: "64Mi" });
            const result = await stack.up();
            expect(result.summary.resourceChanges).to.deep.include({ replace: 1 });
            const pod = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"]));
            expect(pod.metadata.uid).to.not.equal(before);
            expect(pod.spec.volumes.find((v: { name: string }) => v.name === "shared-logs").emptyDir.sizeLimit).to.equal("64Mi");
        });

        it("destroys everything it created", async () => {
            await stack.stack.destroy();
            expect(liveNames("pods", namespace)).to.deep.equal([]);
            expect(liveNames("networkpolicies", namespace)).to.deep.equal([]);
        });
    });

    describe("with a Service", () => {
        let namespace: string;
        let stack: TestStack;

        before(async () => {
            namespace = createNamespace("svc");
            stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "ClusterIP", port: 8080 }) });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("comes up with the Service selecting the Pod (its endpoints filled by the controller-manager)", async () => {
            const result = await stack.up();
            expect(result.outputs.serviceName.value).to.equal("webserver");
            const service = JSON.parse(kubectl(["get", "service", "webserver", "-n", namespace, "-o", "json"]));
            expect(service.spec.ports[0]).to.deep.include({ port: 8080, targetPort: 80 });
            const slices = JSON.parse(kubectl(["get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=webserver", "-o", "json"]));
            const endpoints = slices.items.flatMap((s: { endpoints?: { targetRef?: { name: string } }[] }) => s.endpoints ?? []);
            expect(endpoints.map((e: { targetRef?: { name: string } }) => e.targetRef?.name)).to.deep.equal(["webserver"]);
        });

        it("destroys the Service with the Pod", async () => {
            await stack.stack.destroy();
            expect(liveNames("services", namespace)).to.deep.equal([]);
            expect(liveNames("pods", namespace)).to.deep.equal([]);
        });
    });

    describe("kubeconfig, context and namespace config pick the target", () => {
        let chosen: string;
        let other: string;
        let stack: TestStack;
        let kubeconfigFile: string;

        before(async () => {
            chosen = createNamespace("chosen");
            other = createNamespace("other");
            // Two contexts: the current one points at a port where nothing listens, the other at the
            // cluster under test with `other` as its namespace. Only config can make the deploy work,
            // and land in `chosen`.
            const base = yaml.load(fs.readFileSync(clusterKubeconfig(), "utf8")) as {
                clusters: { name: string; cluster: Record<string, unknown> }[];
                users: { name: string }[];
                contexts: { name: string; context: Record<string, unknown> }[];
                "current-context": string;
            };
            // The kubeconfig may hold other contexts than the one under test (a user's, say).
            const working = (base.contexts.find((c) => c.name === base["current-context"]) ?? base.contexts[0]).context;
            const config = {
                ...base,
                clusters: [...base.clusters, { name: "nowhere", cluster: { ...base.clusters[0].cluster, server: "https://127.0.0.1:1" } }],
                contexts: [
                    { name: "broken", context: { ...working, cluster: "nowhere" } },
                    { name: "working", context: { ...working, namespace: other } },
                ],
                "current-context": "broken",
            };
            kubeconfigFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "two-contexts.yaml");
            fs.writeFileSync(kubeconfigFile, yaml.dump(config));
            stack = await TestStack.create({ kubeconfig: kubeconfigFile, context: "working", namespace: chosen });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(chosen);
            deleteNamespace(other);
        });

        it("deploys through the configured context into the configured namespace, and nowhere else", async () => {
            // `default` may hold the dev stack's own Pod (scripts/up.sh): it must just not change.
            const defaultBefore = liveNames("pods", "default");
            const result = await stack.up();
            expect(result.outputs.podNames.value).to.deep.equal(["webserver"]);
            expect(liveNames("pods", chosen)).to.deep.equal(["webserver"]);
            expect(liveNames("pods", other)).to.deep.equal([]);
            expect(liveNames("pods", "default")).to.deep.equal(defaultBefore);
        });
    });

    describe("an inline kubeconfig holding a token", () => {
        let namespace: string;
        let stack: TestStack;
        let token: string;
        let inline: string;

        before(async () => {
            namespace = createNamespace("token");
            // A ServiceAccount with the namespace's admin role, and a token for it: a credential
            // that exists only inside the kubeconfig, as it would for a CI system's deploy user.
            kubectl(["create", "serviceaccount", "deployer", "-n", namespace]);
            kubectl(["create", "rolebinding", "deployer-admin", "--clusterrole=admin", `--serviceaccount=${namespace}:deployer`, "-n", namespace]);
            token = kubectl(["create", "token", "deployer", "-n", namespace, "--duration=1h"]).trim();
            const base = yaml.load(fs.readFileSync(clusterKubeconfig(), "utf8")) as { clusters: { name: string; cluster: Record<string, unknown> }[] };
            inline = yaml.dump({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "local", cluster: base.clusters[0].cluster }],
                users: [{ name: "deployer", user: { token } }],
                contexts: [{ name: "deployer", context: { cluster: "local", user: "deployer", namespace } }],
                "current-context": "deployer",
            });
            stack = await TestStack.create({ namespace });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("set as plain config, fails preview with the command that makes it a secret, and creates nothing", async () => {
            await stack.setConfig({ namespace, kubeconfig: inline });
            let message = "";
            try {
                await stack.preview();
            } catch (e) {
                message = String(e);
            }
            expect(message).to.include('webserver-sidecar:kubeconfig: got "(an inline kubeconfig with credentials in plain config: users[0].user.token)"');
            expect(message).to.include('pulumi config set --secret webserver-sidecar:kubeconfig "$(cat path/to/kubeconfig)"');
            expect(message, "the message never shows the credential").to.not.include(token);
            expect(stack.steps().filter(([, type]) => type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
            expect(liveNames("pods", namespace)).to.deep.equal([]);
        });

        it("set as a secret, deploys through it", async () => {
            await stack.setConfig({ namespace }, { kubeconfig: inline });
            const result = await stack.up();
            expect(result.outputs.podNames.value).to.deep.equal(["webserver"]);
            expect(liveNames("pods", namespace)).to.deep.equal(["webserver"]);
            expect(liveNames("networkpolicies", namespace)).to.deep.equal(["webserver"]);
        });

        it("keeps the token out of the stack's state (pulumi stack export, the backend's files) and out of Pulumi.<stack>.yaml", async () => {
            const exported = stack.exportState();
            expect(exported).to.include("ciphertext"); // the kubeconfig is there, encrypted
            expect(exported).to.not.include(token);
            const backend = stack.backendFiles();
            expect(backend.length).to.be.greaterThan(0);
            expect(backend).to.not.include(token);
            const settings = stack.settingsFile();
            expect(settings).to.match(/webserver-sidecar:kubeconfig:\s+secure: /);
            expect(settings).to.not.include(token);
        });

        it("records the provider's kubeconfig as a secret (what exportStack, which decrypts, marks as one)", async () => {
            const deployment = (await stack.stack.exportStack()).deployment as { resources: { type: string; inputs?: Record<string, unknown> }[] };
            const provider = deployment.resources.find((r) => r.type === "pulumi:providers:kubernetes");
            // Pulumi's secret envelope: its signature key, and the value (here decrypted by --show-secrets).
            expect(provider?.inputs?.kubeconfig).to.have.property("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270");
        });
    });

    describe("bad config", () => {
        let namespace: string;
        let stack: TestStack;

        before(async () => {
            namespace = createNamespace("bad");
            stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace, nginxImage: "nginx:latest", contxt: "x" });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("fails preview with the clear message, and creates nothing in the cluster", async () => {
            let message = "";
            try {
                await stack.preview();
            } catch (e) {
                message = String(e);
            }
            expect(message).to.include('webserver-sidecar:nginxImage: got "nginx:latest"; allowed: an image reference pinned');
            expect(message).to.include('webserver-sidecar:contxt: got "x"; allowed: did you mean webserver-sidecar:context?');
            // Only the message: no "unhandled exception" banner and no stack frames of our code.
            expect(message).not.to.include("unhandled exception");
            expect(message).not.to.match(/\n\s+at .*stackConfig/);
            expect(stack.steps().filter(([, type]) => type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
            expect(liveNames("pods", namespace)).to.deep.equal([]);
        });
    });
});
