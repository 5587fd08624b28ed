/**
 * `serverConfig`: the team's own nginx `server {}` block, in place of the image's default one.
 * Checked here, before anything is registered, for what the Pod depends on: a block that listens on
 * nginx's port (the probes and the Service target it) and logs only where the shipper reads.
 * The rest of nginx's syntax is nginx's to check, when the Pod starts.
 */
import { ProblemList } from "./errors";

/** Where nginx's logs go and in which format: the component's, which the shipper follows. */
export const ACCESS_LOG_PATH = "/var/log/nginx/access.log";
export const ERROR_LOG_PATH = "/var/log/nginx/error.log";
/** The access log format of the image's nginx.conf, which the server block inherits. */
export const ACCESS_LOG_FORMAT = "main";

/** The largest server block accepted: well inside a ConfigMap's 1 MiB, and far more than a real one needs. */
export const MAX_SERVER_CONFIG_BYTES = 64 * 1024;

/** One directive of nginx's configuration: its name, its arguments and, for a block, what it holds. */
export interface NginxDirective {
    readonly name: string;
    readonly args: readonly string[];
    readonly block: readonly NginxDirective[] | undefined;
    /** The 1-based line the directive starts on, for messages. */
    readonly line: number;
}

/** A token of nginx's configuration language: a word (quotes removed) or one of `;`, `{`, `}`. */
interface Token {
    readonly text: string;
    readonly quoted: boolean;
    readonly line: number;
}

/**
 * Splits nginx configuration text into tokens as nginx reads it: `#` starts a comment outside
 * quotes, quotes group a word (with `\` escapes), `;`, `{` and `}` stand alone.
 * @throws {Error} on an unterminated quote.
 */
export function tokenizeNginxConfig(text: string): Token[] {
    const tokens: Token[] = [];
    let line = 1;
    let index = 0;
    while (index < text.length) {
        const char = text[index];
        if (char === "\n") {
            line += 1;
            index += 1;
        } else if (/\s/.test(char)) {
            index += 1;
        } else if (char === "#") {
            while (index < text.length && text[index] !== "\n") {
                index += 1;
            }
        } else if (char === ";" || char === "{" || char === "}") {
            tokens.push({ text: char, quoted: false, line });
            index += 1;
        } else if (char === "\"" || char === "'") {
            const startLine = line;
            let word = "";
            index += 1;
            while (index < text.length && text[index] !== char) {
                if (text[index] === "\\" && index + 1 < text.length) {
                    index += 1;
                }
                if (text[index] === "\n") {
                    line += 1;
                }
                word += text[index];
                index += 1;
            }
            if (index >= text.length) {
                throw new Error(`an unterminated ${char} quote from line ${startLine}`);
            }
            index += 1;
            tokens.push({ text: word, quoted: true, line: startLine });
        } else {
            let word = "";
            while (index < text.length && !/[\s;{}#"']/.test(text[index])) {
                word += text[index];
                index += 1;
            }
            tokens.push({ text: word, quoted: false, line });
        }
    }
    return tokens;
}

/**
 * Parses nginx configuration text into its directives.
 * @throws {Error} naming the line, on a directive without `;` or a `{` or `}` out of place.
 */
export function parseNginxConfig(text: string): NginxDirective[] {
    const tokens = tokenizeNginxConfig(text);
    let position = 0;
    const parseBlock = (closedBy: Token | undefined): NginxDirective[] => {
        const directives: NginxDirective[] = [];
        while (position < tokens.length) {
            const first = tokens[position];
            if (first.text === "}" && !first.quoted) {
                if (closedBy === undefined) {
                    throw new Error(`an unexpected "}" on line ${first.line}`);
                }
                position += 1;
                return directives;
            }
            if ((first.text === ";" || first.text === "{") && !first.quoted) {
                throw new Error(`an unexpected "${first.text}" on line ${first.line}`);
            }
            const args: string[] = [];
            position += 1;
            for (;;) {
                const token = tokens[position];
                if (token === undefined) {
                    throw new Error(`the directive "${first.text}" on line ${first.line} does not end with ";" or a block`);
                }
                position += 1;
                if (!token.quoted && token.text === ";") {
                    directives.push({ name: first.text, args, block: undefined, line: first.line });
                    break;
                }
                if (!token.quoted && token.text === "{") {
                    directives.push({ name: first.text, args, block: parseBlock(token), line: first.line });
                    break;
                }
                if (!token.quoted && token.text === "}") {
                    throw new Error(`the directive "${first.text}" on line ${first.line} does not end with ";" before "}"`);
                }
                args.push(token.text);
            }
        }
        if (closedBy !== undefined) {
            throw new Error(`the block opened on line ${closedBy.line} is not closed with "}"`);
        }
        return directives;
    };
    return parseBlock(undefined);
}

/** Every directive, blocks' contents included, depth first. */
function allDirectives(directives: readonly NginxDirective[]): NginxDirective[] {
    return directives.flatMap((directive) => [directive, ...allDirectives(directive.block ?? [])]);
}

/** What `serverConfig` must be, for messages. */
export const SERVER_CONFIG_RULE = "nginx server {} blocks (the text of a conf.d file), listening on port 80";

/** Whether a `listen` directive's arguments listen on port 80 (`80`, `*:80`, `0.0.0.0:80`, `[::]:80`). */
function listensOnPort80(args: readonly string[]): boolean {
    const address = args[0] ?? "";
    return /^(?:.*:)?80$/.test(address) && !address.startsWith("unix:");
}

/**
 * Checks an access_log or error_log directive: only the component's file (the shipper reads no
 * other) in the component's format, or `access_log off`.
 * @returns what is wrong, or `undefined`.
 */
function logDirectiveProblem(directive: NginxDirective): string | undefined {
    const [target, ...rest] = directive.args;
    if (directive.name === "access_log") {
        if (target === "off" && rest.length === 0) {
            return undefined;
        }
        const [format, ...options] = rest;
        const formatOk = format === undefined || format === ACCESS_LOG_FORMAT;
        const optionsOk = options.every((option) => option.startsWith("if="));
        if (target === ACCESS_LOG_PATH && formatOk && optionsOk) {
            return undefined;
        }
        return `access_log ${ACCESS_LOG_PATH} [${ACCESS_LOG_FORMAT}] [if=...], or access_log off: the shipper reads only ${ACCESS_LOG_PATH}, in the component's format, unbuffered`;
    }
    if (target === ERROR_LOG_PATH && rest.length <= 1) {
        return undefined;
    }
    return `error_log ${ERROR_LOG_PATH} [level]: the shipper reads only ${ERROR_LOG_PATH}`;
}

/**
 * Checks `serverConfig`: nginx syntax that parses, only `server` blocks (and the http-level
 * directives a conf.d file may hold) at the top, at least one server listening on port 80, and no
 * log written anywhere but the component's files.
 * @param key the argument's name in messages.
 * @returns the text as given, or `undefined` when it was not given (the image's default server).
 */
export function resolveServerConfig(value: unknown, key: string, problems: ProblemList): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") {
        problems.add(key, value, SERVER_CONFIG_RULE);
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
        problems.add(key, `(${(error as Error).message})`, SERVER_CONFIG_RULE);
        return undefined;
    }
    const servers = directives.filter((directive) => directive.name === "server" && directive.block !== undefined);
    if (servers.length === 0) {
        problems.add(key, "(no server {} block)", SERVER_CONFIG_RULE);
    } else if (!servers.some((server) => server.block!.some((d) => d.name === "listen" && listensOnPort80(d.args)))) {
        // Without one, nginx (as a non-root user) would listen on 8000: the Pod would never be Ready.
        problems.add(`${key} (listen)`, "(no server listens on port 80)",
            "a server block with `listen 80;`: nginx's port, which the probes and the Service use");
    }
    for (const directive of allDirectives(directives)) {
        if (directive.name === "access_log" || directive.name === "error_log") {
            const problem = logDirectiveProblem(directive);
            if (problem !== undefined) {
                problems.add(`${key} (${directive.name}, line ${directive.line})`, [directive.name, ...directive.args].join(" "), problem);
            }
        } else if (directive.name === "log_format") {
            problems.add(`${key} (log_format, line ${directive.line})`, [directive.name, ...directive.args].join(" "),
                `no log_format: the access log keeps the component's format (${ACCESS_LOG_FORMAT}), which the shipper ships as is`);
        }
    }
    return value;
}
