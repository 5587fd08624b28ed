/**
 * An unknown or a secret argument stays in the fields that depend on it (issue 27, item 6;
 * components/scopedArgs.ts): per argument, under mocks, which fields of which child the engine
 * receives unknown (in a preview) or secret; and that every argument held in an Output builds
 * exactly what its plain value builds, so that no part reads an argument outside its scope.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { clearRegistered, installMocks, registered, unhandledRejectionsOf } from "./helpers/mocks";

import { WebServer, WebServerArgs, WebServerConfigError } from "../components";

installMocks();

/** How mocks receive an unknown value. */
const UNKNOWN_KEY = "__pulumiUnknown";
/** The key that marks a secret value's envelope as the engine receives it. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** Every path (`spec.containers.0.image`) in `value` that holds what `matches` picks, without descending into it. */
function pathsWhere(value: unknown, matches: (v: unknown) => boolean, path = ""): string[] {
    if (matches(value)) {
        return [path];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, inner]) => pathsWhere(inner, matches, path === "" ? key : `${path}.${key}`));
    }
    return [];
}
const isUnknown = (v: unknown) => typeof v === "object" && v !== null && UNKNOWN_KEY in v;
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_SIGNATURE in v;

/** `child:path` for every such path of every child registered, e.g. `pod:spec.containers.0.image`. */
function markedPaths(matches: (v: unknown) => boolean, component: string): string[] {
    return registered.filter((r) => r.name !== component)
        .flatMap((r) => pathsWhere(r.inputs, matches).map((path) => `${r.name.slice(component.length + 1)}:${path}`));
}

/** Waits until the children have registered (their inputs resolve asynchronously). */
async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

const SITE = { content: { "index.html": "<h1>hi</h1>" } };

/**
 * Per argument: a valid value other than the default, the arguments it is given beside, and the
 * fields it may reach (as `child:path` prefixes). Selectors, labels and names are never among them.
 */
const SCOPES: { arg: keyof WebServerArgs; value: unknown; beside?: WebServerArgs; reaches: string[] }[] = [
    // Also the image of the check of its layout (nginxLayout.ts), which only a given image has.
    { arg: "nginxImage", value: "nginx:1.27.3", reaches: ["pod:spec.containers.0.image", "pod:spec.initContainers.1.image"] },
    { arg: "sidecarImage", value: "python:3.12.8-slim", reaches: ["pod:spec.initContainers.0.image"] },
    { arg: "namespace", value: "web", reaches: ["pod:metadata.namespace", "network-policy:metadata.namespace", "shipper:metadata.namespace", "content:metadata.namespace"] },
    { arg: "podLabels", value: { team: "web" }, reaches: ["pod:metadata.labels"] },
    { arg: "podAnnotations", value: { "team.example/token": "t0ken" }, reaches: ["pod:metadata.annotations"] },
    { arg: "allowFrom", value: [{ podSelector: { role: "client" } }], reaches: ["network-policy:spec"] },
    { arg: "logSizeLimit", value: "64Mi", reaches: ["pod:spec"] },
    { arg: "tolerations", value: [{ key: "dedicated", operator: "Exists" }], reaches: ["pod:spec"] },
    { arg: "uidAssignment", value: "platform", reaches: ["pod:spec"] },
    { arg: "contentFrom", value: { configMap: "team-site" }, reaches: ["pod:spec", "pod:metadata.annotations"] },
    { arg: "readyTimeoutSeconds", value: 45, reaches: ["pod:metadata.annotations"] },
    { arg: "content", value: SITE.content, reaches: ["pod:spec", "pod:metadata.annotations", "content:data", "content:binaryData"] },
    { arg: "serverConfig", value: "server {\n    listen 80;\n    location / { return 200 'ok'; }\n}\n", reaches: ["pod:spec", "pod:metadata.annotations", "server-config:data", "server-config:binaryData"] },
];

/** The same, for a Deployment (`replicas: 2`): the selector, the replicas and the names stay known. */
const DEPLOYMENT_SCOPES: typeof SCOPES = [
    { arg: "nginxImage", value: "nginx:1.27.3", reaches: ["deployment:spec.template.spec.containers.0.image", "deployment:spec.template.spec.initContainers.1.image"] },
    { arg: "podAnnotations", value: { "team.example/token": "t0ken" }, reaches: ["deployment:spec.template.metadata.annotations"] },
    { arg: "podLabels", value: { team: "web" }, reaches: ["deployment:spec.template.metadata.labels"] },
    {
        arg: "content", value: SITE.content,
        reaches: ["deployment:spec.template.spec", "deployment:spec.template.metadata.annotations", "content:data", "content:binaryData", "content:metadata.name"],
    },
];

/** Whether `path` lies within one of `prefixes`. */
function within(path: string, prefixes: readonly string[]): boolean {
    return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}.`));
}

/** An Output that is unknown in a preview, as an image built in the same program is. */
function unknownInPreview(value: unknown): pulumi.Output<never> {
    return pulumi.output(value as string).apply((v) => (pulumi.runtime.isDryRun() ? (pulumi.unknown as unknown as string) : v)) as pulumi.Output<never>;
}

describe("an unknown or secret argument stays where it is used (issue 27, item 6)", () => {
    beforeEach(clearRegistered);

    describe("in a preview, an unknown argument makes only the fields that read it unknown", () => {
        before(() => pulumi.runtime.setMocks({
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        }, "webserver-sidecar", "test", /* preview */ true));
        after(installMocks);

        for (const [kind, scopes, beside] of [["the Pod", SCOPES, {}], ["the Deployment", DEPLOYMENT_SCOPES, { replicas: 2 }]] as const) {
            for (const { arg, value, reaches } of scopes) {
                it(`${kind}: ${arg} reaches ${reaches.join(", ")} and nothing else`, async () => {
                    const component = `unknown-${arg.toLowerCase()}${"replicas" in beside ? "-d" : ""}`;
                    new WebServer(component, { ...beside, ...(["serverConfig", "content", "contentFrom"].includes(arg) ? {} : SITE), [arg]: unknownInPreview(value) });
                    await settle();
                    const unknown = markedPaths(isUnknown, component);
                    expect(unknown, "the argument reaches no field").to.not.deep.equal([]);
                    expect(unknown.filter((path) => !within(path, reaches)), `unknown outside ${reaches.join(", ")}`).to.deep.equal([]);
                });
            }
        }

        it("keeps the Deployment's selector, replicas and strategy, and the PodDisruptionBudget, known with every argument unknown", async () => {
            const component = "all-unknown";
            new WebServer(component, { replicas: 2, nginxImage: unknownInPreview("nginx:1.27.3"), podLabels: unknownInPreview({ team: "web" }), content: unknownInPreview(SITE.content) });
            await settle();
            const deployment = registered.find((r) => r.name === `${component}-deployment`)!;
            expect(deployment.inputs.spec.selector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": component } });
            expect(deployment.inputs.spec.replicas).to.equal(2);
            expect(deployment.inputs.metadata.name).to.equal(component);
            expect(markedPaths(isUnknown, component).filter((path) => path.startsWith("pdb:"))).to.deep.equal([]);
        });
    });

    describe("a secret argument makes only the properties that read it secret", () => {
        // Mocks see secrets per property of a resource (metadata, spec, data): the SDK's
        // deserializer marks an object secret when anything in it is.
        const cases: { arg: keyof WebServerArgs; value: unknown; reaches: string[] }[] = [
            { arg: "podAnnotations", value: { "team.example/token": "t0ken" }, reaches: ["pod:metadata"] },
            { arg: "podLabels", value: { team: "web" }, reaches: ["pod:metadata"] },
            { arg: "content", value: SITE.content, reaches: ["pod:spec", "pod:metadata", "content:data", "content:binaryData"] },
            { arg: "binaryContent", value: { "favicon.ico": "AAAA" }, reaches: ["pod:spec", "pod:metadata", "content:data", "content:binaryData"] },
            { arg: "serverConfig", value: "server {\n    listen 80;\n}\n", reaches: ["pod:spec", "pod:metadata", "server-config:data", "server-config:binaryData"] },
            { arg: "allowFrom", value: [{ podSelector: { role: "client" } }], reaches: ["network-policy:spec"] },
            { arg: "service", value: { port: 8080, annotations: { "team.example/secret": "s" } }, reaches: ["service:spec", "service:metadata"] },
        ];
        for (const { arg, value, reaches } of cases) {
            it(`${arg}: secret in ${reaches.join(", ")} only`, async () => {
                const component = `secret-${arg.toLowerCase()}`;
                const secretValue = arg === "service"
                    ? { port: pulumi.secret(8080), annotations: pulumi.secret((value as { annotations: Record<string, string> }).annotations) }
                    : pulumi.secret(value);
                new WebServer(component, { ...(["serverConfig", "content"].includes(arg) ? {} : SITE), [arg]: secretValue });
                await settle();
                const secret = markedPaths(isSecret, component);
                expect(secret, "nothing secret").to.not.deep.equal([]);
                expect(secret.filter((path) => !within(path, reaches)), `secret outside ${reaches.join(", ")}`).to.deep.equal([]);
            });
        }

        it("names a secret argument's problem without its value", async () => {
            const failures = await unhandledRejectionsOf(() => new WebServer("secret-bad", { podAnnotations: pulumi.secret({ "pulumi.com/waitFor": "t0ken-value" }) }));
            const message = String((failures[0] as Error).message);
            expect(failures[0]).to.be.instanceOf(WebServerConfigError);
            expect(message).to.include('podAnnotations: got "[secret]"; allowed: an annotation other than');
            // Neither the value nor the annotation's key: both are the secret's.
            expect(message).to.not.include("t0ken-value");
            expect(message).to.not.include("podAnnotations.pulumi.com/waitFor");
        });
    });

    describe("every argument held in an Output builds what its plain value builds", () => {
        const ALL: WebServerArgs = {
            nginxImage: "nginx:1.27.3", sidecarImage: "python:3.12.8-slim", namespace: "web", podLabels: { team: "web" },
            podAnnotations: { "team.example/a": "b" }, logSizeLimit: "64Mi", sidecarMode: "classic", terminationGracePeriodSeconds: 20,
            readyTimeoutSeconds: 45, allowFrom: [{ podSelector: { role: "client" } }], resources: { nginx: { limits: { memory: "256Mi" } } },
            nodeSelector: { disk: "ssd" }, tolerations: [{ key: "dedicated", operator: "Exists" }], imagePullSecrets: ["regcred"], hostUsers: false, readinessPath: "/healthz", accessLogFormat: "json", uidAssignment: "platform",
            content: SITE.content, binaryContent: { "favicon.ico": "AAAA" }, serverConfig: "server {\n    listen 80;\n    location / { root /usr/share/nginx/html; }\n}\n",
        };
        // readyTimeoutSeconds stays plain: held in an Output it is meant to move into an annotation (webServer.test.ts).
        const OUTPUT_ARGS = Object.fromEntries(Object.entries(ALL)
            .map(([key, value]) => [key, key === "readyTimeoutSeconds" ? value : pulumi.output(value)])) as WebServerArgs;

        for (const beside of [{}, { replicas: 3, service: { port: 8080 } }] as WebServerArgs[]) {
            it(`the same objects${beside.replicas !== undefined ? " with replicas and a Service" : ""}`, async () => {
                new WebServer("plain-all", { ...ALL, ...beside });
                await settle();
                // A ConfigMap named by content known now is a resource of its own per revision
                // (`X-content-<digest>`); held in an Output, one resource (`X-content`): the
                // objects must be the same, not the resources' names.
                const resourceName = (name: string, component: string) => name.replace(component, "X").replace(/-[0-9a-f]{10}$/, "");
                const plain = registered.map((r) => ({ type: r.type, name: resourceName(r.name, "plain-all"), inputs: JSON.stringify(r.inputs).replace(/plain-all/g, "X") }));
                clearRegistered();
                new WebServer("output-all", { ...OUTPUT_ARGS, ...beside });
                await settle();
                const outputs = registered.map((r) => ({ type: r.type, name: resourceName(r.name, "output-all"), inputs: JSON.stringify(r.inputs).replace(/output-all/g, "X") }));
                const byName = (list: typeof plain) => [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
                for (const [i, object] of byName(outputs).entries()) {
                    expect(object, object.name).to.deep.equal(byName(plain)[i]);
                }
            });
        }
    });
});
