import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigProblem } from "../components/errors";
import { parseKubeconfig } from "./parseKubeconfig";

/** Where a kubeconfig comes from, once the `kubeconfig` setting has been interpreted. */
export type KubeconfigSource =
    | { readonly kind: "inline"; readonly contents: string }
    | { readonly kind: "file"; readonly path: string }
    /** Nothing configured: the provider does what kubectl does ($KUBECONFIG, ~/.kube/config, in-cluster). */
    | { readonly kind: "default"; readonly paths: readonly string[] };

/** What this module reads from the machine, passed in so that tests need no real files. */
export interface KubeconfigEnvironment {
    readonly kubeconfigEnv: string | undefined;
    readonly homeDirectory: string;
    readonly readFile: (file: string) => string | undefined;
}

/** The real machine: $KUBECONFIG, the home directory, and files that may not exist. */
export function machineEnvironment(): KubeconfigEnvironment {
    return {
        kubeconfigEnv: process.env.KUBECONFIG,
        homeDirectory: os.homedir(),
        readFile: (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined),
    };
}

/** Whether a `kubeconfig` setting is a kubeconfig document (it has a newline or starts with `{`) rather than a path. */
export function isInlineKubeconfig(setting: string): boolean {
    return setting.includes("\n") || setting.trimStart().startsWith("{");
}

/**
 * Interprets the `kubeconfig` setting: contents when it is inline ({@link isInlineKubeconfig}),
 * else a path (`~` expanded). Unset means kubectl's defaults.
 */
export function kubeconfigSource(setting: string | undefined, env: KubeconfigEnvironment): KubeconfigSource {
    if (setting === undefined) {
        const paths = env.kubeconfigEnv
            ? env.kubeconfigEnv.split(path.delimiter).filter((p) => p !== "")
            : [path.join(env.homeDirectory, ".kube", "config")];
        return { kind: "default", paths };
    }
    if (isInlineKubeconfig(setting)) {
        return { kind: "inline", contents: setting };
    }
    const expanded = setting.startsWith("~/") ? path.join(env.homeDirectory, setting.slice(2)) : setting;
    return { kind: "file", path: path.resolve(expanded) };
}

/** Where an inline kubeconfig (stack config) was read from, in messages: it has no file to name. */
export const INLINE_ORIGIN = "the inline kubeconfig";

/** A kubeconfig document, and where it was read. */
export interface KubeconfigDocument {
    /** A file's path, or {@link INLINE_ORIGIN}. */
    readonly origin: string;
    readonly text: string;
}

/** The documents a source provides, in kubectl's order; files that do not exist are left out. */
export function kubeconfigDocuments(source: KubeconfigSource, env: KubeconfigEnvironment): KubeconfigDocument[] {
    if (source.kind === "inline") {
        return [{ origin: INLINE_ORIGIN, text: source.contents }];
    }
    return (source.kind === "file" ? [source.path] : source.paths).flatMap((file) => {
        const text = env.readFile(file);
        return text === undefined ? [] : [{ origin: file, text }];
    });
}

/**
 * Checks that a configured kubeconfig exists and parses, and that a configured context is in it.
 * When nothing is configured and no default file exists, that is left to the provider (it may
 * run in-cluster); a configured context with no kubeconfig to look it up in is a problem.
 * @param keys the config keys the kubeconfig and the context were read from, for the messages.
 * @returns the problems found (empty when all is well).
 */
export function checkKubeconfig(source: KubeconfigSource, context: string | undefined, env: KubeconfigEnvironment, keys: { readonly kubeconfig: string; readonly context: string }): ConfigProblem[] {
    const kubeconfigKey = keys.kubeconfig;
    const documents = kubeconfigDocuments(source, env);
    if (source.kind === "file" && documents.length === 0) {
        return [{ key: kubeconfigKey, value: source.path, allowed: "the path of an existing kubeconfig file, or a kubeconfig's contents (no such file)" }];
    }

    const names: string[] = [];
    for (const document of documents) {
        const parsed = parseKubeconfig(document.text);
        if ("error" in parsed) {
            return [{ key: kubeconfigKey, value: source.kind === "inline" ? "(inline contents)" : document.origin, allowed: `a kubeconfig in YAML or JSON (${parsed.error})` }];
        }
        names.push(...parsed.contexts.map((c) => c.name));
    }

    if (context === undefined || names.includes(context)) {
        return [];
    }
    const where = documents.length === 0
        ? `a context of a kubeconfig, but none was found (looked in ${source.kind === "default" ? source.paths.join(", ") : "nothing"})`
        : `a context of ${documents.map((d) => d.origin).join(", ")}: ${names.length > 0 ? names.join(", ") : "(it has none)"}`;
    return [{ key: keys.context, value: context, allowed: where }];
}
