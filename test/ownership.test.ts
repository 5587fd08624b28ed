import { expect } from "chai";
import { clearRegistered, installMocks, promiseOf, registered } from "./helpers/mocks";

import { WebServer, WebServerConfigError, resolveArgs } from "../components";
import {
    ComponentObject, DEFAULT_ORGANIZATION, OWNER_ANNOTATION, StackMetadata, componentObjects, currentStack, ownerOf, ownershipProblem,
} from "../components/ownership";
import { configMapNamesFor } from "../components/podFiles";
import { MIN_REPLICAS_FOR_BUDGET } from "../components/workloadSpec";

// Components register when constructed, so mocks installed here, before any test, catch them all.
installMocks();

const STACK = { organization: "acme", project: "webserver-sidecar", stack: "prod" };
const OWNER = "acme/webserver-sidecar/prod";
const INSTANCE = { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" };
const CONFIG_MAP: ComponentObject = { apiVersion: "v1", kind: "ConfigMap", name: "webserver-shipper" };

/** A stand-in for `@pulumi/pulumi`'s stack functions. */
function runtimeOf(organization: () => string): StackMetadata {
    return { getOrganization: organization, getProject: () => "webserver-sidecar", getStack: () => "dev" };
}

describe("the owner annotation (components/ownership.ts)", () => {
    it("names the stack as <organization>/<project>/<stack>", () => {
        expect(ownerOf(STACK)).to.equal(OWNER);
    });

    it("reads the stack from the Pulumi runtime", () => {
        expect(currentStack(runtimeOf(() => "acme"))).to.deep.equal({ organization: "acme", project: "webserver-sidecar", stack: "dev" });
    });

    it("takes the default organization when the engine names none (the SDK throws, or says \"\")", () => {
        const missing = runtimeOf(() => {
            throw new Error("Missing organization name");
        });
        expect(currentStack(missing).organization).to.equal(DEFAULT_ORGANIZATION);
        expect(currentStack(runtimeOf(() => "")).organization).to.equal(DEFAULT_ORGANIZATION);
        expect(ownerOf(currentStack(missing))).to.equal("organization/webserver-sidecar/dev");
    });
});

describe("the objects the component creates under fixed names (componentObjects)", () => {
    const objects = (args: Parameters<typeof resolveArgs>[0]) => componentObjects(resolveArgs(args, { name: "webserver" }))
        .map((object) => `${object.apiVersion} ${object.kind} ${object.name}`);
    const shipper = configMapNamesFor("webserver", { site: undefined, serverConfig: undefined }).shipper;
    // Under a Deployment the ConfigMaps are named by their content (podFiles.ts).
    const shipperByContent = configMapNamesFor("webserver", { site: undefined, serverConfig: undefined }, "byContent").shipper;

    const cases: [string, Parameters<typeof resolveArgs>[0], string[]][] = [
        ["by default: the Pod, its NetworkPolicy and the shipper's ConfigMap", {},
            ["v1 Pod webserver", "networking.k8s.io/v1 NetworkPolicy webserver", `v1 ConfigMap ${shipper}`]],
        ["no NetworkPolicy when it is off", { networkPolicy: false }, ["v1 Pod webserver", `v1 ConfigMap ${shipper}`]],
        ["the Service when one is asked for", { networkPolicy: false, service: {} }, ["v1 Pod webserver", "v1 Service webserver", `v1 ConfigMap ${shipper}`]],
        ["a Deployment in place of the Pod with 1 replica, and no budget", { networkPolicy: false, replicas: 1 }, ["apps/v1 Deployment webserver", `v1 ConfigMap ${shipperByContent}`]],
        ["the PodDisruptionBudget from 2 replicas", { networkPolicy: false, replicas: 2 },
            ["apps/v1 Deployment webserver", "policy/v1 PodDisruptionBudget webserver", `v1 ConfigMap ${shipperByContent}`]],
        ["the HorizontalPodAutoscaler with autoscaling, and the budget from its minReplicas", { networkPolicy: false, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
            ["apps/v1 Deployment webserver", "policy/v1 PodDisruptionBudget webserver", "autoscaling/v2 HorizontalPodAutoscaler webserver", `v1 ConfigMap ${shipperByContent}`]],
        ["no budget when the autoscaler may go down to 1 Pod, even from 3 replicas", { networkPolicy: false, replicas: 3, autoscaling: { maxReplicas: 4 } },
            ["apps/v1 Deployment webserver", "autoscaling/v2 HorizontalPodAutoscaler webserver", `v1 ConfigMap ${shipperByContent}`]],
        ["the podName given", { networkPolicy: false, podName: "site" }, ["v1 Pod site", `v1 ConfigMap ${configMapNamesFor("site", { site: undefined, serverConfig: undefined }).shipper}`]],
        ["nothing under autoName: every name gets a random suffix", { autoName: true, service: {} }, []],
    ];
    for (const [title, args, expected] of cases) {
        it(title, () => {
            expect(objects(args)).to.deep.equal(expected);
        });
    }

    it("every ConfigMap, named as the Pod mounts them, with the site and the server block", () => {
        const args = { networkPolicy: false, content: { "index.html": "<h1>hi</h1>" }, serverConfig: "server { listen 80; }" };
        const names = configMapNamesFor("webserver", resolveArgs(args, { name: "webserver" }));
        expect(objects(args)).to.deep.equal(["v1 Pod webserver", ...[names.shipper, names.site, names.serverConfig].map((name) => `v1 ConfigMap ${name}`)]);
    });

    it("has a PodDisruptionBudget exactly from MIN_REPLICAS_FOR_BUDGET replicas, as the component does", () => {
        const hasBudget = (replicas: number) => componentObjects(resolveArgs({ replicas }, { name: "web" })).some((object) => object.kind === "PodDisruptionBudget");
        expect([hasBudget(MIN_REPLICAS_FOR_BUDGET - 1), hasBudget(MIN_REPLICAS_FOR_BUDGET)]).to.deep.equal([false, true]);
    });
});

describe("whether an object found under one of the names is this stack's (ownershipProblem)", () => {
    it("is, when its owner annotation names this stack", () => {
        expect(ownershipProblem(CONFIG_MAP, "web", { annotations: { [OWNER_ANNOTATION]: OWNER } }, OWNER, INSTANCE)).to.equal(undefined);
    });

    it("is, with no owner annotation and the instance's labels: made by a version from before the annotation", () => {
        expect(ownershipProblem(CONFIG_MAP, "web", { labels: { ...INSTANCE, team: "web" }, annotations: { other: "x" } }, OWNER, INSTANCE)).to.equal(undefined);
    });

    it("is not, with neither: the message names kind, name, namespace, the owner found (none) and what to do", () => {
        const problem = ownershipProblem(CONFIG_MAP, "web", { labels: { app: "webserver" } }, OWNER, INSTANCE);
        expect(problem).to.equal('ConfigMap "webserver-shipper" in namespace "web" exists and is not this stack\'s '
            + '(its webserver-sidecar/owner annotation: none; this stack: "acme/webserver-sidecar/prod"). '
            + "Delete or rename it, or deploy to another namespace (in your own program, another podName). "
            + "Only if it is this stack's (a stack renamed since it was deployed) or you mean this stack to take it over and delete it on destroy: "
            + "`kubectl annotate --overwrite -n web configmap/webserver-shipper webserver-sidecar/owner=acme/webserver-sidecar/prod`");
    });

    it("is not, with another stack's owner annotation, even with the instance's labels: it names that stack", () => {
        const other = { annotations: { [OWNER_ANNOTATION]: "acme/webserver-sidecar/staging" }, labels: INSTANCE };
        expect(ownershipProblem({ apiVersion: "v1", kind: "Service", name: "webserver" }, "shop", other, OWNER, INSTANCE))
            .to.match(/^Service "webserver" in namespace "shop" exists and is not this stack's \(its webserver-sidecar\/owner annotation: "acme\/webserver-sidecar\/staging"; /);
    });

    it("is not, with only part of the instance's labels (another instance's, or the application's name alone)", () => {
        const pod: ComponentObject = { apiVersion: "v1", kind: "Pod", name: "webserver" };
        expect(ownershipProblem(pod, "web", { labels: { ...INSTANCE, "app.kubernetes.io/instance": "other" } }, OWNER, INSTANCE)).to.match(/^Pod "webserver"/);
        expect(ownershipProblem(pod, "web", { labels: { "app.kubernetes.io/name": "webserver-sidecar" } }, OWNER, INSTANCE)).to.match(/^Pod "webserver"/);
        expect(ownershipProblem(pod, "web", { labels: null, annotations: null }, OWNER, INSTANCE)).to.match(/annotation: none/);
    });
});

describe("the owner annotation on every object (mocks)", () => {
    beforeEach(clearRegistered);

    it("stamps every Kubernetes object of the component with the stack's owner annotation", async () => {
        const web = new WebServer("stamped", {
            service: { annotations: { "example.com/team": "web" } }, content: { "index.html": "hi" }, replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 3 },
        });
        await Promise.all([promiseOf(web.deployment!.urn), promiseOf(web.podDisruptionBudget!.urn), promiseOf(web.service!.urn), promiseOf(web.horizontalPodAutoscaler!.urn)]);
        const objects = registered.filter((r) => r.type.startsWith("kubernetes:"));
        expect(objects.map((r) => r.type).sort()).to.deep.equal([
            "kubernetes:apps/v1:Deployment", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Service",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:policy/v1:PodDisruptionBudget",
        ]);
        for (const object of objects) {
            // The mocks' project and stack, in the default organization (they name none).
            expect(object.inputs.metadata.annotations?.[OWNER_ANNOTATION], object.type).to.equal("organization/webserver-sidecar/test");
        }
        // Not on the Deployment's Pod template: the annotation would change it, and so roll every Pod, on upgrade.
        const [deployment] = objects.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        expect(deployment.inputs.spec.template.metadata.annotations).to.not.have.property(OWNER_ANNOTATION);
    });

    it("stamps the bare Pod too, beside its own annotations", async () => {
        const web = new WebServer("stamped-pod", { podAnnotations: { "prometheus.io/scrape": "true" } });
        await promiseOf(web.pod!.urn);
        const [pod] = registered.filter((r) => r.type === "kubernetes:core/v1:Pod");
        expect(pod.inputs.metadata.annotations).to.include({ [OWNER_ANNOTATION]: "organization/webserver-sidecar/test", "prometheus.io/scrape": "true" });
    });

    it("lets no user's annotation set it, the Pod's nor the Service's, before registering anything", () => {
        expect(() => new WebServer("forged-pod", { podAnnotations: { [OWNER_ANNOTATION]: OWNER } }))
            .to.throw(WebServerConfigError, 'podAnnotations.webserver-sidecar/owner: got "acme/webserver-sidecar/prod"; allowed: an annotation other than');
        expect(() => new WebServer("forged-service", { service: { annotations: { [OWNER_ANNOTATION]: OWNER } } }))
            .to.throw(WebServerConfigError, 'service.annotations.webserver-sidecar/owner: got "acme/webserver-sidecar/prod"; allowed: an annotation other than webserver-sidecar/owner, which the component sets (it names the stack that created the object)');
        expect(registered).to.have.length(0);
    });
});
