import { expect } from "chai";
import * as fs from "fs";
import { ARG_KEYS, RESOURCES_KEYS, SERVICE_KEYS } from "../components/args";
import { AUTOSCALING_KEYS } from "../components/autoscaling";
import { CONTENT_FROM_KEYS } from "../components/contentFrom";
import { HTTP_ROUTE_KEYS, INGRESS_KEYS, ROUTE_CONTROLLER_KEYS, ROUTE_PARENT_KEYS } from "../components/routes";
import { INTEGER_PROPERTIES } from "../plugin/schemaRefinements";
import { PACKAGE_NAME, PackageSchema, PropertySchema, SCHEMA_FILE, generatePluginSchema } from "../scripts/pluginSchema";

/** How to bring plugin/schema.json up to date, for the failure messages. */
const REGENERATE = "npx ts-node --transpile-only scripts/pluginSchema.ts";
const WEB_SERVER = `${PACKAGE_NAME}:index:WebServer`;
const typeToken = (name: string) => `${PACKAGE_NAME}:index:${name}`;

/**
 * The schema that other languages' programs and SDKs get (plugin/schema.json) against the
 * TypeScript arguments: an argument added to, renamed in or removed from `WebServerArgs` and not
 * the schema fails here, and so does a schema edited by hand.
 */
describe("the plugin's schema (plugin/schema.json)", function () {
    // The analyzer builds a TypeScript program of the component and the SDKs' declarations.
    this.timeout(60_000);
    const committed = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as PackageSchema;
    let generated: PackageSchema;

    before(async () => {
        generated = await generatePluginSchema();
    });

    it("is what the plugin serves for the current source, to the letter", () => {
        expect(committed, `plugin/schema.json is out of date: run ${REGENERATE}`).to.deep.equal(generated);
    });

    it("has one input per field of WebServerArgs, and no other", () => {
        const inputs = Object.keys(committed.resources[WEB_SERVER].inputProperties);
        expect(inputs.sort(), `WebServerArgs and plugin/schema.json differ: run ${REGENERATE}`).to.deep.equal([...ARG_KEYS].sort());
        expect(Object.keys(generated.resources[WEB_SERVER].inputProperties).sort()).to.deep.equal([...ARG_KEYS].sort());
    });

    it("has Service's, Resources', ContentFrom's and Autoscaling's fields, and no other", () => {
        const fields = (name: string) => Object.keys(committed.types[typeToken(name)].properties ?? {}).sort();
        expect(fields("Service")).to.deep.equal([...SERVICE_KEYS].sort());
        expect(fields("Resources")).to.deep.equal([...RESOURCES_KEYS].sort());
        expect(fields("ContentFrom")).to.deep.equal([...CONTENT_FROM_KEYS].sort());
        expect(fields("Autoscaling")).to.deep.equal([...AUTOSCALING_KEYS].sort());
        expect(fields("Ingress")).to.deep.equal([...INGRESS_KEYS].sort());
        expect(fields("HttpRoute")).to.deep.equal([...HTTP_ROUTE_KEYS].sort());
        expect(fields("RouteParent")).to.deep.equal([...ROUTE_PARENT_KEYS].sort());
        expect(fields("RouteController")).to.deep.equal([...ROUTE_CONTROLLER_KEYS].sort());
        expect(committed.types[typeToken("Autoscaling")].required).to.deep.equal(["maxReplicas"]);
    });

    it("describes every input, and marks as plain the ones that decide which resources exist", () => {
        const inputs = committed.resources[WEB_SERVER].inputProperties;
        expect(Object.entries(inputs).filter(([, property]) => !property.description).map(([name]) => name)).to.deep.equal([]);
        expect(Object.entries(inputs).filter(([, property]) => property.plain === true).map(([name]) => name).sort())
            .to.deep.equal(["autoName", "autoscaling", "httpRoute", "ingress", "networkPolicy", "podName", "replicas", "service"]);
    });

    it("says each input's default, and each of Service's, in its description (the analyzer keeps TSDoc's text, not its @default tags)", () => {
        const withoutDefault = (properties: Record<string, { description?: string }>) =>
            Object.entries(properties).filter(([, property]) => !/\nDefault: .+\.$/m.test(property.description ?? "")).map(([name]) => name);
        expect(withoutDefault(committed.resources[WEB_SERVER].inputProperties)).to.deep.equal([]);
        expect(withoutDefault(committed.types[typeToken("Service")].properties ?? {})).to.deep.equal([]);
    });

    it("types every number as an integer: ports, replicas, seconds and weights (no Float64 in Go, no float in Python)", () => {
        const numeric: string[] = [];
        const collect = (owner: string, properties: Record<string, PropertySchema> | undefined) => {
            for (const [name, property] of Object.entries(properties ?? {})) {
                if (property.type === "number" || property.type === "integer") {
                    numeric.push(`${owner}.${name}:${property.type}`);
                }
            }
        };
        collect(WEB_SERVER, committed.resources[WEB_SERVER].inputProperties);
        for (const [token, type] of Object.entries(committed.types)) {
            collect(token, type.properties);
        }
        expect(numeric.sort()).to.deep.equal(INTEGER_PROPERTIES.map(({ owner, property }) => `${owner}.${property}:integer`).sort());
    });

    it("types affinity and tolerations as the kubernetes package's Affinity and Toleration, at the version the outputs refer to, with no copies of them", () => {
        const inputs = committed.resources[WEB_SERVER].inputProperties;
        const kubernetesVersion = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { version: string }).version;
        expect(inputs.affinity.$ref).to.equal(`/kubernetes/v${kubernetesVersion}/schema.json#/types/kubernetes:core%2Fv1:Affinity`);
        expect((inputs.tolerations.items as PropertySchema).$ref).to.equal(`/kubernetes/v${kubernetesVersion}/schema.json#/types/kubernetes:core%2Fv1:Toleration`);
        expect(Object.keys(committed.types).map((token) => token.replace(typeToken(""), "")).sort())
            .to.deep.equal(["AccessLogFormat", "Autoscaling", "ContainerResources", "ContentFrom", "HttpRoute", "Ingress", "NetworkPeer", "Resources", "RouteController", "RouteParent", "Service", "ServiceType", "SidecarMode", "UidAssignment"]);
    });

    it("names no type ...Args, which other languages' SDKs would read as ...ArgsArgs", () => {
        expect(Object.keys(committed.types).filter((token) => token.endsWith("Args"))).to.deep.equal([]);
    });

    it("gives the enums' values", () => {
        const values = (name: string) => committed.types[typeToken(name)].enum?.map((member) => member.value);
        expect(values("SidecarMode")).to.deep.equal(["native", "classic"]);
        expect(values("ServiceType")).to.deep.equal(["ClusterIP", "NodePort", "LoadBalancer"]);
        expect(values("AccessLogFormat")).to.deep.equal(["combined", "json"]);
        expect(values("UidAssignment")).to.deep.equal(["pinned", "platform"]);
    });

    it("types the outputs as the kubernetes package's resources, at the version the project pins", () => {
        const outputs = committed.resources[WEB_SERVER].properties;
        expect(Object.keys(outputs).sort()).to.deep.equal([
            "deployment", "horizontalPodAutoscaler", "httpRouteName", "ingress", "networkPolicy", "networkPolicyName", "nginxConfigMap", "pod", "podDisruptionBudget", "podName", "selectorLabels",
            "serverConfigMap", "service", "serviceName", "shipperConfigMap", "siteConfigMap",
        ]);
        const kubernetesVersion = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { version: string }).version;
        expect(outputs.pod.$ref).to.equal(`/kubernetes/v${kubernetesVersion}/schema.json#/resources/kubernetes:core%2Fv1:Pod`);
        expect(outputs.deployment.$ref).to.equal(`/kubernetes/v${kubernetesVersion}/schema.json#/resources/kubernetes:apps%2Fv1:Deployment`);
        // The rest are undefined for some arguments (a Pod or a Deployment, a Service or none, ...).
        expect(committed.resources[WEB_SERVER].required).to.deep.equal(["selectorLabels", "shipperConfigMap"]);
    });
});

describe("the plugin's package.json", () => {
    it("pins the Pulumi SDKs, TypeScript and ts-node to the repository's exact versions", () => {
        const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
        const plugin = read(require.resolve("../plugin/package.json")).dependencies ?? {};
        const repository = read(require.resolve("../package.json")).devDependencies ?? {};
        expect(Object.keys(plugin).sort()).to.deep.equal(["@pulumi/kubernetes", "@pulumi/pulumi", "ts-node", "typescript"]);
        for (const [name, version] of Object.entries(plugin)) {
            expect(version, name).to.equal(repository[name]);
        }
    });
});
