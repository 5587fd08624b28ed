/**
 * `replicas` for real (issue 19): the project's program with `webserver-sidecar:replicas` runs a
 * Deployment of the component's Pod; `up` waits for each rollout; `podNames` equals the Pods that
 * `kubectl get pods -l <the instance's selector>` lists as running after every `up`; a change to
 * the site rolls every Pod, and scaling down and up keeps the count. Each Pod ships its own lines.
 * Against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { readContainerOutput } from "../../lab/logFollower";
import { waitFor } from "../../lab/polling";
import { getThroughPortForward } from "../../lab/portForward";

/** The instance's selector, as the component sets it for the program's `webserver`. */
const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

/** The Pods of the instance that run (not those an old revision is still stopping), sorted. */
function runningPods(namespace: string): string[] {
    const pods = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", SELECTOR, "-o", "json"])) as
        { items: { metadata: { name: string; deletionTimestamp?: string } }[] };
    return pods.items.filter((pod) => pod.metadata.deletionTimestamp === undefined).map((pod) => pod.metadata.name).sort();
}

function config(namespace: string, replicas: number, page: string): Record<string, string> {
    return { kubeconfig: clusterKubeconfig(), namespace, replicas: String(replicas), content: JSON.stringify({ "index.html": page }) };
}

describe("replicas: a Deployment of the component's Pod", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    let firstPods: string[];

    before(async () => {
        namespace = createNamespace("replicas");
        stack = await TestStack.create(config(namespace, 3, "<h1>first</h1>\n"));
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("previews podNames as unknown, not wrong: the Pods' names are generated", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary.create).to.be.at.least(5);
        expect(stack.steps()).to.deep.include(["create", "kubernetes:apps/v1:Deployment"]);
        expect(stack.steps()).to.deep.include(["create", "kubernetes:policy/v1:PodDisruptionBudget"]);
    });

    it("comes up with 3 Ready Pods, which podNames lists exactly", async () => {
        const result = await stack.up();
        firstPods = result.outputs.podNames.value as string[];
        expect(firstPods).to.have.length(3);
        expect(firstPods).to.deep.equal(runningPods(namespace));
        const deployment = JSON.parse(kubectl(["get", "deployment", "webserver", "-n", namespace, "-o", "json"]));
        expect(deployment.status.readyReplicas).to.equal(3);
        expect(JSON.parse(kubectl(["get", "pdb", "webserver", "-n", namespace, "-o", "json"])).spec.maxUnavailable).to.equal(1);
    });

    it("ships each Pod's own request line from its own sidecar", async () => {
        for (const pod of firstPods) {
            await getThroughPortForward(pod, namespace, [`/?replica=${pod}`]);
        }
        for (const pod of firstPods) {
            await waitFor(`${pod}'s line in its sidecar's output`, () =>
                (readContainerOutput({ namespace, pod, container: "sidecar-container" }).shipped.includes(`GET /?replica=${pod}`) ? true : undefined), 30_000, 500);
            for (const other of firstPods.filter((name) => name !== pod)) {
                expect(readContainerOutput({ namespace, pod, container: "sidecar-container" }).shipped).to.not.include(`GET /?replica=${other}`);
            }
        }
    });

    it("rolls every Pod on a change to the site, and podNames follows", async () => {
        await stack.setConfig(config(namespace, 3, "<h1>second</h1>\n"));
        await stack.preview();
        expect(stack.steps(), `an update of the Deployment, not a replacement: ${JSON.stringify(stack.steps())}`).to.deep.include(["update", "kubernetes:apps/v1:Deployment"]);
        // Nothing is deleted but the first revision's site ConfigMap, once the rollout is done: each
        // revision's ConfigMaps are named by content, resources of their own (docs/operating.md).
        const deletes = stack.steps().filter(([op]) => op === "delete").map(([, type]) => type);
        expect(deletes, JSON.stringify(stack.steps())).to.deep.equal(["kubernetes:core/v1:ConfigMap"]);
        expect(stack.steps()).to.deep.include(["create", "kubernetes:core/v1:ConfigMap"]);

        const result = await stack.up();
        const pods = result.outputs.podNames.value as string[];
        expect(pods).to.have.length(3);
        expect(pods).to.deep.equal(runningPods(namespace));
        expect(pods.filter((pod) => firstPods.includes(pod)), "no Pod of the first revision runs").to.deep.equal([]);
        const [index] = await getThroughPortForward(pods[0], namespace, ["/"]);
        expect(index.body.toString()).to.equal("<h1>second</h1>\n");
    });

    it("scales from 3 to 1 and back, podNames equal to the running Pods after each up", async () => {
        await stack.setConfig(config(namespace, 1, "<h1>second</h1>\n"));
        const down = await stack.up();
        expect(down.outputs.podNames.value).to.have.length(1);
        expect(down.outputs.podNames.value).to.deep.equal(runningPods(namespace));
        expect(kubectlPdbs(namespace), "no PodDisruptionBudget for one replica").to.deep.equal([]);

        await stack.setConfig(config(namespace, 3, "<h1>second</h1>\n"));
        const up = await stack.up();
        expect(up.outputs.podNames.value).to.have.length(3);
        expect(up.outputs.podNames.value).to.deep.equal(runningPods(namespace));
    });
});

function kubectlPdbs(namespace: string): string[] {
    return kubectl(["get", "pdb", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").filter((name) => name !== "");
}
