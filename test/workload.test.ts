import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { PRE_STOP_SECONDS, resolveArgs } from "../components/args";
import { WebServer, WebServerConfigError } from "../components";
import { configMapNamesFor } from "../components/podFiles";
import { NGINX_CONTAINER } from "../components/podSpec";
import { buildDeploymentSpec, buildPodDisruptionBudgetSpec, rolloutTimeoutSeconds } from "../components/workloadSpec";
import { labelSelector, revisionTemplateHash, runningPodNames } from "../program/runningPods";
import { clearRegistered, installMocks, promiseOf, registeredOfType } from "./helpers/mocks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- builders return Input<> trees; tests read them as plain objects
type Plain = any;

installMocks();

const SELECTOR = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };

function deploymentSpecFor(replicas: number): Plain {
    const args = resolveArgs({ replicas });
    return buildDeploymentSpec(args, configMapNamesFor("webserver", args), { a: "b" });
}

describe("replicas: the Pod under a Deployment (issue 19)", () => {
    describe("buildDeploymentSpec", () => {
        const spec = deploymentSpecFor(3);

        it("runs the replicas of the component's Pod, selected by the instance's labels", () => {
            expect(spec.replicas).to.equal(3);
            expect(spec.selector).to.deep.equal({ matchLabels: SELECTOR });
            expect(spec.template.metadata).to.deep.equal({ labels: SELECTOR, annotations: { a: "b" } });
            expect(spec.template.spec.initContainers[0].name).to.equal("sidecar-container");
            expect(spec.template.spec.securityContext.runAsNonRoot).to.equal(true);
        });

        it("rolls with a new Pod Ready before an old one goes, and fails a rollout stuck past readyTimeoutSeconds", () => {
            expect(spec.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
            expect(spec.progressDeadlineSeconds).to.equal(300);
        });

        it("keeps nginx serving for a few seconds after its Pod starts terminating, while the Service lets go of it", () => {
            const nginx = spec.template.spec.containers.find((c: Plain) => c.name === NGINX_CONTAINER);
            expect(nginx.lifecycle).to.deep.equal({ preStop: { sleep: { seconds: PRE_STOP_SECONDS } } });
        });

        it("prefers to spread the Pods over nodes, per revision, without refusing one node", () => {
            expect(spec.template.spec.topologySpreadConstraints).to.deep.equal([{
                maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: SELECTOR }, matchLabelKeys: ["pod-template-hash"],
            }]);
        });

        it("gives the PodDisruptionBudget one Pod at a time", () => {
            expect(buildPodDisruptionBudgetSpec(SELECTOR)).to.deep.equal({ maxUnavailable: 1, selector: { matchLabels: SELECTOR } });
        });
    });

    describe("the arguments", () => {
        it("accepts 1 to 100 replicas, plain, and a grace period that fits the pre-stop wait", () => {
            expect(resolveArgs({ replicas: 1 }).replicas).to.equal(1);
            expect(resolveArgs({}).replicas).to.equal(undefined);
            for (const bad of [0, 101, 2.5, "3"]) {
                expect(() => resolveArgs({ replicas: bad as number }), String(bad)).to.throw(WebServerConfigError, /replicas: got .*; allowed: a whole number from 1 to 100/);
            }
            expect(() => resolveArgs({ replicas: 2, terminationGracePeriodSeconds: 9 }))
                .to.throw(/replicas \+ terminationGracePeriodSeconds: got \{"replicas":2,"terminationGracePeriodSeconds":9\}; allowed: a grace period of at least 10 s/);
            expect(() => new WebServer("replicas-output", { replicas: pulumi.output(2) as never })).to.throw(/replicas: got "\(an Output\)"; allowed: a plain value/);
        });
    });

    describe("the component (mocks)", () => {
        beforeEach(clearRegistered);

        it("creates a Deployment and, from 2 replicas, a PodDisruptionBudget, instead of the Pod", async () => {
            const web = new WebServer("replicated", { replicas: 2 });
            await promiseOf(web.deployment!.urn);
            await promiseOf(web.podDisruptionBudget!.urn);
            expect(web.pod).to.equal(undefined);
            expect(web.podName).to.equal(undefined);
            expect(registeredOfType("kubernetes:core/v1:Pod")).to.have.length(0);
            const [deployment] = registeredOfType("kubernetes:apps/v1:Deployment");
            expect(deployment.inputs.metadata.name).to.equal("replicated");
            expect(deployment.inputs.spec.template.metadata.annotations).to.have.property("webserver-sidecar/files-sha256");
            expect(registeredOfType("kubernetes:policy/v1:PodDisruptionBudget")[0].inputs.metadata.name).to.equal("replicated");
            expect(await promiseOf(web.selectorLabels)).to.deep.equal({ "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "replicated" });
        });

        it("mounts immutable ConfigMaps named by their content, so that a rollout's old Pods keep their own files (issue 27, item 3)", async () => {
            const web = new WebServer("by-content", { replicas: 3, content: { "index.html": "v1" } });
            await promiseOf(web.deployment!.urn);
            const configMaps = registeredOfType("kubernetes:core/v1:ConfigMap");
            expect(configMaps.map((c) => c.inputs.metadata.name).sort()).to.satisfy((names: string[]) =>
                names.length === 2 && /^by-content-content-[0-9a-f]{10}$/.test(names[0]) && /^by-content-shipper-[0-9a-f]{10}$/.test(names[1]));
            expect(configMaps.map((c) => c.inputs.immutable)).to.deep.equal([true, true]);
            // Each revision's ConfigMap is a resource of its own, named as its object: a failed rollout's
            // `up` back to the old files finds the old one in the state, rather than creating it again.
            expect(configMaps.map((c) => c.name).sort()).to.deep.equal(configMaps.map((c) => c.inputs.metadata.name).sort());
            const volumes = registeredOfType("kubernetes:apps/v1:Deployment")[0].inputs.spec.template.spec.volumes as { configMap?: { name: string } }[];
            expect(volumes.filter((v) => v.configMap !== undefined).map((v) => v.configMap!.name).sort()).to.deep.equal(configMaps.map((c) => c.inputs.metadata.name).sort());
        });

        it("gives the rollout readyTimeoutSeconds for each Pod in turn, and one more (issue 27, item 4)", async () => {
            expect(rolloutTimeoutSeconds(300, 20)).to.equal(6300);
            const options = new Map<string, pulumi.CustomResourceOptions>();
            const web = new WebServer("rollout-timeout", { replicas: 20, readyTimeoutSeconds: 60 }, {
                transformations: [(child) => { options.set(child.type, child.opts); return undefined; }],
            });
            await promiseOf(web.deployment!.urn);
            expect(options.get("kubernetes:apps/v1:Deployment")?.customTimeouts).to.deep.equal({ create: "1260s", update: "1260s" });
            // The progress deadline still holds each Pod to readyTimeoutSeconds.
            expect(registeredOfType("kubernetes:apps/v1:Deployment")[0].inputs.spec.progressDeadlineSeconds).to.equal(60);
        });

        it("puts the rollout's timeout in the provider's annotation when readyTimeoutSeconds is an Output", async () => {
            const web = new WebServer("rollout-timeout-output", { replicas: 4, readyTimeoutSeconds: pulumi.output(30) });
            await promiseOf(web.deployment!.urn);
            const [deployment] = registeredOfType("kubernetes:apps/v1:Deployment");
            expect(deployment.inputs.metadata.annotations).to.deep.include({ "pulumi.com/timeoutSeconds": "150" });
            expect(deployment.inputs.metadata.annotations).to.have.property("webserver-sidecar/owner");
            expect(deployment.inputs.spec.progressDeadlineSeconds).to.equal(30);
        });

        it("creates no PodDisruptionBudget for one replica: it could only block a drain", async () => {
            const web = new WebServer("single", { replicas: 1 });
            await promiseOf(web.deployment!.urn);
            expect(web.podDisruptionBudget).to.equal(undefined);
            expect(registeredOfType("kubernetes:policy/v1:PodDisruptionBudget")).to.have.length(0);
        });
    });

    describe("podNames of a Deployment (program/runningPods.ts)", () => {
        it("lists the Pods of the rollout's revision that are not being deleted, sorted: an old revision's Pods stop for a while after it", () => {
            const current = { "pod-template-hash": "new" };
            expect(runningPodNames([
                { metadata: { name: "web-b", labels: current } }, { metadata: { name: "web-old", labels: { "pod-template-hash": "old" } } },
                { metadata: { name: "web-gone", labels: current, deletionTimestamp: "2026-12-05T10:00:00Z" } }, { metadata: { name: "web-a", labels: current } },
            ], "new")).to.deep.equal(["web-a", "web-b"]);
        });

        it("finds the revision's template hash on its ReplicaSet", () => {
            const replicaSets = [
                { metadata: { annotations: { "deployment.kubernetes.io/revision": "1" }, labels: { "pod-template-hash": "old" } } },
                { metadata: { annotations: { "deployment.kubernetes.io/revision": "2" }, labels: { "pod-template-hash": "new" } } },
            ];
            expect(revisionTemplateHash(replicaSets, "2")).to.equal("new");
            expect(revisionTemplateHash(replicaSets, "3")).to.equal(undefined);
        });

        it("selects by the instance's labels", () => {
            expect(labelSelector(SELECTOR)).to.equal("app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver");
        });
    });
});
