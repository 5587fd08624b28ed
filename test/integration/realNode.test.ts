/**
 * What the Pod spec relies on, checked against a real kubelet with containerd and runc (the local
 * cluster's node, v1.36.3, or kind's), not against an emulation: the node itself, the probes, the
 * native sidecar's start and stop order (seen in the node's process table, lab/nodeAccess.ts), the
 * non-root read-only containers, and emptyDir sizeLimit eviction (the tutorial's Pod is evicted,
 * ours is not).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { NGINX_CONTAINER, SIDECAR_CONTAINER } from "../../components/podSpec";
import { runLoad } from "../../lab/load";
import { kubectl } from "../../lab/localNode";
import { NodeAccess } from "../../lab/nodeAccess";
import { NodePod } from "../../lab/nodePod";
import { createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { componentPod, expectReachable } from "../helpers/shippingChecks";
import { isLocalCluster, nodeAccessFor, testImages } from "./clusterCapabilities";

const TUTORIAL_POD = path.join(__dirname, "..", "fixtures", "tutorial-pod.yaml");

/** The kubelet the toolchain builds for the local cluster (scripts/toolchain/kubernetes.sh). */
const LOCAL_KUBELET_VERSION = "v1.36.3";

/** The first Kubernetes minor with native sidecars on by default (the component's default sidecarMode). */
const LEAST_KUBELET_MINOR = 29;

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("the Pod on a real node (kubelet, containerd, runc)", function () {
    this.timeout(300_000);
    let namespace: string;
    let node: NodeAccess;
    let pod: NodePod;
    let ids: { nginx: string; sidecar: string };
    let nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };

    before(async () => {
        namespace = createNamespace("node");
        node = await nodeAccessFor(namespace);
        const component = componentPod();
        pod = await NodePod.start(component.spec, { namespace, measuring: false, node, configMaps: component.configMaps });
        ids = { nginx: pod.containerId(NGINX_CONTAINER), sidecar: pod.containerId(SIDECAR_CONTAINER) };
        nodeInfo = JSON.parse(kubectl(["get", "node", pod.nodeName, "-o", "json"])).status.nodeInfo;
    });

    after(() => {
        pod?.cleanUp();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it(`the node is a kubelet (${LOCAL_KUBELET_VERSION} on the local cluster) on containerd, and the Pod's containers run in containerd's cgroups`, () => {
        if (isLocalCluster()) {
            expect(nodeInfo.kubeletVersion).to.equal(LOCAL_KUBELET_VERSION);
        } else {
            expect(nodeInfo.kubeletVersion).to.match(/^v1\.\d+\.\d+/);
            expect(Number(nodeInfo.kubeletVersion.split(".")[1]), "the kubelet's minor version").to.be.at.least(LEAST_KUBELET_MINOR);
        }
        expect(nodeInfo.containerRuntimeVersion).to.match(/^containerd:\/\//);
        expect(ids.nginx).to.match(/^containerd:\/\/[0-9a-f]{64}$/);
        // A process of the node runs in the cgroup named after containerd's ID of the container.
        expect(node.containerStarts([ids.nginx]).get(ids.nginx), "nginx's first process, in the node's process table").to.be.a("number");
    });

    it("becomes Ready through its real probes: the kubelet's readiness requests are in nginx's access log", async () => {
        expect(pod.live().status.conditions?.find((c) => c.type === "Ready")?.status).to.equal("True");
        await sleep(1000);
        // The kubelet's probes say `kube-probe/<its major.minor>`.
        const probeAgent = `kube-probe/${nodeInfo.kubeletVersion.replace(/^v(\d+)\.(\d+)\..*$/, "$1.$2")}`;
        expect(await pod.logs(SIDECAR_CONTAINER)).to.match(new RegExp(`"GET / HTTP/1\\.1" 200 \\d+ "-" "${probeAgent.replace(/\./g, "\\.")}"`));
    });

    it("runs nginx as uid 10101 on a read-only root filesystem", () => {
        const exec = (...command: string[]) => kubectl(["exec", pod.name, "-n", namespace, "-c", NGINX_CONTAINER, "--", ...command]);
        expect(exec("id", "-u").trim()).to.equal("10101");
        let error = "";
        try {
            exec("touch", "/written-by-nginx");
        } catch (e) {
            error = String((e as { stderr?: string }).stderr);
        }
        expect(error).to.include("Read-only file system");
    });

    it("starts the sidecar before nginx, and on deletion stops it after nginx has exited", async () => {
        // Each container's first process, from the node's process table (start times in clock ticks).
        const starts = node.containerStarts([ids.sidecar, ids.nginx]);
        const [sidecarStart, nginxStart] = [starts.get(ids.sidecar), starts.get(ids.nginx)];
        expect(sidecarStart, "the sidecar's start").to.be.a("number");
        expect(nginxStart, "nginx's start").to.be.a("number");
        expect(sidecarStart!, "the sidecar started before nginx (s since the node booted)").to.be.lessThan(nginxStart!);

        // Watch the node's process table while the kubelet stops the Pod: when each container's last process is gone.
        const exits = await node.watchContainerExits([ids.nginx, ids.sidecar]);
        const follower = pod.follow(SIDECAR_CONTAINER);
        await pod.delete();
        const exited = await exits.stop();
        const [nginxExit, sidecarExit] = [exited.get(ids.nginx), exited.get(ids.sidecar)];
        expect(nginxExit, "nginx's exit seen").to.be.a("number");
        expect(sidecarExit, "the sidecar's exit seen").to.be.a("number");
        expect(sidecarExit!, "the sidecar finished after nginx (s since the node booted)").to.be.greaterThan(nginxExit!);
        console.log(`      the sidecar started ${((nginxStart! - sidecarStart!) * 1000).toFixed(0)} ms before nginx and exited ${((sidecarExit! - nginxExit!) * 1000).toFixed(0)} ms after it`);
        // And the sidecar shipped nginx's last words, which nginx writes as it exits.
        expect(await follower.done).to.match(/\[notice\] \d+#\d+: exit\n/);
    });
});

describe("emptyDir sizeLimit on a real node: the kubelet evicts the tutorial's Pod, not ours", function () {
    this.timeout(300_000);
    let namespace: string;
    const pods: NodePod[] = [];

    before(() => {
        namespace = createNamespace("eviction");
    });

    after(() => {
        pods.forEach((p) => p.cleanUp());
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("past a 2Mi sizeLimit under the same load, the tutorial's Pod is Evicted and ours keeps running", async () => {
        const images = testImages();
        // The tutorial's Pod as written, with a sizeLimit to break; on the local cluster, where
        // nothing can be pulled, with the node's stand-in images (a busybox for ubuntu's cat and sleep).
        const tutorial = yaml.load(fs.readFileSync(TUTORIAL_POD, "utf8")) as { spec: { containers: { name: string; image: string }[]; volumes: { name: string; emptyDir: object }[] } };
        const busybox = process.env.WEBSERVER_SIDECAR_BUSYBOX_IMAGE;
        if (busybox !== undefined && busybox !== "") {
            tutorial.spec.containers[0].image = images.nginxImage;
            tutorial.spec.containers[1].image = busybox;
        }
        tutorial.spec.volumes[0].emptyDir = { sizeLimit: "2Mi" };
        const theirs = await NodePod.start(tutorial.spec, { namespace, name: "tutorial", measuring: false });
        pods.push(theirs);
        const component = componentPod({ logSizeLimit: "2Mi" });
        const ours = await NodePod.start(component.spec, { namespace, name: "ours", measuring: false, configMaps: component.configMaps });
        pods.push(ours);
        await expectReachable(theirs);
        await expectReachable(ours);

        // ~200 bytes per access line: a few thousand requests a second fill 2Mi in seconds.
        const deadline = Date.now() + 120_000;
        let evicted = false;
        while (!evicted && Date.now() < deadline) {
            await Promise.all([runLoad(`${theirs.baseUrl}/`, { seconds: 5, connections: 2 }).catch(() => undefined),
                runLoad(`${ours.baseUrl}/`, { seconds: 5, connections: 2 })]);
            const status = theirs.live().status;
            evicted = status.reason === "Evicted";
        }
        const status = theirs.live().status;
        expect(status.reason, `the tutorial's Pod: ${status.message}`).to.equal("Evicted");
        expect(status.message).to.match(/ephemeral local storage|shared-logs|exceeds/i);
        const oursNow = ours.live().status;
        expect(oursNow.phase).to.equal("Running");
        expect(ours.containerStatus(NGINX_CONTAINER)?.restartCount).to.equal(0);
        expect(ours.containerStatus(SIDECAR_CONTAINER)?.restartCount).to.equal(0);
    });
});
