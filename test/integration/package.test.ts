/**
 * The installable component, as another team would use it: `npm pack` of this repository, the
 * tarball installed into a scratch Pulumi program in a temp directory outside the repository
 * (with @pulumi/pulumi and @pulumi/kubernetes from the npm registry), type-checked strictly, run
 * under Pulumi mocks, and previewed by the real Pulumi CLI against the cluster KUBECONFIG names.
 *
 * Needs the npm registry (as `npm ci` does) besides the environment of scripts/test.sh.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace } from "@pulumi/pulumi/automation";
import { clusterKubeconfig } from "../../lab/pulumiHarness";

const REPO = path.join(__dirname, "..", "..");
/**
 * What `npm pack` needs to build the package (its manifest, build config and sources), and the
 * repository's own program next to them, as in a clone.
 */
const REPOSITORY_FILES = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.package.json", "components", "Pulumi.yaml", "index.ts", "program"];
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
    name: string;
    version: string;
    devDependencies: Record<string, string>;
};

/** The scratch program: its own provider and config, the component imported by package name. */
const CONSUMER_PROGRAM = `import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer, WebServerArgs } from "webserver-sidecar";

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", { namespace: config.require("namespace") });
// Outputs where a team holds them: an image built by the same program, a port from config.
const image: pulumi.Output<string> = pulumi.output(config.get("image") ?? "nginx:1.30.2");
const port: pulumi.Output<number> = pulumi.output(config.getNumber("port") ?? 8080);
const args: WebServerArgs = { podName: "consumer-web", nginxImage: image, logSizeLimit: "64Mi", sidecarMode: "native", service: { type: "ClusterIP", port } };
const web = new WebServer("web", args, { providers: [provider] });

export const podName: pulumi.Output<string> | undefined = web.podName;
export const serviceName: pulumi.Output<string> | undefined = web.serviceName;
export const podUrn: pulumi.Output<string> | undefined = web.pod?.urn;
`;

/** A program the component's types must reject: a sidecar mode that does not exist. */
const MISTYPED_PROGRAM = `import { WebServer } from "webserver-sidecar";
new WebServer("web", { sidecarMode: "sideways" });
`;

/** The tsconfig of Pulumi's kubernetes-typescript template, with strict on. */
const CONSUMER_TSCONFIG = {
    compilerOptions: {
        strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node",
        sourceMap: true, experimentalDecorators: true, pretty: false, noFallthroughCasesInSwitch: true,
        noImplicitReturns: true, forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
};

/**
 * Runs the compiled program under Pulumi mocks, with the consumer's own @pulumi/pulumi, and prints
 * what was registered and the program's outputs as JSON.
 */
const MOCK_RUNNER = `const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state = { ...args.inputs };
        if (args.type.startsWith("kubernetes:")) {
            state.metadata = { ...args.inputs.metadata, name: args.inputs.metadata?.name ?? args.name + "-a1b2c3" };
        }
        return { id: args.name + "-id", state };
    },
    call(args) { return args.inputs; },
}, "consumer", "mocks", false);
pulumi.runtime.setAllConfig({ "consumer:namespace": "web" });
const program = require("./bin/index.js");
const valueOf = (output) => new Promise((resolve) => output.apply(resolve));
Promise.all([valueOf(program.podName), valueOf(program.serviceName), valueOf(program.podUrn)]).then(([podName, serviceName, podUrn]) => {
    process.stdout.write(JSON.stringify({ registered, outputs: { podName, serviceName, podUrn } }));
});
`;

/** Runs a command; on failure the error carries its output, so the test report shows why. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    try {
        return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
        const { stdout, stderr } = e as { stdout?: string; stderr?: string };
        throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: e });
    }
}

/** Like {@link run}, for a command that must fail: returns its output. */
function runFailing(command: string, args: string[], cwd: string): string {
    try {
        execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        const { stdout, stderr } = e as { stdout?: string; stderr?: string };
        return `${stdout ?? ""}${stderr ?? ""}`;
    }
    throw new Error(`${command} ${args.join(" ")} succeeded in ${cwd}, expected a failure`);
}

interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    // The engine's untyped inputs; the test reads known paths.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine's inputs have no type; the test reads known paths
    readonly inputs: any;
}

describe("the component as an npm package, in a program outside the repository", function () {
    this.timeout(600_000);

    let scratch: string;
    let tarball: string;
    let consumer: string;
    /** The packed copy of the repository, with the package built in it (dist/). */
    let source: string;

    before(function () {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-package-"));
        expect(path.relative(REPO, scratch).startsWith("..")).to.equal(true, "the scratch program must be outside the repository");

        // Pack a copy, so that the build output (dist/) never lands in the repository under test.
        // A plain `npm pack`, as a user runs it in a clone: its prepack builds dist/.
        source = path.join(scratch, "source");
        fs.mkdirSync(source);
        for (const file of REPOSITORY_FILES) {
            fs.cpSync(path.join(REPO, file), path.join(source, file), { recursive: true });
        }
        fs.copyFileSync(path.join(REPO, ".npmrc"), path.join(source, ".npmrc"));
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(source, "node_modules"));
        const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch], source)) as { filename: string }[];
        tarball = path.join(scratch, packed[0].filename);

        // The scratch program: what `pulumi new kubernetes-typescript` gives, plus the tarball.
        consumer = path.join(scratch, "consumer");
        fs.mkdirSync(consumer);
        fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n    packagemanager: npm\n");
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({
            name: "consumer",
            main: "index.ts",
            dependencies: {
                "@pulumi/kubernetes": PACKAGE.devDependencies["@pulumi/kubernetes"],
                "@pulumi/pulumi": PACKAGE.devDependencies["@pulumi/pulumi"],
                [PACKAGE.name]: `file:${tarball}`,
            },
            devDependencies: {
                "@types/node": PACKAGE.devDependencies["@types/node"],
                typescript: PACKAGE.devDependencies.typescript,
            },
        }, null, 2));
        fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
        fs.writeFileSync(path.join(consumer, "index.ts"), CONSUMER_PROGRAM);
        // --ignore-scripts: @pulumi/kubernetes' install script would download the provider plugin;
        // the toolchain's PULUMI_HOME already holds it.
        run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--save-exact", "--loglevel=error"], consumer);
    });

    after(() => {
        if (scratch !== undefined) {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    it("packs compiled JavaScript, .d.ts files and the shipper's Python source, and no TypeScript sources or tests", () => {
        const files = run("tar", ["-tzf", tarball], scratch).split("\n").filter((f) => f !== "").sort();
        for (const file of ["package/package.json", "package/dist/index.js", "package/dist/index.d.ts", "package/dist/webServer.js", "package/dist/webServer.d.ts", "package/dist/sidecar/logShipper.py"]) {
            expect(files).to.include(file);
        }
        expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).to.deep.equal([]);
        expect(files.filter((f) => /test|\.map$|index\.ts|Pulumi\.|\.pulumi/.test(f))).to.deep.equal([]);
    });

    it("ships exactly components/: one module per TypeScript file there, the shipper, and nothing the program alone uses", () => {
        const files = run("tar", ["-tzf", tarball], scratch).split("\n").filter((f) => f !== "");
        const shippedModules = files.filter((f) => f.startsWith("package/dist/") && f.endsWith(".js"))
            .map((f) => f.slice("package/dist/".length, -".js".length)).sort();
        const componentSources = (fs.readdirSync(path.join(REPO, "components"), { recursive: true }) as string[])
            .filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -".ts".length)).sort();
        expect(shippedModules).to.deep.equal(componentSources);
        expect(files.filter((f) => f.startsWith("package/dist/") && !/\.(js|d\.ts)$/.test(f))).to.deep.equal(["package/dist/sidecar/logShipper.py"]);
    });

    it("carries its LICENSE, and depends on exactly the packages its code requires (the Pulumi SDKs, as peers)", () => {
        const files = run("tar", ["-tzf", tarball], scratch).split("\n");
        expect(files).to.include("package/LICENSE");
        const unpacked = path.join(scratch, "unpacked");
        fs.mkdirSync(unpacked, { recursive: true });
        run("tar", ["-xzf", tarball, "-C", unpacked], scratch);
        const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, "package", "package.json"), "utf8")) as {
            dependencies?: Record<string, string>;
            peerDependencies?: Record<string, string>;
        };
        const required = new Set<string>();
        for (const file of (fs.readdirSync(path.join(unpacked, "package", "dist"), { recursive: true }) as string[]).filter((f) => f.endsWith(".js"))) {
            for (const [, name] of fs.readFileSync(path.join(unpacked, "package", "dist", file), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
                const packageName = name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0];
                if (!builtinModules.includes(packageName.replace(/^node:/, ""))) {
                    required.add(packageName);
                }
            }
        }
        const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})].sort();
        expect([...required].sort()).to.deep.equal(declared);
    });

    it("installs with the consumer's own Pulumi SDKs as peers: one copy of each, nothing added by hand", () => {
        const installed = path.join(consumer, "node_modules", PACKAGE.name);
        expect(fs.existsSync(path.join(installed, "dist", "index.js"))).to.equal(true);
        // A second copy of @pulumi/pulumi inside the package would register resources with another engine connection.
        expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi"))).to.equal(false);
        const lock = JSON.parse(fs.readFileSync(path.join(consumer, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
        expect(lock.packages["node_modules/@pulumi/pulumi"].version).to.equal(PACKAGE.devDependencies["@pulumi/pulumi"]);
        expect(lock.packages["node_modules/@pulumi/kubernetes"].version).to.equal(PACKAGE.devDependencies["@pulumi/kubernetes"]);
    });

    it("type-checks the program with tsc --strict, with the template's module resolution and with node16's (exports)", () => {
        run("npx", ["tsc", "--strict", "--noEmit", "-p", "."], consumer);
        run("npx", ["tsc", "--strict", "--noEmit", "-p", ".", "--module", "node16", "--moduleResolution", "node16"], consumer);
    });

    it("gives the program real types: a sidecar mode that does not exist does not compile", () => {
        fs.writeFileSync(path.join(consumer, "mistyped.ts"), MISTYPED_PROGRAM);
        try {
            const output = runFailing("npx", ["tsc", "--strict", "--noEmit", "mistyped.ts"], consumer);
            expect(output).to.match(/mistyped\.ts\(2,\d+\): error TS2322: Type '"sideways"' is not assignable to type 'Input<SidecarMode>/);
        } finally {
            fs.rmSync(path.join(consumer, "mistyped.ts"));
        }
    });

    it("runs the program under Pulumi mocks: the WebServer, its ConfigMap, NetworkPolicy, Pod and Service, the shipper's source in its ConfigMap", () => {
        run("npx", ["tsc", "-p", "."], consumer);
        fs.writeFileSync(path.join(consumer, "mocks.js"), MOCK_RUNNER);
        const result = JSON.parse(run("node", ["mocks.js"], consumer)) as { registered: RegisteredResource[]; outputs: Record<string, string> };

        // The Pod and the Service register concurrently: compare without their order.
        expect(result.registered.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal([
            "kubernetes:core/v1:ConfigMap web-shipper",
            "kubernetes:core/v1:Pod web-pod",
            "kubernetes:core/v1:Service web-service",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy web-network-policy",
            "pulumi:providers:kubernetes cluster",
            "webserver-sidecar:index:WebServer web",
        ]);
        expect(result.outputs).to.deep.equal({
            podName: "consumer-web",
            serviceName: "consumer-web",
            podUrn: "urn:pulumi:mocks::consumer::webserver-sidecar:index:WebServer$kubernetes:core/v1:Pod::web-pod",
        });
        const pod = result.registered.find((r) => r.type === "kubernetes:core/v1:Pod")?.inputs;
        // The Outputs' values reached the Pod and the Service.
        expect((pod.spec.containers as { image: string }[]).map((c) => c.image)).to.deep.equal(["nginx:1.30.2"]);
        const service = result.registered.find((r) => r.type === "kubernetes:core/v1:Service")?.inputs;
        expect(service.spec.ports[0].port).to.equal(8080);
        // The packed shipper reached its ConfigMap, which the sidecar runs it from.
        const sidecar = (pod.spec.initContainers as { name: string; command: string[] }[]).find((c) => c.name === "sidecar-container");
        expect(sidecar?.command).to.deep.equal(["python3", "-u", "/opt/webserver-sidecar/logShipper.py"]);
        const shipper = result.registered.find((r) => r.type === "kubernetes:core/v1:ConfigMap")?.inputs;
        expect(shipper.data["logShipper.py"]).to.equal(fs.readFileSync(path.join(REPO, "components", "sidecar", "logShipper.py"), "utf8"));
    });

    it("still runs the repository's program (index.ts), not the package's entry point, once the package is built beside it", async () => {
        expect(fs.existsSync(path.join(source, "dist", "index.js"))).to.equal(true);
        const state = path.join(scratch, "repository-state");
        fs.mkdirSync(state);
        const stack = await LocalWorkspace.createStack({ stackName: `program-${crypto.randomBytes(3).toString("hex")}`, workDir: source }, {
            envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "package-test", KUBECONFIG: clusterKubeconfig() },
        });
        const result = await stack.preview();
        // dist/index.js would register nothing and export the package's constants.
        // The stack, the provider, the WebServer, its shipper's ConfigMap, its NetworkPolicy and its Pod.
        expect(result.changeSummary).to.deep.equal({ create: 6 });
        expect(result.stdout).to.include("podNames");
    });

    it("previews with the real Pulumi CLI against the cluster: a provider, the WebServer, its ConfigMap, NetworkPolicy, Pod and Service to create", async () => {
        const state = path.join(scratch, "state");
        fs.mkdirSync(state);
        const stack = await LocalWorkspace.createStack({ stackName: `package-${crypto.randomBytes(3).toString("hex")}`, workDir: consumer }, {
            envVars: {
                PULUMI_BACKEND_URL: `file://${state}`,
                PULUMI_CONFIG_PASSPHRASE: "package-test",
                KUBECONFIG: clusterKubeconfig(),
            },
        });
        await stack.setConfig("consumer:namespace", { value: "default" });
        const events: EngineEvent[] = [];
        const result = await stack.preview({ onEvent: (e) => events.push(e) });
        const steps = events.flatMap((e) => (e.resourcePreEvent ? [`${e.resourcePreEvent.metadata.op} ${e.resourcePreEvent.metadata.type}`] : []));
        expect(steps.sort()).to.deep.equal([
            "create kubernetes:core/v1:ConfigMap",
            "create kubernetes:core/v1:Pod",
            "create kubernetes:core/v1:Service",
            "create kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "create pulumi:providers:kubernetes",
            "create pulumi:pulumi:Stack",
            "create webserver-sidecar:index:WebServer",
        ]);
        expect(result.changeSummary).to.deep.equal({ create: 7 });
    });
});
