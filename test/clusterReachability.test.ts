import { expect } from "chai";
import * as net from "net";
import * as yaml from "js-yaml";
import { ClusterUnreachableError, ReachabilityDependencies, checkClusterReachable } from "../program/clusterReachability";
import { ProbeResult, probeServer } from "../program/serverProbe";
import { ClusterSettings } from "../program/stackConfig";

/** Cluster settings for an inline kubeconfig whose one context, `ctx`, names `server`. */
function settingsFor(server: string, cluster: Record<string, string | boolean> = {}): ClusterSettings {
    const contents = yaml.dump({
        clusters: [{ name: "c", cluster: { server, ...cluster } }],
        contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
        users: [{ name: "u", user: {} }],
        "current-context": "ctx",
    });
    return { kubeconfig: { kind: "inline", contents }, context: undefined, namespace: "default" };
}

/** Dependencies that record what the check said, with a probe that answers as told (or the real one). */
function recorder(dryRun: boolean, answer?: ProbeResult, processEnv: Record<string, string> = {}) {
    const said = { warnings: [] as string[], debug: [] as string[], probed: [] as string[] };
    const deps: ReachabilityDependencies = {
        dryRun,
        warn: (m) => said.warnings.push(m),
        debug: (m) => said.debug.push(m),
        kubeconfigEnv: { kubeconfigEnv: undefined, homeDirectory: "/nowhere", readFile: () => undefined },
        processEnv,
        probe: async (server, options) => {
            said.probed.push(server);
            return answer ?? probeServer(server, options);
        },
        timeoutMs: 2_000,
    };
    return { deps, said };
}

const REFUSED: ProbeResult = { answered: false, reason: "connection refused: nothing listens there (ECONNREFUSED)", elapsedMs: 1 };

describe("checkClusterReachable", () => {
    it("on up, throws a ClusterUnreachableError naming the context, the server, the reason, what was tried and that nothing was created", async () => {
        const { deps } = recorder(false, REFUSED);
        let error: unknown;
        try {
            await checkClusterReachable(settingsFor("https://10.9.8.7:6443"), deps);
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(ClusterUnreachableError);
        const message = (error as Error).message;
        expect(message).to.include('cannot reach the Kubernetes cluster of context "ctx" at https://10.9.8.7:6443 (from the inline kubeconfig)');
        expect(message).to.include("connection refused: nothing listens there (ECONNREFUSED) (tried: a TCP connect and TLS handshake, for at most 2 s)");
        expect(message).to.include("Nothing was created or changed.");
        expect(message).to.include("kubectl --context ctx get --raw /version");
    });

    it("warns, naming the context, when the kubeconfig skips TLS verification, and still checks the cluster", async () => {
        const { deps, said } = recorder(false, { answered: true, elapsedMs: 1 });
        await checkClusterReachable(settingsFor("https://10.9.8.7:6443", { "insecure-skip-tls-verify": true }), deps);
        expect(said.warnings).to.have.length(1);
        expect(said.warnings[0]).to.match(/^the Kubernetes cluster of context "ctx" \(from the inline kubeconfig\) is reached insecurely: it sets insecure-skip-tls-verify: true/);
        expect(said.probed).to.deep.equal(["https://10.9.8.7:6443"]);
    });

    it("warns, naming the context, when the server is plain http://", async () => {
        const { deps, said } = recorder(true, { answered: true, elapsedMs: 1 });
        await checkClusterReachable(settingsFor("http://10.9.8.7:8080"), deps);
        expect(said.warnings).to.have.length(1);
        expect(said.warnings[0]).to.include('context "ctx"');
        expect(said.warnings[0]).to.include("its server http://10.9.8.7:8080 is plain http://");
    });

    it("says nothing of the transport for verified https", async () => {
        const { deps, said } = recorder(false, { answered: true, elapsedMs: 1 });
        await checkClusterReachable(settingsFor("https://10.9.8.7:6443", { "insecure-skip-tls-verify": false }), deps);
        expect(said.warnings).to.deep.equal([]);
    });

    it("on preview, warns instead, saying plainly that the plan was not compared with the live cluster", async () => {
        const { deps, said } = recorder(true, REFUSED);
        const outcome = await checkClusterReachable(settingsFor("https://10.9.8.7:6443"), deps);
        expect(outcome.checked).to.equal(true);
        expect(said.warnings).to.have.length(1);
        expect(said.warnings[0]).to.include('could not reach the Kubernetes cluster of context "ctx" at https://10.9.8.7:6443');
        expect(said.warnings[0]).to.include("This preview was NOT compared with the live cluster");
    });

    it("says nothing when the server answers", async () => {
        const { deps, said } = recorder(false, { answered: true, elapsedMs: 3 });
        const outcome = await checkClusterReachable(settingsFor("https://10.9.8.7:6443"), deps);
        expect(outcome).to.deep.include({ checked: true });
        expect(said.warnings).to.deep.equal([]);
    });

    it("passes the cluster's tls-server-name to the probe", async () => {
        let name: string | undefined;
        const { deps } = recorder(false, { answered: true, elapsedMs: 3 });
        await checkClusterReachable(settingsFor("https://10.9.8.7:6443", { "tls-server-name": "api.internal" }), { ...deps, probe: async (_, o) => (name = o.tlsServerName, { answered: true, elapsedMs: 1 }) });
        expect(name).to.equal("api.internal");
    });

    const skips: [string, ClusterSettings, Record<string, string>, RegExp][] = [
        ["behind the cluster's proxy-url", settingsFor("https://10.9.8.7:6443", { "proxy-url": "http://user:pw@bastion:3128" }), {}, /through the proxy http:\/\/bastion:3128\/, which this check does not go through/],
        ["behind HTTPS_PROXY", settingsFor("https://api.example.com"), { HTTPS_PROXY: "http://proxy:3128" }, /through the proxy http:\/\/proxy:3128\//],
        ["with a server that has no scheme", settingsFor("10.9.8.7:6443"), {}, /is not an https:\/\/ or http:\/\/ URL/],
        ["with no kubeconfig (in-cluster)", { kubeconfig: { kind: "default", paths: ["/nowhere/.kube/config"] }, context: undefined, namespace: "default" }, {}, /in-cluster/],
    ];
    for (const [title, settings, env, why] of skips) {
        it(`skips, probing nothing and saying why at debug level, ${title}`, async () => {
            const { deps, said } = recorder(false, REFUSED, env);
            const outcome = await checkClusterReachable(settings, deps);
            expect(outcome.checked).to.equal(false);
            expect(said.probed).to.deep.equal([]);
            expect(said.debug.join("\n")).to.match(why);
            expect(said.debug.join("\n")).to.not.include("pw");
        });
    }

    describe("with the real probe", () => {
        it("fails up for a local port where nothing listens", async () => {
            const server = net.createServer();
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as net.AddressInfo).port;
            await new Promise((resolve) => server.close(resolve));
            const { deps } = recorder(false);
            let message = "";
            await checkClusterReachable(settingsFor(`https://127.0.0.1:${port}`), deps).catch((e: Error) => (message = e.message));
            expect(message).to.include(`at https://127.0.0.1:${port}`);
            expect(message).to.include("ECONNREFUSED");
        });

        it("passes up for a local port where a server answers (plain TCP here, for http://)", async () => {
            const server = net.createServer((socket) => socket.end());
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as net.AddressInfo).port;
            try {
                const { deps } = recorder(false);
                const outcome = await checkClusterReachable(settingsFor(`http://127.0.0.1:${port}`), deps);
                expect(outcome).to.deep.include({ checked: true });
            } finally {
                await new Promise((resolve) => server.close(resolve));
            }
        });
    });
});
