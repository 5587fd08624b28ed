/**
 * A stack of one of the programs in examples/ (another Pulumi language than TypeScript), run by the
 * real CLI through the Automation API: copied to a temp directory with its `packages:` entry pointed
 * at this repository's plugin, a random stack name, local file state, and cleaned up by dispose().
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

const REPO = path.join(__dirname, "..", "..");

/**
 * The plugin as the examples name it: the directory holding pulumi-resource-webserver-sidecar,
 * which any Pulumi CLI runs (the project's Node.js language host, v3.68.0, cannot run the
 * `runtime: nodejs` plugin directory itself).
 */
export const PLUGIN_EXECUTABLE_DIRECTORY = path.join(REPO, "plugin", "webserver-sidecar");

/** A Pulumi.yaml, as far as the tests change it. */
export interface ProjectFile {
    packages?: Record<string, string>;
    resources?: Record<string, { type: string; properties?: Record<string, unknown> }>;
    [key: string]: unknown;
}

/** Rewrites the Pulumi.yaml of the project in `directory` through `edit`. */
export function editProjectFile(directory: string, edit: (project: ProjectFile) => void): void {
    const file = path.join(directory, "Pulumi.yaml");
    const project = yaml.load(fs.readFileSync(file, "utf8")) as ProjectFile;
    edit(project);
    fs.writeFileSync(file, yaml.dump(project));
}

/** How a test prepares its copy of an example. */
export interface ExampleOptions {
    /** Changes the copy (its program, its Pulumi.yaml) before the stack is created. */
    readonly prepare?: (project: string) => void;
    /** Environment of every `pulumi` run on the stack (the Python example's PATH and PYTHONPATH). */
    readonly envVars?: (project: string) => Record<string, string>;
    /** The folder holding pulumi-resource-webserver-sidecar. @default PLUGIN_EXECUTABLE_DIRECTORY */
    readonly plugin?: string;
}

/** A stack of a copy of `examples/<example>`; remove it with {@link ExampleStack.dispose}. */
export class ExampleStack {
    private constructor(readonly stack: Stack, private readonly directory: string) {}

    /** The copy's directory (what `pulumi` runs in). */
    get project(): string {
        return path.join(this.directory, "project");
    }

    /**
     * Copies `examples/<example>` to a temp directory, points its `packages:` entry at this
     * repository's plugin, prepares it, and creates a stack of it.
     * @param config the stack's config, full keys (`kubernetes:kubeconfig`) or the project's own (`namespace`).
     */
    static async create(example: string, config: Record<string, string>, options: ExampleOptions = {}): Promise<ExampleStack> {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), `webserver-sidecar-${example}-`));
        const project = path.join(directory, "project");
        fs.cpSync(path.join(REPO, "examples", example), project, { recursive: true });
        fs.mkdirSync(path.join(directory, "state"));
        editProjectFile(project, (file) => {
            file.packages = { ...file.packages, "webserver-sidecar": options.plugin ?? PLUGIN_EXECUTABLE_DIRECTORY };
        });
        options.prepare?.(project);

        const stack = await LocalWorkspace.createStack({ stackName: `it-${crypto.randomBytes(4).toString("hex")}`, workDir: project }, {
            envVars: {
                PULUMI_BACKEND_URL: `file://${path.join(directory, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "integration-tests",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                ...options.envVars?.(project),
            },
        });
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config)) {
            map[key] = { value };
        }
        await stack.setAllConfig(map);
        return new ExampleStack(stack, directory);
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
