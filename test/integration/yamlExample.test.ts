/**
 * The YAML example (examples/yaml) on a real cluster: a Pulumi YAML program using the WebServer
 * component through the plugin (plugin/), run by the real CLI and the YAML language host
 * (pulumi-language-yaml v1.25.0 in the project's toolchain; bundled with a stock CLI). The same
 * checks as the TypeScript e2e tests: the Pod Ready, a request's line in the sidecar's logs, and an
 * invalid argument failing `preview` with the TypeScript program's message.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterKubeconfig, createNamespace, deleteNamespace, kubectl, liveNames, localClusterImages } from "../../lab/pulumiHarness";
import { SCHEMA_FILE } from "../../scripts/pluginSchema";
import { ExampleStack, PLUGIN_EXECUTABLE_DIRECTORY, editProjectFile } from "../helpers/exampleStack";
import { expectRequestShipped, expectWebDeployed, problemList, typeScriptMessage } from "../helpers/exampleChecks";

const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };
const REPO = path.join(__dirname, "..", "..");

/** Sets properties of the example's WebServer (`web`) in its Pulumi.yaml. */
function setWebServerProperties(properties: Record<string, unknown>): { prepare: (project: string) => void } {
    return {
        prepare: (project) => editProjectFile(project, (file) => {
            const web = file.resources?.web;
            if (web?.type !== "webserver-sidecar:index:WebServer") {
                throw new Error("examples/yaml/Pulumi.yaml has no WebServer named web");
            }
            web.properties = { ...web.properties, ...properties };
        }),
    };
}

describe("the YAML example (examples/yaml), against a real API server", function () {
    this.timeout(600_000);

    it("gets the committed schema from the plugin: pulumi package get-schema is plugin/schema.json", () => {
        const served = execFileSync("pulumi", ["package", "get-schema", path.join(PLUGIN_EXECUTABLE_DIRECTORY, "pulumi-resource-webserver-sidecar")], { encoding: "utf8" });
        expect(JSON.parse(served)).to.deep.equal(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
    });

    describe("deployed", () => {
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            namespace = createNamespace("yaml", RESTRICTED);
            // On the local cluster nothing can be pulled: its stand-in images, as the TypeScript tests use.
            stack = await ExampleStack.create("yaml", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace }, setWebServerProperties(localClusterImages()));
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("comes up: the Pod Ready, its Service, and podName and serviceName as the API server has them", async () => {
            const result = await stack.stack.up();
            expectWebDeployed(result.outputs, namespace);
            expect(liveNames("networkpolicies", namespace)).to.deep.equal(["web"]);
            expect(JSON.parse(kubectl(["get", "service", "web", "-n", namespace, "-o", "json"])).spec.type).to.equal("ClusterIP");
        });

        it("ships a request's access line: it is in kubectl logs -c sidecar-container", async () => {
            await expectRequestShipped(namespace, "yaml");
        });

        it("changes nothing on a second up", async () => {
            const result = await stack.stack.up();
            // The stack, the WebServer and its Pod, Service, NetworkPolicy, the shipper's ConfigMap and
            // nginx.conf's (accessLogFormat).
            expect(result.summary.resourceChanges).to.deep.equal({ same: 7 });
        });
    });

    describe("the plugin as a git tag installs it: plugin/ and components/ alone, with plugin/'s own dependencies", () => {
        let checkout: string;
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            // What `pulumi package add <repo>.git/plugin@<tag>` has: the repository's files, no
            // node_modules at its root, and plugin/package-lock.json installed in plugin/.
            checkout = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-checkout-"));
            for (const folder of ["plugin", "components"]) {
                fs.cpSync(path.join(REPO, folder), path.join(checkout, folder), { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
            }
            // No install scripts: @pulumi/kubernetes' would install the provider plugin, which PULUMI_HOME has.
            execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: path.join(checkout, "plugin"), stdio: ["ignore", "ignore", "inherit"] });
            namespace = createNamespace("yaml-tag");
            stack = await ExampleStack.create("yaml", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace },
                { ...setWebServerProperties(localClusterImages()), plugin: path.join(checkout, "plugin", "webserver-sidecar") });
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
            fs.rmSync(checkout, { recursive: true, force: true });
        });

        it("serves the committed schema: ../components finds the SDKs in plugin/node_modules", () => {
            const served = execFileSync("pulumi", ["package", "get-schema", path.join(checkout, "plugin", "webserver-sidecar", "pulumi-resource-webserver-sidecar")], { encoding: "utf8" });
            expect(JSON.parse(served)).to.deep.equal(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
        });

        it("previews the example's WebServer and its Pod, Service and NetworkPolicy", async () => {
            const steps: string[] = [];
            await stack.stack.preview({ onEvent: (event) => event.resourcePreEvent && steps.push(`${event.resourcePreEvent.metadata.op} ${event.resourcePreEvent.metadata.type}`) });
            expect(steps).to.include.members([
                "create webserver-sidecar:index:WebServer",
                "create kubernetes:core/v1:Pod",
                "create kubernetes:core/v1:Service",
                "create kubernetes:networking.k8s.io/v1:NetworkPolicy",
            ]);
        });
    });

    describe("an invalid argument", () => {
        const invalid = { logSizeLimit: "tiny", podLabels: { "app.kubernetes.io/name": "mine" } };
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            namespace = createNamespace("yaml-bad");
            stack = await ExampleStack.create("yaml", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace }, setWebServerProperties(invalid));
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("fails preview with the message a TypeScript program gets, naming each argument, and creates nothing", async () => {
            const expected = await typeScriptMessage("web", invalid);
            expect(expected).to.include('logSizeLimit: got "tiny"; allowed: a Kubernetes quantity');
            expect(expected).to.include('podLabels.app.kubernetes.io/name: got "mine"');
            let output = "";
            try {
                await stack.stack.preview();
            } catch (error) {
                output = String(error);
            }
            expect(problemList(output)).to.equal(expected);
            expect(liveNames("pods", namespace)).to.deep.equal([]);
        });
    });
});
