/**
 * The Python example (examples/python) on a real cluster: a Pulumi Python program using the
 * WebServer component through the plugin (plugin/) and the component's Python SDK, generated from
 * plugin/schema.json as `pulumi package add` would. The same checks as the TypeScript e2e tests:
 * the Pod Ready, a request's line in the sidecar's logs, and an invalid argument failing `preview`
 * with the TypeScript program's message.
 *
 * The project's toolchain (scripts/toolchain/pulumiLanguages.sh) provides the Python language host
 * (v3.68.0), the SDK generator (sdkgen: CLI 3.248.0 cannot ask that host for an SDK) and a
 * virtualenv with the Pulumi and Kubernetes Python SDKs; without them (a stock CLI), the tests skip.
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
const [SDKGEN_DIRECTORY, VIRTUALENV] = execFileSync("bash", [path.join(REPO, "scripts", "toolchain", "pulumiLanguages.sh"), "--print-dirs"], { encoding: "utf8" }).trim().split("\n");
const SDKGEN = path.join(SDKGEN_DIRECTORY, "sdkgen");

/** Where a copy of the example has the component's SDK installed. */
function sitePackages(project: string): string {
    return path.join(project, "sdks", "site-packages");
}

/** Python's spelling of a value the tests pass: strings and objects of strings, as JSON writes them. */
function pythonLiteral(value: unknown): string {
    return JSON.stringify(value);
}

/**
 * The example prepared as `pulumi package add` leaves a program: the component's SDK generated in
 * sdks/webserver-sidecar, the virtualenv in venv/; and `keywordArguments` added to its WebServer.
 */
function pythonExample(dependencySchemas: string[], keywordArguments: Record<string, unknown>): ExampleOptions {
    return {
        prepare: (project) => {
            const sdk = path.join(project, "sdks", "webserver-sidecar");
            execFileSync(SDKGEN, ["-schema", SCHEMA_FILE, ...dependencySchemas.flatMap((file) => ["-dependency", file]), "-out", sdk]);
            // Installed (its code and its metadata, which it reads its version from) into a folder of
            // the copy's own, offline, so the shared virtualenv stays as pulumiLanguages.sh made it.
            execFileSync(path.join(VIRTUALENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index", "--no-build-isolation",
                "--target", sitePackages(project), sdk], { stdio: ["ignore", "ignore", "pipe"] });
            fs.symlinkSync(VIRTUALENV, path.join(project, "venv"));
            const program = path.join(project, "__main__.py");
            const anchor = "    namespace=namespace,\n";
            const source = fs.readFileSync(program, "utf8");
            if (!source.includes(anchor)) {
                throw new Error(`examples/python/__main__.py no longer passes ${anchor.trim()} to its WebServer`);
            }
            const added = Object.entries(keywordArguments).map(([name, value]) => `    ${name}=${pythonLiteral(value)},\n`).join("");
            fs.writeFileSync(program, source.replace(anchor, anchor + added));
        },
        // CLI 3.248.0 does not pass the virtualenv option to the v3.68.0 host, which then runs the
        // python3 first on PATH: the virtualenv's, with the SDK's folder on PYTHONPATH.
        envVars: (project) => ({
            PATH: `${path.join(VIRTUALENV, "bin")}:${process.env.PATH ?? ""}`,
            PYTHONPATH: sitePackages(project),
        }),
    };
}

describe("the Python example (examples/python), against a real API server", function () {
    this.timeout(600_000);
    let kubernetesSchema: string;
    let schemaDirectory: string;

    before(function () {
        if (!fs.existsSync(SDKGEN) || !fs.existsSync(path.join(VIRTUALENV, ".installed"))) {
            console.log(`      skipped: no ${SDKGEN} or ${VIRTUALENV} (bash scripts/toolchain/pulumiLanguages.sh builds them)`);
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
            namespace = createNamespace("python", RESTRICTED);
            // On the local cluster nothing can be pulled: its stand-in images, as the TypeScript tests use.
            const images = localClusterImages();
            const keywordArguments = {
                ...(images.nginxImage !== undefined ? { nginx_image: images.nginxImage } : {}),
                ...(images.sidecarImage !== undefined ? { sidecar_image: images.sidecarImage } : {}),
            };
            stack = await ExampleStack.create("python", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace }, pythonExample([kubernetesSchema], keywordArguments));
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
            await expectRequestShipped(namespace, "python");
        });
    });

    describe("an invalid argument", () => {
        const invalid = { logSizeLimit: "tiny", podLabels: { "app.kubernetes.io/name": "mine" } };
        let namespace: string;
        let stack: ExampleStack;

        before(async () => {
            namespace = createNamespace("python-bad");
            stack = await ExampleStack.create("python", { "kubernetes:kubeconfig": clusterKubeconfig(), namespace },
                pythonExample([kubernetesSchema], { log_size_limit: invalid.logSizeLimit, pod_labels: invalid.podLabels }));
        });
        after(async () => {
            await stack?.dispose();
            deleteNamespace(namespace);
        });

        it("fails preview with the message a TypeScript program gets, naming each argument, and creates nothing", async () => {
            const expected = await typeScriptMessage("web", invalid);
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
