import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { KubeconfigEnvironment } from "../program/kubeconfig";
import { CONFIG_KEYS, readStackConfig } from "../program/stackConfig";
import {
    EXCLUDED_KEYS, MATRIX_REPLICAS, MatrixEnvironment, StackKind, digestOnlyReference, matrixKeys, matrixRows, revertedSteps,
} from "./helpers/changeMatrix";

const fixtureText = fs.readFileSync(path.join(__dirname, "fixtures", "two-contexts.kubeconfig"), "utf8");

/** A machine with two copies of the two-context kubeconfig fixture (current-context alpha). */
const machine: KubeconfigEnvironment = {
    kubeconfigEnv: undefined, homeDirectory: "/home/dev",
    readFile: (file) => ({ "/clusters/a.yaml": fixtureText, "/clusters/b.yaml": fixtureText } as Record<string, string>)[file],
};

const DIGEST = `sha256:${"ab".repeat(32)}`;
const ENV: MatrixEnvironment = {
    kubeconfig: "/clusters/a.yaml", otherKubeconfig: "/clusters/b.yaml", secondContext: "beta", namespace: "matrix", otherNamespace: "matrix-moved",
    nginxImage: `registry.local:5000/nginx-bookworm:1.22@${DIGEST}`, sidecarImage: `python3-bookworm:3.11@${DIGEST}`,
};

/** The config each kind of stack is deployed with, as the end-to-end test deploys it. */
function baseConfig(kind: StackKind): Record<string, string> {
    return {
        kubeconfig: ENV.kubeconfig, namespace: ENV.namespace, nginxImage: ENV.nginxImage, sidecarImage: ENV.sidecarImage,
        ...(kind === "replicas" ? { replicas: String(MATRIX_REPLICAS) } : {}),
    };
}

function read(config: Record<string, string>) {
    return readStackConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`webserver-sidecar:${key}`, value])), machine);
}

describe("the change matrix's table", () => {
    it("has a row, or a reason to leave it out, for every key the stack config accepts, and nothing else", () => {
        const keys = matrixKeys();
        const excluded = Object.keys(EXCLUDED_KEYS);
        expect([...keys, ...excluded].sort()).to.deep.equal(Object.keys(CONFIG_KEYS).sort());
        expect(new Set(keys).size, "one row per key").to.equal(keys.length);
    });

    it("lists the same keys before the environment is known as with it", () => {
        expect(matrixRows(ENV).map((row) => row.key)).to.deep.equal(matrixKeys());
    });

    for (const kind of ["bare", "replicas"] as const) {
        it(`gives each row of the ${kind} stack a value the program accepts, which changes what it deploys`, () => {
            const base = read(baseConfig(kind));
            for (const row of matrixRows(ENV)) {
                const expectation = row[kind];
                const changed = read({ ...baseConfig(kind), [row.key]: expectation.value });
                expect(changed, `${row.key} = ${expectation.value}`).to.not.deep.equal(base);
                expect(expectation.changed, `${row.key}: what the cluster shows once changed`).to.not.equal("");
            }
        });
    }

    it("changes the kubeconfig and the context to ones of the same cluster, and the namespace to the other one", () => {
        const rows = new Map(matrixRows(ENV).map((row) => [row.key, row.bare.value]));
        expect(read({ ...baseConfig("bare"), kubeconfig: rows.get("kubeconfig")! }).cluster.kubeconfig).to.deep.equal({ kind: "file", path: "/clusters/b.yaml" });
        expect(read({ ...baseConfig("bare"), context: rows.get("context")! }).cluster.context).to.equal("beta");
        expect(read({ ...baseConfig("bare"), namespace: rows.get("namespace")! }).cluster.namespace).to.equal("matrix-moved");
    });

    it("scales the replicas stack down and gives the bare stack replicas", () => {
        const row = matrixRows(ENV).find((r) => r.key === "replicas")!;
        expect([row.bare.value, row.replicas.value]).to.deep.equal([String(MATRIX_REPLICAS), "1"]);
    });
});

describe("digestOnlyReference", () => {
    const cases: [string, string][] = [
        [`nginx:1.30.5@${DIGEST}`, `nginx@${DIGEST}`],
        [`registry.local:5000/team/nginx:1.30@${DIGEST}`, `registry.local:5000/team/nginx@${DIGEST}`],
        [`registry.local:5000/nginx@${DIGEST}`, `registry.local:5000/nginx@${DIGEST}`],
    ];
    for (const [image, expected] of cases) {
        it(`pins ${image} by its digest alone`, () => expect(digestOnlyReference(image)).to.equal(expected));
    }

    it("refuses an image with no digest, naming it", () => {
        expect(() => digestOnlyReference("nginx:1.30.5")).to.throw('"nginx:1.30.5" has no digest');
    });
});

describe("revertedSteps", () => {
    it("deletes what the change created and creates what it deleted; updates and replacements stay", () => {
        expect(revertedSteps([
            { type: "a", ops: ["create"] }, { type: "b", ops: ["delete"] }, { type: "c", ops: ["update", "replace"] },
        ])).to.deep.equal([
            { type: "a", ops: ["delete"] }, { type: "b", ops: ["create"] }, { type: "c", ops: ["update", "replace"] },
        ]);
    });
});
