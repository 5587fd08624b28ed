/**
 * The pipeline's promises, read from .github/workflows: no job that runs pull-request code holds a
 * credential that can deploy, the production environment is deploy.yml's alone, and deploy.yml
 * starts only from a successful test.yml run on main and deploys exactly the tested commit.
 * (actionlint, in the test command, checks the files' syntax and their shell.)
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const WORKFLOWS = path.join(__dirname, "..", ".github", "workflows");

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
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
const PREVIEW_SECRETS = ["PREVIEW_KUBECONFIG", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "GITHUB_TOKEN"];

describe("the GitHub workflows", () => {
    it("run pull-request code only in jobs without a deploy credential: no environment but 'preview', no secret but the preview's", () => {
        const prWorkflows = files.filter((f) => "pull_request" in load(f).on || "pull_request_target" in load(f).on);
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
});
