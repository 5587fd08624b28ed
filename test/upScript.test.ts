/**
 * scripts/up.sh's first decision, made before it installs or creates anything: against a cluster it
 * did not start, it never deploys unseen. Each test runs the script in a scratch copy of the
 * project, with no terminal, and a PATH holding only the basic tools (no node, pulumi or kubectl),
 * so that whatever the script does next fails loudly instead of touching this machine.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.join(__dirname, "..");
/** What the script may run before it needs Node.js (bash 3.2-era tools, present on macOS too). */
const BASIC_TOOLS = ["bash", "cat", "dirname", "grep", "head", "sed", "tr", "uname"];

/** A scratch copy of what scripts/up.sh reads, and a PATH directory with only BASIC_TOOLS. */
function scratchProject(stackConfig: string, stackFile = "Pulumi.dev.yaml"): { project: string; bin: string; home: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "up-script-"));
    const project = path.join(root, "project");
    fs.mkdirSync(project);
    fs.cpSync(path.join(REPO, "scripts"), path.join(project, "scripts"), { recursive: true });
    for (const file of ["package.json", "package-lock.json", "Pulumi.yaml"]) {
        fs.copyFileSync(path.join(REPO, file), path.join(project, file));
    }
    fs.writeFileSync(path.join(project, stackFile), stackConfig);
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    for (const tool of BASIC_TOOLS) {
        const found = ["/bin", "/usr/bin"].map((dir) => path.join(dir, tool)).find((file) => fs.existsSync(file));
        if (found === undefined) {
            throw new Error(`${tool} not found in /bin or /usr/bin`);
        }
        fs.symlinkSync(found, path.join(bin, tool));
    }
    const home = path.join(root, "home");
    fs.mkdirSync(home);
    return { project, bin, home };
}

/** Runs `bash scripts/up.sh ARGS` in the project with stdin from /dev/null (no terminal). */
function runUp(where: { project: string; bin: string; home: string }, args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(path.join(where.bin, "bash"), [path.join(where.project, "scripts", "up.sh"), ...args], {
        cwd: where.project,
        env: { PATH: where.bin, HOME: where.home, ...env },
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The project's files, recursively, to show that a run left nothing behind. */
function listing(directory: string): string[] {
    return fs.readdirSync(directory, { recursive: true, encoding: "utf8" }).sort();
}

const PLAIN_CONFIG = "config:\n  webserver-sidecar:namespace: default\n";

describe("scripts/up.sh without a terminal", () => {
    it("refuses to deploy to the cluster KUBECONFIG names, and creates nothing", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const before = listing(where.project);
        const { status, output } = runUp(where, [], { KUBECONFIG: "/nonexistent/team-cluster.yaml" });
        expect(status).to.equal(1);
        expect(output).to.include("refusing to deploy to KUBECONFIG=/nonexistent/team-cluster.yaml unseen");
        expect(output).to.include("pass --yes");
        expect(listing(where.project)).to.deep.equal(before);
    });

    it("refuses to deploy to ~/.kube/config's cluster", () => {
        const where = scratchProject(PLAIN_CONFIG);
        fs.mkdirSync(path.join(where.home, ".kube"));
        fs.writeFileSync(path.join(where.home, ".kube", "config"), "apiVersion: v1\nkind: Config\n");
        const { status, output } = runUp(where, []);
        expect(status).to.equal(1);
        expect(output).to.include(`refusing to deploy to ${where.home}/.kube/config unseen`);
    });

    it("refuses to deploy to the cluster the stack's config names, even with no kubeconfig anywhere", () => {
        const where = scratchProject(`${PLAIN_CONFIG}  webserver-sidecar:context: prod-admin\n`);
        const { status, output } = runUp(where, []);
        expect(status).to.equal(1);
        expect(output).to.include("refusing to deploy to the cluster Pulumi.dev.yaml names (webserver-sidecar:context: prod-admin) unseen");
    });

    it("goes on with --yes (here to its next step, the Node.js check, which fails for want of node)", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const { status, output } = runUp(where, ["--yes"], { KUBECONFIG: "/nonexistent/team-cluster.yaml" });
        expect(status).to.equal(1);
        expect(output).to.not.include("refusing");
        expect(output).to.include("Node.js 20.19 or newer is needed, and there is no `node` on PATH");
    });

    it("takes the project's own local cluster (KUBECONFIG as `scripts/cluster.sh env` exports it) for no cluster of the user's: no refusal", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const clusterDir = path.join(where.home, ".cache", "webserver-sidecar", "cluster");
        const { status, output } = runUp(where, [], { KUBECONFIG: path.join(clusterDir, "kubeconfig"), WEBSERVER_SIDECAR_CLUSTER_DIR: clusterDir });
        expect(output).to.not.include("refusing");
        // Its next step, the Node.js check, fails for want of node.
        expect(status).to.equal(1);
        expect(output).to.include("Node.js 20.19 or newer is needed");
    });

    it("still refuses a KUBECONFIG elsewhere when the local cluster's directory is exported", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const clusterDir = path.join(where.home, ".cache", "webserver-sidecar", "cluster");
        const { status, output } = runUp(where, [], { KUBECONFIG: "/nonexistent/team-cluster.yaml", WEBSERVER_SIDECAR_CLUSTER_DIR: clusterDir });
        expect(status).to.equal(1);
        expect(output).to.include("refusing to deploy to KUBECONFIG=/nonexistent/team-cluster.yaml unseen");
    });

    it("rejects an unknown option, naming the usage", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const { status, output } = runUp(where, ["--force"]);
        expect(status).to.equal(1);
        expect(output).to.include("usage: scripts/dev-stack.sh up [--yes] [--stack NAME] | preview [--stack NAME]");
    });

    it("rejects --stack without a name", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const { status, output } = runUp(where, ["--stack"]);
        expect(status).to.equal(1);
        expect(output).to.include("usage: scripts/dev-stack.sh up");
    });
});

describe("scripts/up.sh's stack", () => {
    const PROD_CONFIG = `${PLAIN_CONFIG}  webserver-sidecar:context: prod-admin\n`;

    it("is dev when nothing else is said (no pulumi on PATH to ask)", () => {
        const where = scratchProject(PLAIN_CONFIG);
        const { output } = runUp(where, [], { KUBECONFIG: "/nonexistent/team-cluster.yaml" });
        expect(output).to.include("up: stack: dev");
    });

    it("is the one passed with --stack (NAME or =NAME; an organization is left out of the settings file's name)", () => {
        for (const args of [["--stack", "prod"], ["--stack=acme/prod"]]) {
            const where = scratchProject(PROD_CONFIG, "Pulumi.prod.yaml");
            const { status, output } = runUp(where, args);
            expect(status).to.equal(1);
            expect(output).to.include(`up: stack: ${args.join(" ").replace(/^--stack[ =]/, "")}`);
            expect(output).to.include("refusing to deploy to the cluster Pulumi.prod.yaml names (webserver-sidecar:context: prod-admin) unseen");
        }
    });

    it("is the one selected with `pulumi stack select`, as the pulumi on PATH says", () => {
        const where = scratchProject(PROD_CONFIG, "Pulumi.prod.yaml");
        // A stand-in pulumi that answers `pulumi stack --show-name` as the real one does with a selected stack.
        const fakePulumi = path.join(where.bin, "pulumi");
        fs.writeFileSync(fakePulumi, `#!${path.join(where.bin, "bash")}\nif [[ "$1 $2" == "stack --show-name" ]]; then echo prod; exit 0; fi\nexit 1\n`, { mode: 0o755 });
        const { status, output } = runUp(where, []);
        expect(status).to.equal(1);
        expect(output).to.include("up: stack: prod");
        expect(output).to.include("refusing to deploy to the cluster Pulumi.prod.yaml names");
    });

    it("is dev when the pulumi on PATH has no stack selected", () => {
        const where = scratchProject(PLAIN_CONFIG);
        fs.writeFileSync(path.join(where.bin, "pulumi"), `#!${path.join(where.bin, "bash")}\necho "error: no stack selected" >&2\nexit 255\n`, { mode: 0o755 });
        const { output } = runUp(where, [], { KUBECONFIG: "/nonexistent/team-cluster.yaml" });
        expect(output).to.include("up: stack: dev");
    });

    it("is the one passed with --stack to preview too (npm run preview -- --stack NAME)", () => {
        const where = scratchProject(PROD_CONFIG, "Pulumi.prod.yaml");
        const result = spawnSync(path.join(where.bin, "bash"), [path.join(where.project, "scripts", "dev-stack.sh"), "preview", "--stack", "prod"], {
            cwd: where.project, env: { PATH: where.bin, HOME: where.home }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8",
        });
        const output = `${result.stdout}${result.stderr}`;
        expect(output).to.include("preview: stack: prod");
        expect(output).to.include("preview: cluster: the cluster Pulumi.prod.yaml names (webserver-sidecar:context: prod-admin)");
    });
});
