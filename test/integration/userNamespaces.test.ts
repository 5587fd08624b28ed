/**
 * `hostUsers: false` (issue 18, item 5; issue 29), on the cluster KUBECONFIG names. On the
 * project's local cluster (containerd 2 and runc built for it, kernel with idmapped mounts) the Pod
 * must run in its own user namespace: its uid 0 is not the node's. On another cluster either that,
 * or `up` fails by readyTimeoutSeconds with the node's reason for not supporting it (a node on
 * containerd 1.6, say); which one the cluster gave is printed.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { isLocalCluster } from "./clusterCapabilities";

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

    it("runs the Pod in its own user namespace (on the local cluster, always), or fails up with the node's reason", async () => {
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
            // Both containers in the Pod's one user namespace: the sidecar can still signal nginx's
            // master to reopen its logs (rotation), as one uid in one namespace.
            const sidecarUidMap = kubectl(["exec", "webserver", "-n", namespace, "-c", "sidecar-container", "--", "cat", "/proc/self/uid_map"]).trim();
            expect(sidecarUidMap, "the sidecar's uid_map").to.equal(uidMap);
            return;
        }
        expect(isLocalCluster(), `the local cluster runs hostUsers: false Pods, and up failed: ${failure}`).to.equal(false);
        const events = kubectl(["get", "events", "-n", namespace, "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"]);
        console.log(`      not supported here; the node's events:\n${events.trim().replace(/^/gm, "      | ")}`);
        expect(`${failure}\n${events}`).to.match(/user ?namespace|userns|idmap/i);
    });
});
