/**
 * podNames with replicas follows the live Deployment (issue 27, item 5): components/deploymentPods.ts
 * against a fake API (no cluster), including the reproduction's state: the stack's stored revision
 * is 1, an out-of-band `kubectl rollout restart` made revision 2, and revision 1's ReplicaSet has no
 * Pods (or is gone).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import {
    DeploymentPodsReader, ListedObject, LiveDeployment, REVISION_ANNOTATION, listDeploymentPodNames, rolloutState,
} from "../components/deploymentPods";

/**
 * The modules of `directory` that import `moduleName` as a value (`import x from`, `import { x } from`,
 * `import * as x from`, `require`), as opposed to `import type` or a dynamic `import()`: a value
 * import loads the module whenever the program runs.
 */
function valueImportersOf(directory: string, moduleName: string): string[] {
    return fs.readdirSync(directory).filter((file) => file.endsWith(".ts")).filter((file) => {
        const source = ts.createSourceFile(file, fs.readFileSync(path.join(directory, file), "utf8"), ts.ScriptTarget.Latest);
        return source.statements.some((statement) => (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement))
            && statement.getText(source).includes(`"${moduleName}"`)
            && !(ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true));
    });
}

const SELECTOR = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };

/** A Deployment whose rollout of `revision` to `replicas` Pods is done. */
function doneDeployment(revision: string, replicas = 3, generation = 2): LiveDeployment {
    return {
        metadata: { generation, annotations: { [REVISION_ANNOTATION]: revision } },
        spec: { replicas },
        status: { observedGeneration: generation, replicas, updatedReplicas: replicas, availableReplicas: replicas },
    };
}

function replicaSet(revision: string, hash: string): ListedObject {
    return { metadata: { name: `webserver-${hash}`, annotations: { [REVISION_ANNOTATION]: revision }, labels: { ...SELECTOR, "pod-template-hash": hash } } };
}

function pod(name: string, hash: string, deleting = false): ListedObject {
    return { metadata: { name, labels: { ...SELECTOR, "pod-template-hash": hash }, ...(deleting ? { deletionTimestamp: "2026-12-07T03:00:00Z" } : {}) } };
}

/** A fake API: the Deployment as a sequence of looks (the last one repeats), fixed ReplicaSets and Pods. */
function fakeApi(looks: LiveDeployment[], replicaSets: ListedObject[], pods: ListedObject[]): DeploymentPodsReader & { podQueries: string[] } {
    let look = 0;
    const podQueries: string[] = [];
    return {
        podQueries,
        readDeployment: async () => looks[Math.min(look++, looks.length - 1)],
        listReplicaSets: async () => replicaSets,
        listPods: async (_namespace, labelSelector) => {
            podQueries.push(labelSelector);
            const hash = /pod-template-hash=([^,]+)/.exec(labelSelector)?.[1];
            return pods.filter((p) => p.metadata?.labels?.["pod-template-hash"] === hash);
        },
    };
}

/** A fake clock that moves only when waited on. */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
    let t = 0;
    const slept: number[] = [];
    return { now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, slept };
}

describe("podNames of a Deployment, read live (components/deploymentPods.ts)", () => {
    describe("rolloutState: as kubectl rollout status judges it", () => {
        const done = doneDeployment("2");
        const cases: [string, LiveDeployment, string][] = [
            ["done", done, "done"],
            ["a spec the controller has not seen", { ...done, metadata: { ...done.metadata, generation: 3 } }, "progressing: the controller has not yet seen generation 3 (it has seen 2)"],
            ["a restart half way", { ...done, status: { ...done.status, updatedReplicas: 1, replicas: 4 } }, "progressing: 1 of 3 replicas run the current revision"],
            ["old Pods still counted", { ...done, status: { ...done.status, replicas: 4 } }, "progressing: 1 replicas of an older revision are still counted"],
            ["new Pods not yet available", { ...done, status: { ...done.status, availableReplicas: 2 } }, "progressing: 2 of 3 replicas of the current revision are available"],
            ["a scale to 5 not yet done", { ...done, spec: { replicas: 5 } }, "progressing: 3 of 5 replicas run the current revision"],
        ];
        for (const [what, deployment, expected] of cases) {
            it(`${what}: ${expected}`, () => {
                const state = rolloutState(deployment);
                expect(state.kind === "done" ? "done" : `${state.kind}: ${state.reason}`).to.equal(expected);
            });
        }

        it("a rollout past its progress deadline has failed, with the controller's message", () => {
            const stalled = { ...done, status: { ...done.status, conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"webserver-b\" has timed out progressing." }] } };
            expect(rolloutState(stalled)).to.deep.equal({ kind: "failed", reason: "its rollout exceeded its progress deadline: ReplicaSet \"webserver-b\" has timed out progressing." });
        });
    });

    describe("listDeploymentPodNames", () => {
        it("after an out-of-band restart, lists the live revision's Pods, not the stored revision's (none left)", async () => {
            const api = fakeApi([doneDeployment("2")], [replicaSet("1", "aaa"), replicaSet("2", "bbb")],
                [pod("webserver-bbb-3", "bbb"), pod("webserver-bbb-1", "bbb"), pod("webserver-bbb-2", "bbb")]);
            expect(await listDeploymentPodNames(api, "ns", "webserver", SELECTOR, { timeoutSeconds: 5 }))
                .to.deep.equal(["webserver-bbb-1", "webserver-bbb-2", "webserver-bbb-3"]);
            expect(api.podQueries).to.deep.equal(["app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver,pod-template-hash=bbb"]);
        });

        it("still lists them once the stored revision's ReplicaSet is pruned", async () => {
            const api = fakeApi([doneDeployment("2")], [replicaSet("2", "bbb")], [pod("webserver-bbb-1", "bbb")]);
            expect(await listDeploymentPodNames(api, "ns", "webserver", SELECTOR, { timeoutSeconds: 5 })).to.deep.equal(["webserver-bbb-1"]);
        });

        it("waits for a rollout in progress and lists the finished rollout's Pods, leaving out those being deleted", async () => {
            const rolling = { ...doneDeployment("2"), status: { ...doneDeployment("2").status, updatedReplicas: 1, replicas: 4 } };
            const clock = fakeClock();
            const api = fakeApi([rolling, rolling, doneDeployment("2")], [replicaSet("1", "aaa"), replicaSet("2", "bbb")],
                [pod("webserver-aaa-1", "aaa"), pod("webserver-bbb-1", "bbb"), pod("webserver-bbb-2", "bbb"), pod("webserver-bbb-9", "bbb", true)]);
            expect(await listDeploymentPodNames(api, "ns", "webserver", SELECTOR, { timeoutSeconds: 10, pollMs: 500, ...clock }))
                .to.deep.equal(["webserver-bbb-1", "webserver-bbb-2"]);
            expect(clock.slept).to.deep.equal([500, 500]);
        });

        it("looks again when the revision's ReplicaSet is not listed yet (a newer rollout began between the reads)", async () => {
            const clock = fakeClock();
            const api = fakeApi([doneDeployment("3"), doneDeployment("2")], [replicaSet("2", "bbb")], [pod("webserver-bbb-1", "bbb")]);
            expect(await listDeploymentPodNames(api, "ns", "webserver", SELECTOR, { timeoutSeconds: 10, ...clock })).to.deep.equal(["webserver-bbb-1"]);
            expect(clock.slept).to.have.length(1);
        });

        it("fails after readyTimeoutSeconds, naming the Deployment, what it waits for and the bound", async () => {
            const rolling = { ...doneDeployment("2"), status: { ...doneDeployment("2").status, availableReplicas: 1 } };
            const api = fakeApi([rolling], [replicaSet("2", "bbb")], []);
            let failure: Error | undefined;
            await listDeploymentPodNames(api, "ns", "webserver", SELECTOR, { timeoutSeconds: 3, ...fakeClock() }).catch((e: Error) => { failure = e; });
            expect(failure?.message).to.equal("podNames: the Deployment ns/webserver was still rolling out after 3 s (readyTimeoutSeconds): "
                + "1 of 3 replicas of the current revision are available");
        });

        it("fails at once on a rollout past its progress deadline", async () => {
            const clock = fakeClock();
            const stalled = { ...doneDeployment("2"), status: { conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded", message: "timed out" }] } };
            let failure: Error | undefined;
            await listDeploymentPodNames(fakeApi([stalled], [], []), "ns", "webserver", SELECTOR, { timeoutSeconds: 300, ...clock }).catch((e: Error) => { failure = e; });
            expect(failure?.message).to.equal("podNames: the Deployment ns/webserver cannot list its running Pods: its rollout exceeded its progress deadline: timed out");
            expect(clock.slept).to.deep.equal([]);
        });
    });

    it("loads @kubernetes/client-node only when a Deployment's Pods are listed (~0.7 s): no module of the program or the package imports it as a value", () => {
        const root = path.join(__dirname, "..");
        expect(valueImportersOf(path.join(root, "program"), "@kubernetes/client-node")).to.deep.equal([]);
        expect(valueImportersOf(path.join(root, "components"), "@kubernetes/client-node")).to.deep.equal([]);
        expect(valueImportersOf(root, "@kubernetes/client-node"), "index.ts").to.deep.equal([]);
        // The check itself sees a value import when there is one.
        expect(valueImportersOf(path.join(root, "program"), "@pulumi/pulumi")).to.include("runningPods.ts");
    });
});
