/**
 * The Go example (examples/go) on a real cluster: a Pulumi Go program using the WebServer
 * component through the plugin (plugin/) and the component's Go SDK, generated from
 * plugin/schema.json as `pulumi package add` would (into sdks/webserver-sidecar, which the
 * example's go.mod replaces its module with). The same checks as the TypeScript e2e tests: the Pod
 * Ready, a request's line in the sidecar's logs, and an invalid argument failing `preview` with the
 * TypeScript program's message.
 *
 * The project's toolchain (scripts/toolchain/pulumiLanguages.sh) provides the Go language host
 * (v3.66.0) and the SDK generator (sdkgen); without them (a stock CLI), the tests skip. The Go host
 * builds the program with the go on PATH, from the Go module proxy into the project's Go caches.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterKubeconfig, createNamespace, deleteNamespace, liveNames, localClusterImages } from "../../lab/pulumiHarness";
import { SCHEMA_FILE } from "../../scripts/pluginSchema";
import { ExampleOptions, ExampleStack } from "../helpers/exampleStack";
import { expectRequestShipped, expectWebDeployed, problemList, typeScriptMessage } from "../helpers/exampleChecks";

const REPO = path.join(__dirname, "..", "..");
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted" };
const [SDKGEN_DIRECTORY] = execFileSync("bash", [path.join(REPO, "scripts", "toolchain", "pulumiLanguages.sh"), "--print-dirs"], { encoding: "utf8" }).trim().split("\n");
const SDKGEN = path.join(SDKGEN_DIRECTORY, "sdkgen");
const CACHE = process.env.WEBSERVER_SIDECAR_CACHE ?? path.join(os.homedir(), ".cache", "webserver-sidecar");

/**
 * The example prepared as `pulumi package add` leaves a program: the component's Go SDK generated
 * in sdks/webserver-sidecar; and `fields` (Go source, e.g. `LogSizeLimit: pulumi.String("tiny")`)
 * added to its WebServerArgs.
 */
function goExample(dependencySchemas: string[], fields: string[]): ExampleOptions {
    return {
        prepare: (project) => {
            execFileSync(SDKGEN, ["-language", "go", "-schema", SCHEMA_FILE, ...dependencySchemas.flatMap((file) => ["-dependency", file]),
                "-out", path.join(project, "sdks", "webserver-sidecar")]);
            const program = path.join(project, "main.go");
            const anchor = "\t\targs := &webserversidecar.WebServerArgs{\n";
            const source = fs.readFileSync(program, "utf8");
            if (!source.includes(anchor)) {
                throw new Error(`examples/go/main.go no longer builds its arguments as ${anchor.trim()}`);
            }
            fs.writeFileSync(program, source.replace(anchor, anchor + fields.map((field) => `\t\t\t${field},\n`).join("")));
        },
        // The Go settings of the project's builds (scripts/lib/common.sh): its module and build
        // caches, and no Go toolchain download. go.sum is the example's, not rewritten (-mod=readonly).
        envVars: () => ({
            GOTOOLCHAIN: "local",
            GOMODCACHE: path.join(CACHE, "go", "mod"),
            GOCACHE: path.join(CACHE, "go", "build"),
            GOFLAGS: "-mod=readonly -buildvcs=false",
            CGO_ENABLED: "0",
        }),
    };
}

describe("the Go example (examples/go), against a real API server", function () {
    this.timeout(600_000);
    let kubernetesSchema: string;
    let schemaDirectory: string;

    before(function () {
        if (!fs.existsSync(SDKGEN)) {
            console.log(`      skipped: no ${SDKGEN} (bash scripts/toolchain/pulumiLanguages.sh builds it)`);
            this.skip();
        }
        // The schema of the package the component's outputs refer to, from the installed provider plugin.
        schemaDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-schemas-"));
        kubernetesSchema = path.join(schemaDirectory, "kubernetes.json");
        fs.writeFileSync(kubernetesSchema, execFileSync("pulumi", ["package", "get-schema", "kubernetes@4.25.0"], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 }));
    });
    after(() => {
        if (schemaDirectory !== undefined) {
            fs.rmSync(schemaDirectory, { recursive: true, force: true });
        }
    });

    describe("deployed", () => {
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            namespace = createNamespace("go", RESTRICTED);
            // On the local cluster nothing can be pulled: its stand-in images, as the TypeScript tests use.
            const images = localClusterImages();
            const fields = [
                ...(images.nginxImage !== undefined ? [`NginxImage: pulumi.String(${JSON.stringify(images.nginxImage)})`] : []),
                ...(images.sidecarImage !== undefined ? [`SidecarImage: pulumi.String(${JSON.stringify(images.sidecarImage)})`] : []),
            ];
            stack = await ExampleStack.create("go", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace }, goExample([kubernetesSchema], fields));
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("comes up: the Pod Ready, its Service, and podName and serviceName as the API server has them", async () => {
            const result = await stack.stack.up();
            expectWebDeployed(result.outputs, namespace);
        });

        it("ships a request's access line: it is in kubectl logs -c sidecar-container", async () => {
            await expectRequestShipped(namespace, "go");
        });
    });

    describe("an invalid argument", () => {
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            namespace = createNamespace("go-bad");
            stack = await ExampleStack.create("go", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace }, goExample([kubernetesSchema], [
                `LogSizeLimit: pulumi.String("tiny")`,
                `PodLabels: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("mine")}`,
            ]));
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("fails preview with the message a TypeScript program gets, naming each argument, and creates nothing", async () => {
            const expected = await typeScriptMessage("web", { logSizeLimit: "tiny", podLabels: { "app.kubernetes.io/name": "mine" } });
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
