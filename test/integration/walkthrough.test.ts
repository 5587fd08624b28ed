/**
 * The tutorial's walkthrough, command for command, against the Pod that `pulumi up` created on the
 * local cluster's real node: the kubelet runs it in containerd, and serves its logs and
 * port-forward to the API server.
 *
 * The commands are typed as the tutorial writes them: a kubeconfig whose context's namespace is the
 * test's own namespace stands in for a cluster where the Pod is in `default`.
 */
import { expect } from "chai";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { LogFollower } from "../../lab/logFollower";
import { containerOutputOf } from "../../lab/logReader";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace } from "../../lab/pulumiHarness";
import { waitFor } from "../../lab/polling";
import { isLocalCluster } from "./clusterCapabilities";

function portIsOpen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
        socket.on("error", () => resolve(false));
    });
}

describe("the tutorial's walkthrough, verbatim, against the Pod pulumi up created", function () {
    this.timeout(300_000);
    let namespace: string;
    let stack: TestStack;
    /** kubectl exactly as the tutorial types it, with this test's namespace as the context's default. */
    let kubectl: (command: string) => string;
    /** What a `kubectl logs` command of the walkthrough shows the sidecar shipped. */
    let shipped: (command: string) => string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
        namespace = createNamespace("walkthrough");
        const config = yaml.load(fs.readFileSync(clusterKubeconfig(), "utf8")) as { contexts: { context: { namespace?: string } }[] };
        config.contexts.forEach((c) => { c.context.namespace = namespace; });
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "walkthrough-"));
        fs.chmodSync(scratch, 0o755); // the Pods' non-root users must reach their files below it
        const kubeconfig = path.join(scratch, "kubeconfig");
        fs.writeFileSync(kubeconfig, yaml.dump(config));
        env = { ...process.env, KUBECONFIG: kubeconfig };
        kubectl = (command) => execFileSync("bash", ["-c", command], { env, encoding: "utf8" });
        // A `kubectl logs` of the walkthrough, as written; an error the kubelet writes into its
        // output (lab/logReader.ts) fails the test, naming the command, rather than counting as a line.
        shipped = (command) => containerOutputOf({ command: [command], stdout: kubectl(command), stderr: "", exitCode: 0, signal: null }).shipped;

        stack = await TestStack.create({ kubeconfig, namespace });
        await stack.up();
    });

    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("kubectl get pods: the webserver Pod is Running, both containers ready", () => {
        expect(kubectl("kubectl get pods")).to.match(/webserver\s+2\/2\s+Running/);
    });

    it("kubectl port-forward pod/webserver 8080:80 and curl http://localhost:8080 reach the real nginx, and the access line is in the sidecar's logs within a second", async () => {
        const forward = spawn("bash", ["-c", "exec kubectl port-forward pod/webserver 8080:80"], { env, stdio: ["ignore", "pipe", "inherit"] });
        try {
            await waitFor("port-forward to listen", () => (forward.stdout?.read()?.toString().includes("Forwarding from") ? true : undefined), 30_000, 50);
            const page = kubectl("curl -s http://localhost:8080");
            expect(page).to.include("Welcome to nginx!");
            const requestedAt = Date.now();
            const line = await waitFor("the access line in kubectl logs", () =>
                shipped("kubectl logs webserver -c sidecar-container").split("\n").find((l) => l.includes('"GET / HTTP/1.1" 200') && l.includes("curl/")), 1000, 50);
            expect(Date.now() - requestedAt).to.be.lessThan(1000 + 500); // polling allowance
            expect(line).to.match(/^127\.0\.0\.1 - - \[/);
        } finally {
            forward.kill("SIGTERM");
        }
    });

    it("kubectl logs webserver -c sidecar-container: every line once (nginx's startup notices, then the requests)", () => {
        const lines = shipped("kubectl logs webserver -c sidecar-container").split("\n").filter((l) => l !== "");
        expect(lines.some((l) => l.includes("[notice]") && l.includes("start worker process"))).to.equal(true);
        // nginx itself writes a line twice when two identical requests land in one second (the
        // kubelet's probes): only a line shown more often than nginx wrote it is shipped twice.
        const written = kubectl("kubectl exec webserver -c nginx-container -- cat /var/log/nginx/access.log /var/log/nginx/error.log").split("\n").filter((l) => l !== "");
        const times = (list: string[]) => list.reduce((counts, line) => counts.set(line, (counts.get(line) ?? 0) + 1), new Map<string, number>());
        const writtenTimes = times(written);
        const shippedTwice = [...times(lines)].filter(([line, shown]) => shown > (writtenTimes.get(line) ?? 0)).map(([line, shown]) => `${shown}x ${line}`);
        expect(shippedTwice, "lines shown more often than nginx wrote them").to.deep.equal([]);
    });

    it("kubectl logs webserver -c nginx-container: nginx's own output", () => {
        expect(kubectl("kubectl logs webserver -c nginx-container")).to.include("nginx");
    });

    it("kubectl logs -f follows new lines", async () => {
        const command = "kubectl logs -f webserver -c sidecar-container";
        const follow = new LogFollower(spawn("bash", ["-c", `exec ${command}`], { env, stdio: ["ignore", "pipe", "pipe"] }), [command]);
        const forward = spawn("bash", ["-c", "exec kubectl port-forward pod/webserver 8080:80"], { env, stdio: ["ignore", "pipe", "inherit"] });
        try {
            await waitFor("port-forward to listen", () => (forward.stdout?.read()?.toString().includes("Forwarding from") ? true : undefined), 30_000, 50);
            kubectl("curl -s -o /dev/null http://localhost:8080/?followed=1");
            await waitFor("the new line in kubectl logs -f", () => (follow.output.includes("GET /?followed=1") ? true : undefined), 5000, 50);
        } finally {
            follow.stop();
            forward.kill("SIGTERM");
        }
        // The follow ended by our stop alone: a failure of the reader meanwhile fails the test, naming it.
        await follow.done;
    });

    it("pulumi destroy stops nginx and the sidecar and frees the port", async () => {
        // On the local node, containerd's own record of the Pod's sandbox (crictl, CRI); elsewhere,
        // the API server's.
        const running = isLocalCluster()
            ? () => execFileSync("crictl", ["pods", "--namespace", namespace, "--name", "webserver", "--state", "ready", "-q"], { encoding: "utf8" }).trim() !== ""
            : () => kubectl("kubectl get pods -o name").includes("webserver");
        expect(running(), "the Pod runs").to.equal(true);
        await stack.stack.destroy();
        await waitFor("the Pod to stop", () => (running() ? undefined : true), 60_000, 50);
        expect(await portIsOpen(8080), "port 8080").to.equal(false);
    });
});
