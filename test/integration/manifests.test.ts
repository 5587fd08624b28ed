/**
 * The stack's manifests, as Kubernetes users check theirs: rendered by the provider
 * (`renderYamlToDirectory`, no cluster involved), then validated by kubeconform (strict, with
 * schemas generated offline for our Kubernetes version) and scored by kube-score, next to the
 * tutorial's Pod. Ours must pass both, with each kube-score exception explained in
 * policy/kube-score-exceptions.yaml. kube-linter is not run: the Go module proxy refuses its host.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { WebServer } from "../../components";
import { skipBecause } from "./clusterCapabilities";
import { renderProvider } from "./harness";

const REPO = path.join(__dirname, "..", "..");
const TUTORIAL = path.join(REPO, "test", "fixtures", "tutorial-pod.yaml");

/** A binary scripts/toolchain/linters.sh built, or undefined when it is not built. */
function findLinter(name: string): string | undefined {
    const dirs = execFileSync("bash", [path.join(REPO, "scripts", "toolchain", "linters.sh"), "--print-dirs"], { encoding: "utf8" }).trim().split("\n");
    return dirs.map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
}

/** A binary scripts/toolchain/linters.sh built. */
function linter(name: string): string {
    const found = findLinter(name);
    if (found === undefined) {
        throw new Error(`${name} is not built: run bash scripts/toolchain/linters.sh`);
    }
    return found;
}

/** Runs a command, returning its exit status and output (both streams). */
function run(command: string, args: string[]): { status: number; output: string } {
    try {
        return { status: 0, output: execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
    } catch (e) {
        const error = e as { status: number; stdout: string; stderr: string };
        return { status: error.status, output: `${error.stdout}${error.stderr}` };
    }
}

/** Renders the dev stack's objects (with a Service, to cover it too) into `directory`. */
async function renderManifests(directory: string): Promise<string[]> {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "render-state-"));
    const stack = await LocalWorkspace.createStack({
        projectName: "webserver-sidecar-render",
        stackName: `render-${crypto.randomBytes(3).toString("hex")}`,
        program: async () => {
            const provider = renderProvider("render", directory, "default");
            new WebServer("webserver", { service: { type: "ClusterIP", port: 80 } }, { providers: [provider] });
        },
    }, {
        envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "render" },
        projectSettings: { name: "webserver-sidecar-render", runtime: "nodejs", backend: { url: `file://${state}` } },
    });
    try {
        await stack.up();
    } finally {
        await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
        fs.rmSync(state, { recursive: true, force: true });
    }
    const manifests = path.join(directory, "1-manifest");
    return fs.readdirSync(manifests).map((file) => path.join(manifests, file)).sort();
}

/** kube-score's findings (`[CRITICAL]`/`[WARNING]` lines) for files, with the project's exceptions. */
function kubeScoreFindings(files: string[]): string[] {
    const exceptions = yaml.load(fs.readFileSync(path.join(REPO, "policy", "kube-score-exceptions.yaml"), "utf8")) as Record<string, string>;
    const flags = Object.keys(exceptions).flatMap((test) => (test === "container-cpu-limit" ? ["--ignore-container-cpu-limit"] : ["--ignore-test", test]));
    const { output } = run(linter("kube-score"), ["score", "--output-format", "ci", ...flags, ...files]);
    return output.split("\n").filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
}

describe("the rendered manifests, checked by kubeconform and kube-score", function () {
    this.timeout(300_000);
    let ours: string[];
    let schemaLocation: string;

    before(async function () {
        // The linters and kubeconform's schemas come from Go modules (the toolchain); the test
        // workflow on GitHub builds nothing with Go, and says so here.
        const missing = ["kubeconform", "kube-score"].filter((name) => findLinter(name) === undefined);
        if (missing.length > 0) {
            skipBecause(this, `needs ${missing.join(" and ")}, built from Go modules by scripts/toolchain/linters.sh (scripts/test.sh builds them)`);
        }
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "rendered-"));
        ours = await renderManifests(directory);
        schemaLocation = execFileSync("bash", [path.join(REPO, "scripts", "kubeconform-schemas.sh")], { encoding: "utf8" }).trim();
    });

    it("renders the Pod and the Service", () => {
        const kinds = ours.map((file) => (yaml.load(fs.readFileSync(file, "utf8")) as { kind: string }).kind).sort();
        expect(kinds).to.deep.equal(["Pod", "Service"]);
    });

    it("kubeconform -strict: ours are valid Kubernetes 1.36 objects, with no unknown field", () => {
        const result = run(linter("kubeconform"), ["-strict", "-summary", "-schema-location", schemaLocation, ...ours]);
        expect(result.status, result.output).to.equal(0);
        expect(result.output).to.match(/Valid: 2, Invalid: 0, Errors: 0, Skipped: 0/);
    });

    it("kubeconform -strict catches a misspelled field (the check is real)", () => {
        const typo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "typo-")), "pod.yaml");
        fs.writeFileSync(typo, fs.readFileSync(TUTORIAL, "utf8").replace("containerPort:", "containerPrt:"));
        const result = run(linter("kubeconform"), ["-strict", "-schema-location", schemaLocation, typo]);
        expect(result.status).to.equal(1);
        expect(result.output).to.include("additional properties 'containerPrt' not allowed");
    });

    it("kube-score: nothing on ours beyond the explained exceptions", () => {
        expect(kubeScoreFindings(ours)).to.deep.equal([]);
    });

    it("kube-score: the tutorial's Pod fails, on what the hardening fixes", () => {
        const findings = kubeScoreFindings([TUTORIAL]).join("\n");
        expect(findings).to.include("Image with latest tag");
        expect(findings).to.include("Container has no configured security context");
        expect(findings).to.include("Memory limit is not set");
    });
});
