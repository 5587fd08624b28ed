/**
 * `hostUsers: false` (issue 18, item 5), tried on the cluster KUBECONFIG names: either the Pod runs
 * in its own user namespace (its uid 10101 is not the node's), or `up` fails by readyTimeoutSeconds
 * with the node's reason for not supporting it. Which one the cluster gave is printed: the project's
 * local node (containerd 1.6) has no idmapped mounts, kind's node image does.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";

/** readyTimeoutSeconds here: long enough for a supported runtime to start the Pod, short for one that cannot. */
const READY_TIMEOUT_SECONDS = 60;

describe("hostUsers: false, on this cluster", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;

    before(async () => {
        namespace = createNamespace("userns");
        stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace, hostUsers: "false", readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) });
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("runs the Pod in its own user namespace, or fails up with the node's reason", async () => {
        let failure: string | undefined;
        try {
            await stack.up();
        } catch (error) {
            failure = String(error);
        }
        if (failure === undefined) {
            // The container's uid 0 maps to an unprivileged range of the node, not to the node's uid 0.
            const uidMap = kubectl(["exec", "webserver", "-n", namespace, "-c", "nginx-container", "--", "cat", "/proc/self/uid_map"]).trim();
            console.log(`      supported: the nginx container's uid_map is "${uidMap.replace(/\s+/g, " ")}"`);
            expect(uidMap.split(/\s+/).slice(0, 3)).to.not.deep.equal(["0", "0", "4294967295"]);
            return;
        }
        const events = kubectl(["get", "events", "-n", namespace, "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"]);
        console.log(`      not supported here; the node's events:\n${events.trim().replace(/^/gm, "      | ")}`);
        expect(`${failure}\n${events}`).to.match(/user ?namespace|userns|idmap/i);
    });
});
