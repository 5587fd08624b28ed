/**
 * Issue 31, items 3 and 5, on a real node: a given nginx image is checked before nginx starts
 * (components/nginxLayout.ts), and what `up` prints when it fails; and what `uidAssignment:
 * platform` does where nothing assigns a uid (this cluster has no SCC admission): the kubelet
 * refuses the root images, and `up` says so; and, as an SCC's admission would hand it over (one uid
 * from the namespace's range on every container, no runAsGroup, fsGroup the range's start), that the
 * Pod serves, runs nginx in group 0, and rotates: the shipper renames nginx's files and signals it.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, localClusterImages } from "../../lab/pulumiHarness";
import { buildShipperConfigMapData, configMapNamesFor } from "../../components/podFiles";
import { buildPodSpec } from "../../components/podSpec";
import { livePods } from "../../lab/livePods";
import { timedFailure } from "../../lab/timedFailure";
import { DEFAULTS, resolveArgs } from "../../components/args";

/** readyTimeoutSeconds for the failing runs: a few of the kubelet's restarts, short for a test. */
const READY_TIMEOUT_SECONDS = 30;

const IMAGES = { nginxImage: DEFAULTS.nginxImage, sidecarImage: DEFAULTS.sidecarImage, ...localClusterImages() };

/** The Diagnostics section of a failed `up`'s output. */
function diagnosticsOf(output: string): string {
    const start = output.indexOf("Diagnostics:");
    expect(start, `a Diagnostics section in:\n${output}`).to.be.at.least(0);
    // At a line's start: a container's status holds `allocatedResources:` too.
    const end = output.indexOf("\nResources:", start);
    return output.slice(start, end >= 0 ? end : undefined);
}

describe("a team's nginx image is checked, and a platform-assigned uid needs a platform", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;
    const config = (extra: Record<string, string>) => ({ kubeconfig: clusterKubeconfig(), namespace, ...IMAGES, ...extra });

    before(async () => {
        namespace = createNamespace("nginx-layout");
        stack = await TestStack.create({});
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("passes an image with the official layout: the check runs, exits 0, and the Pod is Ready", async () => {
        await stack.setConfig(config({}));
        await stack.up();
        const [pod, ...others] = livePods(namespace);
        expect(others).to.deep.equal([]);
        expect(pod.ready).to.equal(true);
    });

    it("fails the up of an image with no nginx, with the check's message in the error", async () => {
        // The sidecar's image has a shell and no nginx: the one thing the check must say.
        await stack.setConfig(config({ nginxImage: IMAGES.sidecarImage, readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) }));
        const failure = await timedFailure(() => stack.up());
        const diagnostics = diagnosticsOf(failure.message);
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s`);
        console.log(diagnostics.replace(/^/gm, "      | "));
        expect(diagnostics).to.include("nginx-layout");
        expect(diagnostics).to.include("nginx: not found on PATH");
    });

    it("with uidAssignment platform and no platform to assign one, fails the up with the kubelet's refusal to run as root", async () => {
        await stack.setConfig(config({ uidAssignment: "platform", readyTimeoutSeconds: String(READY_TIMEOUT_SECONDS) }));
        const failure = await timedFailure(() => stack.up());
        const diagnostics = diagnosticsOf(failure.message);
        console.log(`      up failed after ${failure.seconds.toFixed(1)} s`);
        console.log(diagnostics.replace(/^/gm, "      | "));
        expect(diagnostics).to.include("CreateContainerConfigError");
        expect(diagnostics).to.match(/runAsNonRoot and image will run as root/);
    });

    it("under the uid an SCC assigns (one for every container, group 0), serves, ships and rotates", async () => {
        // What OpenShift's admission makes of the platform Pod (docs/security.md): MustRunAsRange's
        // minimum as runAsUser on each container, the group range's start as fsGroup.
        const uid = 1000680000;
        const name = "platform-uid";
        const args = resolveArgs({ ...IMAGES, uidAssignment: "platform", logSizeLimit: "1Mi", networkPolicy: false }, { name });
        const spec = buildPodSpec(args) as unknown as { securityContext: Record<string, unknown>; initContainers: { securityContext: object }[]; containers: { securityContext: object }[] };
        spec.securityContext = { ...spec.securityContext, fsGroup: uid };
        for (const container of [...spec.initContainers, ...spec.containers]) {
            container.securityContext = { ...container.securityContext, runAsUser: uid };
        }
        const shipper = configMapNamesFor(name, args).shipper;
        kubectl(["apply", "-n", namespace, "-f", "-"], clusterKubeconfig(), JSON.stringify({
            apiVersion: "v1", kind: "List", items: [
                { apiVersion: "v1", kind: "ConfigMap", metadata: { name: shipper }, data: buildShipperConfigMapData().data },
                { apiVersion: "v1", kind: "Pod", metadata: { name }, spec },
            ],
        }));
        kubectl(["wait", "-n", namespace, "--for=condition=Ready", "--timeout=120s", `pod/${name}`]);
        expect(kubectl(["exec", "-n", namespace, name, "-c", "nginx-container", "--", "id", "-u"]).trim()).to.equal(String(uid));
        expect(kubectl(["exec", "-n", namespace, name, "-c", "nginx-container", "--", "id", "-g"]).trim()).to.equal("0");
        // 1500 requests of ~100 bytes each pass the rotation size (an eighth of 1Mi) at least once.
        const requests = 1500;
        kubectl(["exec", "-n", namespace, name, "-c", "sidecar-container", "--", "python3", "-c",
            `import urllib.request\nfor i in range(${requests}): urllib.request.urlopen("http://127.0.0.1/?n=%d" % i).read()`]);
        let shipped: string[] = [];
        for (let attempt = 0; attempt < 30 && shipped.length < requests; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            shipped = kubectl(["logs", "-n", namespace, name, "-c", "sidecar-container"]).split("\n").filter((line) => line.includes("GET /?n="));
        }
        const sidecarLog = kubectl(["logs", "-n", namespace, name, "-c", "sidecar-container"]);
        expect(sidecarLog, "the shipper signalled nginx's master").to.not.include("cannot be signalled");
        expect(shipped.length, "every request's line, once").to.equal(requests);
        expect(new Set(shipped.map((line) => /n=(\d+)/.exec(line)![1])).size).to.equal(requests);
        expect(sidecarLog, "the shipper saw nginx's master").to.not.include("not visible: not rotating");
        // Rotated: access.log now holds less than every line written (the rest went through access.log.1).
        const written = shipped.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
        const size = Number(kubectl(["exec", "-n", namespace, name, "-c", "sidecar-container", "--", "stat", "-c", "%s", "/var/log/nginx/access.log"]).trim());
        expect(size, `access.log's size against the ${written} bytes written`).to.be.below(written);
        const files = kubectl(["exec", "-n", namespace, name, "-c", "sidecar-container", "--", "ls", "-a", "/var/log/nginx"]);
        console.log(`      /var/log/nginx after ${requests} requests: ${files.trim().split("\n").join(" ")}`);
        console.log(sidecarLog.split("\n").filter((line) => !line.includes("GET /?n=")).map((line) => `      | ${line}`).join("\n"));
    });
});
