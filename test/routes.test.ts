/**
 * Routes (issue 31, item 1): `ingress` and `httpRoute`, their checks, their specs, the NetworkPolicy
 * admitting a route's controller, and what the component registers. On a real controller (the local
 * cluster's Traefik): test/integration/routes.test.ts.
 */
import { expect } from "chai";
import { resolveArgs } from "../components/args";
import { WebServer, WebServerConfigError } from "../components";
import { buildNetworkPolicySpec } from "../components/networkPolicySpec";
import { componentObjects } from "../components/ownership";
import { buildHttpRouteSpec, buildIngressSpec } from "../components/routes";
import { clearRegistered, installMocks, promiseOf, registered, registeredOfType } from "./helpers/mocks";

installMocks();

const TRAEFIK = { namespace: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } };
const SERVICE = { name: "webserver", port: 80 };

function problemsOf(args: Parameters<typeof resolveArgs>[0]): string {
    try {
        resolveArgs(args);
    } catch (error) {
        if (error instanceof WebServerConfigError) {
            return error.message;
        }
        throw error;
    }
    throw new Error(`resolveArgs accepted ${JSON.stringify(args)}`);
}

describe("routes: an Ingress and a Gateway API HTTPRoute to the Service (issue 31, item 1)", () => {
    describe("buildIngressSpec", () => {
        it("sends each host's requests under the path to the Service's port, with TLS for every host from the Secret", () => {
            const { routes } = resolveArgs({ service: {}, ingress: { hosts: ["www.example.com", "example.com"], path: "/shop", ingressClassName: "traefik", tlsSecretName: "site-tls" } });
            const backend = { service: { name: "webserver", port: { number: 80 } } };
            expect(buildIngressSpec(routes.ingress!, SERVICE)).to.deep.equal({
                ingressClassName: "traefik",
                tls: [{ hosts: ["www.example.com", "example.com"], secretName: "site-tls" }],
                rules: [
                    { host: "www.example.com", http: { paths: [{ path: "/shop", pathType: "Prefix", backend }] } },
                    { host: "example.com", http: { paths: [{ path: "/shop", pathType: "Prefix", backend }] } },
                ],
            });
        });

        it("leaves the class and TLS out when not given, and routes / by default", () => {
            const { routes } = resolveArgs({ service: {}, ingress: { hosts: ["a.example"] } });
            expect(buildIngressSpec(routes.ingress!, SERVICE)).to.deep.equal({
                rules: [{ host: "a.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "webserver", port: { number: 80 } } } }] } }],
            });
        });
    });

    describe("buildHttpRouteSpec", () => {
        it("attaches to the Gateways and sends the hostnames' requests under the path to the Service's port", () => {
            const { routes } = resolveArgs({
                service: {}, httpRoute: { parentRefs: [{ name: "traefik", namespace: "traefik", sectionName: "web" }], hostnames: ["www.example.com"], path: "/docs" },
            });
            expect(buildHttpRouteSpec(routes.httpRoute!, SERVICE)).to.deep.equal({
                parentRefs: [{ name: "traefik", namespace: "traefik", sectionName: "web" }],
                hostnames: ["www.example.com"],
                rules: [{ matches: [{ path: { type: "PathPrefix", value: "/docs" } }], backendRefs: [{ name: "webserver", port: 80 }] }],
            });
        });
    });

    describe("the NetworkPolicy", () => {
        it("admits the controller alone when one is named and allowFrom is not", () => {
            const resolved = resolveArgs({ service: {}, ingress: { hosts: ["a.example"], controller: TRAEFIK } });
            expect(buildNetworkPolicySpec(resolved.networkPolicy!, resolved.selectorLabels).ingress).to.deep.equal([{
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }],
                ports: [{ protocol: "TCP", port: 80 }],
            }]);
        });

        it("admits the controller beside allowFrom's peers, and one controller once for both routes", () => {
            const resolved = resolveArgs({
                service: {}, allowFrom: [{ cidr: "10.0.0.0/8" }],
                ingress: { hosts: ["a.example"], controller: TRAEFIK }, httpRoute: { parentRefs: [{ name: "traefik" }], controller: TRAEFIK },
            });
            expect(resolved.networkPolicy!.allowFrom!.map((peer) => peer.kind)).to.deep.equal(["selector", "ipBlock"]);
        });

        it("stays as allowFrom makes it (any source by default) when no controller is named", () => {
            expect(resolveArgs({ service: {}, ingress: { hosts: ["a.example"] } }).networkPolicy).to.deep.equal({ allowFrom: undefined });
        });
    });

    describe("the arguments", () => {
        const cases: [string, Parameters<typeof resolveArgs>[0], string][] = [
            ["an Ingress without a Service, naming both", { ingress: { hosts: ["a.example"] } },
                'ingress + service: got {"ingress":{"hosts":["a.example"]},"service":"(not set)"}; allowed: ingress routes to the component\'s Service: set service too'],
            ["an HTTPRoute without a Service, naming both", { httpRoute: { parentRefs: [{ name: "gw" }] } }, "httpRoute + service: got"],
            ["an Ingress with no host", { service: {}, ingress: { hosts: [] } }, "ingress.hosts: got []; allowed: a non-empty list of host names"],
            ["an Ingress host that is not a name", { service: {}, ingress: { hosts: ["WWW.Example.com"] } }, 'ingress.hosts[0]: got "WWW.Example.com"; allowed: a host name: a DNS-1123 subdomain'],
            ["a host twice", { service: {}, ingress: { hosts: ["a.example", "a.example"] } }, 'ingress.hosts[1]: got "a.example"; allowed: each host once'],
            ["a relative path", { service: {}, ingress: { hosts: ["a.example"], path: "shop" } }, 'ingress.path: got "shop"; allowed: an absolute URL path'],
            ["a TLS Secret that cannot be a name", { service: {}, ingress: { hosts: ["a.example"], tlsSecretName: "Site TLS" } }, 'ingress.tlsSecretName: got "Site TLS"; allowed: the name of a kubernetes.io/tls Secret'],
            ["an Ingress annotation the component sets", { service: {}, ingress: { hosts: ["a.example"], annotations: { "webserver-sidecar/owner": "x" } } }, "ingress.annotations.webserver-sidecar/owner: got"],
            ["a misspelled Ingress field", { service: {}, ingress: { hosts: ["a.example"], host: "a.example" } } as never, 'ingress.host: got "a.example"; allowed: did you mean ingress.hosts?'],
            ["a controller without labels: every Pod of its namespace", { service: {}, ingress: { hosts: ["a.example"], controller: { namespace: "traefik", podLabels: {} } } },
                "ingress.controller.podLabels: got {}; allowed: a non-empty object of the controller's Pod labels"],
            ["a controller whose namespace is not a name", { service: {}, ingress: { hosts: ["a.example"], controller: { namespace: "Traefik", podLabels: { a: "b" } } } },
                'ingress.controller.namespace: got "Traefik"; allowed: the controller\'s namespace: a DNS-1123 label'],
            ["a controller with the NetworkPolicy off, naming both", { service: {}, networkPolicy: false, ingress: { hosts: ["a.example"], controller: TRAEFIK } },
                "ingress.controller + networkPolicy: got"],
            ["an HTTPRoute without a Gateway", { service: {}, httpRoute: { parentRefs: [] } }, "httpRoute.parentRefs: got []; allowed: a non-empty list of Gateways"],
            ["a Gateway's namespace that is not a name", { service: {}, httpRoute: { parentRefs: [{ name: "gw", namespace: "Gate Ways" }] } },
                'httpRoute.parentRefs[0].namespace: got "Gate Ways"; allowed: the Gateway\'s namespace'],
            ["a misspelled parent field", { service: {}, httpRoute: { parentRefs: [{ name: "gw", section: "web" }] } } as never, 'httpRoute.parentRefs[0].section: got "web"; allowed: known keys: name, namespace, sectionName'],
            ["a hostname that is a URL", { service: {}, httpRoute: { parentRefs: [{ name: "gw" }], hostnames: ["https://a.example"] } }, 'httpRoute.hostnames[0]: got "https://a.example"; allowed: a host name'],
        ];
        for (const [what, args, message] of cases) {
            it(`refuses ${what}`, () => {
                expect(problemsOf(args)).to.include(message);
            });
        }

        it("accepts a wildcard host", () => {
            expect(resolveArgs({ service: {}, ingress: { hosts: ["*.example.com"] } }).routes.ingress!.hosts).to.deep.equal(["*.example.com"]);
        });
    });

    describe("the objects under fixed names (the ownership check)", () => {
        it("includes the Ingress and the HTTPRoute", () => {
            const objects = componentObjects(resolveArgs({ networkPolicy: false, service: {}, ingress: { hosts: ["a.example"] }, httpRoute: { parentRefs: [{ name: "gw" }] } }, { name: "webserver" }));
            expect(objects.map((object) => `${object.apiVersion} ${object.kind}`)).to.include.members(["networking.k8s.io/v1 Ingress", "gateway.networking.k8s.io/v1 HTTPRoute"]);
        });
    });

    describe("the component (mocks)", () => {
        beforeEach(clearRegistered);

        it("creates the Ingress and the HTTPRoute to its Service, named as it, and refuses a route without a Service before registering anything", async () => {
            const web = new WebServer("routed", {
                service: { port: 8080 },
                ingress: { hosts: ["a.example"], annotations: { "example.com/team": "web" }, controller: TRAEFIK },
                httpRoute: { parentRefs: [{ name: "traefik", namespace: "traefik" }] },
            });
            await promiseOf(web.ingress!.urn);
            expect(await promiseOf(web.httpRouteName!)).to.equal("routed");
            const [ingress] = registeredOfType("kubernetes:networking.k8s.io/v1:Ingress");
            expect(ingress.name).to.equal("routed-ingress");
            expect(ingress.inputs.metadata.annotations).to.include({ "example.com/team": "web" });
            expect(ingress.inputs.metadata.annotations).to.have.property("webserver-sidecar/owner");
            expect(ingress.inputs.spec.rules[0].http.paths[0].backend).to.deep.equal({ service: { name: "routed", port: { number: 8080 } } });
            const [route] = registered.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
            expect(route.name).to.equal("routed-http-route");
            expect(route.inputs.spec.backendRefs ?? route.inputs.spec.rules[0].backendRefs).to.deep.equal([{ name: "routed", port: 8080 }]);

            clearRegistered();
            expect(() => new WebServer("unrouted", { ingress: { hosts: ["a.example"] } })).to.throw(WebServerConfigError, "ingress + service");
            expect(registered).to.have.length(0);
        });
    });
});
