/**
 * A setting that changes the Pod's spec (anything but its images), on a deployed stack of the
 * tutorial's fixed-name Pod. Kubernetes allows no such change in place, so the Pod is replaced
 * (deleted first: its name is fixed). The Kubernetes provider (4.25.0, and upstream's newest,
 * 4.32.0) previews the replacement with a server-side dry run under the same name, which the API
 * server refuses as an update of the live Pod; it retries under another name only for "field is
 * immutable" errors, not for a Pod's "pod updates may not change fields". So the preview, and the
 * preview step of `pulumi up`, fail; `pulumi up --skip-preview` deploys it. docs/operating.md says
 * so; this test fails, and tells us to update it, the day the provider previews the change.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { runCli } from "../../lab/pulumiCli";
import { livePods } from "../../lab/livePods";

/** The API server's refusal of an in-place change to a Pod's spec. */
const POD_UPDATE_REFUSED = "pod updates may not change fields other than";

describe("a setting that changes the deployed Pod's spec (logSizeLimit)", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    let firstUid: string;

    before(async () => {
        namespace = createNamespace("pod-change");
        stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        await stack.up();
        firstUid = livePods(namespace)[0].uid;
        await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace, logSizeLimit: "64Mi" });
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("fails the preview with the API server's refusal, changing nothing (the provider's limitation)", async () => {
        const result = await runCli(stack, ["preview"]);
        expect(result.code, result.output).to.not.equal(0);
        expect(result.output).to.include(POD_UPDATE_REFUSED);
        expect(livePods(namespace).map((p) => p.uid)).to.deep.equal([firstUid]);
    });

    it("deploys with up --skip-preview: the Pod is replaced, with the new sizeLimit", async () => {
        const result = await runCli(stack, ["up", "--yes", "--skip-preview"]);
        expect(result.code, result.output).to.equal(0);
        const pods = livePods(namespace);
        expect(pods).to.have.length(1);
        expect(pods[0].uid).to.not.equal(firstUid);
        const sizeLimit = kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "jsonpath={.spec.volumes[?(@.name==\"shared-logs\")].emptyDir.sizeLimit}"]);
        expect(sizeLimit).to.equal("64Mi");
    });
});
