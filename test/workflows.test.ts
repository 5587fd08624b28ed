/**
 * The pipeline's promises, read from .github/workflows: no job that runs pull-request code holds a
 * credential that can deploy, the production environment is deploy.yml's alone, and deploy.yml
 * starts only from a successful test.yml run on main and deploys exactly the tested commit.
 * (actionlint, in the test command, checks the files' syntax and their shell.)
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

const WORKFLOWS = path.join(__dirname, "..", ".github", "workflows");

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { if?: string; environment?: string | { name: string }; permissions?: Record<string, string>; steps?: Step[] }
interface Workflow { name: string; on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> }

function load(file: string): Workflow {
    return yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const environmentOf = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
/** The secrets a job's text names (`secrets.NAME`). */
const secretsOf = (job: Job) => [...JSON.stringify(job).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);

/** What the environment "preview" holds: read-only credentials (docs/pipeline.md). */
const PREVIEW_SECRETS = ["PREVIEW_KUBECONFIG", "PULUMI_PREVIEW_ACCESS_TOKEN", "PULUMI_PREVIEW_CONFIG_PASSPHRASE", "GITHUB_TOKEN"];

/** The workflows a pull request runs with its own code. */
const pullRequestWorkflows = () => files.filter((f) => "pull_request" in load(f).on || "pull_request_target" in load(f).on);

/** The step of `job` named `name`. */
function stepNamed(job: Job, name: string): Step {
    const step = (job.steps ?? []).find((s) => s.name === name);
    expect(step, `a step named ${JSON.stringify(name)}`).to.not.equal(undefined);
    return step as Step;
}

/** Runs a step's script as GitHub runs a `run:` (bash -eo pipefail), with `env` only (and PATH). */
function runStep(step: Step, env: Record<string, string>) {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-")), "step.sh");
    fs.writeFileSync(script, step.run ?? "");
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" });
    fs.rmSync(path.dirname(script), { recursive: true, force: true });
    return result;
}

describe("the GitHub workflows", () => {
    it("run pull-request code only in jobs without a deploy credential: no environment but 'preview', no secret but the preview's", () => {
        const prWorkflows = pullRequestWorkflows();
        expect(prWorkflows).to.include.members(["preview.yml", "test.yml"]);
        for (const file of prWorkflows) {
            expect(load(file).on, `${file} must not use pull_request_target`).to.not.have.property("pull_request_target");
            for (const [name, job] of Object.entries(load(file).jobs)) {
                expect([undefined, "preview"], `${file} ${name}'s environment`).to.include(environmentOf(job));
                for (const secret of secretsOf(job)) {
                    expect(PREVIEW_SECRETS, `${file} ${name} names secrets.${secret}`).to.include(secret);
                }
                // The preview ServiceAccount's kubeconfig, never the deploy one (secrets.KUBECONFIG).
                expect(secretsOf(job), `${file} ${name}`).to.not.include("KUBECONFIG");
            }
        }
    });

    it("use the environment 'production' in deploy.yml only", () => {
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                if (environmentOf(job) === "production") {
                    expect(`${file} ${name}`).to.equal("deploy.yml deploy");
                }
            }
        }
    });

    it("start deploy.yml only from a completed test.yml run on main, and deploy only when it succeeded, on the tested commit", () => {
        const deploy = load("deploy.yml");
        expect(deploy.on).to.deep.equal({ workflow_run: { workflows: [load("test.yml").name], types: ["completed"], branches: ["main"] } });
        const job = deploy.jobs.deploy;
        expect(job.if).to.include("github.event.workflow_run.conclusion == 'success'");
        expect(job.if).to.include("github.event.workflow_run.event == 'push'");
        expect(environmentOf(job)).to.equal("production");
        const checkout = (job.steps ?? []).find((s) => s.uses?.startsWith("actions/checkout@"));
        expect(checkout?.with?.ref).to.equal("${{ github.event.workflow_run.head_sha }}");
        expect(Object.keys(deploy.jobs)).to.deep.equal(["deploy"]);
    });

    it("preview in deploy.yml before deploying: its one pulumi up runs without --skip-preview, under the policy pack", () => {
        const upRuns = (load("deploy.yml").jobs.deploy.steps ?? []).map((step) => step.run ?? "").filter((run) => /^\s*pulumi up\b/m.test(run));
        expect(upRuns).to.have.length(1);
        expect(upRuns[0]).to.not.include("--skip-preview");
        expect(upRuns[0]).to.include("--policy-pack policy");
    });

    it("comment on the pull request from a workflow that runs no pull-request code, for every preview result", () => {
        const comment = load("preview-comment.yml");
        expect(comment.on).to.deep.equal({ workflow_run: { workflows: [load("preview.yml").name], types: ["completed"] } });
        for (const job of Object.values(comment.jobs)) {
            expect((job.steps ?? []).map((s) => s.uses ?? "run")).to.not.satisfy((uses: string[]) => uses.some((u) => u.startsWith("actions/checkout@")));
            // No condition on the preview's conclusion: a failed preview is commented too.
            expect(job.if ?? "").to.not.include("conclusion");
        }
        // The preview uploads its result even when it failed.
        const upload = (load("preview.yml").jobs.preview.steps ?? []).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        expect((upload as Step & { if?: string })?.if).to.equal("always()");
    });
    it("give the pull-request jobs no secret name that deploy.yml reads, so a repository-level secret of that name reaches no pull request", () => {
        const deploySecrets = new Set(Object.values(load("deploy.yml").jobs).flatMap(secretsOf));
        expect([...deploySecrets]).to.include.members(["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "KUBECONFIG"]);
        for (const file of pullRequestWorkflows()) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                const shared = secretsOf(job).filter((secret) => deploySecrets.has(secret) && secret !== "GITHUB_TOKEN");
                expect(shared, `${file} ${name} reads deploy.yml's secrets`).to.deep.equal([]);
            }
        }
    });

    it("deploy only the tip of the branch main by its full ref (a tag may be named main, and test.yml never runs on tags)", () => {
        const push = load("test.yml").on.push as Record<string, unknown>;
        expect(push).to.deep.equal({ branches: ["main"] });
        const tipCheck = stepNamed(load("deploy.yml").jobs.deploy, "Deploy only the newest commit of main").run ?? "";
        expect(tipCheck).to.include('gh api "repos/$REPO/git/ref/heads/main"');
        expect(tipCheck).to.include('gh api "repos/$REPO/git/ref/tags/main"');
        // The ambiguous ref a tag named main can answer for.
        expect(tipCheck).to.not.match(/commits\/main\b|branches\/main\b(?!\/)/);
    });

    describe("the preview's redaction of credentials from the output posted on the pull request", () => {
        const step = () => stepNamed(load("preview.yml").jobs.preview, "Remove the credentials' values from the result");
        const credentials: Record<string, string> = {
            PULUMI_ACCESS_TOKEN: "pul-0123456789abcdef0123456789abcdef",
            FALLBACK_PULUMI_ACCESS_TOKEN: "pul-fedcba9876543210fedcba9876543210",
            PASSPHRASE: "correct horse battery staple",
            // What aws-actions/configure-aws-credentials exports to the steps after it.
            AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE12",
            AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLEsessiontokenvalue",
        };
        const kubeconfigToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkV4YW1wbGUifQ.payload.signature";

        it("replaces each credential of the step's environment and of the kubeconfig with [secret], and keeps the rest", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-result-"));
            const output = path.join(dir, "output.txt");
            const printed = [...Object.values(credentials), kubeconfigToken].map((value) => `leaked: ${value}`);
            fs.writeFileSync(output, ["Previewing update (acme/prod):", ...printed, "Resources: 5 unchanged"].join("\n") + "\n");
            const result = runStep(step(), {
                ...credentials,
                OUTPUT: output,
                KUBECONFIG_CONTENT: `apiVersion: v1\nusers:\n- name: preview\n  user:\n    token: ${kubeconfigToken}\n`,
            });
            expect(result.status, result.stderr).to.equal(0);
            const redacted = fs.readFileSync(output, "utf8");
            fs.rmSync(dir, { recursive: true, force: true });
            for (const [name, value] of Object.entries(credentials)) {
                expect(redacted, name).to.not.include(value);
            }
            expect(redacted).to.not.include(kubeconfigToken);
            expect(redacted.split("\n")).to.include.members(["Previewing update (acme/prod):", "leaked: [secret]", "Resources: 5 unchanged"]);
        });
    });

    it("pin every action by commit, and actionlint by the Go module version the toolchain builds (no Docker tag)", () => {
        const versions = fs.readFileSync(path.join(__dirname, "..", "scripts", "toolchain", "versions.env"), "utf8");
        const actionlintVersion = /^ACTIONLINT_VERSION=(\S+)$/m.exec(versions)?.[1];
        expect(actionlintVersion).to.match(/^\d+\.\d+\.\d+$/);
        const unit = load("test.yml").jobs.unit;
        expect(stepNamed(unit, "actionlint (with shellcheck on the run scripts)").run).to.equal(`go run github.com/rhysd/actionlint/cmd/actionlint@v${actionlintVersion} -color`);
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses !== undefined) expect(step.uses, `${file} ${name}`).to.match(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
                    expect(step.run ?? "", `${file} ${name}: an image by tag`).to.not.match(/docker run/);
                }
            }
        }
    });
});
