/**
 * Rollouts a team can live with (issue 27, items 3 and 4), on a real node:
 * - a stuck rollout keeps every old Pod on its own files: a change of the site together with a
 *   server block that answers 503 never becomes Ready, `up` fails by readyTimeoutSeconds, and the
 *   old Pods, and an old Pod that is recreated meanwhile, still serve the old site (on main, with
 *   fixed ConfigMap names, the recreated one served the new site); `pulumi up` of the old settings
 *   recovers;
 * - readyTimeoutSeconds holds each Pod, not the whole rollout: 20 replicas with a 20 s timeout roll
 *   (on main the whole rollout had 20 s).
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { waitFor } from "../../lab/polling";
import { getThroughPortForward } from "../../lab/portForward";

const SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

/** A server block nginx accepts, whose `/` answers 503: the Pod never becomes Ready. */
const BROKEN_BLOCK = "server {\n    listen 80;\n    location / {\n        return 503;\n    }\n}\n";

interface PodItem { metadata: { name: string; deletionTimestamp?: string; labels: Record<string, string> }; status: { phase: string } }

/** The instance's Pods that are not being deleted, with their revision's template hash. */
function pods(namespace: string): { name: string; hash: string; phase: string }[] {
    const list = JSON.parse(kubectl(["get", "pods", "-n", namespace, "-l", SELECTOR, "-o", "json"])) as { items: PodItem[] };
    return list.items.filter((pod) => pod.metadata.deletionTimestamp === undefined)
        .map((pod) => ({ name: pod.metadata.name, hash: pod.metadata.labels["pod-template-hash"], phase: pod.status.phase }));
}

/** The page a Pod serves at `/`. */
async function page(pod: string, namespace: string): Promise<string> {
    const [response] = await getThroughPortForward(pod, namespace, ["/"]);
    return `${response.status} ${response.body.toString().trim()}`;
}

function siteConfig(namespace: string, extra: Record<string, string>): Record<string, string> {
    return { kubeconfig: clusterKubeconfig(), namespace, replicas: "3", readyTimeoutSeconds: "30", ...extra };
}

describe("rollouts keep each Pod on its own files, and readyTimeoutSeconds holds each Pod (issue 27, items 3 and 4)", function () {
    this.timeout(900_000);

    describe("a stuck rollout", () => {
        let namespace: string;
        let stack: TestStack;
        let oldHash: string;

        before(async () => {
            namespace = createNamespace("stuck-rollout");
            stack = await TestStack.create(siteConfig(namespace, { content: JSON.stringify({ "index.html": "v1" }) }));
            await stack.up();
            oldHash = pods(namespace)[0].hash;
        });
        after(async () => {
            await stack?.dispose();
            if (namespace !== undefined) {
                deleteNamespace(namespace);
            }
        });

        it("previews the broken change and fails the up by readyTimeoutSeconds", async () => {
            await stack.setConfig(siteConfig(namespace, { content: JSON.stringify({ "index.html": "v2" }), serverConfig: BROKEN_BLOCK }));
            await stack.preview();
            expect(stack.steps()).to.deep.include(["update", "kubernetes:apps/v1:Deployment"]);
            const started = Date.now();
            let failure: unknown;
            try {
                await stack.up();
            } catch (error) {
                failure = error;
            }
            expect(String(failure)).to.match(/webserver-deployment|ProgressDeadlineExceeded|not ready|timed out/i);
            // One readyTimeoutSeconds of no progress, not the whole rollout's figure (4 × 30 s).
            expect(Date.now() - started).to.be.below(110_000);
        });

        it("keeps the old Pods serving the old site, with both revisions' ConfigMaps in place", async () => {
            const old = pods(namespace).filter((pod) => pod.hash === oldHash);
            expect(old).to.have.length(3);
            for (const pod of old) {
                expect(await page(pod.name, namespace), pod.name).to.equal("200 v1");
            }
            const configMaps = kubectl(["get", "configmaps", "-n", namespace, "-o", "name"]).split("\n").filter((name) => name.includes("webserver-content-"));
            expect(configMaps, "the old and the new site").to.have.length(2);
        });

        it("serves the old site from an old Pod recreated during the stuck rollout", async () => {
            const before = pods(namespace).filter((pod) => pod.hash === oldHash).map((pod) => pod.name);
            kubectl(["delete", "pod", before[0], "-n", namespace, "--wait=false"]);
            // The old revision's ReplicaSet replaces it (the rollout keeps it at 3 while the new Pod is not Ready).
            const recreated = await waitFor("the old revision's new Pod to be Ready", () => pods(namespace)
                .filter((pod) => pod.hash === oldHash && !before.includes(pod.name))
                .find((pod) => kubectl(["get", "pod", pod.name, "-n", namespace, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) === "True"),
            120_000, 1000);
            expect(await page(recreated.name, namespace)).to.equal("200 v1");
        });

        it("recovers with pulumi up of the old settings: every Pod serves the old site, and the broken revision's ConfigMaps are gone", async () => {
            await stack.setConfig(siteConfig(namespace, { content: JSON.stringify({ "index.html": "v1" }) }));
            await stack.up();
            const running = pods(namespace);
            expect(running).to.have.length(3);
            for (const pod of running) {
                expect(await page(pod.name, namespace), pod.name).to.equal("200 v1");
            }
            const configMaps = kubectl(["get", "configmaps", "-n", namespace, "-o", "name"]);
            expect(configMaps).to.not.include("webserver-server-config-");
            expect(configMaps.split("\n").filter((name) => name.includes("webserver-content-"))).to.have.length(1);
        });
    });

    describe("20 replicas with a readyTimeoutSeconds of 20", () => {
        let namespace: string;
        let stack: TestStack;
        // Small CPU requests, so that 21 Pods (a rollout's surge) fit a 2-core node.
        const small = JSON.stringify({ nginx: { requests: { cpu: "10m" } }, sidecar: { requests: { cpu: "10m" } } });
        const config = (page: string) => ({
            kubeconfig: clusterKubeconfig(), namespace: namespace, replicas: "20", readyTimeoutSeconds: "20", resources: small,
            content: JSON.stringify({ "index.html": page }),
        });

        before(async () => {
            namespace = createNamespace("twenty");
            stack = await TestStack.create(config("one"));
        });
        after(async () => {
            await stack?.dispose();
            if (namespace !== undefined) {
                deleteNamespace(namespace);
            }
        });

        it("comes up: 20 Pods Ready, though together they take longer than one Pod's 20 s", async () => {
            const result = await stack.up();
            expect(result.outputs.podNames.value).to.have.length(20);
        });

        it("rolls all 20 Pods one at a time, a rollout far longer than 20 s", async () => {
            await stack.setConfig(config("two"));
            const started = Date.now();
            const result = await stack.up();
            const seconds = (Date.now() - started) / 1000;
            console.log(`      rollout of 20 Pods: ${seconds.toFixed(1)} s`);
            expect(result.outputs.podNames.value).to.have.length(20);
            const hashes = new Set(pods(namespace).map((pod) => pod.hash));
            expect(hashes.size, "one revision").to.equal(1);
        });
    });
});
