/**
 * The tutorial's walkthrough, command for command, against the Pod that `pulumi up` created on the
 * cluster under test. On the project's local cluster the local kubelet runs its containers for real
 * (nginx and the sidecar's exact command) and kwok serves their logs and port-forward; elsewhere
 * (kind on GitHub's runners, a user's cluster) the cluster's own kubelet does.
 *
 * The commands are typed as the tutorial writes them: a kubeconfig whose context's namespace is the
 * test's own namespace stands in for a cluster where the Pod is in `default`.
 */
import { expect } from "chai";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { isLocalCluster, skipUnlessLocalCluster } from "./clusterCapabilities";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace } from "./harness";

const REPO = path.join(__dirname, "..", "..");

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value or `timeoutMs` passes. */
async function eventually<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await sleep(50);
    }
}

function portIsOpen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
        socket.on("error", () => resolve(false));
    });
}

describe("the tutorial's walkthrough, against a real nginx and sidecar", function () {
    this.timeout(300_000);
    let namespace: string;
    let stack: TestStack;
    let kubelet: ChildProcess | undefined;
    let podsDirectory: string;
    /** kubectl exactly as the tutorial types it, with this test's namespace as the context's default. */
    let kubectl: (command: string) => string;
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

        podsDirectory = path.join(scratch, "pods");
        // Only the local cluster's node needs the local kubelet; elsewhere a real kubelet runs the Pod.
        kubelet = isLocalCluster() ? spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "test", "localPod", "localKubelet.ts"),
            "--kubeconfig", kubeconfig, "--dir", podsDirectory, "--namespace", namespace], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] }) : undefined;

        stack = await TestStack.create({ kubeconfig, namespace });
        await stack.up();
    });

    after(async () => {
        await stack?.dispose();
        if (kubelet !== undefined) {
            kubelet.kill("SIGTERM");
            await new Promise((resolve) => kubelet?.once("exit", resolve));
        }
        deleteNamespace(namespace);
    });

    it("kubectl get pods: the webserver Pod is Running", async () => {
        if (kubelet !== undefined) {
            // The local kubelet registers the Pod's kwok objects once its containers run.
            await eventually("the local kubelet to run the Pod", 30_000, () =>
                (kubectl("kubectl get logs.kwok.x-k8s.io -o name").includes("webserver") ? true : undefined));
        }
        expect(kubectl("kubectl get pods")).to.match(/webserver\s+2\/2\s+Running/);
    });

    it("kubectl port-forward pod/webserver 8080:80 and curl http://localhost:8080 reach the real nginx, and the access line is in the sidecar's logs within a second", async () => {
        const forward = spawn("bash", ["-c", "exec kubectl port-forward pod/webserver 8080:80"], { env, stdio: ["ignore", "pipe", "inherit"] });
        try {
            await eventually("port-forward to listen", 30_000, () => (forward.stdout?.read()?.toString().includes("Forwarding from") ? true : undefined));
            const page = kubectl("curl -s http://localhost:8080");
            expect(page).to.include("Welcome to nginx!");
            const requestedAt = Date.now();
            const line = await eventually("the access line in kubectl logs", 1000, () =>
                kubectl("kubectl logs webserver -c sidecar-container").split("\n").find((l) => l.includes('"GET / HTTP/1.1" 200') && l.includes("curl/")));
            expect(Date.now() - requestedAt).to.be.lessThan(1000 + 500); // polling allowance
            expect(line).to.match(/^127\.0\.0\.1 - - \[/);
        } finally {
            forward.kill("SIGTERM");
        }
    });

    it("kubectl logs webserver -c sidecar-container: every line once (nginx's startup notices, then the requests)", () => {
        const lines = kubectl("kubectl logs webserver -c sidecar-container").split("\n").filter((l) => l !== "");
        expect(lines.some((l) => l.includes("[notice]") && l.includes("start worker process"))).to.equal(true);
        expect(new Set(lines).size, "no line twice").to.equal(lines.length);
    });

    it("kubectl logs webserver -c nginx-container: nginx's own output", () => {
        expect(kubectl("kubectl logs webserver -c nginx-container")).to.include("nginx");
    });

    it("kubectl logs -f follows new lines", async () => {
        const follow = spawn("bash", ["-c", "exec kubectl logs -f webserver -c sidecar-container"], { env, stdio: ["ignore", "pipe", "inherit"] });
        let followed = "";
        follow.stdout?.on("data", (data: Buffer) => { followed += data.toString(); });
        const forward = spawn("bash", ["-c", "exec kubectl port-forward pod/webserver 8080:80"], { env, stdio: ["ignore", "pipe", "inherit"] });
        try {
            await eventually("port-forward to listen", 30_000, () => (forward.stdout?.read()?.toString().includes("Forwarding from") ? true : undefined));
            kubectl("curl -s -o /dev/null http://localhost:8080/?followed=1");
            await eventually("the new line in kubectl logs -f", 5000, () => (followed.includes("GET /?followed=1") ? true : undefined));
        } finally {
            follow.kill("SIGTERM");
            forward.kill("SIGTERM");
        }
    });

    it("pulumi destroy stops nginx and the sidecar and frees the port", async function () {
        skipUnlessLocalCluster(this, "the local kubelet's processes and Pod directories");
        // nginx runs with the nginx.conf in the local Pod's directory: find it by that.
        // pgrep itself, not through a shell whose own command line would match the pattern.
        const nginxPids = () => {
            try {
                return execFileSync("pgrep", ["-f", `${podsDirectory}/.*/nginx.conf`], { encoding: "utf8" }).trim();
            } catch {
                return ""; // pgrep exits 1 when nothing matches
            }
        };
        expect(nginxPids(), "nginx of the local Pod").to.not.equal("");
        await stack.stack.destroy();
        await eventually("the local Pod to stop", 40_000, () => (fs.readdirSync(podsDirectory).length === 0 ? true : undefined));
        expect(nginxPids(), "nginx of the local Pod").to.equal("");
        expect(await portIsOpen(8080), "port 8080").to.equal(false);
    });
});
