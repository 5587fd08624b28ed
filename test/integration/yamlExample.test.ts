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
import * as path from "path";
import { clusterKubeconfig, createNamespace, deleteNamespace, kubectl, liveNames, localClusterImages } from "../../lab/pulumiHarness";
import { SCHEMA_FILE } from "../../scripts/pluginSchema";
import { ExampleStack, PLUGIN_EXECUTABLE_DIRECTORY, editProjectFile } from "../helpers/exampleStack";
import { getThroughService, podIsReady, problemList, typeScriptMessage, waitForShippedLine } from "../helpers/exampleChecks";

const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };

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
            expect(result.outputs.podName.value).to.equal("web");
            expect(result.outputs.serviceName.value).to.equal("web");
            expect(liveNames("pods", namespace)).to.deep.equal(["web"]);
            expect(liveNames("services", namespace)).to.deep.equal(["web"]);
            expect(liveNames("networkpolicies", namespace)).to.deep.equal(["web"]);
            expect(podIsReady("web", namespace)).to.equal(true);
            const service = JSON.parse(kubectl(["get", "service", "web", "-n", namespace, "-o", "json"]));
            expect(service.spec.type).to.equal("ClusterIP");
            expect(service.spec.ports[0]).to.deep.include({ port: 8080, targetPort: 80 });
        });

        it("ships a request's access line: it is in kubectl logs -c sidecar-container", async () => {
            expect(await getThroughService("web", 8080, namespace, "/?from=yaml")).to.equal(200);
            await waitForShippedLine("web", namespace, "GET /?from=yaml");
        });

        it("changes nothing on a second up", async () => {
            const result = await stack.stack.up();
            // The stack, the WebServer and its Pod, Service and NetworkPolicy.
            expect(result.summary.resourceChanges).to.deep.equal({ same: 5 });
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
