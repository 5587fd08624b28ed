/**
 * `autoscaling` (issue 31, item 2): the HorizontalPodAutoscaler's spec, and what the component
 * registers with it. That an `up` leaves the autoscaler's count alone is shown on a real cluster
 * (test/integration/autoscaling.test.ts); here, that the Deployment asks the provider for it.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { resolveArgs } from "../components/args";
import { AUTOSCALING_DEFAULTS, buildHorizontalPodAutoscalerSpec } from "../components/autoscaling";
import { WebServer } from "../components";
import { clearRegistered, installMocks, promiseOf, registeredOfType } from "./helpers/mocks";

installMocks();

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Records each child's resource options by its type. */
function recordingOptions(): { options: Map<string, pulumi.CustomResourceOptions>; transformations: pulumi.ResourceTransformation[] } {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    return { options, transformations: [(child) => { options.set(child.type, child.opts); return undefined; }] };
}

describe("autoscaling: a HorizontalPodAutoscaler for the Deployment (issue 31, item 2)", () => {
    describe("buildHorizontalPodAutoscalerSpec", () => {
        it("sizes the named Deployment by the Pods' average CPU against their requests, within the bounds", () => {
            expect(buildHorizontalPodAutoscalerSpec({ minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 }, "web")).to.deep.equal({
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
                minReplicas: 2,
                maxReplicas: 6,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            });
        });
    });

    describe("the arguments", () => {
        it("defaults minReplicas to 1 and the target to kubectl autoscale's 80 %, and starts the Deployment at minReplicas", () => {
            const resolved = resolveArgs({ autoscaling: { maxReplicas: 4 } });
            expect(resolved.autoscaling).to.deep.equal({ minReplicas: AUTOSCALING_DEFAULTS.minReplicas, maxReplicas: 4, targetCPUUtilizationPercentage: 80 });
            expect(resolved.replicas).to.equal(1);
            expect(resolveArgs({ autoscaling: { minReplicas: 3, maxReplicas: 4 } }).replicas).to.equal(3);
        });

        it("starts the Deployment at replicas when given within the bounds", () => {
            expect(resolveArgs({ replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } }).replicas).to.equal(3);
        });

        it("is plain: it decides whether the autoscaler exists", () => {
            expect(() => new WebServer("autoscaling-output", { autoscaling: pulumi.output({ maxReplicas: 3 }) as never }))
                .to.throw(/autoscaling: got "\(an Output\)"; allowed: a plain value/);
        });
    });

    describe("the component (mocks)", () => {
        beforeEach(clearRegistered);

        it("creates the autoscaler beside the Deployment, named as it, and lets the provider keep the live count", async () => {
            const { options, transformations } = recordingOptions();
            const web = new WebServer("scaled", { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 } }, { transformations });
            await promiseOf(web.horizontalPodAutoscaler!.urn);
            await promiseOf(web.deployment!.urn);
            const [hpa] = registeredOfType(HPA);
            expect(hpa.name).to.equal("scaled-autoscaler");
            expect(hpa.inputs.metadata.name).to.equal("scaled");
            expect(hpa.inputs.metadata.labels).to.deep.equal(await promiseOf(web.selectorLabels));
            expect(hpa.inputs.spec).to.deep.equal(buildHorizontalPodAutoscalerSpec({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, "scaled"));
            expect(registeredOfType(DEPLOYMENT)[0].inputs.spec.replicas).to.equal(2);
            expect(options.get(DEPLOYMENT)?.ignoreChanges).to.deep.equal(["spec.replicas"]);
            // The rollout's wait allows for as many Pods as the autoscaler may run (300 s each, and one more).
            expect(options.get(DEPLOYMENT)?.customTimeouts).to.deep.equal({ create: "1800s", update: "1800s" });
            expect(web.podDisruptionBudget, "a budget: never fewer than 2 Pods").to.not.equal(undefined);
        });

        it("sets the count on every up without autoscaling: no ignoreChanges", async () => {
            const { options, transformations } = recordingOptions();
            const web = new WebServer("fixed-count", { replicas: 3 }, { transformations });
            await promiseOf(web.deployment!.urn);
            expect(options.get(DEPLOYMENT)?.ignoreChanges).to.equal(undefined);
            expect(web.horizontalPodAutoscaler).to.equal(undefined);
            expect(registeredOfType(HPA)).to.have.length(0);
        });

        it("makes a Deployment from autoscaling alone, with no budget while the autoscaler may go down to 1 Pod", async () => {
            const web = new WebServer("from-one", { autoscaling: { maxReplicas: 3 } });
            await promiseOf(web.deployment!.urn);
            expect(web.pod).to.equal(undefined);
            expect(registeredOfType(DEPLOYMENT)[0].inputs.spec.replicas).to.equal(1);
            expect(web.podDisruptionBudget).to.equal(undefined);
        });

        it("targets the Deployment's generated name under autoName", async () => {
            const web = new WebServer("generated", { autoName: true, autoscaling: { maxReplicas: 3 } });
            await promiseOf(web.horizontalPodAutoscaler!.urn);
            const [hpa] = registeredOfType(HPA);
            const [deployment] = registeredOfType(DEPLOYMENT);
            expect(hpa.inputs.metadata).to.not.have.property("name");
            // The mocks name a created object after its resource (helpers/mocks.ts).
            expect(hpa.inputs.spec.scaleTargetRef.name).to.equal(await promiseOf(web.deployment!.metadata.name));
            expect(deployment.name).to.equal("generated-deployment");
        });
    });
});
