/**
 * Fault 3 of issue #13: drift. The Pod is deleted out of band (`kubectl delete pod`, or a node that
 * lost it: a bare Pod is never recreated by Kubernetes). Pulumi's state still has it, so only a
 * refresh sees it: `pulumi preview --refresh` shows the Pod will be created, `pulumi up --refresh`
 * recreates it, and the README's main command (`bash scripts/up.sh`, which always refreshes) does too.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { DevStackClone } from "../../lab/devStackClone";
import { deletePodOutOfBand, livePods } from "../../lab/livePods";

const POD = "kubernetes:core/v1:Pod";

/**
 * The bound on `pulumi up --refresh` recreating the Pod: the CLI's start, reading the 5 resources
 * back and the new Pod's start and first readiness probe. Measured 3.7-3.9 s here; the rest is room
 * for a shared 2-core machine under other tests' load.
 */
const RECREATE_BOUND_SECONDS = 60;
/**
 * The bound on the main command recreating it: the same `up --refresh`, after its checks of the
 * machine (node, npm packages, the pulumi CLI, the backend, the stack) and before its walkthrough
 * (two `pulumi stack output`s). Measured 6.3-11.8 s here.
 */
const MAIN_COMMAND_BOUND_SECONDS = 120;

describe("drift: the Pod deleted out of band", function () {
    this.timeout(600_000);

    describe("with the Pulumi CLI", () => {
        let namespace: string;
        let stack: TestStack;
        let deletedUid: string;

        before(async () => {
            namespace = createNamespace("drift");
            stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
            await stack.up();
            deletedUid = deletePodOutOfBand("webserver", namespace);
            expect(livePods(namespace)).to.deep.equal([]);
        });
        after(async () => {
            await stack?.dispose();
            if (namespace !== undefined) {
                deleteNamespace(namespace);
            }
        });

        it("goes unseen by a plain preview, which compares with the state, not the cluster", async () => {
            const preview = await stack.preview();
            expect(preview.changeSummary).to.deep.equal({ same: 6 });
        });

        it("shows in preview --refresh: the Pod will be created, and nothing else changes", async () => {
            const preview = await stack.preview({ refresh: true });
            const changes = stack.steps().filter(([op]) => op !== "same" && op !== "refresh");
            expect(changes).to.deep.equal([["create", POD]]);
            expect(preview.changeSummary).to.deep.include({ create: 1 });
            expect(livePods(namespace), "a preview creates nothing").to.deep.equal([]);
        });

        it(`is repaired by up --refresh within ${RECREATE_BOUND_SECONDS} s: one new Pod, Ready`, async () => {
            const start = process.hrtime.bigint();
            const result = await stack.up({ refresh: true });
            const seconds = Number(process.hrtime.bigint() - start) / 1e9;
            console.log(`      up --refresh recreated the Pod in ${seconds.toFixed(1)} s`);
            expect(seconds).to.be.at.most(RECREATE_BOUND_SECONDS);
            expect(result.summary.resourceChanges).to.deep.include({ create: 1 });
            const pods = livePods(namespace);
            expect(pods.map((p) => [p.name, p.ready])).to.deep.equal([["webserver", true]]);
            expect(pods[0].uid).to.not.equal(deletedUid);
        });

        it("leaves nothing for the next preview --refresh to change", async () => {
            const preview = await stack.preview({ refresh: true });
            expect(preview.changeSummary).to.deep.equal({ same: 6 });
        });
    });

    describe("with the main command, bash scripts/up.sh, in a scratch clone", () => {
        let namespace: string;
        let clone: DevStackClone;
        let deletedUid: string;

        before(() => {
            namespace = createNamespace("drift-main");
            clone = DevStackClone.create(namespace);
            const first = clone.run("up.sh", ["--yes"]);
            expect(first.status, first.output).to.equal(0);
            deletedUid = deletePodOutOfBand("webserver", namespace);
        });
        after(() => {
            try {
                clone?.dispose();
            } finally {
                if (namespace !== undefined) {
                    deleteNamespace(namespace);
                }
            }
        });

        it("shows it in its preview (npm run preview): the Pod will be created", () => {
            const preview = clone.run("dev-stack.sh", ["preview"]);
            expect(preview.status, preview.output).to.equal(0);
            // It previews with --diff: the refresh shows the Pod's outputs going, then the plan its create.
            expect(preview.output, preview.output).to.match(/\+ kubernetes:core\/v1:Pod: \(create\)\s+\[urn=[^\]]*::webserver-pod\]/);
            expect(preview.output).to.match(/Resources:\s+\+ 1 to create\s+5 unchanged/);
        });

        it(`recreates it within ${MAIN_COMMAND_BOUND_SECONDS} s: one new Pod, Ready, and its next preview changes nothing`, () => {
            const up = clone.run("up.sh", ["--yes"]);
            console.log(`      bash scripts/up.sh --yes recreated the Pod in ${up.seconds.toFixed(1)} s`);
            expect(up.status, up.output).to.equal(0);
            expect(up.seconds).to.be.at.most(MAIN_COMMAND_BOUND_SECONDS);
            expect(up.output).to.match(/kubernetes:core\/v1:Pod\s+webserver-pod\s+created/);
            const pods = livePods(namespace);
            expect(pods.map((p) => [p.name, p.ready])).to.deep.equal([["webserver", true]]);
            expect(pods[0].uid).to.not.equal(deletedUid);

            const preview = clone.run("dev-stack.sh", ["preview"]);
            expect(preview.status, preview.output).to.equal(0);
            expect(preview.output).to.match(/6 unchanged/);
            expect(preview.output).to.not.match(/to create|to update|to replace|to delete/);
        });
    });
});
