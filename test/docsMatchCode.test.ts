import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RESERVED_ANNOTATIONS } from "../components/podSettings";
import { KubeconfigEnvironment } from "../program/kubeconfig";
import { CONFIG_KEYS, CONFIG_NAMESPACE, readStackConfig } from "../program/stackConfig";
import { SCHEMA_FILE } from "../scripts/pluginSchema";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const CONFIGURATION_DOC = "docs/configuration.md";

/** Every Markdown file a user reads: the README, docs/ and the examples' and folders' READMEs. */
function userDocs(): string[] {
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((file) => file.endsWith(".md")).map((file) => `docs/${file}`);
    const readmes = ["program", "components", "examples/yaml", "examples/python", "examples/go"]
        .map((folder) => `${folder}/README.md`).filter((file) => fs.existsSync(path.join(ROOT, file)));
    return ["README.md", ...docs, ...readmes];
}

/** The keys in the first column of a Markdown table whose header's first cell is `key` (a cell may name several: `` `a`, `b` ``). */
function tableKeys(markdown: string): string[] {
    const lines = markdown.split("\n");
    const header = lines.findIndex((line) => /^\| key \|/.test(line));
    expect(header, "a table whose first column is `key`").to.be.greaterThan(-1);
    const rows: string[] = [];
    for (const line of lines.slice(header + 2)) {
        if (!line.startsWith("|")) {
            break;
        }
        const firstCell = line.split("|")[1];
        rows.push(...[...firstCell.matchAll(/`([^`]+)`/g)].map((match) => match[1]));
    }
    return rows;
}

/** The fenced block that starts with the program's error heading. */
function sampleError(markdown: string): string {
    const match = /```text\n(invalid webserver-sidecar configuration[^`]*?)\n```/.exec(markdown);
    expect(match, "a ```text block with the program's error").to.not.equal(null);
    return match![1];
}

/** A machine whose ~/.kube/config (in /home/me) has the contexts kind-dev and staging: the sample error's. */
const SAMPLE_MACHINE: KubeconfigEnvironment = {
    kubeconfigEnv: undefined,
    homeDirectory: "/home/me",
    readFile: (file) => file !== "/home/me/.kube/config" ? undefined : [
        "apiVersion: v1", "kind: Config", "current-context: kind-dev",
        "clusters: [{name: dev, cluster: {server: 'https://127.0.0.1:6443'}}]",
        "users: [{name: dev, user: {}}]",
        "contexts: [{name: kind-dev, context: {cluster: dev, user: dev}}, {name: staging, context: {cluster: dev, user: dev}}]", "",
    ].join("\n"),
};

/**
 * The documentation against the code it describes (issue 31, item 8), as test/pluginSchema.test.ts
 * holds the schema to the arguments: a stack key added, renamed or removed, a message reworded or
 * an annotation reserved without the docs following fails here.
 */
describe("the docs say what the code does", () => {
    it(`${CONFIGURATION_DOC}'s table lists every stack key the program reads, once, and no other`, () => {
        const keys = tableKeys(read(CONFIGURATION_DOC));
        expect([...keys].sort()).to.deep.equal(Object.keys(CONFIG_KEYS).sort());
    });

    it("keeps the README to 200 lines: the details live in docs/", () => {
        expect(read("README.md").trimEnd().split("\n").length).to.be.at.most(200);
    });

    it("the README's short table lists only stack keys, and links to the full one", () => {
        const readme = read("README.md");
        expect(tableKeys(readme.slice(readme.indexOf("## Configuration")))).to.satisfy((keys: string[]) => keys.every((key) => key in CONFIG_KEYS));
        expect(readme).to.include(`(${CONFIGURATION_DOC})`);
    });

    it(`${CONFIGURATION_DOC}'s sample error is what the program prints for it, every known key listed`, () => {
        let printed = "";
        try {
            readStackConfig({ [`${CONFIG_NAMESPACE}:namspace`]: "web", [`${CONFIG_NAMESPACE}:context`]: "prod" }, SAMPLE_MACHINE);
        } catch (e) {
            printed = (e as Error).message;
        }
        expect(sampleError(read(CONFIGURATION_DOC))).to.equal(printed);
    });

    it("cites as `webserver-sidecar:<key>` only keys the program reads", () => {
        const cited: string[] = [];
        for (const file of userDocs()) {
            // The sample error misspells a key on purpose, and the type token's `index` is no key.
            const text = read(file).replace(/```text\ninvalid webserver-sidecar configuration[^`]*```/g, "");
            for (const match of text.matchAll(new RegExp(`${CONFIG_NAMESPACE}:([A-Za-z]+)(?![A-Za-z:])`, "g"))) {
                if (!(match[1] in CONFIG_KEYS)) {
                    cited.push(`${file}: ${match[0]}`);
                }
            }
        }
        expect(cited).to.deep.equal([]);
    });

    it("names every annotation the component reserves in podAnnotations' docs (the schema, so every language's SDK) and the configuration table", () => {
        const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as { resources: Record<string, { inputProperties: Record<string, { description?: string }> }> };
        const description = schema.resources[`${CONFIG_NAMESPACE}:index:WebServer`].inputProperties.podAnnotations.description ?? "";
        const row = read(CONFIGURATION_DOC).split("\n").find((line) => line.startsWith("| `podLabels`, `podAnnotations`")) ?? "";
        for (const annotation of RESERVED_ANNOTATIONS) {
            expect(description, `podAnnotations' TSDoc (components/args.ts) names ${annotation}`).to.include(annotation);
            expect(row, `${CONFIGURATION_DOC}'s podAnnotations row names ${annotation}`).to.include(annotation);
        }
    });
});
