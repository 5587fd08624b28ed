/**
 * The README's main command (`bash scripts/up.sh`, that is scripts/dev-stack.sh) run for real in a
 * scratch copy of the project, against the cluster under test, with its state in a temp file backend:
 * a test never touches the repository's own `.pulumi/` or the `default` namespace.
 *
 * The copy's `Pulumi.dev.yaml` names the cluster (its kubeconfig), so the script deploys there and
 * never starts the local cluster itself; it names the test's namespace and, on the local cluster,
 * the node's stand-in images.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { clusterKubeconfig, copyProject, localClusterImages } from "./pulumiHarness";

const REPO = path.join(__dirname, "..");
const STACK = "dev";

/** What a run of a script printed and how it ended. */
export interface ScriptRun {
    readonly status: number | null;
    readonly output: string;
    readonly seconds: number;
}

/** A scratch clone whose dev stack the main command deploys; remove it with {@link DevStackClone.dispose}. */
export class DevStackClone {
    private constructor(readonly project: string, private readonly directory: string, private readonly env: NodeJS.ProcessEnv) {}

    /**
     * Copies the project and its scripts into a temp directory, with a `Pulumi.dev.yaml` naming the
     * cluster under test and `namespace`.
     */
    static create(namespace: string): DevStackClone {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-main-"));
        const project = copyProject(directory);
        fs.cpSync(path.join(REPO, "scripts"), path.join(project, "scripts"), { recursive: true });
        // The script runs `npm ci` when package-lock.json is newer than node_modules' record of it:
        // the copy keeps an old date, so the linked node_modules (the repository's) is used as is.
        fs.copyFileSync(path.join(REPO, "package-lock.json"), path.join(project, "package-lock.json"));
        fs.utimesSync(path.join(project, "package-lock.json"), new Date(0), new Date(0));
        const config: Record<string, string> = {
            "webserver-sidecar:kubeconfig": clusterKubeconfig(),
            "webserver-sidecar:namespace": namespace,
        };
        for (const [key, value] of Object.entries(localClusterImages())) {
            config[`webserver-sidecar:${key}`] = value;
        }
        fs.writeFileSync(path.join(project, `Pulumi.${STACK}.yaml`), yaml.dump({ config }));
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${path.join(directory, "state")}`,
            // The empty passphrase the script's own local state uses.
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
        delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
        return new DevStackClone(project, directory, env);
    }

    /** Runs `bash scripts/<script> ARGS` in the clone with no terminal (stdin from /dev/null). */
    run(script: string, args: string[] = []): ScriptRun {
        const start = process.hrtime.bigint();
        const result = spawnSync("bash", [path.join("scripts", script), ...args], {
            cwd: this.project,
            env: this.env,
            stdio: ["ignore", "pipe", "pipe"],
            encoding: "utf8",
            timeout: 600_000,
        });
        return {
            status: result.status,
            output: `${result.stdout}${result.stderr}`,
            seconds: Number(process.hrtime.bigint() - start) / 1e9,
        };
    }

    /** Destroys the dev stack's resources, removes the stack and the clone. */
    dispose(): void {
        try {
            for (const args of [["destroy", "--yes", "--skip-preview"], ["stack", "rm", "--yes"]]) {
                const result = spawnSync("pulumi", [...args, "--stack", STACK, "--non-interactive"], {
                    cwd: this.project, env: this.env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8",
                });
                if (result.status !== 0) {
                    throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
                }
            }
        } finally {
            fs.rmSync(this.directory, { recursive: true, force: true });
        }
    }
}
