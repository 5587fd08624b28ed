/**
 * The dev stack's settings suit every backend: no stack file commits an `encryptionsalt` (which
 * would make the CLI use that passphrase for everyone, Pulumi Cloud users included), and the local
 * flow (file backend, passphrase possibly empty, no terminal) never meets a prompt. Driven through
 * the `pulumi` CLI itself, with stdin closed, as a script or CI job runs it.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { clusterKubeconfig, copyProject } from "../../lab/pulumiHarness";

const REPO = path.join(__dirname, "..", "..");
/** What ties a stack file to one secrets provider: none of it may be committed. */
const SECRETS_PROVIDER_KEYS = ["encryptionsalt", "encryptedkey", "secretsprovider"];

interface CliResult {
    readonly status: number;
    readonly output: string;
}

/** Runs the pulumi CLI with stdin closed (no terminal to prompt on), never longer than a minute. */
function pulumi(args: string[], cwd: string, env: NodeJS.ProcessEnv): CliResult {
    try {
        const output = execFileSync("pulumi", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
        return { status: 0, output };
    } catch (e) {
        const { status, stdout, stderr, signal } = e as { status: number | null; stdout?: string; stderr?: string; signal?: string };
        return { status: status ?? -1, output: `${stdout ?? ""}${stderr ?? ""}${signal ? ` (killed by ${signal}: it hung)` : ""}` };
    }
}

/** Runs the pulumi CLI and fails the test, with its output, unless it succeeds. */
function pulumiOk(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
    const result = pulumi(args, cwd, env);
    expect(result.status, `pulumi ${args.join(" ")}:\n${result.output}`).to.equal(0);
    return result.output;
}

/** A copy of the project as a fresh clone has it, with local file state in a temp directory. */
function freshClone(): { directory: string; project: string; env: NodeJS.ProcessEnv } {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-stack-"));
    const project = copyProject(directory, ["Pulumi.dev.yaml"]);
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_BACKEND_URL: `file://${path.join(directory, "state")}`, KUBECONFIG: clusterKubeconfig() };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    delete env.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER;
    return { directory, project, env };
}

/** The stack file's top-level keys and config. */
function readStackFile(file: string): { keys: string[]; config: Record<string, unknown> } {
    const document = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
    return { keys: Object.keys(document), config: (document.config ?? {}) as Record<string, unknown> };
}

describe("stack settings that suit Pulumi Cloud and the local non-interactive flow", function () {
    this.timeout(300_000);

    const clones: string[] = [];
    after(() => clones.forEach((directory) => fs.rmSync(directory, { recursive: true, force: true })));

    it("commits the dev stack's file with no secrets-provider settings in it (nor in any other stack file)", () => {
        const stackFiles = execFileSync("git", ["ls-files", "Pulumi.*.yaml", "**/Pulumi.*.yaml"], { cwd: REPO, encoding: "utf8" }).split("\n").filter((f) => f !== "");
        for (const file of stackFiles) {
            const { keys } = readStackFile(path.join(REPO, file));
            expect(keys.filter((k) => SECRETS_PROVIDER_KEYS.includes(k)), file).to.deep.equal([]);
        }
        expect(stackFiles).to.include("Pulumi.dev.yaml");
    });

    it("creates and previews the dev stack of a fresh clone with an empty passphrase and no terminal", () => {
        const { directory, project, env } = freshClone();
        clones.push(directory);
        const withPassphrase = { ...env, PULUMI_CONFIG_PASSPHRASE: "" };
        pulumiOk(["stack", "select", "dev", "--create"], project, withPassphrase);
        const output = pulumiOk(["preview", "--stack", "dev", "--non-interactive"], project, withPassphrase);
        expect(output).to.match(/\+ 6 to create/);
        // The salt the CLI made for this machine lands in this clone's stack file (scripts/up.sh
        // keeps it in a copy beside its local state instead).
        expect(readStackFile(path.join(project, "Pulumi.dev.yaml")).keys).to.include("encryptionsalt");
    });

    it("keeps the config a developer set before the stack existed, and adds the salt next to it", () => {
        const { directory, project, env } = freshClone();
        clones.push(directory);
        fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), "config:\n  webserver-sidecar:namespace: web\n");
        const withPassphrase = { ...env, PULUMI_CONFIG_PASSPHRASE: "" };
        pulumiOk(["stack", "init", "dev"], project, withPassphrase);
        const stackFile = readStackFile(path.join(project, "Pulumi.dev.yaml"));
        expect(stackFile.config).to.deep.equal({ "webserver-sidecar:namespace": "web" });
        expect(stackFile.keys).to.include("encryptionsalt");
        expect(pulumiOk(["config", "get", "webserver-sidecar:namespace", "--stack", "dev"], project, withPassphrase).trim()).to.equal("web");
    });

    it("without a passphrase or a terminal, stops at once naming PULUMI_CONFIG_PASSPHRASE instead of prompting", () => {
        const { directory, project, env } = freshClone();
        clones.push(directory);
        const result = pulumi(["stack", "select", "dev", "--create"], project, env);
        expect(result.status).to.not.equal(0);
        expect(result.output).to.include("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE");
    });

    it("needs the passphrase on each preview even though the dev stack has no secrets, and refuses a wrong one", () => {
        const { directory, project, env } = freshClone();
        clones.push(directory);
        pulumiOk(["stack", "select", "dev", "--create"], project, { ...env, PULUMI_CONFIG_PASSPHRASE: "" });
        const unset = pulumi(["preview", "--stack", "dev", "--non-interactive"], project, env);
        expect(unset.output).to.include("passphrase must be set with PULUMI_CONFIG_PASSPHRASE");
        const wrong = pulumi(["preview", "--stack", "dev", "--non-interactive"], project, { ...env, PULUMI_CONFIG_PASSPHRASE: "not-the-one" });
        expect(wrong.output).to.include("incorrect passphrase");
    });

    it("the main command's stack step, run again with nothing configured, finds the stack its first run made (settings in .pulumi/)", () => {
        const { directory, project, env } = freshClone();
        clones.push(directory);
        fs.cpSync(path.join(REPO, "scripts"), path.join(project, "scripts"), { recursive: true });
        // scripts/dev-stack.sh's own functions, as it calls them when it fills in the state and settings itself.
        const twice = [
            "source scripts/dev-stack/common.sh", "source scripts/dev-stack/pulumi.sh",
            "export PULUMI_CONFIG_PASSPHRASE=", "use_settings_file dev copy", "ensure_stack dev", "ensure_stack dev",
            "pulumi preview --stack dev --non-interactive \"${SETTINGS_FLAGS[@]}\" >/dev/null",
        ].join(" && ");
        let output: string;
        try {
            output = execFileSync("bash", ["-c", `exec 2>&1; ${twice}`], { cwd: project, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
        } catch (e) {
            const { stdout, stderr } = e as { stdout?: string; stderr?: string };
            throw new Error(`the stack step failed:\n${stdout ?? ""}${stderr ?? ""}`, { cause: e });
        }
        expect(output.match(/creating the stack dev/g), output).to.have.length(1);
        expect(readStackFile(path.join(project, ".pulumi", "Pulumi.dev.yaml")).keys).to.include("encryptionsalt");
        expect(readStackFile(path.join(project, "Pulumi.dev.yaml")).keys).to.not.include("encryptionsalt");
    });
});
