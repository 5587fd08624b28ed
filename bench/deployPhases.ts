/**
 * Where a no-op `pulumi up` of the dev stack spends its time over the floor (issue 30, item 4), on
 * the local cluster's real node, in one run:
 * - each no-op `up` of the dev stack's program and of bench/deploy.ts's floor (one ConfigMap, same
 *   CLI, provider and cluster), paired, cut into phases by the engine's own events (their arrival
 *   at the Automation API): until the stack resource is registered (the CLI, the plugins, the
 *   language host, node and ts-node starting); from there until the program registers its
 *   provider (the program's start: loading its modules, reading its config, the reachability and
 *   ownership reads); and from there to the end (the registrations, the provider's diffs, the
 *   engine's summary);
 * - the program's modules loaded in a fresh node process as Pulumi's runner loads them (ts-node,
 *   transpile only), against the same modules compiled to JavaScript beforehand (tsc), which is
 *   what the second phase's difference is made of.
 *
 *   npm run bench:deploy-phases [-- --repeats 3]
 *
 * Prints Markdown tables and writes bench/results/deploy-phases.md and .json. Expects the
 * environment of scripts/toolchain.sh env and scripts/cluster.sh env (bench/deploy.sh sets both up).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace } from "../lab/pulumiHarness";
import { FLOOR_PROGRAM } from "./floorProgram";
import { writeResults } from "./results";
import { median } from "./shippingRounds";

const ROOT = path.join(__dirname, "..");

/** The phases of one no-op `up`, in seconds from its start. */
interface Phases {
    readonly stackRegistered: number;
    readonly providerRegistered: number;
    readonly done: number;
}

/** One no-op `up`, timed by the engine's events: when the stack's and the provider's steps arrive. */
async function phasesOfNoOpUp(stack: TestStack): Promise<Phases> {
    const started = Date.now();
    let stackRegistered = NaN;
    let providerRegistered = NaN;
    await stack.stack.up({
        onEvent: (event) => {
            const type = event.resourcePreEvent?.metadata.type;
            if (type === "pulumi:pulumi:Stack" && Number.isNaN(stackRegistered)) {
                stackRegistered = (Date.now() - started) / 1000;
            } else if (type === "pulumi:providers:kubernetes" && Number.isNaN(providerRegistered)) {
                providerRegistered = (Date.now() - started) / 1000;
            }
        },
    });
    return { stackRegistered, providerRegistered, done: (Date.now() - started) / 1000 };
}

/** Paired no-op `up`s of the dev stack's program and of the floor. */
async function noOpUps(repeats: number): Promise<Record<"dev" | "floor", Phases[]>> {
    const result: Record<"dev" | "floor", Phases[]> = { dev: [], floor: [] };
    const stacks: [keyof typeof result, TestStack, string][] = [];
    try {
        for (const [label, program] of [["dev", undefined], ["floor", FLOOR_PROGRAM]] as const) {
            const namespace = createNamespace("bench-phases");
            const stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace }, program !== undefined ? { program } : {});
            stacks.push([label, stack, namespace]);
            await stack.stack.up();
        }
        for (let i = 0; i < repeats; i++) {
            for (const [label, stack] of stacks) {
                result[label].push(await phasesOfNoOpUp(stack));
            }
        }
    } finally {
        for (const [, stack, namespace] of stacks) {
            await stack.dispose();
            deleteNamespace(namespace);
        }
    }
    return result;
}

/** Milliseconds to load index.ts's modules (components/ and program/) in a fresh node, after @pulumi/pulumi and @pulumi/kubernetes. */
function moduleLoadMs(componentsEntry: string, withTsNode: boolean): number {
    const script = `
${withTsNode ? 'require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });' : ""}
require("@pulumi/pulumi"); require("@pulumi/kubernetes");
const start = process.hrtime.bigint();
require(${JSON.stringify(componentsEntry)});
console.log(Number(process.hrtime.bigint() - start) / 1e6);`;
    return Number(execFileSync("node", ["-e", script], { cwd: ROOT, encoding: "utf8" }).trim());
}

/** The same modules through ts-node, and compiled by tsc beforehand (into node_modules, where their imports resolve). */
function moduleLoads(repeats: number): { tsNode: number[]; compiled: number[] } {
    const compiled = fs.mkdtempSync(path.join(ROOT, "node_modules", ".bench-phases-"));
    try {
        execFileSync("npx", ["tsc", "-p", "tsconfig.package.json", "--outDir", compiled, "--declaration", "false"], { cwd: ROOT, stdio: "inherit" });
        const result = { tsNode: [] as number[], compiled: [] as number[] };
        for (let i = 0; i < repeats; i++) {
            result.tsNode.push(moduleLoadMs("./components", true));
            result.compiled.push(moduleLoadMs(compiled, false));
        }
        return result;
    } finally {
        fs.rmSync(compiled, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const repeatsAt = argv.indexOf("--repeats");
    const repeats = repeatsAt >= 0 ? Number(argv[repeatsAt + 1]) : 3;

    process.stderr.write(`bench: no-op up of the dev stack and the floor, paired, ${repeats} times...\n`);
    const ups = await noOpUps(repeats);
    process.stderr.write("bench: loading the component's modules through ts-node and compiled...\n");
    const loads = moduleLoads(repeats);

    const phase = (label: "dev" | "floor", pick: (p: Phases) => number) => median(ups[label].map(pick));
    const rows: [string, (p: Phases) => number][] = [
        ["CLI, plugins, language host, node and ts-node: to the stack's registration", (p) => p.stackRegistered],
        ["the program's start: to its provider's registration (modules, config, reachability and ownership reads)", (p) => p.providerRegistered - p.stackRegistered],
        ["registrations, the provider's diffs, the engine's end", (p) => p.done - p.providerRegistered],
        ["the whole no-op up", (p) => p.done],
    ];
    const lines = [
        `| phase of a no-op pulumi up (medians of ${repeats}, paired) | dev stack's program (s) | floor, one ConfigMap (s) | over the floor (s) |`,
        "|---|---|---|---|",
        ...rows.map(([name, pick]) => `| ${name} | ${phase("dev", pick).toFixed(2)} | ${phase("floor", pick).toFixed(2)} | ${(phase("dev", pick) - phase("floor", pick)).toFixed(2)} |`),
        "",
        `| loading components/ in a fresh node, after @pulumi/pulumi and @pulumi/kubernetes (medians of ${repeats}) | ms |`,
        "|---|---|",
        `| through ts-node, transpile only (as Pulumi's runner loads index.ts's imports) | ${median(loads.tsNode).toFixed(0)} |`,
        `| compiled to JavaScript beforehand (tsc) | ${median(loads.compiled).toFixed(0)} |`,
    ];
    writeResults("deploy-phases", lines.join("\n"), { repeats, ups, loads });
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
