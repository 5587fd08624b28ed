/**
 * The change matrix, end to end (issue 27, item 9; house style 19, "day two is the product"): a
 * deployed stack of each kind, the tutorial's bare Pod and the same Pod under `replicas: 2`, taken
 * through every stack key of the README's configuration table, one at a time: the key set to a
 * valid value other than the default, `pulumi preview` (it must succeed and show the change on the
 * right resource), `pulumi up`, the change read on what the cluster runs; then the previous value
 * set back, previewed, applied and read back. The table, and why each value, is
 * test/helpers/changeMatrix.ts; the keys it leaves out are printed with the reason.
 *
 * The two stacks run their rows side by side, each in its own namespaces (the `namespace` row moves
 * a stack to a second one). `up` is the Automation API's, `pulumi up --skip-preview`: the preview
 * just before it is the one each row checks. At the end it prints how many settings it changed and
 * how long it took. Against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { testImages } from "./clusterCapabilities";
import { EXCLUDED_KEYS, MATRIX_PULL_SECRET, MATRIX_REPLICAS, MatrixEnvironment, StackKind, matrixKeys, matrixRows } from "../helpers/changeMatrix";
import { MatrixLane, RowOutcome, runRow } from "../helpers/matrixLane";

/** The second context the test adds to its copy of the kubeconfig: the same cluster and user as the current one. */
const SECOND_CONTEXT = "change-matrix-second";

const KINDS: readonly StackKind[] = ["bare", "replicas"];

/**
 * How many stacks of each kind share the rows: more run more rows at once (most of a row is waiting
 * for Pods), at the cost of more CPU at once. Set with {@link STACKS_PER_KIND_ENV}.
 */
const DEFAULT_STACKS_PER_KIND = 2;
const STACKS_PER_KIND_ENV = "CHANGE_MATRIX_STACKS_PER_KIND";

/** The stacks per kind that `raw` (the environment variable) asks for. @throws naming the variable, its value and what is allowed. */
function stacksPerKindOf(raw: string | undefined): number {
    if (raw === undefined || raw === "") {
        return DEFAULT_STACKS_PER_KIND;
    }
    if (!/^[1-9][0-9]?$/.test(raw)) {
        throw new Error(`${STACKS_PER_KIND_ENV}: got ${JSON.stringify(raw)}; allowed: a whole number from 1 to 99`);
    }
    return Number(raw);
}

interface KubeconfigFile {
    "current-context"?: string;
    contexts?: { name: string; context: Record<string, unknown> }[];
}

/**
 * Two copies of the cluster's kubeconfig in `directory`, each with a second context on the same
 * cluster and user: the stacks deploy with the first, and the `kubeconfig` row moves them to the second.
 */
function kubeconfigCopies(directory: string): [string, string] {
    const config = yaml.load(fs.readFileSync(clusterKubeconfig(), "utf8")) as KubeconfigFile;
    const current = config.contexts?.find((context) => context.name === config["current-context"]);
    if (current === undefined) {
        throw new Error(`the kubeconfig ${clusterKubeconfig()} has no current-context to copy for the context row`);
    }
    config.contexts = [...config.contexts ?? [], { name: SECOND_CONTEXT, context: { ...current.context } }];
    const copies: [string, string] = [path.join(directory, "kubeconfig-a.yaml"), path.join(directory, "kubeconfig-b.yaml")];
    for (const copy of copies) {
        fs.writeFileSync(copy, yaml.dump(config), { mode: 0o600 });
    }
    return copies;
}

/** A promise with its resolve function, for a row's outcome that a lane produces while mocha waits on it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
}

describe("the change matrix: every setting changed on a deployed stack, previewed, applied, reverted", function () {
    this.timeout(1_800_000);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-matrix-"));
    const lanes: MatrixLane[] = [];
    const outcomes = new Map<string, ReturnType<typeof deferred<RowOutcome>>>();
    /** The rows' outcomes, in the order they finished. */
    const finished: RowOutcome[] = [];
    const namespaces: string[] = [];
    let deployedAt = 0;
    let deploySeconds = 0;
    const rowKeys = matrixKeys();
    const stacksPerKind = stacksPerKindOf(process.env[STACKS_PER_KIND_ENV]);

    before(async () => {
        const started = Date.now();
        const [kubeconfig, otherKubeconfig] = kubeconfigCopies(directory);
        const images = testImages();
        const environments = new Map<MatrixLane, MatrixEnvironment>();
        await Promise.all(KINDS.flatMap((kind) => [...Array(stacksPerKind).keys()].map(async (index) => {
            const namespace = createNamespace(`matrix-${kind}`);
            const otherNamespace = createNamespace(`matrix-${kind}-moved`);
            namespaces.push(namespace, otherNamespace);
            kubectl(["create", "secret", "docker-registry", MATRIX_PULL_SECRET, "-n", namespace,
                "--docker-server=registry.invalid", "--docker-username=matrix", "--docker-password=matrix"]);
            const baseConfig = { kubeconfig, namespace, ...images, ...(kind === "replicas" ? { replicas: String(MATRIX_REPLICAS) } : {}) };
            const stack = await TestStack.create(baseConfig);
            const lane: MatrixLane = { kind, index, stack, namespace, otherNamespace, baseConfig };
            lanes.push(lane);
            environments.set(lane, { kubeconfig, otherKubeconfig, secondContext: SECOND_CONTEXT, namespace, otherNamespace, ...images });
            await stack.up();
        })));
        deploySeconds = (Date.now() - started) / 1000;
        for (const [key, reason] of Object.entries(EXCLUDED_KEYS)) {
            console.log(`      excluded: ${key}: ${reason}`);
        }
        deployedAt = Date.now();
        for (const kind of KINDS) {
            for (const key of rowKeys) {
                outcomes.set(`${kind} ${key}`, deferred<RowOutcome>());
            }
        }
        // Every stack at once, each running its share of the rows (every stacksPerKind-th) one after
        // another; each `it` below waits for its row.
        for (const lane of lanes) {
            const rows = matrixRows(environments.get(lane)!).filter((_, position) => position % stacksPerKind === lane.index);
            void (async () => {
                for (const row of rows) {
                    const outcome = await runRow(lane, row);
                    finished.push(outcome);
                    // Progress as it happens: the rows finish in an order mocha's report does not show.
                    console.log(`      [${((Date.now() - deployedAt) / 1000).toFixed(0)} s] ${lane.kind} ${row.key}: ${outcome.failure ? "FAILED" : "passed"} in ${outcome.seconds.toFixed(0)} s`);
                    outcomes.get(`${lane.kind} ${row.key}`)!.resolve(outcome);
                }
            })();
        }
    });

    after(async () => {
        if (deployedAt > 0) {
            printSummary(finished, stacksPerKind, deploySeconds, (Date.now() - deployedAt) / 1000);
        }
        await Promise.all(lanes.map((lane) => lane.stack.dispose()));
        namespaces.forEach(deleteNamespace);
        fs.rmSync(directory, { recursive: true, force: true });
    });

    for (const kind of KINDS) {
        describe(`the ${kind === "bare" ? "tutorial's bare Pod" : `replicas: ${MATRIX_REPLICAS}`} stack`, () => {
            for (const key of rowKeys) {
                it(`${key}: changed, previewed, applied, seen; reverted the same way`, async () => {
                    const outcome = await outcomes.get(`${kind} ${key}`)!.promise;
                    if (outcome.failure !== undefined) {
                        throw outcome.failure;
                    }
                    expect(outcome.key).to.equal(key);
                });
            }
        });
    }
});

/** Prints what the closing note quotes: how many settings, changes and failures, and how long each part took. */
function printSummary(done: readonly RowOutcome[], stacksPerKind: number, deploySeconds: number, matrixSeconds: number): void {
    for (const kind of KINDS) {
        const rows = done.filter((row) => row.kind === kind);
        console.log(`      ${kind}: ${rows.map((row) => `${row.key} ${row.seconds.toFixed(0)} s${row.failure ? " FAILED" : ""}`).join(", ")}`);
    }
    const settings = new Set(done.map((row) => row.key)).size;
    const failed = done.filter((row) => row.failure !== undefined).length;
    console.log(`      change matrix: ${settings} settings × ${KINDS.length} kinds of stack (${stacksPerKind} stack(s) of each sharing the rows) = ${done.length} changes (each previewed, applied, reverted, previewed, applied), `
        + `${done.length - failed} passed, ${failed} failed; excluded: ${Object.keys(EXCLUDED_KEYS).join(", ")} (the reason above); `
        + `deploy ${deploySeconds.toFixed(0)} s, matrix ${matrixSeconds.toFixed(0)} s, total ${(deploySeconds + matrixSeconds).toFixed(0)} s`);
}
