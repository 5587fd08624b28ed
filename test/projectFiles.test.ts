/**
 * The end-to-end tests run the program from a copy of the project (lab/pulumiHarness.ts's
 * PROJECT_FILES). A module the program imports that the copy leaves out fails every one of them
 * with "Cannot find module": this finds it without a cluster.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_FILES } from "../lab/pulumiHarness";

const REPO = path.join(__dirname, "..");

/** Every local module a TypeScript file imports, transitively, as paths relative to the repository. */
function localModulesOf(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) {
            return;
        }
        seen.add(file);
        for (const imported of ts.preProcessFile(fs.readFileSync(file, "utf8")).importedFiles) {
            if (!imported.fileName.startsWith(".")) {
                continue; // a package from node_modules
            }
            const base = path.resolve(path.dirname(file), imported.fileName);
            const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate));
            expect(resolved, `${path.relative(REPO, file)} imports ${imported.fileName}, which resolves to no .ts file`).to.not.equal(undefined);
            visit(resolved!);
        }
    };
    visit(path.join(REPO, entry));
    return new Set([...seen].map((file) => path.relative(REPO, file)));
}

describe("the project copy the end-to-end tests run (PROJECT_FILES)", () => {
    it("holds every module the program (index.ts) imports", () => {
        const modules = [...localModulesOf("index.ts")];
        expect(modules.length).to.be.greaterThan(10); // the scan follows imports: index.ts, program/, components/
        const copied = (module: string) => PROJECT_FILES.some((entry) => module === entry || module.startsWith(`${entry}/`));
        expect(modules.filter((module) => !copied(module))).to.deep.equal([]);
    });
});
