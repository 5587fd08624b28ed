import { expect } from "chai";
import { resolveArgs } from "../components/args";
import { ConfigProblem, ProblemList, WebServerConfigError } from "../components/errors";
import { parseNginxConfig, resolveServerConfig } from "../components/serverConfig";

/** The problems resolveServerConfig finds in `text`. */
function problemsOf(text: unknown): readonly ConfigProblem[] {
    const problems = new ProblemList();
    resolveServerConfig(text, "serverConfig", problems);
    return problems.all;
}

const MINIMAL = "server {\n    listen 80;\n    location / { root /usr/share/nginx/html; }\n}\n";

describe("serverConfig: the team's nginx server block (issue 18, item 4)", () => {
    describe("parseNginxConfig", () => {
        it("reads directives, blocks, quotes and comments as nginx does", () => {
            const [server] = parseNginxConfig("# a comment\nserver { listen 80; # trailing\n  return 200 \"a;b } # not a comment\"; }");
            expect(server.name).to.equal("server");
            expect(server.block!.map((d) => [d.name, d.args])).to.deep.equal([["listen", ["80"]], ["return", ["200", "a;b } # not a comment"]]]);
            expect(server.block![1].line).to.equal(3);
        });
        it("fails on an unclosed block, a missing semicolon, a stray brace or an open quote, naming the line", () => {
            expect(() => parseNginxConfig("server {\n listen 80;\n")).to.throw(/block opened on line 1 is not closed/);
            expect(() => parseNginxConfig("server {\n listen 80\n}")).to.throw(/"listen" on line 2 does not end with ";" before "}"/);
            expect(() => parseNginxConfig("}")).to.throw(/unexpected "}" on line 1/);
            expect(() => parseNginxConfig("server { return 200 \"open; }")).to.throw(/unterminated " quote from line 1/);
        });
    });

    it("accepts a server block on port 80, with access_log off, the component's log files, or conditional logging", () => {
        expect(problemsOf(MINIMAL)).to.deep.equal([]);
        for (const listen of ["80", "*:80", "0.0.0.0:80", "[::]:80", "80 default_server"]) {
            expect(problemsOf(`server { listen ${listen}; }`), listen).to.deep.equal([]);
        }
        expect(problemsOf("map $uri $loggable { default 1; }\nserver { listen 80; access_log /var/log/nginx/access.log main if=$loggable; "
            + "error_log /var/log/nginx/error.log warn; location /healthz { access_log off; return 200; } }")).to.deep.equal([]);
    });

    it("refuses a log written anywhere the shipper does not read, naming the directive and its line", () => {
        const problems = problemsOf("server {\n listen 80;\n access_log /var/log/nginx/host.access.log main;\n location / {\n  error_log stderr;\n }\n}");
        expect(problems.map((p) => [p.key, p.value])).to.deep.equal([
            ["serverConfig (access_log, line 3)", "access_log /var/log/nginx/host.access.log main"],
            ["serverConfig (error_log, line 5)", "error_log stderr"],
        ]);
        expect(problems[0].allowed).to.include("the shipper reads only /var/log/nginx/access.log");
    });

    it("refuses another format, buffering, syslog and log_format: the lines stay the component's", () => {
        for (const directive of ["access_log /var/log/nginx/access.log combined", "access_log /var/log/nginx/access.log main buffer=32k",
            "access_log syslog:server=10.0.0.1 main", "log_format mine $remote_addr"]) {
            const problems = problemsOf(`server { listen 80; ${directive}; }`);
            expect(problems, directive).to.have.length(1);
            expect(problems[0].value).to.equal(directive);
        }
    });

    it("refuses a server that does not listen on port 80: as a non-root user nginx would listen on 8000", () => {
        const [problem] = problemsOf("server { listen 8080; }");
        expect(problem.key).to.equal("serverConfig (listen)");
        expect(problem.allowed).to.include("listen 80;");
    });

    it("refuses text with no server block, text nginx cannot read, an empty string, a non-string and a huge block", () => {
        expect(problemsOf("upstream api { server 10.0.0.1; }")[0].value).to.equal("(no server {} block)");
        expect(problemsOf("server { listen 80 }")[0].value).to.match(/does not end with ";"/);
        expect(problemsOf("  ")[0].key).to.equal("serverConfig");
        expect(problemsOf(80)[0].value).to.equal(80);
        expect(problemsOf(`server { listen 80; ${"# padding\n".repeat(8000)} }`)[0].value).to.match(/^\(\d+ bytes\)$/);
    });

    it("reports its problems through resolveArgs with the others, before anything is registered", () => {
        expect(() => resolveArgs({ serverConfig: "server { listen 81; }", logSizeLimit: "1" })).to.throw(WebServerConfigError)
            .with.property("problems").that.has.length(2);
    });
});
