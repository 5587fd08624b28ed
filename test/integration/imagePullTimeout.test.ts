/**
 * Fault 4 of issue #13: an image that cannot be pulled (a tag that does not exist). `pulumi up`
 * fails by `readyTimeoutSeconds`, with the kubelet's reason and the image in its message, and the
 * next `up` with a good image recovers. Both of the Pod's containers, both ways in: a new stack
 * whose nginx image is bad, and a running stack whose sidecar image (a native sidecar, an init
 * container) turns bad.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, localClusterImages } from "../../lab/pulumiHarness";
import { livePods } from "../../lab/livePods";
import { timedFailure } from "../../lab/timedFailure";
import { DEFAULTS } from "../../components/args";
import { rolloutTimeoutSeconds } from "../../components/workloadSpec";

/** readyTimeoutSeconds for the failing runs: several of the kubelet's pull retries (10 s back-off, doubling), short for a test. */
const READY_TIMEOUT_SECONDS = 25;
/**
 * What `up` may take beyond the deadline: the CLI's start, the NetworkPolicy and, on a replacement,
 * deleting the old Pod before the new Pod's wait starts. Measured 2-4 s here (27.2 s and 29.0 s in
 * all); the rest is room for a shared 2-core machine under other tests' load.
 */
const SLACK_SECONDS = 30;
/** The bound each failing `up` must meet. The provider's own Pod await ends only after a back-off gap of the kubelet exceeds the timeout (160 s for 40 s), or never with its default 10 minutes. */
const FAILURE_BOUND_SECONDS = READY_TIMEOUT_SECONDS + SLACK_SECONDS;

/** `image` with its tag and digest replaced by a tag that no registry has. */
function unpullable(image: string): string {
    const repository = image.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[^:/]+$/, "");
    return `${repository}:no-such-tag`;
}

const GOOD = { nginxImage: DEFAULTS.nginxImage, sidecarImage: DEFAULTS.sidecarImage, ...localClusterImages() };

describe("an image that cannot be pulled: up fails by readyTimeoutSeconds with the kubelet's reason, and recovers", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    /** The stack's config: the failing runs get the short timeout; a recovery the default, as a user would have it. */
    const config = (images: { nginxImage: string; sidecarImage: string }, readyTimeoutSeconds?: number) => ({
        kubeconfig: clusterKubeconfig(), namespace, ...images,
        ...(readyTimeoutSeconds !== undefined ? { readyTimeoutSeconds: String(readyTimeoutSeconds) } : {}),
    });

    before(async () => {
        namespace = createNamespace("image-pull");
        stack = await TestStack.create({});
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it(`fails the first up of a stack whose nginx image does not exist within ${FAILURE_BOUND_SECONDS} s, naming ImagePullBackOff/ErrImagePull and the image`, async () => {
        const bad = unpullable(GOOD.nginxImage);
        await stack.setConfig(config({ ...GOOD, nginxImage: bad }, READY_TIMEOUT_SECONDS));
        const failure = await timedFailure(() => stack.up());
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s (readyTimeoutSeconds ${READY_TIMEOUT_SECONDS})`);
        expect(failure.seconds, "up failed within the deadline plus slack").to.be.at.most(FAILURE_BOUND_SECONDS);
        expect(failure.seconds, "up waited the deadline out before failing").to.be.at.least(READY_TIMEOUT_SECONDS);
        const diagnostic = podErrorOf(failure.message);
        console.log(diagnostic.replace(/^/gm, "      | "));
        expect(diagnostic).to.match(/ErrImagePull|ImagePullBackOff/);
        expect(diagnostic).to.include(bad);
        // The first container of a given nginx image is the check of its layout (nginxLayout.ts), before nginx.
        expect(diagnostic).to.include("nginx-layout");

        // What is left: the Pod, the check waiting on the image and nginx on the check, as the kubelet says.
        const [pod, ...others] = livePods(namespace);
        expect(others).to.deep.equal([]);
        expect(pod.ready).to.equal(false);
        expect(pod.waiting.map((w) => [w.container, w.reason])).to.deep.equal([["nginx-layout", pod.waiting[0].reason], ["nginx-container", "PodInitializing"]]);
        expect(pod.waiting[0].reason).to.match(/^(ErrImagePull|ImagePullBackOff)$/);
    });

    it("recovers on the next up with a good image: one Pod, Ready, and the next preview changes nothing", async () => {
        await stack.setConfig(config(GOOD));
        await stack.up();
        await expectOneReadyPodAndNoChanges();
    });

    it(`fails an up that turns a running stack's sidecar image (an init container) bad within ${FAILURE_BOUND_SECONDS} s, naming the reason and the image`, async () => {
        const bad = unpullable(GOOD.sidecarImage);
        const before = livePods(namespace)[0];
        await stack.setConfig(config({ ...GOOD, sidecarImage: bad }, READY_TIMEOUT_SECONDS));
        const failure = await timedFailure(() => stack.up());
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s (readyTimeoutSeconds ${READY_TIMEOUT_SECONDS})`);
        expect(failure.seconds, "up failed within the deadline plus slack").to.be.at.most(FAILURE_BOUND_SECONDS);
        const diagnostic = podErrorOf(failure.message);
        console.log(diagnostic.replace(/^/gm, "      | "));
        expect(diagnostic).to.match(/ErrImagePull|ImagePullBackOff/);
        expect(diagnostic).to.include(bad);
        expect(diagnostic).to.include("sidecar-container");

        // What was lost: an image is immutable in a Pod, so the Pod was replaced, and with its fixed
        // name `webserver` the old one went first: nothing serves until the next good up.
        const [pod, ...others] = livePods(namespace);
        expect(others).to.deep.equal([]);
        expect(pod.uid).to.not.equal(before.uid);
        expect(pod.ready).to.equal(false);
        expect(pod.waiting.find((w) => w.container === "sidecar-container")?.reason).to.match(/^(ErrImagePull|ImagePullBackOff)$/);
    });

    it("recovers from that on the next up with the good image: one Pod, Ready, and the next preview changes nothing", async () => {
        await stack.setConfig(config(GOOD));
        await stack.up();
        await expectOneReadyPodAndNoChanges();
    });

    async function expectOneReadyPodAndNoChanges(): Promise<void> {
        const pods = livePods(namespace);
        expect(pods.map((p) => [p.name, p.ready])).to.deep.equal([["webserver", true]]);
        const preview = await stack.preview();
        expect(preview.changeSummary).to.deep.equal({ same: 6 });
    }
});

describe("with replicas: a rollout to an image that cannot be pulled fails by readyTimeoutSeconds, and the old Pods keep serving", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    const config = (images: { nginxImage: string; sidecarImage: string }, readyTimeoutSeconds?: number) => ({
        kubeconfig: clusterKubeconfig(), namespace, ...images, replicas: "2",
        ...(readyTimeoutSeconds !== undefined ? { readyTimeoutSeconds: String(readyTimeoutSeconds) } : {}),
    });

    before(async () => {
        namespace = createNamespace("image-pull-replicas");
        stack = await TestStack.create({});
        await stack.setConfig(config(GOOD));
        await stack.up();
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    // readyTimeoutSeconds holds each Pod of a rollout: `up` waits for a rollout of 2 Pods in turn
    // and one more (workloadSpec.ts), since the provider's (4.25.0) Deployment await does not stop
    // at the progress deadline, which it only reports.
    const rolloutBoundSeconds = rolloutTimeoutSeconds(READY_TIMEOUT_SECONDS, 2) + SLACK_SECONDS;

    it(`fails the up within its rollout's wait (readyTimeoutSeconds per Pod) naming the stuck container, the kubelet's reason and the image in the Pod's status, replacing no running Pod`, async () => {
        const before = livePods(namespace).filter((pod) => pod.ready).map((pod) => pod.uid).sort();
        expect(before).to.have.length(2);
        const bad = unpullable(GOOD.nginxImage);
        await stack.setConfig(config({ ...GOOD, nginxImage: bad }, READY_TIMEOUT_SECONDS));
        const failure = await timedFailure(() => stack.up());
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s (readyTimeoutSeconds ${READY_TIMEOUT_SECONDS})`);
        expect(failure.seconds, "up failed within the rollout's wait plus slack").to.be.at.most(rolloutBoundSeconds);
        const diagnostic = podErrorOf(failure.message);
        console.log(diagnostic.replace(/^/gm, "      | "));
        // The provider's Deployment await lists each unready Pod with its regular containers' waiting
        // reasons, but of init containers only the kubelet's Initialized condition (read in
        // cloud-ready-checks v1.3.0, which pulumi-kubernetes 4.25.0 uses: pkg/kubernetes/pod/check.go
        // collects ContainerStatuses alone). The image is first pulled for the check of its layout,
        // an init container (nginxLayout.ts), so the message names that container, and the kubelet's
        // reason and the image are in the Pod's status (what `kubectl describe pod` shows).
        expect(diagnostic).to.include("containers with incomplete status: [nginx-layout]");
        const newPods = livePods(namespace).filter((pod) => !before.includes(pod.uid));
        expect(newPods, "the new revision's Pods").to.have.length.at.least(1);
        for (const pod of newPods) {
            const layout = pod.waiting.find((w) => w.container === "nginx-layout");
            expect(layout?.reason, `${pod.name}: nginx-layout's waiting reason`).to.match(/^(ErrImagePull|ImagePullBackOff)$/);
            expect(layout?.message, `${pod.name}: nginx-layout's waiting message`).to.include(bad);
        }
        // maxUnavailable 0: the new revision's Pod never became Ready, so no old Pod was stopped.
        const stillReady = livePods(namespace).filter((pod) => pod.ready).map((pod) => pod.uid).sort();
        expect(stillReady).to.deep.equal(before);
    });

    it("recovers on the next up with the good image", async () => {
        await stack.setConfig(config(GOOD));
        const result = await stack.up();
        expect(result.outputs.podNames.value).to.have.length(2);
    });
});

/**
 * The CLI's Diagnostics: what stays on the screen after `up` (the kubelet's events stream past while
 * it waits, but only as passing status lines, which the Diagnostics leave out).
 */
function podErrorOf(output: string): string {
    const start = output.indexOf("Diagnostics:");
    expect(start, `a Diagnostics section in:\n${output}`).to.be.at.least(0);
    // A line of its own: the Pod's status in the message has allocatedResources: too.
    const end = output.slice(start).search(/^Resources:/m);
    return output.slice(start, end >= 0 ? start + end : undefined);
}
