import { expect } from "chai";
import * as http from "http";
import { AddressInfo, connect } from "net";
import { Duplex } from "stream";
import * as pulumi from "@pulumi/pulumi";
import { resolveArgs } from "../components/args";
import { ComponentObject, OWNER_ANNOTATION } from "../components/ownership";
import { ReachabilityOutcome } from "../program/clusterReachability";
import { METADATA_ONLY, MetadataReader, ObjectRead, clusterMetadataReader, objectPath } from "../program/objectMetadata";
import { ForeignObjectsError, OwnershipReport, checkBeforeRegistering, inspectClusterOwnership, inspectOwnership, reportOwnership } from "../program/ownership";
import { ClusterSettings } from "../program/stackConfig";

const OWNER = "organization/webserver-sidecar/dev";
const INSTANCE = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };
const POD: ComponentObject = { apiVersion: "v1", kind: "Pod", name: "webserver" };
const SERVICE: ComponentObject = { apiVersion: "v1", kind: "Service", name: "webserver" };
const CONFIG_MAP: ComponentObject = { apiVersion: "v1", kind: "ConfigMap", name: "webserver-shipper" };

/** A reader answering from a table keyed `Kind/name`: absent keys are 404s. */
function tableReader(table: Record<string, ObjectRead>): MetadataReader {
    return async (object) => table[`${object.kind}/${object.name}`] ?? { found: false };
}

/** The dependencies of reportOwnership, recording warnings. */
function recordingDeps(dryRun: boolean): { dryRun: boolean; warnings: string[]; warn: (message: string) => void } {
    const warnings: string[] = [];
    return { dryRun, warnings, warn: (message) => warnings.push(message) };
}

/** What a rejected promise rejected with (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a rejection, got a value");
}

const ANSWERED: ReachabilityOutcome = { checked: true, endpoint: { context: "dev", server: "https://10.0.0.1:6443", origin: "/kubeconfig" }, result: { answered: true, elapsedMs: 3 } };
const NOT_ANSWERED: ReachabilityOutcome = { ...ANSWERED, result: { answered: false, reason: "connection refused (ECONNREFUSED)", elapsedMs: 1 } };
const SKIPPED: ReachabilityOutcome = { checked: false, skipped: "in-cluster config" };
const FOREIGN_REPORT: OwnershipReport = { checked: 3, foreign: ['Pod "webserver" in namespace "web" exists and is not this stack\'s'], unreadable: [] };

describe("the ownership check (program/ownership.ts)", () => {
    describe("sorting what the reads found (inspectOwnership)", () => {
        it("passes objects that do not exist, are this stack's, or are an earlier version's (instance labels, no annotation)", async () => {
            const report = await inspectOwnership([POD, SERVICE, CONFIG_MAP], "web", OWNER, INSTANCE, tableReader({
                "Service/webserver": { found: true, metadata: { annotations: { [OWNER_ANNOTATION]: OWNER } } },
                "ConfigMap/webserver-shipper": { found: true, metadata: { labels: INSTANCE } },
            }));
            expect(report).to.deep.equal({ checked: 3, foreign: [], unreadable: [] });
        });

        it("lists every object that is someone else's, and every one it could not read, each by kind, name and namespace", async () => {
            const report = await inspectOwnership([POD, SERVICE, CONFIG_MAP], "web", OWNER, INSTANCE, tableReader({
                "Pod/webserver": { found: true, metadata: { labels: { app: "webserver" } } },
                "Service/webserver": { found: true, metadata: { annotations: { [OWNER_ANNOTATION]: "organization/webserver-sidecar/prod" } } },
                "ConfigMap/webserver-shipper": { unreadable: "HTTP 403: forbidden" },
            }));
            expect(report.foreign).to.have.length(2);
            expect(report.foreign[0]).to.match(/^Pod "webserver" in namespace "web" exists and is not this stack's \(its webserver-sidecar\/owner annotation: none;/);
            expect(report.foreign[1]).to.match(/^Service "webserver" in namespace "web" .*annotation: "organization\/webserver-sidecar\/prod"/);
            expect(report.unreadable).to.deep.equal(['ConfigMap "webserver-shipper" in namespace "web": HTTP 403: forbidden']);
        });

        it("reads every object at once, not one after another", async () => {
            let started = 0;
            let release: () => void = () => undefined;
            const gate = new Promise<void>((resolve) => { release = resolve; });
            const reading = inspectOwnership([POD, SERVICE, CONFIG_MAP], "web", OWNER, INSTANCE, async () => {
                started++;
                await gate;
                return { found: false };
            });
            await new Promise((resolve) => setImmediate(resolve));
            expect(started, "reads started before any answered").to.equal(3);
            release();
            expect((await reading).checked).to.equal(3);
        });

        it("reads the program's objects in the provider's namespace, or the one the arguments give", async () => {
            const cluster: ClusterSettings = { kubeconfig: { kind: "default", paths: [] }, context: undefined, namespace: "team" };
            const seen: string[] = [];
            const read: MetadataReader = async (object, namespace) => {
                seen.push(`${namespace}/${object.kind}/${object.name}`);
                return { found: false };
            };
            await inspectClusterOwnership(cluster, resolveArgs({ podName: "webserver", service: {} }), { organization: "o", project: "p", stack: "s" }, read);
            await inspectClusterOwnership(cluster, resolveArgs({ podName: "webserver", networkPolicy: false, namespace: "other" }), { organization: "o", project: "p", stack: "s" }, read);
            expect(seen.sort()).to.deep.equal([
                "other/ConfigMap/webserver-shipper", "other/Pod/webserver",
                "team/ConfigMap/webserver-shipper", "team/NetworkPolicy/webserver", "team/Pod/webserver", "team/Service/webserver",
            ]);
        });
    });

    describe("acting on it (reportOwnership)", () => {
        it("stops preview and up alike with one RunError listing every object that is not this stack's", () => {
            for (const dryRun of [true, false]) {
                const deps = recordingDeps(dryRun);
                const report: OwnershipReport = { checked: 3, foreign: ["Pod a", "Service b"], unreadable: ["ConfigMap c: timeout"] };
                let error: unknown;
                try {
                    reportOwnership(report, deps);
                } catch (e) {
                    error = e;
                }
                expect(error).to.be.instanceOf(ForeignObjectsError).and.instanceOf(pulumi.RunError);
                expect((error as Error).message).to.equal("webserver-sidecar: 2 of the objects this stack would create already exist and are not this stack's; "
                    + "nothing was created or changed:\n  - Pod a\n  - Service b");
            }
        });

        it("lets nothing pass unread on up: an object it could not read stops it", () => {
            expect(() => reportOwnership({ checked: 1, foreign: [], unreadable: ['ConfigMap "x" in namespace "web": HTTP 403: forbidden'] }, recordingDeps(false)))
                .to.throw(ForeignObjectsError, "could not check that the objects this stack would create are not someone else's; nothing was created or changed:\n  - ConfigMap \"x\" in namespace \"web\": HTTP 403: forbidden");
        });

        it("warns in a preview that could not read an object, saying up will stop", () => {
            const deps = recordingDeps(true);
            reportOwnership({ checked: 1, foreign: [], unreadable: ['ConfigMap "x" in namespace "web": no answer'] }, deps);
            expect(deps.warnings).to.have.length(1);
            expect(deps.warnings[0]).to.match(/ConfigMap "x" in namespace "web": no answer\nThis preview did not check it; `pulumi up` will stop, creating nothing, until it can\.$/);
        });

        it("says nothing when every object is absent or this stack's", () => {
            const deps = recordingDeps(false);
            reportOwnership({ checked: 3, foreign: [], unreadable: [] }, deps);
            expect(deps.warnings).to.deep.equal([]);
        });
    });

    describe("with the reachability check (checkBeforeRegistering)", () => {
        it("stops on objects that are not ours once the cluster answered, or when its probe was skipped", async () => {
            for (const reached of [ANSWERED, SKIPPED]) {
                const error = await rejectionOf(checkBeforeRegistering(Promise.resolve(reached), Promise.resolve(FOREIGN_REPORT), recordingDeps(true)));
                expect(error).to.be.instanceOf(ForeignObjectsError);
                expect(error.message).to.include('Pod "webserver" in namespace "web"');
            }
        });

        it("reports an unreachable cluster as such on up, not the reads' own failures, without waiting for them", async () => {
            const unreachable = new Error("cannot reach the Kubernetes cluster");
            const never = new Promise<OwnershipReport>(() => undefined);
            expect(await rejectionOf(checkBeforeRegistering(Promise.reject(unreachable), never, recordingDeps(false)))).to.equal(unreachable);
            const failing = Promise.reject(new Error("ECONNREFUSED"));
            expect(await rejectionOf(checkBeforeRegistering(Promise.reject(unreachable), failing, recordingDeps(false)))).to.equal(unreachable);
        });

        it("adds nothing to a preview of a cluster that did not answer: the reachability warning has said it", async () => {
            const deps = recordingDeps(true);
            const unreadable: OwnershipReport = { checked: 3, foreign: [], unreadable: ["Pod: ECONNREFUSED"] };
            await checkBeforeRegistering(Promise.resolve(NOT_ANSWERED), Promise.resolve(unreadable), deps);
            expect(deps.warnings).to.deep.equal([]);
        });

        it("passes when the cluster answered and every object is absent or ours", async () => {
            await checkBeforeRegistering(Promise.resolve(ANSWERED), Promise.resolve({ checked: 3, foreign: [], unreadable: [] }), recordingDeps(false));
        });

        it("passes on an unexpected failure of the reads as it is", async () => {
            const bug = new TypeError("a bug");
            expect(await rejectionOf(checkBeforeRegistering(Promise.resolve(ANSWERED), Promise.reject(bug), recordingDeps(false)))).to.equal(bug);
        });
    });

    describe("the API paths (objectPath)", () => {
        const cases: [ComponentObject, string][] = [
            [POD, "/api/v1/namespaces/web/pods/webserver"],
            [SERVICE, "/api/v1/namespaces/web/services/webserver"],
            [CONFIG_MAP, "/api/v1/namespaces/web/configmaps/webserver-shipper"],
            [{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: "webserver" }, "/apis/networking.k8s.io/v1/namespaces/web/networkpolicies/webserver"],
            [{ apiVersion: "apps/v1", kind: "Deployment", name: "webserver" }, "/apis/apps/v1/namespaces/web/deployments/webserver"],
            [{ apiVersion: "policy/v1", kind: "PodDisruptionBudget", name: "webserver" }, "/apis/policy/v1/namespaces/web/poddisruptionbudgets/webserver"],
        ];
        for (const [object, expected] of cases) {
            it(`${object.kind}: ${expected}`, () => {
                expect(objectPath(object, "web")).to.equal(expected);
            });
        }

        it("refuses a kind the component never creates", () => {
            expect(() => objectPath({ apiVersion: "v1", kind: "Secret", name: "x" }, "web")).to.throw("no API path known for kind Secret");
        });
    });

    describe("reading a real HTTP API (clusterMetadataReader)", () => {
        let server: http.Server;
        let cluster: ClusterSettings;
        const requests: { path: string; accept: string | undefined; authorization: string | undefined }[] = [];
        const tunnels: string[] = [];
        const answers: Record<string, { status: number; body: string; delayMs?: number }> = {
            "/api/v1/namespaces/web/pods/webserver": { status: 200, body: JSON.stringify({ kind: "PartialObjectMetadata", metadata: { name: "webserver", labels: { app: "webserver" } } }) },
            "/api/v1/namespaces/web/services/webserver": { status: 403, body: JSON.stringify({ kind: "Status", message: 'services "webserver" is forbidden: User "dev" cannot get resource "services"' }) },
            "/api/v1/namespaces/web/configmaps/slow": { status: 200, body: "{}", delayMs: 2_000 },
        };

        before(async () => {
            server = http.createServer((request, response) => {
                requests.push({ path: request.url ?? "", accept: request.headers.accept, authorization: request.headers.authorization });
                const answer = answers[request.url ?? ""] ?? { status: 404, body: JSON.stringify({ kind: "Status", message: "not found" }) };
                setTimeout(() => response.writeHead(answer.status, { "Content-Type": "application/json" }).end(answer.body), answer.delayMs ?? 0);
            });
            // As a proxy too: a CONNECT is tunnelled to this same server, and its target recorded.
            server.on("connect", (request: http.IncomingMessage, client: Duplex, head: Buffer) => {
                tunnels.push(request.url ?? "");
                const upstream = connect((server.address() as AddressInfo).port, "127.0.0.1", () => {
                    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                    upstream.write(head);
                    upstream.pipe(client).pipe(upstream);
                });
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as AddressInfo).port;
            const kubeconfig = [
                "apiVersion: v1", "kind: Config", "current-context: dev",
                "clusters: [{name: local, cluster: {server: 'http://127.0.0.1:" + port + "', insecure-skip-tls-verify: true}}]",
                "users: [{name: dev, user: {token: test-token}}]",
                "contexts: [{name: dev, context: {cluster: local, user: dev}}]",
            ].join("\n");
            cluster = { kubeconfig: { kind: "inline", contents: kubeconfig }, context: undefined, namespace: "web" };
        });
        after(() => server.close());

        it("reads an object's metadata alone, authenticated as the kubeconfig says", async () => {
            const read = await clusterMetadataReader(cluster)(POD, "web");
            expect(read).to.deep.equal({ found: true, metadata: { name: "webserver", labels: { app: "webserver" } } });
            const request = requests.find((r) => r.path === "/api/v1/namespaces/web/pods/webserver");
            expect(request).to.deep.equal({ path: "/api/v1/namespaces/web/pods/webserver", accept: METADATA_ONLY, authorization: "Bearer test-token" });
        });

        it("finds no object on a 404", async () => {
            expect(await clusterMetadataReader(cluster)(CONFIG_MAP, "web")).to.deep.equal({ found: false });
        });

        it("reports another status with the API server's message", async () => {
            expect(await clusterMetadataReader(cluster)(SERVICE, "web"))
                .to.deep.equal({ unreadable: 'HTTP 403: services "webserver" is forbidden: User "dev" cannot get resource "services"' });
        });

        it("gives up on a server that does not answer in time", async () => {
            const read = await clusterMetadataReader(cluster, { timeoutMs: 200 })({ apiVersion: "v1", kind: "ConfigMap", name: "slow" }, "web");
            expect(read).to.deep.equal({ unreadable: `no answer from http://127.0.0.1:${(server.address() as AddressInfo).port} within 0.2 s` });
        });

        it("reads through the HTTP(S)_PROXY of the environment, as the provider does", async () => {
            // An address no one answers at: only the proxy (the test's server, which answers any path) can.
            const contents = (cluster.kubeconfig as { contents: string }).contents.replace(/127\.0\.0\.1:\d+/, "cluster.invalid:6443");
            const proxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const reader = clusterMetadataReader({ ...cluster, kubeconfig: { kind: "inline", contents } }, { environment: { HTTP_PROXY: proxy }, timeoutMs: 5_000 });
            expect(await reader(POD, "web")).to.deep.include({ found: true });
            expect(tunnels).to.deep.equal(["cluster.invalid:6443"]);
        });

        it("reports a server that refuses the connection", async () => {
            const closed = http.createServer();
            await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
            const port = (closed.address() as AddressInfo).port;
            await new Promise((resolve) => closed.close(resolve));
            const contents = (cluster.kubeconfig as { contents: string }).contents.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
            const read = await clusterMetadataReader({ ...cluster, kubeconfig: { kind: "inline", contents } })(POD, "web");
            expect(read).to.have.property("unreadable").that.matches(/ECONNREFUSED/);
        });
    });
});
