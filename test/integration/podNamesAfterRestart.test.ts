/**
 * `podNames` stays true after changes made behind Pulumi's back (issue 27, item 5): with
 * `replicas: 3`, a `kubectl rollout restart deploy/webserver` and then a `pulumi up` with no change
 * once gave `podNames: []` (the output was read for the revision stored in the state, whose
 * ReplicaSet no longer has Pods), and failed once that ReplicaSet was pruned. Here, after each such
 * change, `up` with no change gives exactly the Pods `kubectl get pods -l <selector>` lists as
 * running: after a restart (finished, and still in progress when `up` starts), with the stored
 * revision's ReplicaSet gone, and after a `kubectl scale` (which an `up` with no change keeps, and
 * which an `up --refresh` sets back to the stack's value). Against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import { runningPodsSelected } from "../../lab/livePods";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";

/** The instance's selector, as the component sets it for the program's `webserver`. */
const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";
/** The stack's `readyTimeoutSeconds`: how long the program waits for an out-of-band rollout. */
const READY_TIMEOUT_SECONDS = 300;

function config(namespace: string): Record<string, string> {
    return { kubeconfig: clusterKubeconfig(), namespace, replicas: "3", readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) };
}

/** The live Deployment's revision, desired replicas, and whether its rollout is complete as `kubectl rollout status` judges it. */
function liveDeployment(namespace: string): { revision: string; replicas: number; rolledOut: boolean } {
    const deployment = JSON.parse(kubectl(["get", "deployment", "webserver", "-n", namespace, "-o", "json"])) as {
        metadata: { generation: number; annotations: Record<string, string> };
        spec: { replicas: number };
        status: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
    };
    const { metadata, spec, status } = deployment;
    const rolledOut = (status.observedGeneration ?? 0) >= metadata.generation && status.updatedReplicas === spec.replicas
        && status.replicas === spec.replicas && status.availableReplicas === spec.replicas;
    return { revision: metadata.annotations["deployment.kubernetes.io/revision"], replicas: spec.replicas, rolledOut };
}

/** `kubectl rollout status`, as a user waits for a rollout they started. */
function waitForRollout(namespace: string): void {
    kubectl(["rollout", "status", "deployment/webserver", "-n", namespace, `--timeout=${READY_TIMEOUT_SECONDS}s`]);
}

describe("podNames after an out-of-band restart or scale (issue 27)", function () {
    this.timeout(900_000);
    let namespace: string;
    let stack: TestStack;

    /** `pulumi up`, its podNames, and the steps it took other than leaving a resource as it was. */
    async function up(): Promise<{ podNames: string[]; changes: [string, string][] }> {
        const result = await stack.up();
        return { podNames: result.outputs.podNames.value as string[], changes: stack.steps().filter(([op]) => op !== "same") };
    }

    before(async () => {
        namespace = createNamespace("podnames");
        stack = await TestStack.create(config(namespace));
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    let storedRevision: string;
    let firstPods: string[];

    it("comes up with 3 Pods, which podNames lists", async () => {
        firstPods = (await up()).podNames;
        expect(firstPods).to.have.length(3);
        expect(firstPods).to.deep.equal(runningPodsSelected(namespace, SELECTOR));
        storedRevision = liveDeployment(namespace).revision;
    });

    it("after kubectl rollout restart and its rollout, an up with no change lists the new Pods (it gave [])", async () => {
        kubectl(["rollout", "restart", "deployment/webserver", "-n", namespace]);
        waitForRollout(namespace);
        expect(liveDeployment(namespace).revision, "the restart made a new revision").to.not.equal(storedRevision);

        const { podNames, changes } = await up();
        expect(changes, "the up changes nothing").to.deep.equal([]);
        expect(podNames).to.have.length(3);
        expect(podNames).to.deep.equal(runningPodsSelected(namespace, SELECTOR));
        expect(podNames.filter((pod) => firstPods.includes(pod)), "no Pod from before the restart").to.deep.equal([]);
    });

    it("with the stored revision's ReplicaSet gone (pruned), the up still lists the running Pods (it failed)", async () => {
        const replicaSets = JSON.parse(kubectl(["get", "replicasets", "-n", namespace, "-l", SELECTOR, "-o", "json"])) as
            { items: { metadata: { name: string; annotations: Record<string, string> } }[] };
        const stored = replicaSets.items.find((set) => set.metadata.annotations["deployment.kubernetes.io/revision"] === storedRevision);
        expect(stored, `the ReplicaSet of the stored revision ${storedRevision}`).to.not.equal(undefined);
        // What the controller does past revisionHistoryLimit, done now.
        kubectl(["delete", "replicaset", stored!.metadata.name, "-n", namespace, "--wait=true"]);

        const { podNames, changes } = await up();
        expect(changes, "the up changes nothing").to.deep.equal([]);
        expect(podNames).to.have.length(3);
        expect(podNames).to.deep.equal(runningPodsSelected(namespace, SELECTOR));
    });

    it("an up started while an out-of-band restart is still rolling waits for it, and lists the finished rollout's Pods", async () => {
        const before = runningPodsSelected(namespace, SELECTOR);
        kubectl(["rollout", "restart", "deployment/webserver", "-n", namespace]);
        const started = Date.now();
        const { podNames } = await up();
        console.log(`      the up took ${((Date.now() - started) / 1000).toFixed(1)} s, the restart's rollout included`);
        expect(liveDeployment(namespace).rolledOut, "the rollout had finished when podNames was read").to.equal(true);
        expect(podNames).to.have.length(3);
        expect(podNames).to.deep.equal(runningPodsSelected(namespace, SELECTOR));
        expect(podNames.filter((pod) => before.includes(pod)), "no Pod from before the restart").to.deep.equal([]);
    });

    it("after kubectl scale to 5, an up with no change keeps 5 (it diffs against the stored inputs) and podNames lists the 5; up --refresh sets the stack's 3 back", async () => {
        kubectl(["scale", "deployment/webserver", "-n", namespace, "--replicas=5"]);
        waitForRollout(namespace);
        expect(runningPodsSelected(namespace, SELECTOR)).to.have.length(5);

        // Without a refresh, Pulumi compares the program's inputs with the stored ones: no change,
        // so the scale made out of band stays, and podNames must say so.
        const kept = await up();
        expect(kept.changes, "the up changes nothing").to.deep.equal([]);
        expect(liveDeployment(namespace).replicas, "the Deployment keeps the out-of-band scale").to.equal(5);
        expect(kept.podNames).to.have.length(5);
        expect(kept.podNames).to.deep.equal(runningPodsSelected(namespace, SELECTOR));

        // With a refresh, the state learns of the 5, and the update sets the stack's 3 back: the
        // program's provider applies client-side (program/provider.ts), whose patch takes the field
        // back from kubectl's scale (with server-side apply it was a field-manager conflict).
        const refreshed = await stack.up({ refresh: true });
        expect(liveDeployment(namespace).replicas, "the stack's replicas again").to.equal(3);
        waitForRollout(namespace);
        expect(refreshed.outputs.podNames.value).to.have.length(3);
    });
});
