import { expect } from "chai";
import { resolveArgs } from "../components/args";
import { ConfigProblem, ProblemList } from "../components/errors";
import { probedSitePaths } from "../components/readinessPath";
import { MAX_CONFIG_MAP_BYTES, SiteFile, isContentPath, resolveSiteContent } from "../components/siteContent";

function resolve(content: unknown, binaryContent?: unknown, hasServerConfig = false): { files: SiteFile[] | undefined; problems: readonly ConfigProblem[] } {
    const problems = new ProblemList();
    const files = resolveSiteContent(content, binaryContent, hasServerConfig, (name) => name, problems);
    return { files, problems: problems.all };
}

describe("content and binaryContent: the team's site (issue 18, item 4)", () => {
    it("is nothing when neither is given: the image's own pages", () => {
        expect(resolve(undefined)).to.deep.equal({ files: undefined, problems: [] });
    });

    it("keeps text and binary files sorted by path, each under a ConfigMap key with '/' as '_'", () => {
        const { files, problems } = resolve({ "index.html": "<h1>hi</h1>", "css/site.css": "body {}" }, { "img/a.png": Buffer.from([0, 255]).toString("base64") });
        expect(problems).to.deep.equal([]);
        expect(files!.map((f) => [f.path, f.key, f.bytes, f.text !== undefined])).to.deep.equal([
            ["css/site.css", "css_site.css", 7, true], ["img/a.png", "img_a.png", 2, false], ["index.html", "index.html", 11, true],
        ]);
    });

    it("accepts only relative paths that stay under the document root", () => {
        for (const path of ["index.html", "a/b/c.txt", ".well-known/security.txt", "x_y-z.1"]) {
            expect(isContentPath(path), path).to.equal(true);
        }
        for (const path of ["/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "", "a b.html", "a/", "x".repeat(254)]) {
            expect(isContentPath(path), path).to.equal(false);
        }
        const { problems } = resolve({ "index.html": "", "../escape.html": "x" });
        expect(problems.map((p) => p.key)).to.deep.equal(["content[\"../escape.html\"]"]);
    });

    it("refuses a value that is not text, binary that is not base64, and a map that is not an object", () => {
        expect(resolve({ "index.html": 1 }).problems[0].allowed).to.equal("the file's text, a string");
        expect(resolve({ "index.html": "" }, { "a.png": "not base64!" }).problems[0].key).to.equal("binaryContent[\"a.png\"]");
        expect(resolve(["index.html"]).problems[0].key).to.equal("content");
    });

    it("refuses one path twice, and two paths that share a ConfigMap key", () => {
        expect(resolve({ "index.html": "" }, { "index.html": "AA==" }).problems[0].allowed).to.include("only one of content and binaryContent");
        const [clash] = resolve({ "index.html": "", "a/b.html": "", "a_b.html": "" }).problems;
        expect(clash.value).to.deep.equal(["a/b.html", "a_b.html"]);
    });

    it("refuses an empty site, and a site past a ConfigMap's 1 MiB, keys included", () => {
        expect(resolve({}).problems[0].allowed).to.include("at least one file");
        const big = "x".repeat(MAX_CONFIG_MAP_BYTES - "index.html".length);
        expect(resolve({ "index.html": big }).problems).to.deep.equal([]);
        const [tooBig] = resolve({ "index.html": `${big}y` }).problems;
        expect(tooBig.key).to.equal("content + binaryContent");
        expect(tooBig.value).to.equal(`(1 files, ${MAX_CONFIG_MAP_BYTES + 1} bytes with their keys)`);
    });

    it("asks for an index.html, which the readiness probe's / needs, unless a serverConfig answers /", () => {
        const [problem] = resolve({ "about.html": "" }).problems;
        expect(problem.key).to.equal("content");
        expect(problem.allowed).to.include("index.html or index.htm");
        expect(resolve({ "about.html": "" }, undefined, true).problems).to.deep.equal([]);
        expect(resolve({ "index.htm": "" }).problems).to.deep.equal([]);
    });

    it("asks for the page readinessPath names instead, unless a serverConfig answers it", () => {
        const probe = (path: string) => ({ path, files: probedSitePaths(path) });
        const problemsWith = (files: Record<string, string>, path: string, serverConfig = false) =>
            resolveSiteContent(files, undefined, serverConfig, (name) => name, new ProblemList(), probe(path)) === undefined;
        expect(problemsWith({ "healthz.html": "ok" }, "/healthz.html")).to.equal(false);
        expect(problemsWith({ "index.html": "" }, "/healthz.html")).to.equal(true);
        expect(problemsWith({ "index.html": "" }, "/healthz.html", true)).to.equal(false);
        // A directory: its index page, asked with or without the trailing '/'.
        expect(problemsWith({ "health/index.html": "ok" }, "/health/")).to.equal(false);
        expect(problemsWith({ "health/index.htm": "ok" }, "/health")).to.equal(false);
        expect(problemsWith({ "health.html": "ok" }, "/health/")).to.equal(true);
        // An escape is read as nginx reads it.
        expect(problemsWith({ "a-b.html": "ok" }, "/a%2Db.html")).to.equal(false);
    });

    it("is checked by resolveArgs with the stack key's prefix", () => {
        expect(() => resolveArgs({ content: { "a.html": "" } }, { keyPrefix: "webserver-sidecar:" })).to.throw(/webserver-sidecar:content: got \["a.html"\]/);
        expect(resolveArgs({ content: { "index.html": "x" } }).site).to.have.length(1);
    });
});
