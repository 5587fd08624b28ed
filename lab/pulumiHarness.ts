/**
 * What the end-to-end tests and the deploy benchmark share: the real Pulumi CLI driven through the Automation API (file
 * backend in a temp dir, passphrase secrets, a random stack name), a copy of this project to run
 * it from, and kubectl against the cluster KUBECONFIG names.
 *
 * Expects `pulumi` and `kubectl` on PATH, the kubernetes plugin installed in PULUMI_HOME, and
 * KUBECONFIG naming a kubeconfig file: scripts/test.sh sets this up with the project's toolchain and
 * local cluster; .github/workflows/test.yml with a stock CLI and a kind cluster. Tests that need the
 * local cluster's extras skip elsewhere (clusterCapabilities.ts).
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { ConfigMap, EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

const REPO = path.join(__dirname, "..");

/**
 * The files a Pulumi project of ours consists of: copied so that tests never write into the repo.
 * Every module index.ts imports must be among them (test/projectFiles.test.ts checks it).
 */
export const PROJECT_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "program", "components"];

/**
 * Copies the project (what `pulumi up` runs; with `stackFiles`, its committed stack files too) into
 * `<directory>/project`, with node_modules linked and an empty `<directory>/state` for a file
 * backend, so that tests never write into the repository. Returns the project's path.
 */
export function copyProject(directory: string, stackFiles: readonly string[] = []): string {
    const project = path.join(directory, "project");
    fs.mkdirSync(project);
    for (const file of [...PROJECT_FILES, ...stackFiles]) {
        fs.cpSync(path.join(REPO, file), path.join(project, file), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"));
    fs.mkdirSync(path.join(directory, "state"));
    return project;
}

/** The kubeconfig file of the cluster under test (KUBECONFIG). */
export function clusterKubeconfig(): string {
    const kubeconfig = process.env.KUBECONFIG;
    if (kubeconfig === undefined || !fs.existsSync(kubeconfig)) {
        throw new Error(`KUBECONFIG must name the kubeconfig file of the cluster to test (got ${JSON.stringify(kubeconfig)}): run through scripts/test.sh (the local cluster), or set it to your cluster's`);
    }
    return kubeconfig;
}

/**
 * The directory to pass to --policy-pack for the pulumi on PATH: policy/ for a stock CLI, or the
 * copy that scripts/toolchain/policy-pack.sh makes for the project's toolchain CLI.
 */
export function policyPack(): string {
    return execFileSync("bash", [path.join(REPO, "scripts", "toolchain", "policy-pack.sh"), path.join(REPO, "policy")], { encoding: "utf8" }).trim();
}

/** Runs kubectl against the cluster under test (or another kubeconfig) and returns its stdout. */
export function kubectl(args: string[], kubeconfig = clusterKubeconfig(), input?: string): string {
    return execFileSync("kubectl", ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs kubectl and returns its error output when it fails, or undefined when it succeeds. */
export function kubectlError(args: string[], input?: string): string | undefined {
    try {
        kubectl(args, clusterKubeconfig(), input);
        return undefined;
    } catch (e) {
        return String((e as { stderr?: string }).stderr ?? e);
    }
}

/** A fresh namespace with a random name (and optional labels); delete it with {@link deleteNamespace}. */
export function createNamespace(prefix: string, labels: Record<string, string> = {}): string {
    const name = `${prefix}-${crypto.randomBytes(3).toString("hex")}`;
    kubectl(["create", "namespace", name]);
    if (Object.keys(labels).length > 0) {
        kubectl(["label", "namespace", name, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    }
    return name;
}

export function deleteNamespace(name: string): void {
    kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
}

/** The names of the Pods (or other kind) in a namespace, read back from the API server. */
export function liveNames(kind: string, namespace: string): string[] {
    const list = JSON.parse(kubectl(["get", kind, "-n", namespace, "-o", "json"])) as { items: { metadata: { name: string } }[] };
    return list.items.map((item) => item.metadata.name).sort();
}

/**
 * On the project's local cluster, nothing can be pulled: Pods use the node's stand-in images
 * (scripts/images/), which `scripts/cluster.sh env` names. Elsewhere, the component's defaults.
 */
export function localClusterImages(): { nginxImage?: string; sidecarImage?: string } {
    const nginx = process.env.WEBSERVER_SIDECAR_NGINX_IMAGE;
    const python = process.env.WEBSERVER_SIDECAR_PYTHON_IMAGE;
    return nginx && python ? { nginxImage: nginx, sidecarImage: python } : {};
}

/** A stack of this project in a temp copy, with local state; remove it with {@link TestStack.dispose}. */
export class TestStack {
    /** Engine events of the last operation, in order. */
    events: EngineEvent[] = [];

    private constructor(readonly stack: Stack, private readonly directory: string) {}

    /**
     * Creates the stack with a random name in a copy of the project, its state in a temp file backend.
     * @param config stack config, without the `webserver-sidecar:` prefix.
     * @param options.program the text of an index.ts to run instead of the project's (which uses the
     *   copied components/ as `./components`).
     */
    static async create(config: Record<string, string>, options: { readonly program?: string } = {}): Promise<TestStack> {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-it-"));
        const project = copyProject(directory);
        if (options.program !== undefined) {
            // A program of the test's own in place of index.ts, run by the CLI as a user's program is.
            fs.writeFileSync(path.join(project, "index.ts"), options.program);
        }

        const stackName = `it-${crypto.randomBytes(4).toString("hex")}`;
        const stack = await LocalWorkspace.createStack({ stackName, workDir: project }, {
            envVars: {
                PULUMI_BACKEND_URL: `file://${path.join(directory, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "integration-tests",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            },
        });
        const testStack = new TestStack(stack, directory);
        await testStack.setConfig(config);
        return testStack;
    }

    /**
     * Replaces the stack's `webserver-sidecar:` config (with the local cluster's images unless given).
     * @param secrets keys set as Pulumi secrets (`pulumi config set --secret`), like `config` without the prefix.
     */
    async setConfig(given: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
        const config = { ...localClusterImages(), ...given };
        const current = await this.stack.getAllConfig();
        for (const key of Object.keys(current).filter((k) => k.startsWith("webserver-sidecar:"))) {
            await this.stack.removeConfig(key);
        }
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config)) {
            map[`webserver-sidecar:${key}`] = { value };
        }
        for (const [key, value] of Object.entries(secrets)) {
            map[`webserver-sidecar:${key}`] = { value, secret: true };
        }
        await this.stack.setAllConfig(map);
    }

    /**
     * `pulumi stack export` as a user runs it: the state as stored, secrets encrypted. (The
     * Automation API's `exportStack()` adds `--show-secrets`, and so decrypts them.)
     */
    exportState(): string {
        return execFileSync("pulumi", ["stack", "export", "--stack", this.stack.name], {
            cwd: this.stack.workspace.workDir,
            env: { ...process.env, ...(this.stack.workspace as LocalWorkspace).envVars },
            encoding: "utf8",
        });
    }

    /** Every file the stack's state backend holds (checkpoints, history, backups), concatenated. */
    backendFiles(): string {
        const root = path.join(this.directory, "state");
        return (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
            .map((file) => path.join(root, file))
            .filter((file) => fs.statSync(file).isFile())
            .map((file) => fs.readFileSync(file, "utf8"))
            .join("\n");
    }

    /** The stack's settings file, `Pulumi.<stack>.yaml`, as it would be committed with the project. */
    settingsFile(): string {
        return fs.readFileSync(path.join(this.stack.workspace.workDir, `Pulumi.${this.stack.name}.yaml`), "utf8");
    }

    /** `pulumi preview` (with `refresh`, `pulumi preview --refresh`), recording engine events. */
    async preview(options: { refresh?: boolean } = {}) {
        this.events = [];
        return this.stack.preview({ ...options, onEvent: (e) => this.events.push(e) });
    }

    /** `pulumi up` (with `refresh`, `pulumi up --refresh`), recording engine events. */
    async up(options: { refresh?: boolean } = {}) {
        this.events = [];
        return this.stack.up({ ...options, onEvent: (e) => this.events.push(e) });
    }

    /** The (operation, resource type) of each step of the last operation, e.g. ["create", "kubernetes:core/v1:Pod"]. */
    steps(): [string, string][] {
        return this.events.flatMap((e) => (e.resourcePreEvent ? [[e.resourcePreEvent.metadata.op, e.resourcePreEvent.metadata.type] as [string, string]] : []));
    }

    /** Destroys the stack's resources, removes the stack and its temp directory. */
    async dispose(): Promise<void> {
        try {
            await this.stack.destroy();
            await this.stack.workspace.removeStack(this.stack.name);
        } finally {
            fs.rmSync(this.directory, { recursive: true, force: true });
        }
    }
}

/**
 * A provider that writes manifests to `directory` instead of deploying them. The SDK fills the
 * provider's kubeconfig input from $KUBECONFIG, which the provider refuses next to
 * renderYamlToDirectory, so it is kept out while the provider is declared.
 */
export function renderProvider(name: string, directory: string, namespace?: string): k8s.Provider {
    const kubeconfig = process.env.KUBECONFIG;
    delete process.env.KUBECONFIG;
    try {
        return new k8s.Provider(name, { renderYamlToDirectory: directory, ...(namespace ? { namespace } : {}) });
    } finally {
        if (kubeconfig !== undefined) {
            process.env.KUBECONFIG = kubeconfig;
        }
    }
}
