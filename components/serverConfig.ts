/**
 * `serverConfig`: the team's own nginx `server {}` block, in place of the image's default one.
 * Checked here, before anything is registered: its syntax, read as nginx reads it
 * (nginxConfigSyntax.ts), and what the Pod depends on: every server listens where the probe and
 * the Service connect (nginxListen.ts), and logs only where the shipper reads. What the
 * directives mean (unknown names, wrong places, bad values) is nginx's to check when the Pod
 * starts; test/serverConfigDifferential.test.ts holds the two to that division on a corpus.
 *
 * Messages name the directive and its line, and describe what is wrong in our own words: they
 * never quote the block, which may be a secret (`pulumi config set --secret`), so a message is
 * safe to print in a CI log whoever reads it.
 */
import { ProblemList } from "./errors";
import { allDirectives, NginxDirective, NginxSyntaxError, parseNginxConfig } from "./nginxConfigSyntax";
import { listenProblem, listensOnIpv4, REACHABLE_LISTEN_RULE } from "./nginxListen";

/** Where nginx's logs go and in which format: the component's, which the shipper follows. */
export const ACCESS_LOG_PATH = "/var/log/nginx/access.log";
export const ERROR_LOG_PATH = "/var/log/nginx/error.log";
/** The access log format of the image's nginx.conf, which the server block inherits. */
export const ACCESS_LOG_FORMAT = "main";

/** The largest server block accepted: well inside a ConfigMap's 1 MiB, and far more than a real one needs. */
export const MAX_SERVER_CONFIG_BYTES = 64 * 1024;

/** What `serverConfig` must be, for messages. */
export const SERVER_CONFIG_RULE = "nginx server {} blocks (the text of a conf.d file) that nginx 1.22 can read, listening on port 80";

const ACCESS_LOG_RULE = `access_log ${ACCESS_LOG_PATH} [${ACCESS_LOG_FORMAT}] [if=...], or access_log off: `
    + `the shipper reads only ${ACCESS_LOG_PATH}, in the component's format, unbuffered`;
const ERROR_LOG_RULE = `error_log ${ERROR_LOG_PATH} [level]: the shipper reads only ${ERROR_LOG_PATH}`;
const LOG_FORMAT_RULE = `no log_format: the access log keeps the component's format (${ACCESS_LOG_FORMAT}), which the shipper ships as is`;
const SERVER_LISTEN_RULE = `a listen on IPv4 port 80 in every server block (${REACHABLE_LISTEN_RULE}); `
    + "without one, nginx (as the Pod's non-root user) listens on 8000 and the Pod is never Ready";

/**
 * Checks an access_log or error_log directive: only the component's file (the shipper reads no
 * other) in the component's format, or `access_log off`.
 * @returns what is wrong, in words that quote none of the directive, or `undefined`.
 */
function logDirectiveProblem(directive: NginxDirective): string | undefined {
    const [target, ...rest] = directive.args;
    if (directive.name === "access_log") {
        if (target === "off") {
            return rest.length === 0 ? undefined : "arguments after off";
        }
        const [format, ...options] = rest;
        if (target !== ACCESS_LOG_PATH) {
            return `a destination other than ${ACCESS_LOG_PATH}`;
        }
        if (format !== undefined && format !== ACCESS_LOG_FORMAT) {
            return `a format other than ${ACCESS_LOG_FORMAT}`;
        }
        return options.every((option) => option.startsWith("if=")) ? undefined : "an option other than if=";
    }
    if (target !== ERROR_LOG_PATH) {
        return `a destination other than ${ERROR_LOG_PATH}`;
    }
    return rest.length <= 1 ? undefined : "more than a level after the file";
}

/** Records the problems of one top-level server block's listens: each must be reachable, and one IPv4. */
function addListenProblems(server: NginxDirective, key: string, problems: ProblemList): void {
    const listens = (server.block ?? []).filter((directive) => directive.name === "listen");
    const unreachable = listens.filter((listen) => listenProblem(listen.args) !== undefined);
    for (const listen of unreachable) {
        problems.add(`${key} (listen, line ${listen.line})`, `(${listenProblem(listen.args)})`, REACHABLE_LISTEN_RULE);
    }
    if (unreachable.length === 0 && !listens.some((listen) => listensOnIpv4(listen.args))) {
        problems.add(`${key} (server, line ${server.line})`,
            listens.length === 0 ? "(no listen)" : "(only IPv6 listens: the Pod's IP is IPv4)", SERVER_LISTEN_RULE);
    }
}

/**
 * Checks `serverConfig`: text that nginx's parser reads, at least one `server` block at the top,
 * every server listening where the probe reaches it, and no log written anywhere but the
 * component's files. Each message names the key, the directive and its line, never the text.
 * @param key the argument's name in messages.
 * @returns the text as given, or `undefined` when it was not given (the image's default server).
 */
export function resolveServerConfig(value: unknown, key: string, problems: ProblemList): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") {
        // Whitespace quotes nothing; anything else is described, not shown.
        problems.add(key, typeof value === "string" ? value : `(${typeof value === "object" ? "an object" : `a ${typeof value}`})`, SERVER_CONFIG_RULE);
        return undefined;
    }
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > MAX_SERVER_CONFIG_BYTES) {
        problems.add(key, `(${bytes} bytes)`, `at most ${MAX_SERVER_CONFIG_BYTES} bytes of ${SERVER_CONFIG_RULE}`);
        return undefined;
    }
    let directives: NginxDirective[];
    try {
        directives = parseNginxConfig(value);
    } catch (error) {
        if (!(error instanceof NginxSyntaxError)) {
            throw error;
        }
        problems.add(`${key} (line ${error.line})`, `(${error.reason})`, SERVER_CONFIG_RULE);
        return undefined;
    }
    const servers = directives.filter((directive) => directive.name === "server" && directive.block !== undefined);
    if (servers.length === 0) {
        problems.add(key, "(no server {} block)", SERVER_CONFIG_RULE);
    }
    for (const server of servers) {
        addListenProblems(server, key, problems);
    }
    for (const directive of allDirectives(directives)) {
        if (directive.name === "access_log" || directive.name === "error_log") {
            const problem = logDirectiveProblem(directive);
            if (problem !== undefined) {
                problems.add(`${key} (${directive.name}, line ${directive.line})`, `(${problem})`,
                    directive.name === "access_log" ? ACCESS_LOG_RULE : ERROR_LOG_RULE);
            }
        } else if (directive.name === "log_format") {
            problems.add(`${key} (log_format, line ${directive.line})`, "(a log_format)", LOG_FORMAT_RULE);
        }
    }
    return value;
}
