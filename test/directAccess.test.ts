/**
 * program/directAccess.ts: the program's own reads of the cluster without @kubernetes/client-node.
 * For every kubeconfig it takes, the request options must be the ones the client builds for the
 * same kubeconfig (the client's own applyToHTTPSOptions, 1.4.0, run here beside it); every other
 * kubeconfig must be left to the client, saying why.
 */
import { expect } from "chai";
import * as fs from "fs";
import type * as https from "https";
import * as os from "os";
import * as path from "path";
import { ClientNeeded, DirectAccess, directAccess } from "../program/directAccess";
import { machineEnvironment } from "../program/kubeconfig";
import { loadKubeConfig } from "../program/kubernetesClient";
import { ClusterSettings } from "../program/stackConfig";

/** Base64 of a text: stands for a certificate or key (neither side parses them here). */
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** A kubeconfig document with one context `dev`, of cluster `c` and user `u`. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown> | undefined): string {
    return JSON.stringify({
        apiVersion: "v1", kind: "Config", "current-context": "dev",
        clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", ...cluster } }],
        ...(user !== undefined ? { users: [{ name: "u", user }] } : {}),
        contexts: [{ name: "dev", context: { cluster: "c", ...(user !== undefined ? { user: "u" } : {}) } }],
    });
}

/** The fields both sides set that decide how a request is authenticated. */
function authenticationOf(options: https.RequestOptions): Record<string, unknown> {
    const { ca, cert, key, rejectUnauthorized, servername } = options;
    const authorization = (options.headers as Record<string, unknown> | undefined)?.Authorization;
    return Object.fromEntries(Object.entries({ ca, cert, key, rejectUnauthorized, servername, authorization })
        .filter(([, value]) => value !== undefined)
        .map(([field, value]) => [field, Buffer.isBuffer(value) ? value.toString("utf8") : value]));
}

/** What the client sets for the same settings. */
async function clientOptions(cluster: ClusterSettings): Promise<Record<string, unknown>> {
    const config = await loadKubeConfig(cluster, {});
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    return authenticationOf(options);
}

const NO_PROXY_ENVIRONMENT = {};

describe("the program's reads without the Kubernetes client (program/directAccess.ts)", () => {
    let directory: string;
    before(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "direct-access-"));
        fs.mkdirSync(path.join(directory, "certs"));
        fs.writeFileSync(path.join(directory, "certs", "ca.crt"), "CA FROM FILE");
        fs.writeFileSync(path.join(directory, "certs", "client.crt"), "CERT FROM FILE");
        fs.writeFileSync(path.join(directory, "certs", "client.key"), "KEY FROM FILE");
        fs.writeFileSync(path.join(directory, "certs", "token"), "token-from-file\n");
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    /** The settings for a kubeconfig written to a file in the test's directory (relative paths resolve there). */
    function fileSettings(document: string): ClusterSettings {
        const file = path.join(directory, `config-${Math.random().toString(36).slice(2)}`);
        fs.writeFileSync(file, document);
        return { kubeconfig: { kind: "file", path: file }, context: undefined, namespace: "web" };
    }

    const direct: Record<string, () => ClusterSettings> = {
        "a CA, a client certificate and key, inline (kind, minikube)": () => ({
            kubeconfig: { kind: "inline", contents: kubeconfig({ "certificate-authority-data": b64("CA") }, { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") }) },
            context: undefined, namespace: "web",
        }),
        "a CA, certificate and key as files relative to the kubeconfig's directory": () => fileSettings(
            kubeconfig({ "certificate-authority": "certs/ca.crt" }, { "client-certificate": "certs/client.crt", "client-key": "certs/client.key" })),
        "a bearer token, with the CA inline": () => fileSettings(kubeconfig({ "certificate-authority-data": b64("CA") }, { token: "abc.def" })),
        "insecure-skip-tls-verify and tls-server-name": () => fileSettings(kubeconfig({ "insecure-skip-tls-verify": true, "tls-server-name": "api.internal" }, { token: "t" })),
        "a user with extensions only (anonymous, with the CA)": () => fileSettings(kubeconfig({ "certificate-authority-data": b64("CA") }, { extensions: [] })),
    };
    for (const [name, settings] of Object.entries(direct)) {
        it(`builds what the client builds: ${name}`, async () => {
            const cluster = settings();
            const access = directAccess(cluster, machineEnvironment(), NO_PROXY_ENVIRONMENT);
            expect(access, "not left to the client").to.not.have.property("clientNeeded");
            expect((access as DirectAccess).server).to.equal("https://10.0.0.1:6443");
            expect(authenticationOf((access as DirectAccess).options)).to.deep.equal(await clientOptions(cluster));
        });
    }

    it("sends a tokenFile's token as the provider does, which the client (1.4.0) does not read at all", async () => {
        // The provider's client-go (v0.33.3 in pulumi-kubernetes 4.25.0, transport/token_source.go)
        // reads `tokenFile` and trims its whitespace. client-node 1.4.0 reads a `token-file` field
        // instead (config_types.js), so with it such a kubeconfig's reads went unauthenticated.
        const cluster = fileSettings(kubeconfig({ "certificate-authority-data": b64("CA") }, { tokenFile: "certs/token" }));
        const access = directAccess(cluster, machineEnvironment(), NO_PROXY_ENVIRONMENT) as DirectAccess;
        expect(authenticationOf(access.options)).to.deep.equal({ ca: "CA", authorization: "Bearer token-from-file" });
        expect(await clientOptions(cluster), "the client's").to.deep.equal({ ca: "CA" });
    });

    const toTheClient: Record<string, [() => ClusterSettings, Record<string, string>, RegExp]> = {
        "an exec plugin (EKS, GKE, AKS)": [() => fileSettings(kubeconfig({}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "aws" } })), {}, /the user has exec/],
        "an auth provider": [() => fileSettings(kubeconfig({}, { "auth-provider": { name: "oidc" } })), {}, /the user has auth-provider/],
        "basic auth": [() => fileSettings(kubeconfig({}, { username: "admin", password: "secret" })), {}, /the user has username, password/],
        "impersonation": [() => fileSettings(kubeconfig({}, { token: "t", as: "someone" })), {}, /the user has as/],
        "a cluster proxy-url": [() => fileSettings(kubeconfig({ "proxy-url": "http://proxy:3128" }, { token: "t" })), {}, /proxy/],
        "HTTPS_PROXY in the environment": [() => fileSettings(kubeconfig({}, { token: "t" })), { HTTPS_PROXY: "http://proxy:3128" }, /proxy/],
        "a CA both as a file and inline": [() => fileSettings(kubeconfig({ "certificate-authority": "certs/ca.crt", "certificate-authority-data": b64("CA") }, { token: "t" })), {}, /both as a file and inline/],
        "a token both inline and as a file": [() => fileSettings(kubeconfig({}, { token: "t", tokenFile: "certs/token" })), {}, /both as a file and inline/],
        "a context with no user": [() => fileSettings(kubeconfig({}, undefined)), {}, /names no user/],
        "no kubeconfig at all (in-cluster)": [() => ({ kubeconfig: { kind: "default", paths: [path.join(directory, "none")] }, context: undefined, namespace: "web" }), {}, /in-cluster/],
    };
    for (const [name, [settings, environment, why]] of Object.entries(toTheClient)) {
        it(`leaves to the client: ${name}`, () => {
            const access = directAccess(settings(), machineEnvironment(), environment);
            expect((access as ClientNeeded).clientNeeded).to.match(why);
        });
    }
});
