import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkMarkdownLinks, findLinks, githubSlug, headingAnchors } from "../scripts/lint/markdownLinks";

const SCRIPT = path.join(__dirname, "..", "scripts", "lint", "markdownLinks.ts");

/** Writes `files` (relative path → contents) into a fresh temp directory and returns it. */
function scratchTree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "markdown-links-"));
    for (const [file, contents] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), contents);
    }
    return root;
}

/** The checker's command line, run in `cwd`. */
function runChecker(cwd: string): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), SCRIPT], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("markdownLinks (scripts/lint/markdownLinks.ts)", () => {
    const roots: string[] = [];
    const tree = (files: Record<string, string>) => {
        const root = scratchTree(files);
        roots.push(root);
        return root;
    };
    after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

    describe("githubSlug gives GitHub's heading anchors", () => {
        const cases: Array<[string, string]> = [
            ["Run the tests", "run-the-tests"],
            ["When the cluster does not answer, an `up` is interrupted, or two run at once", "when-the-cluster-does-not-answer-an-up-is-interrupted-or-two-run-at-once"],
            ["Stacks, backends and the passphrase", "stacks-backends-and-the-passphrase"],
            ["The Pod's security model", "the-pods-security-model"],
            ["`components/` and `program/`", "components-and-program"],
            ["**Bold** and _emphasis_ and snake_case", "bold-and-emphasis-and-snake_case"],
            ["A [linked](other.md) heading", "a-linked-heading"],
        ];
        for (const [heading, slug] of cases) {
            it(`"${heading}" → #${slug}`, () => {
                expect(githubSlug(heading)).to.equal(slug);
            });
        }
    });

    it("numbers repeated headings -1, -2 and ignores # lines inside code fences", () => {
        const anchors = headingAnchors("# Notes\n\n## Notes\n\n```bash\n# not a heading\n```\n\n## Notes\n");
        expect([...anchors].sort()).to.deep.equal(["notes", "notes-1", "notes-2"]);
    });

    it("finds inline links, images and reference definitions with their lines, but none in code", () => {
        const links = findLinks("see [a](a.md) and ![b](b.png \"title\")\n\n`[c](c.md)`\n\n```\n[d](d.md)\n```\n[e]: e.md#x\n[f](<f g.md>)\n");
        expect(links).to.deep.equal([
            { line: 1, target: "a.md" },
            { line: 1, target: "b.png" },
            { line: 8, target: "e.md#x" },
            { line: 9, target: "f g.md" },
        ]);
    });

    it("reports nothing when every relative link resolves (files, folders, anchors, line anchors, external links)", () => {
        const root = tree({
            "README.md": "# Top\n\n[doc](docs/guide.md#a-section), [folder](docs/), [self](#top), [line](src/x.ts#L3), [web](https://example.com/missing)\n",
            "docs/guide.md": "# Guide\n\n## A section\n\n[back](../README.md#top) and [root-relative](/src/x.ts)\n",
            "src/x.ts": "export {};\n",
        });
        expect(checkMarkdownLinks(root, ["README.md", "docs/guide.md"])).to.deep.equal([]);
    });

    it("reports a missing file, a missing anchor in another file and in the same file, each with file and line", () => {
        const root = tree({
            "README.md": "# Top\n\n[fine](docs/guide.md)\n[gone](docs/missing.md)\n[no such section](docs/guide.md#nope)\n\n[self](#bottom)\n",
            "docs/guide.md": "# Guide\n",
        });
        const broken = checkMarkdownLinks(root, ["README.md"]);
        expect(broken.map((link) => `${link.file}:${link.line} ${link.target}`)).to.deep.equal([
            "README.md:4 docs/missing.md",
            "README.md:5 docs/guide.md#nope",
            "README.md:7 #bottom",
        ]);
        expect(broken[0].reason).to.contain("no such file or folder: docs/missing.md");
        expect(broken[1].reason).to.contain("no heading with the anchor #nope in docs/guide.md");
    });

    it("as a command, exits 1 listing file:line of a broken link in a git work tree, and 0 once it is fixed", function () {
        this.timeout(30_000);
        const root = tree({ "README.md": "# Top\n\n[good](docs/a.md)\n[bad](docs/b.md)\n", "docs/a.md": "# A\n" });
        expect(spawnSync("git", ["init", "-q"], { cwd: root }).status).to.equal(0);

        const failing = runChecker(root);
        expect(failing.status, failing.output).to.equal(1);
        expect(failing.output).to.contain("README.md:4: broken link (docs/b.md)");
        expect(failing.output).not.to.contain("README.md:3");

        fs.writeFileSync(path.join(root, "docs", "b.md"), "# B\n");
        const passing = runChecker(root);
        expect(passing.status, passing.output).to.equal(0);
    });
});
