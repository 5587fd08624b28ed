import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Analyzer, PropertyDefinition } from "@pulumi/pulumi/provider/experimental/analyzer";

/**
 * The arguments' shapes, as Pulumi's component analyzer (what other languages' SDKs are generated
 * through) reads them: it refuses string-literal unions, readonly arrays and intersections, so a
 * field in such a shape fails here first. The schema itself, and its test against the arguments,
 * are the multi-language work's.
 */
describe("Pulumi's component analyzer on WebServerArgs", function () {
    // It builds a TypeScript program of the component and the SDKs' declarations: a few seconds.
    this.timeout(60_000);
    let inputs: Record<string, PropertyDefinition>;
    let types: Record<string, { enum?: { value: string | number }[] }>;

    before(() => {
        // The analyzer reads a directory with a tsconfig.json and a package.json, as a plugin has.
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "analyzer-"));
        try {
            fs.writeFileSync(path.join(directory, "tsconfig.json"), JSON.stringify({
                compilerOptions: { strict: true, target: "es2022", module: "commonjs", moduleResolution: "node", skipLibCheck: true },
                files: ["index.ts"],
            }));
            fs.writeFileSync(path.join(directory, "package.json"), JSON.stringify({ name: "webserver-sidecar", version: "0.1.0" }));
            fs.writeFileSync(path.join(directory, "index.ts"), `export * from ${JSON.stringify(path.join(__dirname, "..", "components", "index"))};\n`);
            const result = new Analyzer(directory, "webserver-sidecar", { name: "webserver-sidecar" }, new Set(["WebServer"])).analyze();
            inputs = result.components.WebServer.inputs;
            types = result.typeDefinitions;
        } finally {
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("accepts every argument", () => {
        expect(Object.keys(inputs)).to.include.members(["podName", "nginxImage", "service", "allowFrom", "resources", "tolerations", "affinity", "hostUsers"]);
    });

    it("reads SidecarMode, ServiceType and the tolerations' operator and effect as enums", () => {
        const values = (name: string) => types[name]?.enum?.map((member) => member.value);
        expect(values("SidecarMode")).to.deep.equal(["native", "classic"]);
        expect(values("ServiceType")).to.deep.equal(["ClusterIP", "NodePort", "LoadBalancer"]);
        expect(values("TolerationOperator")).to.deep.equal(["Equal", "Exists"]);
        expect(values("TolerationEffect")).to.deep.equal(["NoSchedule", "PreferNoSchedule", "NoExecute"]);
    });

    it("marks as plain exactly the arguments that decide which resources exist and their names", () => {
        const plain = Object.entries(inputs).filter(([, property]) => property.plain === true).map(([name]) => name).sort();
        expect(plain).to.deep.equal(["autoName", "autoscaling", "httpRoute", "ingress", "networkPolicy", "podName", "replicas", "service"]);
    });
});
