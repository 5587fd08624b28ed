import { expect } from "chai";
import * as yaml from "js-yaml";
import { proxyFor, resolveClusterEndpoint } from "../program/clusterEndpoint";
import { KubeconfigEnvironment } from "../program/kubeconfig";
import { ClusterSettings } from "../program/stackConfig";

/** A kubeconfig document with the given clusters (name → server) and contexts (name → cluster). */
function kubeconfig(clusters: Record<string, Record<string, string>>, contexts: Record<string, string>, current?: string): string {
    return yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: Object.entries(clusters).map(([name, cluster]) => ({ name, cluster })),
        contexts: Object.entries(contexts).map(([name, cluster]) => ({ name, context: { cluster, user: "u" } })),
        users: [{ name: "u", user: { exec: { command: "aws", apiVersion: "client.authentication.k8s.io/v1" } } }],
        ...(current !== undefined ? { "current-context": current } : {}),
    });
}

function environment(files: Record<string, string>): KubeconfigEnvironment {
    return { kubeconfigEnv: undefined, homeDirectory: "/home/me", readFile: (file) => files[file] };
}

const PROD = kubeconfig({ prod: { server: "https://prod.example.com:6443" }, dev: { server: "https://10.0.0.1:6443" } }, { "prod-admin": "prod", "dev-admin": "dev" }, "dev-admin");

describe("resolveClusterEndpoint", () => {
    it("takes the kubeconfig's current-context and its cluster's server", () => {
        const settings: ClusterSettings = { kubeconfig: { kind: "file", path: "/k/config" }, context: undefined, namespace: "default" };
        expect(resolveClusterEndpoint(settings, environment({ "/k/config": PROD }))).to.deep.equal({ context: "dev-admin", server: "https://10.0.0.1:6443", origin: "/k/config" });
    });

    it("takes the configured context over the current-context", () => {
        const settings: ClusterSettings = { kubeconfig: { kind: "file", path: "/k/config" }, context: "prod-admin", namespace: "default" };
        expect(resolveClusterEndpoint(settings, environment({ "/k/config": PROD }))).to.deep.include({ context: "prod-admin", server: "https://prod.example.com:6443" });
    });

    it("reads an inline kubeconfig, naming it as such (there is no file)", () => {
        const settings: ClusterSettings = { kubeconfig: { kind: "inline", contents: PROD }, context: undefined, namespace: "default" };
        expect(resolveClusterEndpoint(settings, environment({}))).to.deep.include({ context: "dev-admin", origin: "the inline kubeconfig" });
    });

    it("merges $KUBECONFIG's files as kubectl does: the first current-context and the first definition of a name win", () => {
        const first = kubeconfig({}, { "dev-admin": "dev" });
        const second = kubeconfig({ dev: { server: "https://second:6443" } }, { "dev-admin": "other" }, "dev-admin");
        const third = kubeconfig({ dev: { server: "https://third:6443" } }, {}, "third");
        const settings: ClusterSettings = { kubeconfig: { kind: "default", paths: ["/a", "/missing", "/b", "/c"] }, context: undefined, namespace: "default" };
        expect(resolveClusterEndpoint(settings, environment({ "/a": first, "/b": second, "/c": third }))).to.deep.equal({ context: "dev-admin", server: "https://second:6443", origin: "/a" });
    });

    it("keeps the cluster's tls-server-name and proxy-url, which change how the server is reached", () => {
        const document = kubeconfig({ c: { server: "https://1.2.3.4", "tls-server-name": "api.internal", "proxy-url": "socks5://bastion:1080" } }, { x: "c" }, "x");
        const settings: ClusterSettings = { kubeconfig: { kind: "inline", contents: document }, context: undefined, namespace: "default" };
        expect(resolveClusterEndpoint(settings, environment({}))).to.deep.include({ tlsServerName: "api.internal", proxyUrl: "socks5://bastion:1080" });
    });

    const unresolved: [string, ClusterSettings, Record<string, string>, string][] = [
        ["no kubeconfig at all (in-cluster)", { kubeconfig: { kind: "default", paths: ["/home/me/.kube/config"] }, context: undefined, namespace: "default" }, {},
            "no kubeconfig was found, so the provider falls back to in-cluster config, which this check does not resolve"],
        ["no current-context and none configured", { kubeconfig: { kind: "file", path: "/k" }, context: undefined, namespace: "default" }, { "/k": kubeconfig({ c: { server: "https://x" } }, { x: "c" }) },
            "the kubeconfig sets no current-context and none is configured"],
        ["a context whose cluster has no server", { kubeconfig: { kind: "file", path: "/k" }, context: "x", namespace: "default" }, { "/k": kubeconfig({}, { x: "gone" }) },
            'the cluster "gone" of context "x" has no server'],
    ];
    for (const [title, settings, files, why] of unresolved) {
        it(`says why it cannot name the server: ${title}`, () => {
            expect(resolveClusterEndpoint(settings, environment(files))).to.deep.equal({ unresolved: why });
        });
    }
});

describe("proxyFor", () => {
    const endpoint = { context: "c", server: "https://api.example.com:6443", origin: "/k" };

    it("is the cluster's proxy-url when set", () => {
        expect(proxyFor({ ...endpoint, proxyUrl: "socks5://bastion:1080" }, {})).to.equal("socks5://bastion:1080");
    });
    it("is HTTPS_PROXY (or https_proxy) for an https server", () => {
        expect(proxyFor(endpoint, { HTTPS_PROXY: "http://proxy:3128" })).to.equal("http://proxy:3128");
        expect(proxyFor(endpoint, { https_proxy: "http://proxy:3128" })).to.equal("http://proxy:3128");
        expect(proxyFor(endpoint, { HTTP_PROXY: "http://proxy:3128" })).to.equal(undefined);
    });
    it("is none when NO_PROXY names the host, its domain, or everything", () => {
        for (const noProxy of ["api.example.com", ".example.com", "example.com", "*", "other, example.com:6443"]) {
            expect(proxyFor(endpoint, { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: noProxy }), noProxy).to.equal(undefined);
        }
        expect(proxyFor(endpoint, { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "ample.com" })).to.equal("http://proxy:3128");
    });
    it("is none for a loopback server, which Go's client never proxies", () => {
        expect(proxyFor({ ...endpoint, server: "https://127.0.0.1:6443" }, { HTTPS_PROXY: "http://proxy:3128" })).to.equal(undefined);
        expect(proxyFor({ ...endpoint, server: "https://localhost:6443" }, { HTTPS_PROXY: "http://proxy:3128" })).to.equal(undefined);
    });
});
