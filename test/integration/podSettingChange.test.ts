/**
 * A setting that changes the Pod's spec (anything but its images), on a deployed stack of the
 * tutorial's fixed-name Pod (issue 27, item 1). Kubernetes allows no such change in place, so the
 * Pod is replaced (deleted first: its name is fixed). The preview must succeed and show the
 * replacement; `pulumi up`, preview step included, applies it; and setting the previous value back
 * previews and applies the same way. (With the Kubernetes provider 4.25.0 in server-side-apply
 * mode the preview failed with the API server's "pod updates may not change fields other than":
 * the program's provider uses client-side apply, program/provider.ts.)
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { runCli } from "../../lab/pulumiCli";
import { livePods } from "../../lab/livePods";

const SIZE_LIMIT_PATH = "jsonpath={.spec.volumes[?(@.name==\"shared-logs\")].emptyDir.sizeLimit}";

describe("a setting that changes the deployed Pod's spec (logSizeLimit)", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    let firstUid: string;
    let changedUid: string;

    const sizeLimit = () => kubectl(["get", "pod", "webserver", "-n", namespace, "-o", SIZE_LIMIT_PATH]);

    before(async () => {
        namespace = createNamespace("pod-change");
        stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        await stack.up();
        firstUid = livePods(namespace)[0].uid;
        expect(sizeLimit()).to.equal("128Mi");
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("previews the change as a replacement of the Pod, changing nothing on the cluster", async () => {
        await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace, logSizeLimit: "64Mi" });
        const preview = await stack.preview();
        expect(preview.changeSummary.replace, JSON.stringify(preview.changeSummary)).to.equal(1);
        expect(stack.steps()).to.deep.include(["replace", "kubernetes:core/v1:Pod"]);
        expect(livePods(namespace).map((p) => p.uid)).to.deep.equal([firstUid]);
        expect(sizeLimit()).to.equal("128Mi");
    });

    it("applies it with pulumi up, its own preview included: a new Pod with the new sizeLimit", async () => {
        const result = await runCli(stack, ["up", "--yes"]);
        expect(result.code, result.output).to.equal(0);
        const pods = livePods(namespace);
        expect(pods).to.have.length(1);
        expect(pods[0].uid).to.not.equal(firstUid);
        expect(pods[0].ready).to.equal(true);
        expect(sizeLimit()).to.equal("64Mi");
        changedUid = pods[0].uid;
    });

    it("previews and applies the revert the same way: the Pod replaced again, with the old sizeLimit", async () => {
        await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace });
        const preview = await stack.preview();
        expect(stack.steps(), JSON.stringify(preview.changeSummary)).to.deep.include(["replace", "kubernetes:core/v1:Pod"]);
        const result = await runCli(stack, ["up", "--yes"]);
        expect(result.code, result.output).to.equal(0);
        const pods = livePods(namespace);
        expect(pods).to.have.length(1);
        expect(pods[0].uid).to.not.equal(changedUid);
        expect(pods[0].ready).to.equal(true);
        expect(sizeLimit()).to.equal("128Mi");
        const again = await stack.preview();
        expect(again.changeSummary, "nothing left to change").to.not.have.any.keys("create", "update", "replace", "delete");
    });
});
