/**
 * Routes through a real controller (issue 31, item 1): the local cluster's Traefik
 * (scripts/cluster/traefik.sh, built from github.com/traefik/traefik/v3) serves the component's
 * Ingress and its Gateway API HTTPRoute. From a python3 client Pod in the stack's namespace:
 * requests by host name through Traefik's Service reach the Pod and their access lines are shipped;
 * a host no route names gets Traefik's 404 and never reaches nginx; TLS answers with the Secret's
 * certificate; and, with Traefik named as the routes' controller, the Pod admits Traefik and
 * nothing else (the client's direct request to the Service fails). Adding the routes previews
 * their creation and the policy's update; removing them previews their deletion.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClientPod } from "../../lab/clientPod";
import { waitFor } from "../../lab/polling";
import { readContainerOutput } from "../../lab/logFollower";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, kubectlError } from "../../lab/pulumiHarness";
import { skipBecause, testImages } from "./clusterCapabilities";

const INGRESS_HOST = "site.routes.test";
const ROUTE_HOST = "route.routes.test";
const TRAEFIK = { namespace: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } };
const TRAEFIK_HTTP = "http://traefik.traefik.svc.cluster.local";
const TLS_SECRET = "site-tls";
const PAGE = "<h1>routed</h1>\n";

/**
 * Requests `url` with a Host header from inside the client Pod: prints the status and the body's
 * first line, or `error <reason>`. With `tls`, connects to the URL's host and port with the given
 * server name (SNI) and prints the sha256 of the certificate it answers with, then the status.
 */
const REQUEST_PROGRAM = `
import hashlib, http.client, socket, ssl, sys, urllib.parse
url, host, tls = sys.argv[1], sys.argv[2], sys.argv[3] == "tls"
parts = urllib.parse.urlsplit(url)
try:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection((parts.hostname, parts.port or 443), timeout=5)
        wrapped = context.wrap_socket(raw, server_hostname=host)
        print("cert", hashlib.sha256(wrapped.getpeercert(binary_form=True)).hexdigest())
        wrapped.sendall(("GET %s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" % (parts.path + "?" + parts.query, host)).encode())
        response = http.client.HTTPResponse(wrapped)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5)
        connection.request("GET", parts.path + "?" + parts.query, headers={"Host": host})
        response = connection.getresponse()
    if tls:
        response.begin()
    body = response.read().decode(errors="replace")
    print("status", response.status, body.splitlines()[0] if body else "")
except Exception as error:
    print("error", repr(error))
`;

function routesConfig(namespace: string): Record<string, string> {
    return {
        ...baseConfig(namespace),
        ingress: JSON.stringify({ hosts: [INGRESS_HOST], ingressClassName: "traefik", tlsSecretName: TLS_SECRET, controller: TRAEFIK }),
        httpRoute: JSON.stringify({ parentRefs: [{ name: "traefik", namespace: "traefik" }], hostnames: [ROUTE_HOST], controller: TRAEFIK }),
    };
}

function baseConfig(namespace: string): Record<string, string> {
    return { kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "ClusterIP", port: 80 }), content: JSON.stringify({ "index.html": PAGE }) };
}

/** A self-signed certificate and key for the Ingress's host, in a temp directory; returns the certificate's sha256 (of its DER bytes). */
function makeCertificate(directory: string): string {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${INGRESS_HOST}`,
        "-addext", `subjectAltName=DNS:${INGRESS_HOST}`, "-keyout", path.join(directory, "tls.key"), "-out", path.join(directory, "tls.crt")], { stdio: "ignore" });
    const der = new crypto.X509Certificate(fs.readFileSync(path.join(directory, "tls.crt"))).raw;
    return crypto.createHash("sha256").update(der).digest("hex");
}

describe("routes: an Ingress and an HTTPRoute through Traefik reach the Pod by host name, TLS from the Secret, and the policy admits Traefik alone (issue 31, item 1)", function () {
    this.timeout(900_000);
    let namespace: string;
    let stack: TestStack;
    let client: ClientPod;
    let certificateSha256: string;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-routes-"));

    /** One request from the client Pod; returns what REQUEST_PROGRAM printed. */
    const request = (url: string, host: string, tls = false): string =>
        client.exec(["python3", "-c", REQUEST_PROGRAM, url, host, tls ? "tls" : "plain"]).output.trim();
    /** The sidecar's shipped lines, from its container log. */
    const shipped = (): string => {
        const pod = kubectl(["get", "pods", "-n", namespace, "-l", "app.kubernetes.io/instance=webserver", "-o", "jsonpath={.items[0].metadata.name}"]);
        return readContainerOutput({ namespace, pod, container: "sidecar-container" }).shipped;
    };

    before(async function () {
        // A cluster without the Gateway API's CRDs (kind's, in test.yml) answers the get with an error.
        if (kubectlError(["get", "gatewayclass", "traefik"]) !== undefined) {
            skipBecause(this, "no Traefik on this cluster (the local cluster's scripts/cluster/traefik.sh runs one): routes need a controller");
        }
        namespace = createNamespace("routes");
        certificateSha256 = makeCertificate(scratch);
        kubectl(["create", "secret", "tls", TLS_SECRET, "-n", namespace, "--cert", path.join(scratch, "tls.crt"), "--key", path.join(scratch, "tls.key")]);
        stack = await TestStack.create(baseConfig(namespace));
        await stack.up();
        client = await ClientPod.start(testImages().sidecarImage, namespace, "route-client", { role: "client" });
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("previews the Ingress and the HTTPRoute as created and the NetworkPolicy as updated, then applies them", async () => {
        await stack.setConfig(routesConfig(namespace));
        await stack.preview();
        const changes = stack.steps().filter(([op]) => op !== "same");
        expect(changes).to.deep.include.members([
            ["create", "kubernetes:networking.k8s.io/v1:Ingress"],
            ["create", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"],
            ["update", "kubernetes:networking.k8s.io/v1:NetworkPolicy"],
        ]);
        await stack.up();
    });

    for (const [kind, host] of [["the Ingress", INGRESS_HOST], ["the HTTPRoute", ROUTE_HOST]] as const) {
        it(`sends ${host}'s requests through Traefik to the Pod (${kind}), and ships their lines`, async () => {
            const id = crypto.randomBytes(4).toString("hex");
            // Traefik picks a new route up within seconds of its creation.
            let last = "";
            const answer = await waitFor(`Traefik to route ${host}`, () => {
                last = request(`${TRAEFIK_HTTP}/?route=${id}`, host);
                return last.startsWith("status 200") ? last : undefined;
            }, 60_000, 1000).catch((error: Error) => {
                throw new Error(`${error.message}; the last answer: ${last}`);
            });
            expect(answer).to.equal(`status 200 ${PAGE.trim()}`);
            await waitFor(`the request's line in the sidecar's output`, () => (shipped().includes(`GET /?route=${id} HTTP/1.1`) ? true : undefined), 10_000, 200);
        });
    }

    it("answers a host no route names with Traefik's 404, which never reaches nginx", () => {
        const id = crypto.randomBytes(4).toString("hex");
        expect(request(`${TRAEFIK_HTTP}/?route=${id}`, "other.routes.test")).to.match(/^status 404/);
        expect(shipped()).to.not.include(id);
    });

    it("answers TLS for the Ingress's host with the Secret's certificate, and serves the page through it", async () => {
        const id = crypto.randomBytes(4).toString("hex");
        let last = "";
        const answer = await waitFor("Traefik to answer TLS for the Ingress's host", () => {
            last = request(`https://traefik.traefik.svc.cluster.local:443/?route=${id}`, INGRESS_HOST, true);
            return last.includes("status 200") ? last : undefined;
        }, 60_000, 1000).catch((error: Error) => {
            throw new Error(`${error.message}; the last answer: ${last}`);
        });
        expect(answer.split("\n")[0]).to.equal(`cert ${certificateSha256}`);
        expect(answer.split("\n")[1]).to.equal(`status 200 ${PAGE.trim()}`);
    });

    it("admits Traefik alone: the client's direct request to the Service fails, while through Traefik it is answered", () => {
        const direct = request(`http://webserver.${namespace}.svc.cluster.local/?route=direct`, "webserver");
        expect(direct, "a direct request, which only the controller may make").to.match(/^error /);
        expect(request(`${TRAEFIK_HTTP}/?route=through`, INGRESS_HOST)).to.match(/^status 200/);
    });

    it("previews the routes' deletion when they are removed, and deletes them", async () => {
        await stack.setConfig(baseConfig(namespace));
        await stack.preview();
        expect(stack.steps().filter(([op]) => op !== "same")).to.deep.include.members([
            ["delete", "kubernetes:networking.k8s.io/v1:Ingress"],
            ["delete", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"],
        ]);
        await stack.up();
        expect(kubectl(["get", "ingress,httproute", "-n", namespace, "-o", "name"])).to.equal("");
    });
});
