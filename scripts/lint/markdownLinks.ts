/**
 * Fails on a broken relative link in the repository's Markdown files: a link to a file or folder
 * that does not exist, or to a `#heading` that the target Markdown file (or the same file) does not
 * have. Anchors are computed as GitHub computes them for headings. Links with a scheme (`https:`,
 * `mailto:`) are not followed: this checks the repository, offline, with no dependency.
 *
 * Usage: `npx ts-node --transpile-only scripts/lint/markdownLinks.ts [file.md ...]`
 * With no file, it checks every Markdown file git knows (tracked, or untracked and not ignored).
 * It prints each broken link as `file:line: ...` and exits 1 when there is one.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** One link as written in a Markdown file. */
export interface MarkdownLink {
    /** 1-based line of the link's destination. */
    readonly line: number;
    /** The destination as written (without `<>` or title). */
    readonly target: string;
}

/** One broken link: where it is and why it is broken. */
export interface BrokenLink {
    /** The Markdown file, relative to the root. */
    readonly file: string;
    readonly line: number;
    readonly target: string;
    readonly reason: string;
}

const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * The lines of a Markdown document with fenced code blocks blanked out (their line numbers kept),
 * so that neither their links nor their `#` lines are read as Markdown.
 */
function proseLines(markdown: string): string[] {
    const lines = markdown.split(/\r?\n/);
    let fence: string | undefined;
    return lines.map((line) => {
        const opening = FENCE.exec(line);
        if (fence === undefined) {
            if (opening) {
                fence = opening[1];
                return "";
            }
            return line;
        }
        // A fence closes with at least as many of the same character, and nothing after it.
        if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length && line.trim() === opening[1]) {
            fence = undefined;
        }
        return "";
    });
}

/** A line with its inline code spans blanked out (same length), so `[a](b)` in code is not a link. */
function withoutCodeSpans(line: string): string {
    return line.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (span) => " ".repeat(span.length));
}

/**
 * The anchor GitHub gives a heading: its text lower-cased, every character that is not a letter,
 * digit, mark, space, `-` or `_` removed, and each space turned into `-`.
 * @example githubSlug("When the cluster does not answer, an `up` is interrupted") === "when-the-cluster-does-not-answer-an-up-is-interrupted"
 */
export function githubSlug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
        .replace(/<[^>]+>/g, "") // inline HTML tags
        .replace(/`/g, "")
        .replace(/\*/g, "")
        .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, "$1"); // emphasis underscores, not those inside words
    return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}\- _]/gu, "").replace(/ /g, "-");
}

/**
 * Every anchor a Markdown document has: its headings' (ATX `#` and setext), numbered `-1`, `-2`
 * for repeats as GitHub does, and explicit HTML `id`/`name` attributes.
 */
export function headingAnchors(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    const add = (heading: string) => {
        const slug = githubSlug(heading);
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
    };
    const lines = proseLines(markdown);
    lines.forEach((line, index) => {
        const atx = /^ {0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$/.exec(line);
        if (atx) {
            add(atx[1]);
        } else if (index + 1 < lines.length && /^ {0,3}(=+|-+)\s*$/.test(lines[index + 1]) && line.trim() !== ""
            && !/^\s*([-*+]|\d+[.)])\s/.test(line) && !line.includes("|")) {
            add(line.trim());
        }
        for (const match of line.matchAll(/<[a-z][^>]*\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) {
            anchors.add(match[1]);
        }
    });
    return anchors;
}

/** Where an inline link's destination ends: its `)`, with balanced parentheses inside. */
function destinationEnd(line: string, start: number): number {
    let depth = 0;
    for (let i = start; i < line.length; i++) {
        const c = line[i];
        if (c === "\\") {
            i++;
        } else if (c === "(") {
            depth++;
        } else if (c === ")") {
            if (depth === 0) {
                return i;
            }
            depth--;
        }
    }
    return -1;
}

/**
 * The links of a Markdown document outside code: inline links and images `[text](target "title")`,
 * reference definitions `[label]: target`, and HTML `href`/`src` attributes.
 */
export function findLinks(markdown: string): MarkdownLink[] {
    const links: MarkdownLink[] = [];
    proseLines(markdown).forEach((rawLine, index) => {
        const line = withoutCodeSpans(rawLine);
        const add = (destination: string) => {
            let target = destination.trim();
            if (target.startsWith("<")) {
                target = target.slice(1, target.indexOf(">") === -1 ? undefined : target.indexOf(">"));
            } else {
                target = target.split(/\s+/)[0]; // drop a title
            }
            if (target !== "") {
                links.push({ line: index + 1, target });
            }
        };
        const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
        if (definition) {
            add(definition[1]);
            return;
        }
        for (let at = line.indexOf("]("); at !== -1; at = line.indexOf("](", at + 2)) {
            const end = destinationEnd(line, at + 2);
            if (end !== -1) {
                add(line.slice(at + 2, end));
            }
        }
        for (const match of line.matchAll(/<[a-z][^>]*\s(?:href|src)\s*=\s*["']([^"']+)["']/gi)) {
            add(match[1]);
        }
    });
    return links;
}

/** Whether a link leaves the repository (a scheme such as `https:` or `mailto:`, or `//host`). */
function isExternal(target: string): boolean {
    return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/**
 * Checks the links of the given Markdown files.
 * @param root the repository's root: `/`-rooted links start there, as on GitHub.
 * @param files Markdown files, relative to `root`.
 * @returns every broken link, in file and line order (empty when all are good).
 */
export function checkMarkdownLinks(root: string, files: readonly string[]): BrokenLink[] {
    const anchorCache = new Map<string, Set<string>>();
    const anchorsOf = (absolute: string): Set<string> => {
        let anchors = anchorCache.get(absolute);
        if (anchors === undefined) {
            anchors = headingAnchors(fs.readFileSync(absolute, "utf8"));
            anchorCache.set(absolute, anchors);
        }
        return anchors;
    };
    const broken: BrokenLink[] = [];
    for (const file of files) {
        const absoluteFile = path.resolve(root, file);
        for (const link of findLinks(fs.readFileSync(absoluteFile, "utf8"))) {
            if (isExternal(link.target)) {
                continue;
            }
            const report = (reason: string) => broken.push({ file, line: link.line, target: link.target, reason });
            const hash = link.target.indexOf("#");
            const pathPart = hash === -1 ? link.target : link.target.slice(0, hash);
            const anchor = hash === -1 ? undefined : link.target.slice(hash + 1);
            let decodedPath: string;
            let decodedAnchor: string | undefined;
            try {
                decodedPath = decodeURIComponent(pathPart.split("?")[0]);
                decodedAnchor = anchor === undefined ? undefined : decodeURIComponent(anchor);
            } catch {
                report("not a valid URL (bad % escape)");
                continue;
            }
            const target = decodedPath === "" ? absoluteFile
                : decodedPath.startsWith("/") ? path.join(root, decodedPath) : path.resolve(path.dirname(absoluteFile), decodedPath);
            if (!fs.existsSync(target)) {
                report(`no such file or folder: ${shownPath(root, target)}`);
                continue;
            }
            if (decodedAnchor === undefined || decodedAnchor === "") {
                continue;
            }
            if (/\.(md|markdown)$/i.test(target) && fs.statSync(target).isFile()) {
                if (!anchorsOf(target).has(decodedAnchor.toLowerCase()) && !anchorsOf(target).has(decodedAnchor)) {
                    report(`no heading with the anchor #${decodedAnchor} in ${path.relative(root, target)}`);
                }
            } else if (!/^L\d+(C\d+)?(-L\d+(C\d+)?)?$/.test(decodedAnchor)) {
                // GitHub's only anchors in a file that is not Markdown are its line numbers.
                report(`#${decodedAnchor} is not a line anchor (#L12, #L12-L20) of ${shownPath(root, target)}`);
            }
        }
    }
    return broken;
}

/** The repository's Markdown files as git sees them: tracked, or untracked and not ignored. */
export function repositoryMarkdownFiles(root: string): string[] {
    const output = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md", "*.markdown"], { cwd: root, encoding: "utf8" });
    const files = [...new Set(output.split("\0").filter((file) => file !== ""))];
    // A file deleted from the work tree but still in the index is not there to check.
    return files.filter((file) => fs.existsSync(path.join(root, file))).sort();
}

function main(argv: readonly string[]): number {
    const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
    const files = argv.length > 0 ? argv.map((file) => path.relative(root, path.resolve(file))) : repositoryMarkdownFiles(root);
    const broken = checkMarkdownLinks(root, files);
    for (const link of broken) {
        console.error(`${link.file}:${link.line}: broken link (${link.target}): ${link.reason}`);
    }
    if (broken.length > 0) {
        console.error(`markdownLinks: ${broken.length} broken link(s) in ${new Set(broken.map((link) => link.file)).size} file(s)`);
        return 1;
    }
    console.log(`markdownLinks: every relative link in ${files.length} Markdown file(s) resolves`);
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}

/** A path as messages show it: relative to the repository's root, which itself is ".". */
function shownPath(root: string, target: string): string {
    const relative = path.relative(root, target);
    return relative === "" ? "." : relative;
}
