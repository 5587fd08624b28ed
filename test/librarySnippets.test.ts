/**
 * docs/library.md's TypeScript, compiled as a user would (issue 31, item 9): every ```ts block is a
 * file of its own, importing `webserver-sidecar` (mapped to components/), type-checked with
 * `tsc --strict`. An example that no longer matches the arguments fails here, not in a user's editor.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const LIBRARY_DOC = path.join(ROOT, "docs", "library.md");

/** The ```ts blocks of a Markdown text, in order. */
export function typeScriptBlocks(markdown: string): string[] {
    return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

describe("docs/library.md's TypeScript examples", function () {
    // One tsc run over every block: a few seconds, most of it reading the SDKs' declarations.
    this.timeout(120_000);
    const blocks = typeScriptBlocks(fs.readFileSync(LIBRARY_DOC, "utf8"));
    let directory: string;

    before(() => {
        // Under node_modules, so that the blocks' imports of the SDKs resolve to this repository's.
        directory = fs.mkdtempSync(path.join(ROOT, "node_modules", ".library-snippets-"));
    });
    after(() => {
        fs.rmSync(directory, { recursive: true, force: true });
    });

    it("has the examples a user copies: two instances, a site from a directory, a server block, an Output image, the Pods of replicas", () => {
        const text = blocks.join("\n");
        expect(blocks.length).to.be.at.least(6);
        expect(text).to.match(/new WebServer\("site"[\s\S]*new WebServer\("api"/);
        expect(text).to.include("binaryContent").and.include("readFileSync");
        expect(text).to.include("serverConfig");
        expect(text).to.include("pulumi.interpolate`registry.example.com");
        expect(text).to.include("replicas: 3").and.include("listNamespacedPod");
    });

    it("every block compiles with tsc --strict against the package's source", () => {
        const files = blocks.map((block, index) => {
            const file = path.join(directory, `example${index + 1}.ts`);
            // `export {}` makes a block without imports a module too: blocks never share names.
            fs.writeFileSync(file, `${block}\nexport {};\n`);
            return file;
        });
        fs.writeFileSync(path.join(directory, "tsconfig.json"), JSON.stringify({
            compilerOptions: {
                strict: true, noEmit: true, target: "es2022", module: "commonjs", moduleResolution: "node", lib: ["es2022"],
                types: ["node"], esModuleInterop: true, skipLibCheck: true, baseUrl: ".",
                paths: { "webserver-sidecar": [path.relative(directory, path.join(ROOT, "components", "index.ts"))] },
            },
            files: files.map((file) => path.basename(file)),
        }));
        const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", directory], { encoding: "utf8" });
        // Name the block, not the scratch file, in a failure.
        const output = `${tsc.stdout}${tsc.stderr}`.replace(/example(\d+)\.ts/g, "docs/library.md ts block $1");
        expect(output.trim(), "tsc's errors").to.equal("");
        expect(tsc.status).to.equal(0);
    });
});
