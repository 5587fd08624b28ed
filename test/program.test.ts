import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { WebServerConfigError } from "../components/errors";
import { clearRegistered, installMocks, promiseOf, registered, registeredOfType } from "./helpers/mocks";

const PROGRAM = path.join(__dirname, "..", "index.ts");
const KUBECONFIG = path.join(__dirname, "fixtures", "two-contexts.kubeconfig");
const INLINE_KUBECONFIG = fs.readFileSync(KUBECONFIG, "utf8"); // holds a token

/** The outputs index.ts resolves to (its default export). */
interface StackOutputs {
    readonly podNames: pulumi.Output<string[]>;
    readonly namespace: string;
    readonly serviceName?: pulumi.Output<string>;
    readonly networkPolicyName?: pulumi.Output<string>;
}

/**
 * Runs index.ts afresh under mocks with the given stack config, as `pulumi up` would.
 * @param secretKeys the keys set as secrets (`pulumi config set --secret`).
 */
function runProgram(config: Record<string, string>, secretKeys: string[] = []): Promise<StackOutputs> {
    pulumi.runtime.setAllConfig({ "webserver-sidecar:kubeconfig": KUBECONFIG, ...config }, secretKeys);
    delete require.cache[require.resolve(PROGRAM)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on import, afresh for each test, after its config is set
    return require(PROGRAM) as Promise<StackOutputs>;
}

/** What the dev stack's Service and NetworkPolicy select on: the instance's recommended labels. */
const DEV_SELECTOR = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };

describe("the program, index.ts (mocks)", () => {
    before(installMocks);
    beforeEach(clearRegistered);
    after(() => pulumi.runtime.setAllConfig({}));

    it("deploys the dev stack: a provider, the component, its shipper's ConfigMap, NetworkPolicy and Pod, exporting podNames [webserver]", async () => {
        const outputs = await runProgram({ "webserver-sidecar:namespace": "default" });
        expect(await promiseOf(outputs.podNames)).to.deep.equal(["webserver"]);
        expect(await promiseOf(outputs.networkPolicyName!)).to.equal("webserver");
        expect(outputs.namespace).to.equal("default");
        expect(outputs).to.not.have.property("serviceName");
        expect(registered.map((r) => r.type)).to.deep.equal([
            "pulumi:providers:kubernetes", "webserver-sidecar:index:WebServer", "kubernetes:core/v1:ConfigMap",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:core/v1:Pod",
        ]);
    });

    it("closes the dev stack's Pod: its NetworkPolicy allows ingress only to port 80 and no egress", async () => {
        await promiseOf((await runProgram({})).podNames);
        const [policy] = registeredOfType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(policy.inputs.spec.podSelector).to.deep.equal({ matchLabels: DEV_SELECTOR });
        expect(policy.inputs.spec.policyTypes).to.deep.equal(["Ingress", "Egress"]);
        expect(policy.inputs.spec.ingress).to.deep.equal([{ ports: [{ protocol: "TCP", port: 80 }] }]);
        expect(policy.inputs.spec.egress).to.deep.equal([]);
    });

    it("keeps the tutorial's names and its app: webserver label, which the selectors no longer use (all an existing dev stack's up changes)", async () => {
        const outputs = await runProgram({ "webserver-sidecar:service": '{"type":"ClusterIP"}' });
        expect(await promiseOf(outputs.serviceName!)).to.equal("webserver");
        await Promise.all([promiseOf(outputs.podNames), promiseOf(outputs.networkPolicyName!)]);
        const [pod] = registeredOfType("kubernetes:core/v1:Pod");
        const [service] = registeredOfType("kubernetes:core/v1:Service");
        const [policy] = registeredOfType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect([pod, service, policy].map((r) => r.inputs.metadata.name)).to.deep.equal(["webserver", "webserver", "webserver"]);
        // Labels and selectors are updated in place by the provider; the name and namespace, which
        // would replace the Pod, are as before (no namespace: the provider's).
        expect(pod.inputs.metadata.labels).to.deep.equal({ app: "webserver", ...DEV_SELECTOR });
        expect(pod.inputs.metadata).to.not.have.property("namespace");
        expect(service.inputs.spec.selector).to.deep.equal(DEV_SELECTOR);
        expect(policy.inputs.spec.podSelector).to.deep.equal({ matchLabels: DEV_SELECTOR });
    });

    it("adds the stack's podLabels to the tutorial's app: webserver, and passes the Pod's settings on", async () => {
        const outputs = await runProgram({ "webserver-sidecar:podLabels": '{"team":"web"}', "webserver-sidecar:nodeSelector": '{"kubernetes.io/os":"linux"}' });
        await promiseOf(outputs.podNames);
        const [pod] = registeredOfType("kubernetes:core/v1:Pod");
        expect(pod.inputs.metadata.labels).to.deep.equal({ app: "webserver", ...DEV_SELECTOR, team: "web" });
        expect(pod.inputs.spec.nodeSelector).to.deep.equal({ "kubernetes.io/os": "linux" });
    });

    it("runs both of the dev stack's images pinned by digest", async () => {
        await promiseOf((await runProgram({})).podNames);
        const [pod] = registeredOfType("kubernetes:core/v1:Pod");
        const images = [...pod.inputs.spec.initContainers, ...pod.inputs.spec.containers].map((c: { image: string }) => c.image).sort();
        expect(images).to.have.length(2);
        for (const image of images) {
            expect(image).to.match(/^(nginx:1\.30|python:3\.11)\.\d+[-a-z]*@sha256:[0-9a-f]{64}$/);
        }
    });

    it("leaves the NetworkPolicy out and its output unset with networkPolicy false", async () => {
        const outputs = await runProgram({ "webserver-sidecar:networkPolicy": "false" });
        await promiseOf(outputs.podNames);
        expect(outputs).to.not.have.property("networkPolicyName");
        expect(registered.map((r) => r.type)).to.not.include("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    });

    it("takes an inline kubeconfig holding a token when it is a secret, and hands it to the provider as a secret", async () => {
        const outputs = await runProgram({ "webserver-sidecar:kubeconfig": INLINE_KUBECONFIG, "webserver-sidecar:context": "alpha" }, ["webserver-sidecar:kubeconfig"]);
        await promiseOf(outputs.podNames);
        const [provider] = registered;
        expect(provider.type).to.equal("pulumi:providers:kubernetes");
        // A secret input reaches the engine in Pulumi's secret envelope (its signature key and value), never bare.
        expect(provider.inputs.kubeconfig).to.deep.equal({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: INLINE_KUBECONFIG });
    });

    describe("a key set with --secret stays secret (issue 27, item 7)", () => {
        /** Whether the engine received `value` inside a secret envelope at `property` of `resource`, and nowhere in plain text. */
        function expectOnlySecret(value: string): void {
            const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
            const plainText = (input: unknown): boolean => typeof input === "string" ? input.includes(value)
                : typeof input === "object" && input !== null && !(SECRET_SIGNATURE in input) && Object.values(input).some(plainText);
            const withSecret = (input: unknown): boolean => typeof input === "object" && input !== null
                && (SECRET_SIGNATURE in input ? JSON.stringify(input).includes(value) : Object.values(input).some(withSecret));
            expect(registered.filter((r) => plainText(r.inputs)).map((r) => r.name), "in plain text").to.deep.equal([]);
            expect(registered.some((r) => withSecret(r.inputs)), "nowhere, secret").to.equal(true);
        }
        const cases: [string, string, string][] = [
            ["podAnnotations", '{"team.example/token": "s3cret-annotation"}', "s3cret-annotation"],
            ["podLabels", '{"team": "s3cret-label"}', "s3cret-label"],
            ["content", '{"index.html": "<h1>s3cret-page</h1>"}', "s3cret-page"],
            ["binaryContent", '{"favicon.ico": "czNjcmV0LWJ5dGVz"}', "czNjcmV0LWJ5dGVz"],
            ["serverConfig", "server {\n    listen 80;\n    location / { return 200 's3cret-block'; }\n}\n", "s3cret-block"],
            ["service", '{"type": "ClusterIP", "port": 8080, "annotations": {"team.example/lb": "s3cret-service"}}', "s3cret-service"],
        ];
        for (const [key, value, secretPart] of cases) {
            it(`${key}: held in a secret wherever it reaches the engine, never in plain text`, async () => {
                const extra: Record<string, string> = key === "binaryContent" ? { "webserver-sidecar:content": '{"index.html": "hi"}' } : {};
                const outputs = await runProgram({ [`webserver-sidecar:${key}`]: value, ...extra }, [`webserver-sidecar:${key}`]);
                await promiseOf(outputs.podNames);
                expectOnlySecret(secretPart);
            });
        }

        it("namespace: held in a secret in the provider and in the namespace output", async () => {
            const outputs = await runProgram({ "webserver-sidecar:namespace": "s3cret-ns" }, ["webserver-sidecar:namespace"]);
            await promiseOf(outputs.podNames);
            expectOnlySecret("s3cret-ns");
            expect(await pulumi.isSecret(pulumi.output(outputs.namespace))).to.equal(true);
        });

        it("refuses replicas and networkPolicy as secrets, naming the key and not the value, with nothing registered", async () => {
            let failure: unknown;
            try {
                await runProgram({ "webserver-sidecar:replicas": "3", "webserver-sidecar:networkPolicy": "false" },
                    ["webserver-sidecar:replicas", "webserver-sidecar:networkPolicy"]);
            } catch (error) {
                failure = error;
            }
            expect(failure).to.be.instanceOf(WebServerConfigError);
            const message = (failure as Error).message;
            expect(message).to.include('webserver-sidecar:replicas: got "[secret]"; allowed: a plain value');
            expect(message).to.include('webserver-sidecar:networkPolicy: got "[secret]"; allowed: a plain value');
            expect(registered).to.deep.equal([]);
        });

        it("never prints a secret serverConfig's text in a problem", async () => {
            let failure: unknown;
            try {
                await runProgram({ "webserver-sidecar:serverConfig": "server {\n    listen 80;\n    log_format s3cret-format '$remote_addr';\n}\n" },
                    ["webserver-sidecar:serverConfig"]);
            } catch (error) {
                failure = error;
            }
            expect(failure).to.be.instanceOf(WebServerConfigError);
            expect((failure as Error).message).to.include('webserver-sidecar:serverConfig: got "[secret]"');
            expect((failure as Error).message).to.not.include("s3cret-format");
        });
    });

    it("builds the provider from the kubeconfig, context and namespace config, and deploys through it", async () => {
        const outputs = await runProgram({ "webserver-sidecar:context": "beta", "webserver-sidecar:namespace": "web" });
        await promiseOf(outputs.podNames);
        const [provider, , pod] = registered;
        expect(provider.inputs).to.deep.include({ kubeconfig: KUBECONFIG, context: "beta", namespace: "web" });
        expect(pod.provider).to.match(/pulumi:providers:kubernetes::k8s::/);
        expect(outputs.namespace).to.equal("web");
    });

    it("makes the provider apply client-side, so that a change to the Pod's spec previews as its replacement", async () => {
        await promiseOf((await runProgram({})).podNames);
        const [provider] = registered;
        // Mocks hand booleans to the engine as strings, as provider inputs are serialized.
        expect(String(provider.inputs.enableServerSideApply)).to.equal("false");
    });

    it("builds the provider from Pulumi's conventional kubernetes:context and kubernetes:namespace keys too", async () => {
        const outputs = await runProgram({ "kubernetes:context": "beta", "kubernetes:namespace": "web" });
        await promiseOf(outputs.podNames);
        const [provider] = registered;
        expect(provider.inputs).to.deep.include({ kubeconfig: KUBECONFIG, context: "beta", namespace: "web" });
        expect(outputs.namespace).to.equal("web");
    });

    it("adds the Service and exports its name when service is configured", async () => {
        const outputs = await runProgram({ "webserver-sidecar:service": '{"type":"ClusterIP","port":8080}' });
        expect(await promiseOf(outputs.serviceName!)).to.equal("webserver");
        expect(registered.map((r) => r.type)).to.include("kubernetes:core/v1:Service");
    });

    const badConfigs: [string, Record<string, string>, RegExp][] = [
        ["a typo in a key", { "webserver-sidecar:sidecarImge": "python:3.11" }, /webserver-sidecar:sidecarImge: got "python:3.11"; allowed: did you mean webserver-sidecar:sidecarImage\?/],
        ["a context not in the kubeconfig", { "webserver-sidecar:context": "prod" }, /webserver-sidecar:context: got "prod"; allowed: a context of .*two-contexts.kubeconfig: alpha, beta/],
        ["a kubeconfig that does not exist", { "webserver-sidecar:kubeconfig": "/no/such/kubeconfig" }, /webserver-sidecar:kubeconfig: got "\/no\/such\/kubeconfig"/],
        ["an unpinned image", { "webserver-sidecar:nginxImage": "nginx:latest" }, /webserver-sidecar:nginxImage: got "nginx:latest"/],
        ["a bad namespace", { "webserver-sidecar:namespace": "-web" }, /webserver-sidecar:namespace: got "-web"/],
        ["a bad Service", { "webserver-sidecar:service": '{"type":"Headless"}' }, /webserver-sidecar:service.type: got "Headless"/],
        ["a bad size limit", { "webserver-sidecar:logSizeLimit": "10%" }, /webserver-sidecar:logSizeLimit: got "10%"/],
        ["an inline kubeconfig holding a token in plain config",
            { "webserver-sidecar:kubeconfig": INLINE_KUBECONFIG, "webserver-sidecar:context": "alpha" },
            /webserver-sidecar:kubeconfig: got "\(an inline kubeconfig with credentials in plain config: users\[0\]\.user\.token\)"; allowed: a Pulumi secret.*pulumi config set --secret webserver-sidecar:kubeconfig/],
        ["a bad allowFrom", { "webserver-sidecar:allowFrom": '[{"cidr":"10.0.0.0"}]' }, /webserver-sidecar:allowFrom\[0\]\.cidr: got "10.0.0.0"/],
        ["a namespace set twice, differently", { "webserver-sidecar:namespace": "web", "kubernetes:namespace": "default" }, /webserver-sidecar:namespace: got "web"; allowed: the same value as kubernetes:namespace, which sets the same namespace and is "default"/],
    ];
    it("shows no part of a secret value in its error: a mistyped secret key holding a real kubeconfig", async () => {
        let error: unknown;
        await runProgram({ "webserver-sidecar:kubeconfg": INLINE_KUBECONFIG }, ["webserver-sidecar:kubeconfg"]).catch((e: unknown) => { error = e; });
        const message = (error as Error).message;
        expect(message).to.match(/webserver-sidecar:kubeconfg: got "\[secret\]"; allowed: did you mean webserver-sidecar:kubeconfig\?/);
        for (const line of INLINE_KUBECONFIG.split("\n").map((l) => l.trim()).filter((l) => l.length > 3)) {
            expect(message).not.to.include(line);
        }
        expect(message).not.to.include("not-a-real-token");
    });

    it("shows no secret value that conflicts with the provider's key, on either side", async () => {
        let error: unknown;
        await runProgram({ "webserver-sidecar:namespace": "web-secret-ns", "kubernetes:namespace": "prod-secret-ns" },
            ["webserver-sidecar:namespace", "kubernetes:namespace"]).catch((e: unknown) => { error = e; });
        const message = (error as Error).message;
        expect(message).to.match(/webserver-sidecar:namespace: got "\[secret\]"; allowed: the same value as kubernetes:namespace, which sets the same namespace and is "\[secret\]"/);
        expect(message).not.to.match(/web-secret-ns|prod-secret-ns/);
    });

    for (const [what, config, message] of badConfigs) {
        it(`fails on ${what}, naming key and value, with nothing registered (not even the provider)`, async () => {
            let error: unknown;
            await runProgram(config).catch((e: unknown) => { error = e; });
            expect(error).to.be.instanceOf(WebServerConfigError);
            expect((error as Error).message).to.match(message);
            await new Promise((resolve) => setTimeout(resolve, 50)); // let any stray registration surface
            expect(registered).to.deep.equal([]);
        });
    }
});
