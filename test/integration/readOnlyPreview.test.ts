/**
 * The preview credential that rbac/ ships, for real: a stack deployed with the cluster's admin
 * kubeconfig is previewed with a token of the ServiceAccount webserver-sidecar-preview, as
 * preview.yml does. `pulumi preview --refresh` passes, exactly (the provider's server-side dry runs
 * are allowed), and `pulumi up` with the same credential is refused by the API server and changes
 * nothing on the cluster.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";

const RBAC = path.join(__dirname, "..", "..", "rbac");
const SERVICE_ACCOUNT = "webserver-sidecar-preview";
/** The message of rbac/previewDryRun.yaml's ValidatingAdmissionPolicy. */
const REFUSAL = `${SERVICE_ACCOUNT} may only dry-run changes`;

/** Each live object of the kinds the stack manages in `namespace`, as `kind/name uid resourceVersion`. */
function liveObjects(namespace: string): string[] {
    const list = JSON.parse(kubectl(["get", "pods,services,networkpolicies", "-n", namespace, "-o", "json"])) as {
        items: { kind: string; metadata: { name: string; uid: string; resourceVersion: string } }[];
    };
    return list.items.map((o) => `${o.kind}/${o.metadata.name} ${o.metadata.uid} ${o.metadata.resourceVersion}`).sort();
}

/** rbac/ applied as a team would: `bash rbac/apply.sh <namespace>`, with the cluster's kubeconfig. */
function applyRbac(namespace: string): void {
    execFileSync("bash", [path.join(RBAC, "apply.sh"), namespace], { env: { ...process.env, KUBECONFIG: clusterKubeconfig() }, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * A kubeconfig for the preview ServiceAccount: the admin kubeconfig's cluster (so that the provider
 * sees the same cluster) and context name, with a token from `kubectl create token`.
 */
function previewKubeconfig(namespace: string): { contents: string; token: string } {
    const admin = yaml.load(kubectl(["config", "view", "--raw", "--minify", "--flatten", "-o", "yaml"])) as {
        clusters: { name: string; cluster: Record<string, unknown> }[];
        contexts: { name: string }[];
    };
    const token = kubectl(["create", "token", SERVICE_ACCOUNT, "-n", namespace, "--duration=1h"]).trim();
    const contents = yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: admin.clusters,
        users: [{ name: SERVICE_ACCOUNT, user: { token } }],
        contexts: [{ name: admin.contexts[0].name, context: { cluster: admin.clusters[0].name, user: SERVICE_ACCOUNT, namespace } }],
        "current-context": admin.contexts[0].name,
    });
    return { contents, token };
}

/**
 * Waits until the ValidatingAdmissionPolicy refuses the ServiceAccount's real (not dry-run) patches:
 * admission picks a new policy up within moments, not at once. The probe is an annotation on the
 * stack's NetworkPolicy (which the ServiceAccount may patch), removed with the admin credential
 * whenever it got through.
 */
async function waitForDryRunOnlyPolicy(namespace: string, kubeconfig: string): Promise<void> {
    for (let attempt = 0; attempt < 60; attempt++) {
        try {
            kubectl(["annotate", "networkpolicy", "webserver", "-n", namespace, "probe=1", "--overwrite"], kubeconfig);
            kubectl(["annotate", "networkpolicy", "webserver", "-n", namespace, "probe-"]);
        } catch (e) {
            const stderr = String((e as { stderr?: string }).stderr ?? e);
            if (stderr.includes(REFUSAL)) return;
            throw e;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error("the ValidatingAdmissionPolicy of rbac/previewDryRun.yaml never refused a real patch");
}

describe("a preview with the read-only credential of rbac/ (the ServiceAccount's token, as preview.yml uses it)", function () {
    this.timeout(600_000);
    let namespace: string;
    let directory: string;
    let kubeconfigFile: string;
    let adminKubeconfig: string;
    let preview: { contents: string; token: string };
    let stack: TestStack;
    let deployed: string[];

    before(async () => {
        namespace = createNamespace("ro-preview");
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "ro-preview-"));
        // One kubeconfig path for both credentials, as in CI ($RUNNER_TEMP/kubeconfig): the
        // provider's inputs stay the same, and only the credential in the file changes.
        kubeconfigFile = path.join(directory, "kubeconfig");
        adminKubeconfig = fs.readFileSync(clusterKubeconfig(), "utf8");
        fs.writeFileSync(kubeconfigFile, adminKubeconfig, { mode: 0o600 });
        stack = await TestStack.create({ kubeconfig: kubeconfigFile, namespace });
        await stack.up();

        applyRbac(namespace);
        preview = previewKubeconfig(namespace);
        const previewFile = path.join(directory, "preview-kubeconfig");
        fs.writeFileSync(previewFile, preview.contents, { mode: 0o600 });
        await waitForDryRunOnlyPolicy(namespace, previewFile);
        fs.writeFileSync(kubeconfigFile, preview.contents);
        deployed = liveObjects(namespace);
    });

    after(async () => {
        if (kubeconfigFile !== undefined && adminKubeconfig !== undefined) {
            fs.writeFileSync(kubeconfigFile, adminKubeconfig);
        }
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
        // The policy is cluster-wide (it matches the ServiceAccount's name in any namespace).
        kubectl(["delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", "webserver-sidecar-preview-dry-run-only", "--ignore-not-found"]);
        if (directory !== undefined) {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("passes `pulumi preview --refresh` of the deployed stack, with no change and no refused request", async () => {
        const result = await stack.preview({ refresh: true });
        const changes = stack.steps().filter(([op, type]) => op !== "same" && op !== "read" && op !== "refresh" && type !== "pulumi:pulumi:Stack");
        expect(changes).to.deep.equal([]);
        expect(result.stdout).to.not.match(/forbidden/i);
        expect(liveObjects(namespace)).to.deep.equal(deployed);
    });

    it("previews a change: the Service's creation and the Pod's replacement, from their inputs", async () => {
        await stack.setConfig({ kubeconfig: kubeconfigFile, namespace, service: JSON.stringify({ type: "ClusterIP", port: 8080 }), logSizeLimit: "64Mi" });
        await stack.preview({ refresh: true });
        const steps = stack.steps().map(([op, type]) => `${op} ${type}`);
        expect(steps).to.include("create kubernetes:core/v1:Service");
        expect(steps.some((s) => s.endsWith("kubernetes:core/v1:Pod") && /replace/.test(s)), steps.join(", ")).to.equal(true);
        // The program's provider applies client-side (program/provider.ts), which plans a create from
        // its inputs, with no dry run on the server (docs/operating.md, how changes are previewed);
        // an update's preview is still a server-side dry run, which rbac/previewDryRun.yaml allows.
        // The Pod's dry run is refused by RBAC (rbac/previewDryRun.yaml says why): the provider says
        // so as a status message and previews from the inputs.
        const statuses = stack.events.flatMap((e) => (e.diagnosticEvent ? [`${e.diagnosticEvent.urn ?? ""} ${e.diagnosticEvent.message}`] : []));
        expect(statuses.filter((m) => /forbidden/i.test(m)).every((m) => m.includes("core/v1:Pod::")), statuses.join("\n")).to.equal(true);
        expect(liveObjects(namespace)).to.deep.equal(deployed);
    });

    it("refuses `pulumi up` with the same credential at the API server (Forbidden), and changes nothing", async () => {
        let message = "";
        try {
            await stack.up();
        } catch (e) {
            message = String(e);
        }
        expect(message, "pulumi up must fail").to.not.equal("");
        for (const line of new Set(message.split("\n").filter((l) => /forbidden/i.test(l)).map((l) => l.trim().replace(/^.*?(Error|error:)/, "$1").slice(0, 300)))) {
            console.log(`      refused: ${line}`);
        }
        expect(message).to.match(/forbidden/i);
        expect(message).to.satisfy((m: string) => m.includes(REFUSAL) || /cannot (delete|patch|create)/.test(m));
        expect(message, "the token is never printed").to.not.include(preview.token);
        expect(liveObjects(namespace)).to.deep.equal(deployed);
        expect(kubectl(["get", "services", "-n", namespace, "-o", "name"]).trim()).to.equal("");
    });
});
