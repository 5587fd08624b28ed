import Module from "module";

/*
 * The Pulumi SDKs the plugin runs with: this directory's copies when it has them (`pulumi package
 * add` of a git tag installs this package.json's dependencies here), else the repository's (a clone
 * after `npm ci`). The component's modules in ../components import the SDKs too, and Node resolves
 * those imports from ../components upward: to no copy at all in an install from a git tag, or to a
 * second copy beside this directory's. A component and the provider host on two copies of
 * `@pulumi/pulumi` would register through two runtimes, so every import of an SDK, from any file,
 * is resolved from this directory, and the process has one copy of each.
 */

/** The packages that must be one copy in the process. */
const SDK_PACKAGES = ["@pulumi/pulumi", "@pulumi/kubernetes"];

/** Node's internals that `require` resolves through (not in @types/node). */
interface ModuleInternals {
    _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
    _nodeModulePaths(directory: string): string[];
}

/**
 * Tells whether a `require` is of one of the SDKs or a path inside one.
 * @param request what was required, e.g. `@pulumi/pulumi/provider/experimental`.
 */
export function isSdkRequest(request: string): boolean {
    return SDK_PACKAGES.some((name) => request === name || request.startsWith(`${name}/`));
}

/**
 * Makes every `require` of an SDK resolve as if from `directory`, from now on.
 * @param directory the plugin's directory.
 */
export function resolveSdksFrom(directory: string): void {
    const internals = Module as unknown as ModuleInternals;
    const resolveFilename = internals._resolveFilename.bind(Module);
    // What Node knows of a module in `directory`: the node_modules folders it looks in.
    const parent = { id: directory, filename: `${directory}/index.ts`, paths: internals._nodeModulePaths(directory) };
    internals._resolveFilename = (request, requester, ...rest) =>
        resolveFilename(request, isSdkRequest(request) ? parent : requester, ...rest);
}

// On import: index.ts imports this module before any module that imports an SDK, and modules run
// in the order of their imports.
resolveSdksFrom(__dirname);
