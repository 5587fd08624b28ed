/**
 * Arguments that hold Outputs, through a real `up` (issue 18, item 2): a bad value known only once
 * an Output resolves fails the `up` with the same message a plain value gets, naming the key, and
 * creates no workload; an Output `readyTimeoutSeconds`, which no resource option can hold, still
 * bounds how long `up` waits for a Pod that cannot start. An inline program that uses the component
 * as a library, against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "../../components";
import { InlineStack } from "../../lab/inlineStack";
import { livePods } from "../../lab/livePods";
import { clusterKubeconfig, createNamespace, deleteNamespace, liveNames, localClusterImages } from "../../lab/pulumiHarness";
import { timedFailure } from "../../lab/timedFailure";

/** The Output timeout for the Pod that cannot start; the slack covers the CLI, the policy and a loaded machine. */
const READY_TIMEOUT_SECONDS = 20;
const SLACK_SECONDS = 30;

describe("arguments held in Outputs, through a real up", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: InlineStack;
    const images = localClusterImages();

    before(async () => {
        namespace = createNamespace("outputs");
        stack = await InlineStack.create("webserver-sidecar-outputs");
    });
    after(async () => {
        await stack?.dispose();
        deleteNamespace(namespace);
    });

    it("fails the up naming the key when an Output's value is bad, with the plain value's message, and creates nothing", async () => {
        stack.program = async () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: clusterKubeconfig(), namespace });
            // An image "built" by the program: known only at up time, and unpinned.
            new WebServer("late-image", { ...images, nginxImage: pulumi.output("nginx:latest") }, { providers: [provider] });
            return {};
        };
        const failure = await timedFailure(() => stack.up());
        expect(failure.message).to.include('nginxImage: got "nginx:latest"; allowed: an image reference pinned');
        expect(livePods(namespace)).to.deep.equal([]);
        // Every child takes its labels from the checked arguments: none was created, the shipper's ConfigMap included.
        expect(liveNames("configmaps", namespace)).to.deep.equal(["kube-root-ca.crt"]);
        expect(liveNames("networkpolicies", namespace)).to.deep.equal([]);
    });

    it(`bounds the wait by an Output readyTimeoutSeconds (${READY_TIMEOUT_SECONDS} s) through the provider's annotation`, async () => {
        stack.program = async () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: clusterKubeconfig(), namespace });
            new WebServer("late-timeout", {
                ...images,
                // A tag that no registry has: the Pod can never start.
                nginxImage: "localhost/webserver-sidecar/no-such-image:1.0.0",
                readyTimeoutSeconds: pulumi.output(READY_TIMEOUT_SECONDS),
            }, { providers: [provider] });
            return {};
        };
        const failure = await timedFailure(() => stack.up());
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s (readyTimeoutSeconds ${READY_TIMEOUT_SECONDS}, an Output)`);
        expect(failure.seconds).to.be.at.least(READY_TIMEOUT_SECONDS);
        expect(failure.seconds).to.be.at.most(READY_TIMEOUT_SECONDS + SLACK_SECONDS);
        expect(failure.message).to.match(/ErrImagePull|ImagePullBackOff/);
        const [pod] = livePods(namespace);
        expect(pod.name).to.equal("late-timeout");
    });
});
