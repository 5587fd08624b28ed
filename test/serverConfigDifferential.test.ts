/**
 * The server-block check against nginx itself (issue 27, item 8): every block of the corpus
 * (test/fixtures/serverBlocks.ts) goes to `resolveServerConfig` and to Debian's `nginx -t`
 * (1.22.1, the nginx of the project's image), under a copy of the image's nginx.conf that
 * includes it from conf.d as the Pod does.
 *
 * "Agree" means, for every block: we accept it exactly when nginx accepts it and it meets our
 * policy (listens where the probe reaches, logs where the shipper reads, no log_format); when
 * nginx's lexer or parser refuses it, we refuse it too; and the one kind of block nginx refuses
 * that we accept is the `semantics` kind (unknown directives, misplaced ones, bad values), which
 * needs nginx's list of directives and is left to nginx when the Pod starts. Each block's judge is
 * checked against nginx's own message, so a block filed as `semantics` that nginx's lexer refuses
 * fails the test.
 *
 * Our half always runs. nginx's half needs `nginx` (scripts/test.sh installs it) and root: nginx -t
 * opens the image's log files under /var/log/nginx and binds port 80. Without them it is skipped,
 * saying why, except in CI (CI=true), where it fails.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigProblem, ProblemList } from "../components/errors";
import { NginxDirective, NginxSyntaxError, parseNginxConfig } from "../components/nginxConfigSyntax";
import { resolveServerConfig } from "../components/serverConfig";
import { SERVER_BLOCKS, ServerBlockCase, ServerBlockJudge } from "./fixtures/serverBlocks";

const REPOSITORY = path.join(__dirname, "..");
const IMAGE_NGINX_CONF = path.join(REPOSITORY, "scripts", "images", "nginx-bookworm", "nginx.conf");
/** Where the image's nginx.conf logs, and so where nginx -t opens its files. */
const LOG_DIRECTORY = "/var/log/nginx";
/** What nginx's lexer and parser say (ngx_conf_read_token, ngx_conf_parse); everything else is about meaning. */
const NGINX_SYNTAX_ERROR = /\[emerg\] .*(?:unexpected "|unexpected end of file|too long parameter)/;
const IN_CI = ["true", "1"].includes(process.env.CI ?? "");

/** Our problems with a block. */
function ourProblems(text: string): readonly ConfigProblem[] {
    const problems = new ProblemList();
    resolveServerConfig(text, "serverConfig", problems);
    return problems.all;
}

/** Whether a judge means that we refuse the block. */
function weRefuse(judge: ServerBlockJudge): boolean {
    return judge === "policy" || judge === "syntax";
}

/** The nginx binary: on PATH, or where Debian puts it (/usr/sbin, not on every user's PATH). */
function findNginx(): string | undefined {
    const directories = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin"];
    return directories.map((directory) => path.join(directory, "nginx")).find((candidate) => fs.existsSync(candidate));
}

/** Replaces the one line of the image's nginx.conf that must differ here, failing if the image's file changed shape. */
function replaceOnce(text: string, from: string, to: string): string {
    if (!text.includes(from)) {
        throw new Error(`${IMAGE_NGINX_CONF} no longer contains ${JSON.stringify(from)}: update the differential test's copy`);
    }
    return text.replace(from, to);
}

/**
 * The image's nginx.conf, run from `directory`: its http block, log_format main and logs
 * unchanged; the server block included from `directory`/conf.d; pid and temp files in `directory`;
 * no `user` line (nginx's workers stay root here, and the Pod's non-root nginx ignores it anyway).
 */
function imageNginxConf(directory: string): string {
    let conf = fs.readFileSync(IMAGE_NGINX_CONF, "utf8");
    conf = replaceOnce(conf, "user  nginx;", "");
    conf = replaceOnce(conf, "pid        /run/nginx.pid;", `pid ${directory}/nginx.pid;`);
    conf = replaceOnce(conf, "include /etc/nginx/conf.d/*.conf;", `include ${directory}/conf.d/*.conf;`);
    return conf.replaceAll("/var/cache/nginx/", `${directory}/cache/`);
}

/** How many generated fragments go to both: about 20 ms of nginx -t each. */
const GENERATED_FRAGMENTS = 300;
/** The pieces fragments are made of: every character nginx's lexer treats specially, and some words. */
const FRAGMENT_PIECES: readonly string[] = [
    "a", "b1", "c.html", " ", " ", " ", "\n", "\t", "#", "\"", "\"", "'", "'", "\"q r\"", "'s'", "\"t\")", "\\", "$", "${uri}", "$uri", "{", "}", ";", "(", ")", "\u00a0",
];

/**
 * Fragments of nginx configuration drawn from {@link FRAGMENT_PIECES} by a seeded generator
 * (mulberry32), so that a failure names a fragment that fails again on the next run.
 */
function generatedFragments(count: number, seed = 27): string[] {
    let state = seed;
    const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return Array.from({ length: count }, () => {
        const length = 1 + Math.floor(random() * 12);
        return Array.from({ length }, () => FRAGMENT_PIECES[Math.floor(random() * FRAGMENT_PIECES.length)]).join("");
    });
}

const SYNTAX_ERROR = "a syntax error";
/** The directives of a generated block, as nginx reads it when it accepts it. */
const GENERATED_SHAPE = "server{listen;index;}";

/** The directives of `text` as we read them: names and blocks (`server{listen;index;}`), or that it is a syntax error. */
function shapeOf(text: string): string {
    const shape = (directives: readonly NginxDirective[]): string =>
        directives.map((d) => (d.block === undefined ? `${d.name};` : `${d.name}{${shape(d.block)}}`)).join("");
    try {
        return shape(parseNginxConfig(text));
    } catch (error) {
        if (error instanceof NginxSyntaxError) {
            return SYNTAX_ERROR;
        }
        throw error;
    }
}

describe("serverConfig agrees with nginx 1.22 on a corpus of server blocks (issue 27, item 8)", function () {
    this.timeout(30_000);

    it("has at least 40 blocks, with valid ones and ones each judge refuses", () => {
        expect(SERVER_BLOCKS.length).to.be.at.least(40);
        for (const judge of ["valid", "policy", "syntax", "semantics"] as const) {
            expect(SERVER_BLOCKS.filter((block) => block.judge === judge), judge).to.have.length.at.least(5);
        }
        expect(new Set(SERVER_BLOCKS.map((block) => block.title)).size, "titles are unique").to.equal(SERVER_BLOCKS.length);
    });

    describe("our verdict: accepted when valid or left to nginx, refused with the stated key otherwise", () => {
        for (const block of SERVER_BLOCKS) {
            it(`${block.judge}: ${block.title}`, () => {
                const problems = ourProblems(block.text);
                expect(problems.length > 0, "refused").to.equal(weRefuse(block.judge));
                expect(problems[0]?.key).to.equal(block.refusedAs);
                if (block.judge === "syntax") {
                    expect(problems[0].key).to.match(/^serverConfig \(line \d+\)$/);
                }
            });
        }
    });

    describe("nginx -t's verdict, under the image's nginx.conf", function () {
        let nginx: string;
        let directory: string;

        before(function () {
            const found = findNginx();
            const problem = found === undefined ? "no nginx on this machine (Debian: apt-get install nginx; scripts/test.sh installs it)"
                : process.getuid?.() !== 0 ? `not root: nginx -t opens the image's log files in ${LOG_DIRECTORY} and binds port 80` : undefined;
            if (problem !== undefined) {
                if (IN_CI) {
                    throw new Error(`CI must compare with nginx, but: ${problem}`);
                }
                console.log(`      skipped: ${problem}`);
                this.skip();
            }
            nginx = found!;
            fs.mkdirSync(LOG_DIRECTORY, { recursive: true });
            directory = fs.mkdtempSync(path.join(os.tmpdir(), "server-blocks-"));
            fs.mkdirSync(path.join(directory, "conf.d"));
            fs.mkdirSync(path.join(directory, "cache")); // nginx creates the temp directories, not their parent
            fs.writeFileSync(path.join(directory, "nginx.conf"), imageNginxConf(directory));
        });
        after(() => {
            if (directory !== undefined) {
                fs.rmSync(directory, { recursive: true, force: true });
            }
        });

        /** nginx -t on one block: `true` when it accepts it, else its error output. */
        const nginxVerdict = (block: ServerBlockCase): true | string => {
            fs.writeFileSync(path.join(directory, "conf.d", "server.conf"), block.text);
            const run = spawnSync(nginx, ["-t", "-q", "-e", "stderr", "-p", `${directory}/`, "-c", path.join(directory, "nginx.conf")], { encoding: "utf8" });
            if (run.error !== undefined) {
                throw run.error;
            }
            return run.status === 0 ? true : run.stderr;
        };

        /** Fails with nginx's whole message (chai would cut it short). */
        const expectAccepted = (verdict: true | string) => {
            if (verdict !== true) {
                expect.fail(`nginx -t refused it: ${verdict}`);
            }
        };

        it("accepts the image's nginx.conf with an empty conf.d (the harness itself is sound)", () => {
            expectAccepted(nginxVerdict({ title: "empty", text: "", judge: "valid", nginx: true }));
        });

        it("agrees with nginx's lexer and parser on generated fragments of its special characters (seeded, so repeatable)", () => {
            const disagreements: string[] = [];
            for (const fragment of generatedFragments(GENERATED_FRAGMENTS)) {
                // index takes any number of words of any text: what nginx refuses here is syntax, or a block.
                const text = `server {\n    listen 80;\n    index ${fragment};\n}\n`;
                const verdict = nginxVerdict({ title: "generated", text, judge: "valid", nginx: true });
                const nginxSyntaxError = verdict !== true && NGINX_SYNTAX_ERROR.test(verdict);
                const ours = shapeOf(text);
                // nginx stops at its first error: one about meaning may come before the syntax error we report.
                // When nginx accepts, the fragment was index's words and nothing else: no block, no other directive.
                const agrees = nginxSyntaxError ? ours === SYNTAX_ERROR : verdict === true ? ours === GENERATED_SHAPE : true;
                if (!agrees) {
                    disagreements.push(`${JSON.stringify(fragment)}: nginx ${verdict === true ? "accepts it" : verdict.trim()}; we read ${ours}`);
                }
            }
            expect(disagreements).to.deep.equal([]);
        });

        for (const block of SERVER_BLOCKS) {
            it(`${block.judge}: ${block.title}`, () => {
                const verdict = nginxVerdict(block);
                if (block.nginx === true) {
                    expectAccepted(verdict);
                } else {
                    expect(verdict, "nginx refuses it").to.be.a("string").that.matches(block.nginx);
                }
                // The judge must be what nginx's own answer makes it.
                const nginxSyntaxError = verdict !== true && NGINX_SYNTAX_ERROR.test(verdict);
                if (block.judge === "valid") {
                    expectAccepted(verdict);
                } else if (block.judge === "syntax") {
                    expect(nginxSyntaxError, "nginx's lexer or parser refuses it").to.equal(true);
                } else {
                    // policy: nginx runs it or refuses its meaning; semantics: nginx refuses its meaning, not its syntax.
                    expect(nginxSyntaxError, "not a syntax error to nginx").to.equal(false);
                    if (block.judge === "semantics") {
                        expect(verdict, "nginx refuses it").to.not.equal(true);
                    }
                }
            });
        }
    });
});
