import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clearRegistered, installMocks, promiseOf, registered, registeredOfType, unhandledRejectionsOf } from "./helpers/mocks";

import { WebServer, WebServerConfigError } from "../components";
import { CHECKED_READY_CONDITIONS, READY_CONDITIONS } from "../components/podReadiness";
import { FILES_DIGEST_ANNOTATION, podFilesDigest } from "../components/podFiles";
import { OWNER_ANNOTATION } from "../components/ownership";

// Components register when constructed, so mocks installed here, before any test, catch them all.
installMocks();

const POD = "kubernetes:core/v1:Pod";
const SERVICE = "kubernetes:core/v1:Service";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** The labels an instance's objects carry and its Service and NetworkPolicy select on. */
function selectorOf(instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": instance };
}

/**
 * The annotation on every object of the component: the stack that owns it (ownership.ts), the mocks'
 * project and stack in the default organization.
 */
const OWNER = { [OWNER_ANNOTATION]: "organization/webserver-sidecar/test" };

/**
 * The component's own annotations on the Pod: its owner, the one that makes the provider wait for Ready with a
 * deadline (podReadiness.ts), and the digest of the files it reads (the shipper alone here; podFiles.ts).
 */
const WAIT_FOR = { ...OWNER, "pulumi.com/waitFor": JSON.stringify(READY_CONDITIONS), [FILES_DIGEST_ANNOTATION]: podFilesDigest({ site: undefined, serverConfig: undefined }) };
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/**
 * The resource options each child of a component was registered with, by type. Mocks do not see
 * options (such as customTimeouts), but a transformation on the component does: it is handed
 * every child's options as the child registers.
 */
function recordChildOptions(): { options: Map<string, pulumi.CustomResourceOptions>; transformations: pulumi.ResourceTransformation[] } {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    return {
        options,
        transformations: [(child) => {
            options.set(child.type, child.opts);
            return undefined;
        }],
    };
}

describe("WebServer (mocks)", () => {
    beforeEach(clearRegistered);

    it("registers the component, then its NetworkPolicy and shipper's ConfigMap, and last the Pod, parented to it, named after it", async () => {
        const web = new WebServer("parented");
        expect(await promiseOf(web.pod!.urn)).to.match(/webserver-sidecar:index:WebServer\$kubernetes:core\/v1:Pod::parented-pod$/);
        expect(await promiseOf(web.networkPolicy!.urn))
            .to.match(/webserver-sidecar:index:WebServer\$kubernetes:networking.k8s.io\/v1:NetworkPolicy::parented-network-policy$/);
        const order = registered.map((r) => [r.type, r.name]);
        expect(order[0]).to.deep.equal(["webserver-sidecar:index:WebServer", "parented"]);
        // Between them, in whichever order their inputs resolve; the Pod waits for both (dependsOn).
        expect(order.slice(1, 3)).to.have.deep.members([[NETWORK_POLICY, "parented-network-policy"], [CONFIG_MAP, "parented-shipper"]]);
        expect(order.slice(3)).to.deep.equal([[POD, "parented-pod"]]);
    });

    it("closes the Pod by default: ingress only to port 80, no egress, selecting the Pod's labels", async () => {
        const web = new WebServer("closed");
        expect(await promiseOf(web.networkPolicyName!)).to.equal("closed");
        await promiseOf(web.pod!.urn);
        const [policy] = registeredOfType(NETWORK_POLICY);
        expect(policy.inputs.metadata).to.deep.equal({ name: "closed", labels: selectorOf("closed"), annotations: OWNER });
        expect(policy.inputs.spec).to.deep.equal({
            podSelector: { matchLabels: selectorOf("closed") },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ ports: [{ protocol: "TCP", port: 80 }] }],
            egress: [],
        });
    });

    it("lets only allowFrom's peers in", async () => {
        const web = new WebServer("allow-from", { allowFrom: [{ namespaceSelector: { "kubernetes.io/metadata.name": "ingress" } }, { cidr: "10.0.0.0/8" }] });
        await promiseOf(web.networkPolicy!.urn);
        const [policy] = registeredOfType(NETWORK_POLICY);
        expect(policy.inputs.spec.ingress).to.deep.equal([{
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } }, { ipBlock: { cidr: "10.0.0.0/8" } }],
            ports: [{ protocol: "TCP", port: 80 }],
        }]);
    });

    it("creates no NetworkPolicy with networkPolicy: false, and says so with undefined outputs", async () => {
        const web = new WebServer("open", { networkPolicy: false });
        await promiseOf(web.pod!.urn);
        expect(web.networkPolicy).to.equal(undefined);
        expect(web.networkPolicyName).to.equal(undefined);
        expect(registeredOfType(NETWORK_POLICY)).to.have.length(0);
    });

    it("names its Kubernetes objects after the component by default, labelled with its instance", async () => {
        const web = new WebServer("api", { service: {} });
        expect(await promiseOf(web.podName!)).to.equal("api");
        expect(await promiseOf(web.serviceName!)).to.equal("api");
        expect(await promiseOf(web.networkPolicyName!)).to.equal("api");
        const [pod] = registeredOfType(POD);
        expect(pod.inputs.metadata).to.deep.equal({ name: "api", labels: selectorOf("api"), annotations: WAIT_FOR });
    });

    it("takes a fixed podName and extra podLabels, which the selectors leave out", async () => {
        const web = new WebServer("tutorial", { podName: "webserver", podLabels: { app: "webserver" }, service: {} });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn)]);
        const [pod] = registeredOfType(POD);
        expect(pod.inputs.metadata.name).to.equal("webserver");
        expect(pod.inputs.metadata.labels).to.deep.equal({ app: "webserver", ...selectorOf("webserver") });
        expect(registeredOfType(SERVICE)[0].inputs.spec.selector).to.deep.equal(selectorOf("webserver"));
        expect(registeredOfType(NETWORK_POLICY)[0].inputs.spec.podSelector).to.deep.equal({ matchLabels: selectorOf("webserver") });
    });

    it("selects only its own Pod when two instances share a namespace", async () => {
        const [a, b] = [new WebServer("site-a", { service: {} }), new WebServer("site-b", { service: {} })];
        await Promise.all([a, b].flatMap((web) => [promiseOf(web.pod!.urn), promiseOf(web.service!.urn), promiseOf(web.networkPolicy!.urn)]));
        const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
        const pods = registeredOfType(POD);
        const selectors = [
            ...registeredOfType(SERVICE).map((s) => ({ name: s.inputs.metadata.name, selector: s.inputs.spec.selector })),
            ...registeredOfType(NETWORK_POLICY).map((p) => ({ name: p.inputs.metadata.name, selector: p.inputs.spec.podSelector.matchLabels })),
        ];
        expect(selectors).to.have.length(4);
        for (const { name, selector } of selectors) {
            expect(pods.filter((pod) => selects(selector, pod.inputs.metadata.labels)).map((pod) => pod.inputs.metadata.name)).to.deep.equal([name]);
        }
    });

    it("makes up wait for the Pod's Ready for readyTimeoutSeconds (default 300) on create and update, not on delete", async () => {
        const byDefault = recordChildOptions();
        await promiseOf(new WebServer("ready-default", {}, { transformations: byDefault.transformations }).pod!.urn);
        expect(byDefault.options.get(POD)?.customTimeouts).to.deep.equal({ create: "300s", update: "300s" });

        const configured = recordChildOptions();
        await promiseOf(new WebServer("ready-45", { readyTimeoutSeconds: 45 }, { transformations: configured.transformations }).pod!.urn);
        expect(configured.options.get(POD)?.customTimeouts).to.deep.equal({ create: "45s", update: "45s" });
        // The deadline is the Pod's alone: the NetworkPolicy and Service are ready when the API server stores them.
        expect(configured.options.get(NETWORK_POLICY)?.customTimeouts).to.equal(undefined);
    });

    it("annotates only the Pod with the conditions up waits for: nothing waiting and Running, then Ready", async () => {
        await promiseOf(new WebServer("wait-for", { service: {} }).pod!.urn);
        const [pod] = registeredOfType(POD);
        expect(JSON.parse(pod.inputs.metadata.annotations["pulumi.com/waitFor"])).to.deep.equal([
            "jsonpath={.status[?@[?@.state.waiting && !(@.state.waiting.reason == 'PodInitializing')], 'phase']}=Running",
            "condition=Ready",
        ]);
        expect(registeredOfType(NETWORK_POLICY)[0].inputs.metadata.annotations).to.deep.equal(OWNER);
    });

    it("leaves the Kubernetes name to Pulumi with autoName, labelling by the component's name", async () => {
        const web = new WebServer("auto", { autoName: true });
        expect(await promiseOf(web.podName!)).to.match(/^auto-pod-/);
        expect(registeredOfType(POD)[0].inputs.metadata).to.deep.equal({ labels: selectorOf("auto"), annotations: WAIT_FOR });
    });

    it("creates no Service unless asked, and says so with undefined outputs", async () => {
        const web = new WebServer("no-service");
        await promiseOf(web.pod!.urn);
        expect(web.service).to.equal(undefined);
        expect(web.serviceName).to.equal(undefined);
        expect(registeredOfType(SERVICE)).to.have.length(0);
    });

    it("creates a Service selecting the Pod's labels, parented to the component", async () => {
        const web = new WebServer("with-service", { service: { type: "NodePort", port: 8080 } });
        await promiseOf(web.pod!.urn);
        expect(await promiseOf(web.service!.urn)).to.match(/WebServer\$kubernetes:core\/v1:Service::with-service-service$/);
        expect(await promiseOf(web.serviceName!)).to.equal("with-service");
        const [service] = registeredOfType(SERVICE);
        expect(service.inputs.spec.selector).to.deep.equal(selectorOf("with-service"));
        expect(service.inputs.spec.ports).to.deep.equal([{ name: "http", port: 8080, targetPort: 80, protocol: "TCP" }]);
    });

    it("leaves the namespace to the provider unless given", async () => {
        const web = new WebServer("no-namespace", { service: {} });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn), promiseOf(web.networkPolicy!.urn)]);
        for (const child of [...registeredOfType(POD), ...registeredOfType(SERVICE), ...registeredOfType(NETWORK_POLICY)]) {
            expect(child.inputs.metadata, child.type).to.not.have.property("namespace");
        }
    });

    it("puts every object in the namespace given, an Output included", async () => {
        const web = new WebServer("namespaced", { namespace: pulumi.output("team-web"), service: {} });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn), promiseOf(web.networkPolicy!.urn)]);
        const children = [...registeredOfType(POD), ...registeredOfType(SERVICE), ...registeredOfType(NETWORK_POLICY)];
        expect(children.map((child) => child.inputs.metadata.namespace)).to.deep.equal(["team-web", "team-web", "team-web"]);
    });

    it("adds podAnnotations beside its own wait annotation, and the Service's annotations to the Service only", async () => {
        const web = new WebServer("annotated", { podAnnotations: { "prometheus.io/scrape": "true" }, service: { annotations: { "example.com/team": "web" } } });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn)]);
        expect(registeredOfType(POD)[0].inputs.metadata.annotations).to.deep.equal({ "prometheus.io/scrape": "true", ...WAIT_FOR });
        expect(registeredOfType(SERVICE)[0].inputs.metadata.annotations).to.deep.equal({ "example.com/team": "web", ...OWNER });
        expect(registeredOfType(NETWORK_POLICY)[0].inputs.metadata.annotations).to.deep.equal(OWNER);
    });

    it("hands the component's provider down to its children", async () => {
        const provider = new k8s.Provider("target", { namespace: "web" });
        const web = new WebServer("provided", { service: {} }, { providers: [provider] });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn), promiseOf(web.networkPolicy!.urn)]);
        const providerUrn = await promiseOf(provider.urn);
        const children = [...registeredOfType(POD), ...registeredOfType(SERVICE), ...registeredOfType(NETWORK_POLICY)];
        expect(children).to.have.length(3);
        for (const child of children) {
            expect(child.provider).to.match(new RegExp(`^${providerUrn.replace(/[$]/g, "\\$")}::`));
        }
    });

    it("takes an Output<string> image and an Output<number> port, which reach the Pod and the Service", async () => {
        const web = new WebServer("outputs", { nginxImage: pulumi.output("nginx:1.30.2"), service: { port: pulumi.output(8080), type: pulumi.output("NodePort" as const) } });
        await Promise.all([promiseOf(web.pod!.urn), promiseOf(web.service!.urn)]);
        const [pod] = registeredOfType(POD);
        expect(pod.inputs.spec.containers.map((c: { image: string }) => c.image)).to.deep.equal(["nginx:1.30.2"]);
        expect(registeredOfType(SERVICE)[0].inputs.spec).to.deep.include({ type: "NodePort", ports: [{ name: "http", port: 8080, targetPort: 80, protocol: "TCP" }] });
        // Plain values still give the Pod its customTimeouts; the name is known at construction.
        expect(pod.inputs.metadata.name).to.equal("outputs");
    });

    it("fails the up naming the key when an Output's value turns out bad, registering no Pod", async () => {
        const failures = await unhandledRejectionsOf(() => new WebServer("bad-output", { nginxImage: pulumi.output("nginx:latest") }));
        expect(failures[0]).to.be.instanceOf(WebServerConfigError);
        expect((failures[0] as Error).message).to.include('nginxImage: got "nginx:latest"; allowed: an image reference pinned');
        expect(registeredOfType(POD)).to.have.length(0);
    });

    it("registers nothing but itself when an Output's value turns out bad, whatever the children read (issue 27, item 6)", async () => {
        await unhandledRejectionsOf(() => new WebServer("bad-output-all", {
            replicas: 2, service: { port: 8080 }, content: { "index.html": "hi" }, serverConfig: "server {\n    listen 80;\n}\n",
            nginxImage: pulumi.output("nginx:latest"),
        }));
        expect(registered.map((r) => r.type)).to.deep.equal(["webserver-sidecar:index:WebServer"]);
    });

    it("waits for an Output readinessPath before asking the site for its page: accepted when the page is there, failing the up when not", async () => {
        const web = new WebServer("probe-output", { content: { "healthz.html": "ok" }, readinessPath: pulumi.output("/healthz.html") });
        await promiseOf(web.pod!.urn);
        expect(registeredOfType(POD)[0].inputs.spec.containers[0].readinessProbe.httpGet).to.deep.equal({ path: "/healthz.html", port: 80 });
        const failures = await unhandledRejectionsOf(() => new WebServer("probe-output-bad", { content: { "index.html": "" }, readinessPath: pulumi.output("/healthz.html") }));
        expect((failures[0] as Error).message).to.include("content: got [\"index.html\"]; allowed: a site with healthz.html");
    });

    it("mounts its nginx.conf from its own ConfigMap only with accessLogFormat, which the Pod waits for", async () => {
        const web = new WebServer("json-logs", { accessLogFormat: "json" });
        await promiseOf(web.pod!.urn);
        const configMaps = registeredOfType(CONFIG_MAP).map((r) => [r.name, Object.keys(r.inputs.data)]);
        expect(configMaps).to.deep.equal([["json-logs-shipper", ["logShipper.py"]], ["json-logs-nginx-config", ["nginx.conf"]]]);
        expect(registeredOfType(POD)[0].inputs.spec.volumes.map((v: { name: string }) => v.name)).to.include("nginx-config");
        expect(web.nginxConfigMap).to.not.equal(undefined);
        expect(new WebServer("combined-by-default").nginxConfigMap).to.equal(undefined);
    });

    it("serves the team's own object (contentFrom) without creating, or naming as its own, any ConfigMap for it", async () => {
        const web = new WebServer("team-site", { contentFrom: { persistentVolumeClaim: "site-files" } });
        await promiseOf(web.pod!.urn);
        expect(registeredOfType(CONFIG_MAP).map((r) => r.name)).to.deep.equal(["team-site-shipper"]);
        expect(registered.filter((r) => r.type.includes("PersistentVolumeClaim"))).to.deep.equal([]);
        expect(web.siteConfigMap).to.equal(undefined);
        expect(registeredOfType(POD)[0].inputs.spec.volumes).to.deep.include({ name: "site-content", persistentVolumeClaim: { claimName: "site-files", readOnly: true } });
    });

    it("checks the layout of an nginx image held in an Output, in that image", async () => {
        const web = new WebServer("layout-output", { nginxImage: pulumi.output("registry.example/nginx:1.30.5") });
        await promiseOf(web.pod!.urn);
        const spec = registeredOfType(POD)[0].inputs.spec;
        expect(spec.initContainers.map((c: { name: string; image: string }) => [c.name, c.image])).to.deep.equal([
            ["sidecar-container", "python:3.11.16-slim-bookworm@sha256:528257d48c1da0dcecc2e725d1ae34498d60c965f1241e39cd6a85a8859bdf84"],
            ["nginx-layout", "registry.example/nginx:1.30.5"],
        ]);
        // A failed check stays terminated, not waiting: the wait's conditions print that too.
        expect(registeredOfType(POD)[0].inputs.metadata.annotations["pulumi.com/waitFor"]).to.equal(JSON.stringify(CHECKED_READY_CONDITIONS));
    });

    it("puts an Output readyTimeoutSeconds in the provider's timeout annotation, since a resource option cannot wait for it", async () => {
        const children = recordChildOptions();
        const web = new WebServer("ready-output", { readyTimeoutSeconds: pulumi.output(45) }, { transformations: children.transformations });
        await promiseOf(web.pod!.urn);
        expect(registeredOfType(POD)[0].inputs.metadata.annotations).to.deep.equal({ ...WAIT_FOR, "pulumi.com/timeoutSeconds": "45" });
        expect(children.options.get(POD)?.customTimeouts).to.equal(undefined);
    });

    it("refuses a misspelled argument (from JavaScript or `as any`) before registering anything, with a hint", () => {
        expect(() => new WebServer("typo", { nginxImag: "nginx:1.30.2" } as never))
            .to.throw(WebServerConfigError, /nginxImag: got "nginx:1.30.2"; allowed: did you mean nginxImage\? known keys: podName, /);
        expect(() => new WebServer("typo-output", { sidecarImag: pulumi.output("python:3.11.16") } as never))
            .to.throw(WebServerConfigError, /sidecarImag: got "\(an Output\)"; allowed: did you mean sidecarImage\?/);
        expect(() => new WebServer("typo-service", { service: { prot: 8080 } } as never))
            .to.throw(WebServerConfigError, /service\.prot: got 8080; allowed: did you mean service\.port\?/);
        expect(registered).to.have.length(0);
    });

    it("refuses an Output where the value decides which resources exist", () => {
        expect(() => new WebServer("plain-only", { networkPolicy: pulumi.output(false) } as never))
            .to.throw(WebServerConfigError, /networkPolicy: got "\(an Output\)"; allowed: a plain value/);
        expect(registered).to.have.length(0);
    });

    it("refuses bad arguments before registering anything, not even itself", () => {
        expect(() => new WebServer("bad", { nginxImage: "nginx:latest", logSizeLimit: "tiny", allowFrom: [] }))
            .to.throw(WebServerConfigError, /nginxImage: got "nginx:latest"[\s\S]*logSizeLimit: got "tiny"[\s\S]*allowFrom: got \[\]/);
        expect(registered).to.have.length(0);
    });
});
