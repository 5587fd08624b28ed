/**
 * Arguments that hold Outputs, through a real `up` (issue 18, item 2): a bad value known only once
 * an Output resolves fails the `up` with the same message a plain value gets, naming the key, and
 * creates nothing; an Output `readyTimeoutSeconds`, which no resource option can hold, still bounds
 * how long `up` waits for a Pod that cannot start. A program of the test's own that uses the
 * component as a library, run by the CLI in its own process as a user's is (an Automation API inline
 * program would run inside mocha, where the failed Output is not the program's end).
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, liveNames } from "../../lab/pulumiHarness";
import { livePods } from "../../lab/livePods";
import { timedFailure } from "../../lab/timedFailure";

/** The Output timeout for the Pod that cannot start; the slack covers the CLI, the policy and a loaded machine. */
const READY_TIMEOUT_SECONDS = 20;
const SLACK_SECONDS = 30;

/** A team's program: its nginx image and its timeout arrive as Outputs (an image built, a value computed). */
const PROGRAM = `import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "./components";

const config = new pulumi.Config("webserver-sidecar");
const provider = new k8s.Provider("k8s", { kubeconfig: config.require("kubeconfig"), namespace: config.require("namespace") });
const lateImage = config.get("lateNginxImage");
const lateTimeout = config.getNumber("lateReadyTimeoutSeconds");
new WebServer(config.require("name"), {
    sidecarImage: config.get("sidecarImage"),
    nginxImage: lateImage !== undefined ? pulumi.output(lateImage) : config.get("nginxImage"),
    ...(lateTimeout !== undefined ? { readyTimeoutSeconds: pulumi.output(lateTimeout) } : {}),
}, { providers: [provider] });
`;

describe("arguments held in Outputs, through a real up", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;

    before(async () => {
        namespace = createNamespace("outputs");
        stack = await TestStack.create({}, { program: PROGRAM });
    });
    after(async () => {
        await stack?.dispose();
        deleteNamespace(namespace);
    });

    it("fails the up naming the key when an Output's value is bad, with the plain value's message, and creates nothing", async () => {
        await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace, name: "late-image", lateNginxImage: "nginx:latest" });
        const failure = await timedFailure(() => stack.up());
        expect(failure.message).to.include('nginxImage: got "nginx:latest"; allowed: an image reference pinned');
        expect(livePods(namespace)).to.deep.equal([]);
        // Every child takes its labels from the checked arguments: none was created, the shipper's ConfigMap included.
        expect(liveNames("configmaps", namespace)).to.deep.equal(["kube-root-ca.crt"]);
        expect(liveNames("networkpolicies", namespace)).to.deep.equal([]);
    });

    it(`bounds the wait by an Output readyTimeoutSeconds (${READY_TIMEOUT_SECONDS} s) through the provider's annotation`, async () => {
        // A tag that no registry has: the Pod can never start.
        await stack.setConfig({
            kubeconfig: clusterKubeconfig(), namespace, name: "late-timeout",
            lateNginxImage: "localhost/webserver-sidecar/no-such-image:1.0.0", lateReadyTimeoutSeconds: String(READY_TIMEOUT_SECONDS),
        });
        const failure = await timedFailure(() => stack.up());
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s (readyTimeoutSeconds ${READY_TIMEOUT_SECONDS}, an Output)`);
        expect(failure.seconds).to.be.at.least(READY_TIMEOUT_SECONDS);
        expect(failure.seconds).to.be.at.most(READY_TIMEOUT_SECONDS + SLACK_SECONDS);
        expect(failure.message).to.match(/ErrImagePull|ImagePullBackOff/);
        expect(livePods(namespace).map((pod) => pod.name)).to.deep.equal(["late-timeout"]);
    });
});
