/**
 * The Service routes and the NetworkPolicy holds, on the cluster's real network (issue 19): the
 * dev stack's program with a NodePort Service, then with `allowFrom`, reached from python3 Pods in
 * its namespace and another. By name through the cluster's DNS, by ClusterIP and NodePort from the
 * node; with the default policy, any Pod reaches port 80 and the webserver Pod connects nowhere;
 * with `allowFrom`, only the allowed Pods get in; the kubelet's probes and `kubectl port-forward`
 * keep working throughout. On the project's local cluster, kube-proxy, CoreDNS and kube-router's
 * firewall do this (docs/local-cluster.md); on another cluster, its own.
 */
import { expect } from "chai";
import * as http from "http";
import { ClientPod, LISTENER_PAGE, LISTENER_PORT, execIn } from "../../lab/clientPod";
import { readContainerOutput } from "../../lab/logFollower";
import { sleep, waitFor } from "../../lab/polling";
import { getThroughPortForward } from "../../lab/portForward";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { answered, consistently, eventually, refused } from "../helpers/reachability";
import { skipUnlessLocalCluster, testImages } from "./clusterCapabilities";

/** What the stand-in nginx and the official one both serve at `/`. */
const NGINX_PAGE = "Welcome to nginx!";

/** The status code of one GET from this process, or the error's message. */
function httpGet(url: string): Promise<number | string> {
    return new Promise((resolve) => {
        const request = http.get(url, { timeout: 5_000 }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
        });
        request.on("timeout", () => request.destroy(new Error(`no answer from ${url} in 5 s`)));
        request.on("error", (e) => resolve(e.message));
    });
}

/** {@link httpGet} until it answers 200 (kube-proxy writes a Service's rules within a second or so of its endpoints), or its last result after 30 s. */
async function httpGetEventually(url: string): Promise<number | string> {
    const deadline = Date.now() + 30_000;
    let last = await httpGet(url);
    while (last !== 200 && Date.now() < deadline) {
        await sleep(500);
        last = await httpGet(url);
    }
    return last;
}

/** The kubelet's readiness-probe requests in nginx's access log, as the sidecar shipped them. */
function probeLines(namespace: string): number {
    return readContainerOutput({ namespace, pod: "webserver", container: "sidecar-container" }).shipped.split("\n").filter((l) => l.includes("kube-probe/")).length;
}

/** The webserver Pod: Ready, and nginx never restarted (its liveness probe always answered). */
function expectReadyAndNeverRestarted(namespace: string): void {
    const pod = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"]));
    expect(pod.status.conditions.find((c: { type: string }) => c.type === "Ready").status, "Ready").to.equal("True");
    const nginx = pod.status.containerStatuses.find((c: { name: string }) => c.name === "nginx-container");
    expect(nginx.restartCount, "nginx's restarts").to.equal(0);
}

/** The kubelet's probes keep reaching nginx: new probe lines within two periods (5 s each). */
async function expectProbesGetThrough(namespace: string): Promise<void> {
    const before = probeLines(namespace);
    await waitFor("a new readiness probe line", () => (probeLines(namespace) > before ? true : undefined), 20_000, 500);
    expectReadyAndNeverRestarted(namespace);
}

describe("Services and NetworkPolicies on the cluster's network", function () {
    this.timeout(600_000);

    let namespace: string;
    let other: string;
    let stack: TestStack;
    let podIp: string;
    let client: ClientPod;
    let listener: ClientPod;
    let outsider: ClientPod;
    const image = testImages().sidecarImage;
    const config = () => ({ kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "NodePort", port: 80 }) });

    before(async () => {
        namespace = createNamespace("net");
        other = createNamespace("net-other");
        stack = await TestStack.create(config());
        await stack.up();
        podIp = kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        [client, listener, outsider] = await Promise.all([
            ClientPod.start(image, namespace, "client"),
            ClientPod.start(image, namespace, "listener", { role: "listener" }, true),
            ClientPod.start(image, other, "outsider"),
        ]);
    });
    after(async () => {
        await stack?.dispose();
        for (const name of [namespace, other]) {
            if (name !== undefined) {
                deleteNamespace(name);
            }
        }
    });

    describe("the Service", () => {
        it("answers by name from a Pod: http://webserver.<namespace>.svc.cluster.local", async () => {
            const result = await eventually("the Service by name", () => client.get(`http://webserver.${namespace}.svc.cluster.local`), answered);
            expect(result.output).to.include(NGINX_PAGE);
        });

        it("answers by name from a Pod of another namespace", async () => {
            const result = await eventually("the Service by name", () => outsider.get(`http://webserver.${namespace}.svc.cluster.local`), answered);
            expect(result.output).to.include(NGINX_PAGE);
        });

        it("answers on its ClusterIP from the node", async function () {
            skipUnlessLocalCluster(this, "the test process on the node itself, to reach a ClusterIP from the node");
            const clusterIp = kubectl(["get", "service", "webserver", "-n", namespace, "-o", "jsonpath={.spec.clusterIP}"]);
            expect(await httpGetEventually(`http://${clusterIp}/`)).to.equal(200);
        });

        it("answers on its NodePort at the node's address", async function () {
            skipUnlessLocalCluster(this, "the test process on the node itself, to reach the node's address");
            const nodePort = kubectl(["get", "service", "webserver", "-n", namespace, "-o", "jsonpath={.spec.ports[0].nodePort}"]);
            const nodeIp = kubectl(["get", "nodes", "-o", "jsonpath={.items[0].status.addresses[?(@.type==\"InternalIP\")].address}"]);
            expect(await httpGetEventually(`http://${nodeIp}:${nodePort}/`)).to.equal(200);
        });

        it("leaves the kubelet nothing to warn about DNS: no MissingClusterDNS event", () => {
            const events = JSON.parse(kubectl(["get", "events", "--all-namespaces", "--field-selector", "reason=MissingClusterDNS", "-o", "json"]));
            expect(events.items.map((e: { message: string }) => e.message)).to.deep.equal([]);
        });
    });

    describe("the default NetworkPolicy", () => {
        it("lets Pods of its namespace and of others reach port 80", async () => {
            expect((await eventually("port 80 from this namespace", () => client.get(`http://${podIp}/`), answered)).output).to.include(NGINX_PAGE);
            expect((await eventually("port 80 from another namespace", () => outsider.get(`http://${podIp}/`), answered)).output).to.include(NGINX_PAGE);
        });

        it("lets the webserver Pod open no connection: to a Pod, to a Service, or to the cluster's DNS", async () => {
            kubectl(["expose", "pod", "listener", "-n", namespace, `--port=${LISTENER_PORT}`]);
            const listenerService = kubectl(["get", "service", "listener", "-n", namespace, "-o", "jsonpath={.spec.clusterIP}"]);
            // What it tries to reach answers others, and the tool it tries with works.
            for (const url of [`http://${listener.ip}:${LISTENER_PORT}/`, `http://${listenerService}:${LISTENER_PORT}/`]) {
                expect((await eventually(`${url} from a client`, () => client.get(url), answered)).output).to.include(LISTENER_PAGE);
            }
            const connect = (host: string, port: number) => execIn(namespace, "webserver", "nginx-container", ["timeout", "5", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`]);
            expect(connect("127.0.0.1", 80), "nginx's own port, inside the Pod").to.deep.include({ code: 0 });
            const targets: [string, number][] = [[listener.ip, LISTENER_PORT], [listenerService, LISTENER_PORT]];
            const dns = kubectl(["get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}", "--ignore-not-found"]);
            if (dns !== "") {
                targets.push([dns, 53]);
            }
            for (const [host, port] of targets) {
                await consistently(`webserver -> ${host}:${port} refused`, () => connect(host, port), refused);
            }
        });

        it("lets the kubelet's probes and kubectl port-forward through", async () => {
            await expectProbesGetThrough(namespace);
            expect((await getThroughPortForward("webserver", namespace, ["/"]))[0].status).to.equal(200);
        });
    });

    describe("allowFrom", () => {
        let frontend: ClientPod;
        let frontendElsewhere: ClientPod;

        before(async () => {
            [frontend, frontendElsewhere] = await Promise.all([
                ClientPod.start(image, namespace, "frontend", { role: "frontend" }),
                ClientPod.start(image, other, "frontend", { role: "frontend" }),
            ]);
            await stack.setConfig({ ...config(), allowFrom: JSON.stringify([{ podSelector: { role: "frontend" } }]) });
            await stack.up();
        });

        it("lets the allowed Pods reach port 80", async () => {
            expect((await eventually("port 80 from role=frontend", () => frontend.get(`http://${podIp}/`), answered)).output).to.include(NGINX_PAGE);
            expect((await eventually("the Service from role=frontend", () => frontend.get(`http://webserver.${namespace}.svc.cluster.local`), answered)).output).to.include(NGINX_PAGE);
        });

        it("keeps out every other Pod: unlabelled in its namespace, and labelled in another", async () => {
            for (const [who, pod] of [["an unlabelled Pod of its namespace", client], ["a role=frontend Pod of another namespace", frontendElsewhere]] as const) {
                await consistently(`${who} kept out`, () => pod.get(`http://${podIp}/`), refused);
            }
        });

        it("still lets the kubelet's probes and kubectl port-forward through", async () => {
            await expectProbesGetThrough(namespace);
            expect((await getThroughPortForward("webserver", namespace, ["/"]))[0].status).to.equal(200);
        });
    });
});
