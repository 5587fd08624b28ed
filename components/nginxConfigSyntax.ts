/**
 * nginx's configuration syntax, read the way nginx reads it: the lexer is modelled on
 * `ngx_conf_read_token` and the block structure on `ngx_conf_parse`, both in
 * src/core/ngx_conf_file.c of nginx release-1.22.1 (the version Debian bookworm ships, which
 * test/serverConfigDifferential.test.ts runs against the same texts); both functions are the same,
 * but for a cast and indentation, up to release-1.31.4, so also in the official image's 1.30.
 * Only syntax: which directives exist, where they may stand and what their arguments mean is
 * nginx's to judge.
 *
 * Its errors name a line and, at most, a directive's name: never the text around it, because a
 * server block may be set as a secret (`pulumi config set --secret`) and messages end up in logs.
 */

/** nginx reads its configuration through a buffer of this many bytes: a longer word or comment fails. */
export const NGINX_CONF_BUFFER_BYTES = 4096;

/** One directive of nginx's configuration: its name, its arguments and, for a block, what it holds. */
export interface NginxDirective {
    readonly name: string;
    readonly args: readonly string[];
    readonly block: readonly NginxDirective[] | undefined;
    /** The 1-based line the directive starts on, for messages. */
    readonly line: number;
}

/** A token of nginx's configuration: a word (quotes and escapes resolved as nginx does) or `;`, `{`, `}`. */
export type NginxToken =
    | { readonly kind: "word"; readonly text: string; readonly line: number }
    | { readonly kind: ";" | "{" | "}"; readonly line: number };

/** Text that nginx would refuse to read, with the line it is on and why, in words that quote none of it. */
export class NginxSyntaxError extends Error {
    constructor(readonly line: number, readonly reason: string) {
        super(`${reason} (line ${line})`);
        this.name = "NginxSyntaxError";
    }
}

/** nginx's whitespace: exactly these four; a no-break space or a form feed is part of a word to nginx. */
function isNginxSpace(char: string): boolean {
    return char === " " || char === "\t" || char === "\r" || char === "\n";
}

/** The bytes a code point takes in UTF-8: nginx counts bytes, JavaScript code units. */
function utf8Length(codePoint: string): number {
    const code = codePoint.codePointAt(0) ?? 0;
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/**
 * A word's text as nginx stores it: `\"`, `\'` and `\\` stand for the character, `\t`, `\r`, `\n`
 * for the control character, and any other backslash stays as written (regexes keep their `\d`).
 */
function unescapeWord(raw: string): string {
    const escapes: Readonly<Record<string, string>> = { "\"": "\"", "'": "'", "\\": "\\", t: "\t", r: "\r", n: "\n" };
    return raw.replace(/\\(["'\\trn])/g, (_match, escaped: string) => escapes[escaped]);
}

/**
 * A directive's name as messages show it: only when it looks like one. Anything else (a stray
 * argument read as a directive, say) could be part of a secret, so it is not repeated.
 */
export function describeDirective(name: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? `the directive "${name}"` : "a directive";
}

/**
 * Splits nginx configuration text into tokens by nginx's rules: a `#` starts a comment and a quote
 * starts a quoted word only where a word starts (`a#b` and `it's` are plain words), a closing
 * quote must be followed by a space, `;`, `{` or `)`, `\` escapes the next character anywhere,
 * `${` does not end a word (`${hostname}-web`), and a word or comment is shorter than nginx's
 * read buffer ({@link NGINX_CONF_BUFFER_BYTES}).
 * @throws {NginxSyntaxError} where nginx's lexer fails: a character right after a closing quote,
 *   an unterminated quote, a word or comment too long.
 */
export function tokenizeNginxConfig(text: string): NginxToken[] {
    const tokens: NginxToken[] = [];
    let line = 1;
    let offset = 0; // in UTF-8 bytes, as nginx's buffer counts
    // nginx's lexer state, named after its flags: between words, after a closing quote, in a comment,
    // after a backslash, inside quotes, right after a `$`.
    let lastSpace = true;
    let needSpace = false;
    let sharpComment = false;
    let escaped = false;
    let quote: string | undefined;
    let variable = false;
    let raw = "";
    let startOffset = 0;
    let startLine = 1;

    const checkLength = (endOffset: number, what: string) => {
        if (endOffset - startOffset >= NGINX_CONF_BUFFER_BYTES) {
            throw new NginxSyntaxError(startLine, `a ${what} of ${NGINX_CONF_BUFFER_BYTES} bytes or more: nginx reads at most ${NGINX_CONF_BUFFER_BYTES - 1}`);
        }
    };

    for (const char of text) {
        const at = offset;
        offset += utf8Length(char);
        if (char === "\n") {
            line += 1;
            if (sharpComment) {
                sharpComment = false;
                checkLength(at, "comment");
            }
        }
        if (sharpComment) {
            continue;
        }
        if (escaped) {
            escaped = false;
            raw += char;
            continue;
        }
        if (needSpace) {
            if (isNginxSpace(char)) {
                lastSpace = true;
                needSpace = false;
                continue;
            }
            if (char === ";" || char === "{") {
                tokens.push({ kind: char, line });
                lastSpace = true;
                needSpace = false;
                continue;
            }
            if (char !== ")") {
                throw new NginxSyntaxError(line, "a character right after a closing quote, where nginx wants a space, \";\" or \"{\"");
            }
            // nginx lets `)` follow a quote (`if ($a = "b")`), and reads it as the start of a word.
            lastSpace = true;
            needSpace = false;
        }
        if (lastSpace) {
            startOffset = at;
            startLine = line;
            if (isNginxSpace(char)) {
                continue;
            }
            lastSpace = false;
            if (char === ";" || char === "{" || char === "}") {
                // Whether one may stand here (after a directive's words, or closing a block) is the parser's call.
                tokens.push({ kind: char, line });
                lastSpace = true;
            } else if (char === "#") {
                sharpComment = true;
                lastSpace = true;
            } else if (char === "\"" || char === "'") {
                quote = char;
                raw = "";
                startOffset = offset; // nginx's buffer limit counts from after the opening quote
            } else {
                escaped = char === "\\";
                variable = char === "$";
                raw = char;
            }
            continue;
        }
        // Inside a word.
        if (char === "{" && variable) {
            raw += char;
            continue;
        }
        variable = false;
        if (char === "\\" || char === "$") {
            escaped = char === "\\";
            variable = char === "$";
            raw += char;
            continue;
        }
        let ended = false;
        if (quote !== undefined) {
            if (char === quote) {
                quote = undefined;
                needSpace = true;
                ended = true;
            }
        } else if (isNginxSpace(char) || char === ";" || char === "{") {
            lastSpace = true;
            ended = true;
        }
        if (!ended) {
            raw += char;
            continue;
        }
        checkLength(at, "word");
        tokens.push({ kind: "word", text: unescapeWord(raw), line: startLine });
        raw = "";
        if (char === ";" || char === "{") {
            tokens.push({ kind: char, line });
        }
    }
    if (quote !== undefined) {
        throw new NginxSyntaxError(startLine, `a ${quote} quote that is never closed`);
    }
    if (!lastSpace && !needSpace && !sharpComment) {
        // A word cut off by the end of the text: the parser then finds its directive unterminated.
        tokens.push({ kind: "word", text: unescapeWord(raw), line: startLine });
    }
    return tokens;
}

/**
 * Parses nginx configuration text (a conf.d file's) into its directives, as nginx's parser
 * nests them: a directive ends with `;` or opens a block with `{`, and `}` closes the block.
 * @throws {NginxSyntaxError} where nginx's parser fails (and see {@link tokenizeNginxConfig}): a
 *   directive without `;`, a `;` or `{` with no directive, a `}` inside a directive or closing no
 *   block, a block left open.
 */
export function parseNginxConfig(text: string): NginxDirective[] {
    const tokens = tokenizeNginxConfig(text);
    let position = 0;
    const parseBlock = (opener: { readonly name: string; readonly line: number } | undefined): NginxDirective[] => {
        const directives: NginxDirective[] = [];
        for (;;) {
            const first = tokens[position];
            position += 1;
            if (first === undefined) {
                if (opener !== undefined) {
                    throw new NginxSyntaxError(opener.line, `the block of ${describeDirective(opener.name)} is not closed with "}"`);
                }
                return directives;
            }
            if (first.kind === "}") {
                if (opener === undefined) {
                    throw new NginxSyntaxError(first.line, "a \"}\" that closes no block");
                }
                return directives;
            }
            if (first.kind !== "word") {
                throw new NginxSyntaxError(first.line, `a "${first.kind}" with no directive before it`);
            }
            const args: string[] = [];
            for (;;) {
                const token = tokens[position];
                position += 1;
                if (token === undefined) {
                    throw new NginxSyntaxError(first.line, `${describeDirective(first.text)} does not end with ";" or a block`);
                }
                if (token.kind === "word") {
                    args.push(token.text);
                } else if (token.kind === ";") {
                    directives.push({ name: first.text, args, block: undefined, line: first.line });
                    break;
                } else if (token.kind === "{") {
                    directives.push({ name: first.text, args, block: parseBlock({ name: first.text, line: first.line }), line: first.line });
                    break;
                } else {
                    throw new NginxSyntaxError(token.line, `a "}" before ${describeDirective(first.text)} ends with ";"`);
                }
            }
        }
    };
    return parseBlock(undefined);
}

/** Every directive, blocks' contents included, depth first. */
export function allDirectives(directives: readonly NginxDirective[]): NginxDirective[] {
    return directives.flatMap((directive) => [directive, ...allDirectives(directive.block ?? [])]);
}
