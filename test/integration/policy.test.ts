/**
 * The policy pack (policy/) for real: `pulumi preview --policy-pack policy` passes on the dev stack
 * and names every violation of a program that registers the tutorial's Pod verbatim.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, policyPack, renderProvider } from "../../lab/pulumiHarness";

const REPO = path.join(__dirname, "..", "..");
const POLICIES = [
    "pod-security-restricted", "pinned-images", "resource-requests-and-limits",
    "serving-containers-have-probes", "shared-logs-size-limit", "no-service-account-token", "pods-have-network-policy",
];

describe("the policy pack, enforced by pulumi preview --policy-pack policy", function () {
    this.timeout(300_000);
    let pack: string;

    before(() => {
        pack = policyPack();
    });

    it("declares runtime nodejs, so that a stock Pulumi CLI runs it as committed", () => {
        const manifest = yaml.load(fs.readFileSync(path.join(REPO, "policy", "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        expect(manifest.runtime).to.equal("nodejs");
    });

    it("passes the dev stack", async () => {
        const namespace = createNamespace("policy");
        const stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        try {
            const result = await stack.stack.preview({ policyPacks: [pack] });
            expect(result.stdout).to.include("webserver-sidecar-hardening");
            expect(result.stdout).to.not.match(/mandatory|advisory/);
        } finally {
            await stack.dispose();
            deleteNamespace(namespace);
        }
    });

    it("rejects the tutorial's Pod, naming each violated policy", async () => {
        const tutorial = yaml.load(fs.readFileSync(path.join(REPO, "test", "fixtures", "tutorial-pod.yaml"), "utf8")) as k8s.core.v1.PodArgs;
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "policy-state-"));
        const rendered = fs.mkdtempSync(path.join(os.tmpdir(), "policy-render-"));
        const stack = await LocalWorkspace.createStack({
            projectName: "tutorial-pod",
            stackName: `tutorial-${crypto.randomBytes(3).toString("hex")}`,
            program: async () => {
                // Rendered, not deployed: the policies judge the inputs, no cluster is needed.
                const provider = renderProvider("render", rendered);
                new k8s.core.v1.Pod("tutorial", tutorial, { provider });
            },
        }, {
            envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "policy" },
            projectSettings: { name: "tutorial-pod", runtime: "nodejs", backend: { url: `file://${state}` } },
        });
        let output = "";
        try {
            await stack.preview({ policyPacks: [pack] });
        } catch (e) {
            output = String(e);
        } finally {
            await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
        }
        expect(output, "preview must fail").to.include("mandatory");
        for (const policy of POLICIES) {
            expect(output, `violation of ${policy}`).to.include(policy);
        }
        expect(output).to.include('image "nginx:latest" is not pinned');
        expect(output).to.match(/images-pinned-by-digest[\s\S]*advisory|advisory[\s\S]*images-pinned-by-digest/);
    });
});
