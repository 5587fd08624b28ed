/**
 * What the Pod spec relies on, checked against a real kubelet (v1.36.3) with containerd and runc on
 * the local cluster's node, not against an emulation: the node itself, the probes, the native
 * sidecar's start and stop order, the non-root read-only containers, and emptyDir sizeLimit
 * eviction (the tutorial's Pod is evicted, ours is not).
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { resolveArgs } from "../../components/args";
import { NGINX_CONTAINER, SIDECAR_CONTAINER, buildPodSpec } from "../../components/podSpec";
import { runLoad } from "../../lab/load";
import { kubectl, localImages } from "../../lab/localNode";
import { NodePod } from "../../lab/nodePod";
import { createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { skipUnlessLocalCluster } from "./clusterCapabilities";

const TUTORIAL_POD = path.join(__dirname, "..", "fixtures", "tutorial-pod.yaml");

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** crictl's view of one container: when containerd started and finished it (nanosecond times). */
interface CriContainer {
    status: { startedAt: string; finishedAt: string; createdAt: string; state: string };
}

function crictl(args: string[]): string {
    return execFileSync("crictl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function inspectContainer(containerId: string): CriContainer | undefined {
    try {
        return JSON.parse(crictl(["inspect", containerId.replace(/^containerd:\/\//, "")])) as CriContainer;
    } catch {
        return undefined; // removed
    }
}

/** An RFC 3339 time with nanoseconds, as a bigint of nanoseconds (Date keeps only milliseconds). */
function nanoseconds(time: string): bigint {
    const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
    if (!match) {
        throw new Error(`not an RFC 3339 time: ${time}`);
    }
    const whole = BigInt(Date.parse(`${match[1]}${match[3]}`)) * 1_000_000n;
    return whole + BigInt((match[2] ?? "").padEnd(9, "0").slice(0, 9));
}

describe("the Pod on a real node (kubelet, containerd, runc)", function () {
    this.timeout(300_000);
    let namespace: string;
    let pod: NodePod;
    let ids: { nginx: string; sidecar: string };

    before(async function () {
        skipUnlessLocalCluster(this, "the local node (its files, cgroups, containerd and stand-in images)");
        namespace = createNamespace("node");
        const images = localImages();
        pod = await NodePod.start(buildPodSpec(resolveArgs({ nginxImage: images.nginx, sidecarImage: images.python })), { namespace, measuring: false });
        ids = { nginx: pod.containerStatus(NGINX_CONTAINER)!.containerID!, sidecar: pod.containerStatus(SIDECAR_CONTAINER)!.containerID! };
    });

    after(() => {
        pod?.cleanUp();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("the node is a kubelet v1.36.3 on containerd, and the Pod's containers are containerd's", () => {
        const node = JSON.parse(kubectl(["get", "nodes", "-o", "json"])).items[0].status.nodeInfo;
        expect(node.kubeletVersion).to.equal("v1.36.3");
        expect(node.containerRuntimeVersion).to.match(/^containerd:\/\//);
        expect(ids.nginx).to.match(/^containerd:\/\/[0-9a-f]{64}$/);
        expect(inspectContainer(ids.nginx)?.status.state).to.equal("CONTAINER_RUNNING");
    });

    it("becomes Ready through its real probes: the kubelet's readiness requests are in nginx's access log", async () => {
        expect(pod.live().status.conditions?.find((c) => c.type === "Ready")?.status).to.equal("True");
        await sleep(1000);
        expect(await pod.logs(SIDECAR_CONTAINER)).to.match(/"GET \/ HTTP\/1\.1" 200 \d+ "-" "kube-probe\/1\.36"/);
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
        const sidecar = inspectContainer(ids.sidecar)!;
        const nginx = inspectContainer(ids.nginx)!;
        expect(nanoseconds(sidecar.status.startedAt) < nanoseconds(nginx.status.createdAt), "sidecar started before nginx was created").to.equal(true);

        // Poll containerd while the kubelet stops the Pod: keep each container's last record.
        const last = new Map<string, CriContainer>();
        const follower = pod.follow(SIDECAR_CONTAINER);
        const deletion = pod.delete();
        let done = false;
        void deletion.then(() => { done = true; }, () => { done = true; });
        while (!done) {
            for (const [name, id] of Object.entries(ids)) {
                const record = inspectContainer(id);
                if (record !== undefined) {
                    last.set(name, record);
                }
            }
            await sleep(20);
        }
        await deletion;
        const finished = (name: string) => last.get(name)?.status.finishedAt;
        expect(finished("nginx"), "nginx's exit seen").to.match(/^\d{4}-/);
        expect(finished("sidecar"), "the sidecar's exit seen").to.match(/^\d{4}-/);
        expect(nanoseconds(finished("sidecar")!) > nanoseconds(finished("nginx")!), "sidecar finished after nginx").to.equal(true);
        // And the sidecar shipped nginx's last words, which nginx writes as it exits.
        expect(await follower.done).to.match(/\[notice\] \d+#\d+: exit\n/);
    });
});

describe("emptyDir sizeLimit on a real node: the kubelet evicts the tutorial's Pod, not ours", function () {
    this.timeout(300_000);
    let namespace: string;
    const pods: NodePod[] = [];

    before(function () {
        skipUnlessLocalCluster(this, "the local node (its files, cgroups, containerd and stand-in images)");
        namespace = createNamespace("eviction");
    });

    after(() => {
        pods.forEach((p) => p.cleanUp());
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("past a 2Mi sizeLimit under the same load, the tutorial's Pod is Evicted and ours keeps running", async () => {
        const images = localImages();
        // The tutorial's Pod as written, with the node's stand-in images and a sizeLimit to break.
        const tutorial = yaml.load(fs.readFileSync(TUTORIAL_POD, "utf8")) as { spec: { containers: { name: string; image: string }[]; volumes: { name: string; emptyDir: object }[] } };
        tutorial.spec.containers[0].image = images.nginx;
        tutorial.spec.containers[1].image = images.busybox;
        tutorial.spec.volumes[0].emptyDir = { sizeLimit: "2Mi" };
        const theirs = await NodePod.start(tutorial.spec, { namespace, name: "tutorial", measuring: false });
        pods.push(theirs);
        const ours = await NodePod.start(buildPodSpec(resolveArgs({ nginxImage: images.nginx, sidecarImage: images.python, logSizeLimit: "2Mi" })),
            { namespace, name: "ours", measuring: false });
        pods.push(ours);

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
