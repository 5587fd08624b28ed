import { expect } from "chai";
import { resolveArgs } from "../components/args";
import { ConfigProblem, formatProblem, ProblemList, WebServerConfigError } from "../components/errors";
import { describeDirective, NginxDirective, parseNginxConfig, tokenizeNginxConfig } from "../components/nginxConfigSyntax";
import { listenProblem } from "../components/nginxListen";
import { resolveServerConfig } from "../components/serverConfig";

/** The problems resolveServerConfig finds in `text`. */
function problemsOf(text: unknown): readonly ConfigProblem[] {
    const problems = new ProblemList();
    resolveServerConfig(text, "serverConfig", problems);
    return problems.all;
}

/** The directives of a server block's body, as name and arguments. */
function bodyOf(text: string): [string, readonly string[]][] {
    const [server] = parseNginxConfig(`server {\n${text}\n}`);
    return (server.block as readonly NginxDirective[]).map((d) => [d.name, d.args]);
}

const MINIMAL = "server {\n    listen 80;\n    location / { root /usr/share/nginx/html; }\n}\n";

describe("serverConfig: the team's nginx server block (issue 18, item 4; issue 27, items 7 and 8)", () => {
    describe("parseNginxConfig: nginx 1.22's lexer and parser", () => {
        it("reads directives, blocks, quotes and comments as nginx does, with each directive's line", () => {
            const [server] = parseNginxConfig("# a comment\nserver { listen 80; # trailing\n  return 200 \"a;b } # not a comment\"; }");
            expect(server.name).to.equal("server");
            expect(server.block!.map((d) => [d.name, d.args])).to.deep.equal([["listen", ["80"]], ["return", ["200", "a;b } # not a comment"]]]);
            expect(server.block![1].line).to.equal(3);
        });
        it("starts a comment or a quoted word only where a word starts: a#b, it's and a\"b are plain words", () => {
            expect(bodyOf("return 301 /docs/#install;")).to.deep.equal([["return", ["301", "/docs/#install"]]]);
            expect(bodyOf("return 200 it's-ok;")).to.deep.equal([["return", ["200", "it's-ok"]]]);
            expect(bodyOf("add_header X a\"b; access_log /tmp/x.log; add_header Y c\"d;")).to.deep.equal(
                [["add_header", ["X", "a\"b"]], ["access_log", ["/tmp/x.log"]], ["add_header", ["Y", "c\"d"]]]);
        });
        it("does not end a word at ${ (a variable's name in braces), at its start or inside it", () => {
            expect(bodyOf("add_header X ${hostname}-web; return 200 ${host};")).to.deep.equal(
                [["add_header", ["X", "${hostname}-web"]], ["return", ["200", "${host}"]]]);
            // Without the $, { opens a block, as in nginx.
            expect(parseNginxConfig("a b{ c; }")[0].block).to.have.length(1);
        });
        it("resolves \\\", \\', \\\\, \\t, \\r and \\n, any other backslash escapes the next character and stays in the word", () => {
            expect(bodyOf("return 200 \"say \\\"hi\\\" \\t \\d\"; return 200 a\\ b\\;c;")).to.deep.equal(
                [["return", ["200", "say \"hi\" \t \\d"]], ["return", ["200", "a\\ b\\;c"]]]);
        });
        it("takes only space, tab, CR and LF as whitespace: a no-break space is part of a word", () => {
            expect(bodyOf("listen\u00a080;\r\n\tlisten 80;")).to.deep.equal([["listen\u00a080", []], ["listen", ["80"]]]);
        });
        it("lets ) follow a closing quote, as in if ($a = \"b\"), and reads it as a word", () => {
            expect(bodyOf("if ($uri = \"/x\") { return 404; }")[0]).to.deep.equal(["if", ["($uri", "=", "/x", ")"]]);
        });
        it("fails where nginx fails, naming the line and no text of the block", () => {
            const failures: [string, RegExp][] = [
                ["server {\n listen 80;\n", /the block of the directive "server" is not closed with "}" \(line 1\)/],
                ["server {\n listen 80\n}", /a "}" before the directive "listen" ends with ";" \(line 3\)/],
                ["}", /a "}" that closes no block \(line 1\)/],
                ["server {\n ;\n}", /a ";" with no directive before it \(line 2\)/],
                ["server { return 200 \"a\"b; }", /a character right after a closing quote.* \(line 1\)/],
                ["server {\n return 200 \"open; }", /a " quote that is never closed \(line 2\)/],
                ["server { listen 80; return 200 ok}", /the directive "return" does not end with ";" or a block \(line 1\)/],
                [`server {\n#${"x".repeat(4095)}\n}`, /a comment of 4096 bytes or more: nginx reads at most 4095 \(line 2\)/],
                [`server { return 200 '${"é".repeat(2048)}'; }`, /a word of 4096 bytes or more/],
            ];
            for (const [text, message] of failures) {
                expect(() => parseNginxConfig(text), text.slice(0, 40)).to.throw(message);
            }
            expect(() => tokenizeNginxConfig(`#${"x".repeat(4094)}\n`), "a comment of 4095 bytes fits").to.not.throw();
        });
        it("names a directive in messages only when it looks like a directive's name", () => {
            expect(describeDirective("access_log")).to.equal("the directive \"access_log\"");
            expect(describeDirective("Bearer:abc.def")).to.equal("a directive");
        });
    });

    describe("listen: where the probe and the Service connect (the Pod's IP, port 80, plain HTTP)", () => {
        it("accepts port 80 on every address, in nginx's spellings, with parameters that keep plain HTTP", () => {
            for (const listen of ["80", "*:80", "0.0.0.0:80", "0.0.0.0", "*", "[::]:80", "80 default_server", "0.0.0.0:80 reuseport backlog=1024 bind"]) {
                expect(listenProblem(listen.split(" ")), listen).to.equal(undefined);
            }
        });
        it("refuses another port, one address, a unix socket, TLS or PROXY, and parameters it does not know", () => {
            const cases: [string, string][] = [
                ["8080", "a port other than 80"], ["127.0.0.1:80", "one address, not every address of the Pod"],
                ["localhost:80", "one address, not every address of the Pod"], ["[::1]:80", "one address, not every address of the Pod"],
                ["unix:/run/nginx.sock", "a unix socket: the probe connects over TCP"], ["80 ssl", "the parameter ssl: the probe speaks plain HTTP/1.1"],
                ["80 proxy_protocol", "the parameter proxy_protocol: the probe speaks plain HTTP/1.1"], ["80 bogus", "a parameter other than those listed"],
            ];
            for (const [listen, problem] of cases) {
                expect(listenProblem(listen.split(" ")), listen).to.equal(problem);
            }
        });
        it("refuses each listen the probe does not reach, naming the directive, its line and what is allowed", () => {
            const problems = problemsOf("server {\n    listen 80;\n    listen 127.0.0.1:80;\n}\nserver {\n    listen 8080;\n}\n");
            expect(problems.map((p) => [p.key, p.value])).to.deep.equal([
                ["serverConfig (listen, line 3)", "(one address, not every address of the Pod)"],
                ["serverConfig (listen, line 6)", "(a port other than 80)"],
            ]);
            expect(problems[0].allowed).to.match(/^listen 80, \*:80 or 0\.0\.0\.0:80 \(and \[::\]:80 besides, for IPv6\), with any of default_server/);
        });
        it("refuses a server with no listen (nginx as a non-root user would take 8000) or with IPv6 ones only", () => {
            expect(problemsOf("server {\n    root /srv;\n}").map((p) => [p.key, p.value])).to.deep.equal([["serverConfig (server, line 1)", "(no listen)"]]);
            expect(problemsOf("server { listen [::]:80; }").map((p) => p.value)).to.deep.equal(["(only IPv6 listens: the Pod's IP is IPv4)"]);
            expect(problemsOf("server { listen [::]:80 ipv6only=off; }")).to.deep.equal([]);
            expect(problemsOf("server { listen 80; listen [::]:80; }")).to.deep.equal([]);
        });
    });

    it("accepts a server block on port 80, with access_log off, the component's log files, or conditional logging", () => {
        expect(problemsOf(MINIMAL)).to.deep.equal([]);
        expect(problemsOf("map $uri $loggable { default 1; }\nserver { listen 80; access_log /var/log/nginx/access.log main if=$loggable; "
            + "error_log /var/log/nginx/error.log warn; location /healthz { access_log off; return 200; } }")).to.deep.equal([]);
    });

    it("refuses a log written anywhere the shipper does not read, naming the directive and its line", () => {
        const problems = problemsOf("server {\n listen 80;\n access_log /var/log/nginx/host.access.log main;\n location / {\n  error_log stderr;\n }\n}");
        expect(problems.map((p) => [p.key, p.value])).to.deep.equal([
            ["serverConfig (access_log, line 3)", "(a destination other than /var/log/nginx/access.log)"],
            ["serverConfig (error_log, line 5)", "(a destination other than /var/log/nginx/error.log)"],
        ]);
        expect(problems[0].allowed).to.include("the shipper reads only /var/log/nginx/access.log");
    });

    it("refuses another format, buffering, syslog and log_format: the lines stay the component's", () => {
        const cases: [string, string][] = [
            ["access_log /var/log/nginx/access.log combined", "(a format other than main)"],
            ["access_log /var/log/nginx/access.log main buffer=32k", "(an option other than if=)"],
            ["access_log syslog:server=10.0.0.1 main", "(a destination other than /var/log/nginx/access.log)"],
            ["access_log off main", "(arguments after off)"],
            ["log_format mine $remote_addr", "(a log_format)"],
        ];
        for (const [directive, value] of cases) {
            const problems = problemsOf(`server { listen 80; ${directive}; }`);
            expect(problems.map((p) => p.value), directive).to.deep.equal([value]);
        }
    });

    it("never quotes the block in a message, so a serverConfig set with --secret stays secret (issue 27, item 7)", () => {
        const SECRET = "s3cr3t-t0ken";
        const blocks = [
            `server { listen 80; log_format ${SECRET} '$remote_addr ${SECRET}'; }`,
            `server { listen 80; access_log /var/log/${SECRET}.log ${SECRET}; error_log /${SECRET} ${SECRET} ${SECRET}; }`,
            `server { listen ${SECRET}.example:80; }`, `server { listen 80 ${SECRET}; }`, `server { listen 80 ${SECRET}=1; }`,
            `server { listen 80; return 200 "${SECRET}"x; }`, `server { listen 80; add_header X "${SECRET}`,
            `server { listen 80; add_header X ${SECRET} }`, `server { listen 80; return 200 "${SECRET.repeat(500)}"; }`,
            `server { listen 80; return 200 ${SECRET}; } }`,
        ];
        for (const block of blocks) {
            const problems = problemsOf(block);
            expect(problems, block).to.not.deep.equal([]);
            for (const line of problems.map(formatProblem)) {
                expect(line, block).to.not.include(SECRET.slice(0, 6));
            }
        }
        expect(() => resolveArgs({ serverConfig: blocks[0] })).to.throw(WebServerConfigError).with.property("message").that.does.not.include("s3cr3t");
    });

    it("refuses text with no server block, text nginx cannot read, an empty string, a non-string and a huge block", () => {
        expect(problemsOf("upstream api { server 10.0.0.1; }")[0].value).to.equal("(no server {} block)");
        expect(problemsOf("server { listen 80 }")[0]).to.include({ key: "serverConfig (line 1)" });
        expect(problemsOf("server { listen 80 }")[0].value).to.match(/^\(a "}" before the directive "listen" ends with ";"\)$/);
        expect(problemsOf("  ")[0].key).to.equal("serverConfig");
        expect(problemsOf(80)[0].value).to.equal("(a number)");
        expect(problemsOf({ text: "server {}" })[0].value).to.equal("(an object)");
        expect(problemsOf(`server { listen 80; ${"# padding\n".repeat(8000)} }`)[0].value).to.match(/^\(\d+ bytes\)$/);
    });

    it("reports its problems through resolveArgs with the others, before anything is registered", () => {
        expect(() => resolveArgs({ serverConfig: "server { listen 81; }", logSizeLimit: "1" })).to.throw(WebServerConfigError)
            .with.property("problems").that.has.length(2);
    });
});
