/**
 * Rollouts a team can live with (issue 27, items 3 and 4), on a real node:
 * - a stuck rollout keeps every old Pod on its own files: a change of the site together with a
 *   server block that answers 503 never becomes Ready, `up` fails by readyTimeoutSeconds, and the
 *   old Pods, and an old Pod that is recreated meanwhile, still serve the old site (on main, with
 *   fixed ConfigMap names, the recreated one served the new site); `pulumi up` of the old settings
 *   recovers;
 * - readyTimeoutSeconds holds each Pod, not the whole rollout: 40 replicas with a 10 s timeout come
 *   up and roll (on main the whole rollout had 10 s).
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

/** The provider's reasons in an `up`'s error, once each: its lines that begin with `* ` (the error holds pulumi's stderr twice). */
function errorReasons(message: string): string[] {
    return [...new Set(message.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("* ")))];
}

/**
 * What the Deployment's controller and the kubelet showed, for a failure's message: the
 * Deployment's conditions, and each Pod (its name carries its revision's hash): its readiness,
 * when that last changed, and its containers' restarts. A Pod whose readiness came back counts as
 * progress and restarts the deadline.
 */
function rolloutDiagnostics(namespace: string): string {
    const deployment = kubectl(["get", "deployment", "webserver", "-n", namespace, "-o",
        "jsonpath={range .status.conditions[*]}{.type}={.status} {.reason} updated {.lastUpdateTime}: {.message}{\"\\n\"}{end}"]);
    const podStates = kubectl(["get", "pods", "-n", namespace, "-l", SELECTOR, "-o",
        "jsonpath={range .items[*]}{.metadata.name} ready={.status.conditions[?(@.type==\"Ready\")].status} since {.status.conditions[?(@.type==\"Ready\")].lastTransitionTime} restarts={.status.containerStatuses[*].restartCount}{\"\\n\"}{end}"]);
    return `the Deployment's conditions:\n${deployment}its Pods:\n${podStates}`;
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
            const seconds = (Date.now() - started) / 1000;
            const message = String(failure);
            const warned = stack.events.find((e) => e.diagnosticEvent?.severity === "warning" && e.diagnosticEvent.message.includes("ProgressDeadlineExceeded"));
            const warnedAfter = warned === undefined ? "never" : `after ${((warned.timestamp * 1000 - started) / 1000).toFixed(0)} s`;
            console.log(`      warned of ProgressDeadlineExceeded ${warnedAfter}; up failed after ${seconds.toFixed(0)} s: ${errorReasons(message).join("; ")}`);
            // chai would cut the messages at 40 characters: a failure says what the controller and the Pods showed.
            const explained = `${message}\n${rolloutDiagnostics(namespace)}`;
            // The controller's reason, which the provider (4.25.0) prints as a warning as soon as the
            // progress deadline (readyTimeoutSeconds) passes without progress.
            expect(warned, explained).to.not.equal(undefined);
            // Then the provider keeps waiting, for readyTimeoutSeconds for each Pod of the rollout and
            // one more (4 × 30 s), since its Deployment await does not stop at the deadline
            // (docs/operating.md), and fails by that timeout. Its error repeats the reason, unless a
            // Pod's readiness came back in the last 30 s (which counts as progress: the controller
            // clears the condition, and the provider forgets it).
            expect(message, explained).to.include("timed out waiting to be Ready");
            expect(seconds).to.be.below(4 * 30 + 60);
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

    describe("40 replicas with a readyTimeoutSeconds of 10", () => {
        let namespace: string;
        let stack: TestStack;
        // Small CPU requests, so that 41 Pods (a rollout's surge) fit a 2-core node.
        const small = JSON.stringify({ nginx: { requests: { cpu: "10m" } }, sidecar: { requests: { cpu: "10m" } } });
        const config = (page: string) => ({
            kubeconfig: clusterKubeconfig(), namespace: namespace, replicas: "40", readyTimeoutSeconds: "10", resources: small,
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

        it("comes up: 40 Pods Ready, though together they take longer than one Pod's 10 s", async () => {
            const started = Date.now();
            const result = await stack.up();
            console.log(`      40 Pods created and Ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
            expect(result.outputs.podNames.value).to.have.length(40);
        });

        it("rolls all 40 Pods one at a time, a rollout longer than 10 s", async () => {
            await stack.setConfig(config("two"));
            const started = Date.now();
            const result = await stack.up();
            const seconds = (Date.now() - started) / 1000;
            console.log(`      rollout of 40 Pods: ${seconds.toFixed(1)} s`);
            expect(result.outputs.podNames.value).to.have.length(40);
            // The old revision's last Pods are told to stop just after the rollout is declared done.
            await waitFor("one revision's Pods alone", () => (new Set(pods(namespace).map((pod) => pod.hash)).size === 1 ? true : undefined), 60_000, 1000);
        });
    });
});
