/**
 * `autoscaling` on a real node (issue 31, item 2): the local cluster's metrics-server (built from
 * sigs.k8s.io/metrics-server, scripts/cluster/metricsServer.sh) feeds the HorizontalPodAutoscaler
 * the component creates. Under sustained load through the Service, the autoscaler adds Pods, with
 * no failed request and every answered request's access line shipped exactly once across the Pods'
 * sidecars; then an `up` with no change, refreshed or not, previews nothing and leaves the count the
 * autoscaler chose, and so does an `up` that rolls every Pod to a new site.
 */
import { expect } from "chai";
import { ClientPod } from "../../lab/clientPod";
import { sleep, waitFor } from "../../lab/polling";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, kubectlError } from "../../lab/pulumiHarness";
import { SidecarLogCollector } from "../../lab/sidecarLogCollector";
import { ServiceLoad, accountLoadLines } from "../../lab/serviceLoad";
import { skipBecause, testImages } from "./clusterCapabilities";

/** The bounds this test holds. */
const MAX_FAILED_REQUESTS = 0;
const MAX_LOST_OR_DUPLICATED_LINES = 0;
/**
 * How long the autoscaler may take to add a Pod under load, and for it to be Ready: metrics-server
 * scrapes every 15 s, the autoscaler decides every 15 s, and a Pod starts in seconds here. The bound
 * leaves room for a few of each on a loaded 2-core machine.
 */
const SCALE_OUT_BOUND_SECONDS = 240;
/**
 * The Pods' average CPU the autoscaler aims at, against their requests (150m: nginx 100m, the
 * sidecar 50m). Idle Pods here use a few percent of it; the load drives them far past it.
 */
const TARGET_PERCENT = 30;
const MAX_REPLICAS = 3;

const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

function config(namespace: string, page: string): Record<string, string> {
    return {
        kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "ClusterIP", port: 80 }),
        content: JSON.stringify({ "index.html": page }),
        autoscaling: JSON.stringify({ minReplicas: 1, maxReplicas: MAX_REPLICAS, targetCPUUtilizationPercentage: TARGET_PERCENT }),
    };
}

interface Scale { readonly specReplicas: number; readonly readyReplicas: number; readonly desiredReplicas: number | undefined; readonly utilization: number | undefined }

/** The Deployment's count and Ready Pods, and what the autoscaler last decided and saw. */
function scaleOf(namespace: string): Scale {
    const deployment = JSON.parse(kubectl(["get", "deployment", "webserver", "-n", namespace, "-o", "json"])) as
        { spec: { replicas: number }; status: { readyReplicas?: number } };
    const hpa = JSON.parse(kubectl(["get", "hpa", "webserver", "-n", namespace, "-o", "json"])) as
        { status: { desiredReplicas?: number; currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] } };
    return {
        specReplicas: deployment.spec.replicas,
        readyReplicas: deployment.status.readyReplicas ?? 0,
        desiredReplicas: hpa.status.desiredReplicas,
        utilization: hpa.status.currentMetrics?.[0]?.resource?.current?.averageUtilization,
    };
}

describe("autoscaling: a HorizontalPodAutoscaler fed by metrics-server scales the Deployment, and up leaves its count alone (issue 31, item 2)", function () {
    this.timeout(1_200_000);
    let namespace: string;
    let stack: TestStack;
    let client: ClientPod;
    let scaledTo: number;
    const serviceUrl = () => `http://webserver.${namespace}.svc.cluster.local/`;

    before(async function () {
        // The local cluster runs metrics-server (scripts/cluster/metricsServer.sh); kind's in test.yml does not.
        if (kubectlError(["get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"]) !== undefined) {
            skipBecause(this, "no metrics API on this cluster (metrics-server): an autoscaler would have nothing to read");
        }
        namespace = createNamespace("autoscaling");
        stack = await TestStack.create(config(namespace, "<h1>first</h1>\n"));
        await stack.up();
        client = await ClientPod.start(testImages().sidecarImage, namespace, "load-client", { role: "load" });
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("starts at minReplicas, with the autoscaler reading the Pods' CPU below its target while idle", async () => {
        // The autoscaler has a reading once metrics-server has scraped the new Pod.
        const idle = await waitFor("the autoscaler's first CPU reading of the Pods", () => {
            const scale = scaleOf(namespace);
            return scale.utilization !== undefined ? scale : undefined;
        }, 120_000, 2000);
        console.log(`      idle: ${idle.specReplicas} Pod(s), ${idle.utilization} % of the CPU requested (target ${TARGET_PERCENT} %)`);
        expect(idle.specReplicas).to.equal(1);
        expect(idle.utilization!).to.be.below(TARGET_PERCENT);
    });

    it(`adds Pods under load within ${SCALE_OUT_BOUND_SECONDS} s, with no failed request and every line shipped once`, async () => {
        const collector = new SidecarLogCollector(namespace, SELECTOR);
        const load = ServiceLoad.start(client, serviceUrl());
        const started = Date.now();
        const scaled = await waitFor(`the autoscaler to add a Pod, Ready, within ${SCALE_OUT_BOUND_SECONDS} s`, () => {
            const scale = scaleOf(namespace);
            return scale.specReplicas >= 2 && scale.readyReplicas === scale.specReplicas ? scale : undefined;
        }, SCALE_OUT_BOUND_SECONDS * 1000, 2000);
        const seconds = (Date.now() - started) / 1000;
        // Requests go to the new Pods too for a while before the load stops.
        await sleep(10_000);
        const result = await load.stop();
        const outputs = await collector.stop((all) => accountLoadLines(result.answered, [all]).lost.length === 0);
        scaledTo = scaleOf(namespace).specReplicas;
        const { lost, duplicated } = accountLoadLines(result.answered, outputs.values());
        console.log(`      under load: ${scaled.specReplicas} Pods Ready after ${seconds.toFixed(0)} s (the autoscaler read ${scaled.utilization} %), `
            + `${scaledTo} when the load stopped; ${result.answered.length} requests answered, ${result.failed.length} failed; `
            + `${lost.length} lines lost, ${duplicated.length} duplicated, across ${outputs.size} Pods' sidecars`);
        expect(result.failed.slice(0, 5), "failed requests").to.have.length.at.most(MAX_FAILED_REQUESTS);
        expect(result.answered.length, "requests answered").to.be.above(100);
        expect(lost.length + duplicated.length, `lost: ${lost.slice(0, 5).join(", ")}; duplicated: ${duplicated.slice(0, 5).join(", ")}`)
            .to.be.at.most(MAX_LOST_OR_DUPLICATED_LINES);
        expect(outputs.size, "sidecars that shipped lines").to.be.at.least(2);
    });

    // The autoscaler keeps a count for 5 minutes after the load drops (its scale-down stabilization),
    // so the count it chose holds through what follows unless an `up` sets it.
    it("previews no change and leaves the count alone on an up with no change, refreshed or not", async () => {
        expect(scaledTo, "the count the autoscaler chose").to.be.at.least(2);
        await stack.preview();
        expect(stack.steps().filter(([op]) => op !== "same"), "the preview's changes").to.deep.equal([]);
        await stack.up();
        expect(scaleOf(namespace).specReplicas, "after up").to.equal(scaledTo);
        // A refresh reads the autoscaler's count into the state: the diff would then set it back to
        // the count the Deployment was created with, but for ignoreChanges.
        await stack.preview({ refresh: true });
        expect(stack.steps().filter(([op]) => !["same", "refresh"].includes(op)), "the refreshed preview's changes").to.deep.equal([]);
        await stack.up({ refresh: true });
        expect(scaleOf(namespace).specReplicas, "after up --refresh").to.equal(scaledTo);
    });

    it("keeps the count through an up that rolls every Pod to a new site", async () => {
        await stack.setConfig(config(namespace, "<h1>second</h1>\n"));
        await stack.up();
        const scale = scaleOf(namespace);
        console.log(`      after the rollout: ${scale.specReplicas} Pods, ${scale.readyReplicas} Ready`);
        expect(scale.specReplicas).to.equal(scaledTo);
        expect(scale.readyReplicas).to.equal(scaledTo);
    });
});
