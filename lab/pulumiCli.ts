/**
 * The Pulumi CLI as users run it, as a child process on a {@link TestStack}'s project and backend,
 * so that a test can interrupt it (Ctrl-C, a kill) or run two at once; and what the fault tests
 * read afterwards: the state's resources and pending operations, the backend's lock files.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { processTree, signalIfAlive } from "./processes";
import { TestStack } from "./pulumiHarness";

/** How a CLI run ended. */
export interface CliResult {
    /** The exit code, or null when a signal ended it. */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    /** stdout and stderr, interleaved as they came. */
    readonly output: string;
    /** stdout alone (for commands whose output is data, like `stack export`). */
    readonly stdout: string;
    readonly elapsedMs: number;
}

/** A running `pulumi` command. */
export class CliRun {
    private text = "";
    private stdoutText = "";
    private readonly started = Date.now();
    /** Resolves when the process has exited. */
    readonly finished: Promise<CliResult>;
    private exited = false;

    constructor(private readonly child: ChildProcess) {
        child.stdout?.on("data", (chunk: Buffer) => {
            this.text += chunk.toString();
            this.stdoutText += chunk.toString();
        });
        child.stderr?.on("data", (chunk: Buffer) => (this.text += chunk.toString()));
        this.finished = new Promise((resolve) => child.on("close", (code, signal) => {
            this.exited = true;
            resolve({ code, signal, output: this.text, stdout: this.stdoutText, elapsedMs: Date.now() - this.started });
        }));
    }

    /** The CLI's process id (what its lock file records). */
    get pid(): number {
        return this.child.pid as number;
    }

    /** What it printed so far. */
    get output(): string {
        return this.text;
    }

    get running(): boolean {
        return !this.exited;
    }

    /**
     * Sends a signal to the CLI's whole process group, as a terminal does on Ctrl-C (SIGINT) and as
     * a CI runner does when it kills a job: the language host and the provider plugins get it too.
     */
    signalGroup(signal: NodeJS.Signals): void {
        this.signalledTree = processTree(this.child.pid as number);
        process.kill(-(this.child.pid as number), signal);
    }

    /**
     * Kills what is left of the process tree the CLI had when it was signalled. The CLI starts its
     * provider plugins in process groups of their own, so a SIGKILL to its group leaves them
     * running (idle gRPC servers whose engine is gone); a test that kills the CLI must not leave them
     * behind. Returns how many were left.
     */
    killLeftovers(): number {
        return this.signalledTree.filter((pid) => signalIfAlive(pid, "SIGKILL")).length;
    }

    private signalledTree: number[] = [];
}

/** The environment the Automation API gave the stack (backend URL, passphrase), for the CLI. */
function stackEnvironment(stack: TestStack): NodeJS.ProcessEnv {
    return { ...process.env, ...(stack.stack.workspace as LocalWorkspace).envVars };
}

/**
 * Starts `pulumi <args> --stack <stack> --non-interactive` in the stack's project, in a process
 * group of its own (see {@link CliRun.signalGroup}).
 */
export function startCli(stack: TestStack, args: string[]): CliRun {
    const child = spawn("pulumi", [...args, "--stack", stack.stack.name, "--non-interactive"], {
        cwd: stack.stack.workspace.workDir,
        env: stackEnvironment(stack),
        detached: true, // its own process group, so that a signal reaches all of it and nothing of ours
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new CliRun(child);
}

/** Runs `pulumi <args>` to its end (see {@link startCli}). */
export function runCli(stack: TestStack, args: string[]): Promise<CliResult> {
    return startCli(stack, args).finished;
}

/** The file backend's directory of a TestStack (its PULUMI_BACKEND_URL is `file://<dir>`). */
function backendDirectory(stack: TestStack): string {
    const url = stackEnvironment(stack).PULUMI_BACKEND_URL ?? "";
    if (!url.startsWith("file://")) {
        throw new Error(`expected a file backend, got ${JSON.stringify(url)}`);
    }
    return url.slice("file://".length);
}

/** The lock files the file backend holds for the stack: one while an operation runs on it. */
export function stackLockFiles(stack: TestStack): string[] {
    const locks = path.join(backendDirectory(stack), ".pulumi", "locks");
    if (!fs.existsSync(locks)) {
        return [];
    }
    return (fs.readdirSync(locks, { recursive: true, encoding: "utf8" }) as string[])
        .filter((file) => file.endsWith(".json") && file.includes(`${path.sep}${stack.stack.name}${path.sep}`))
        .map((file) => path.join(locks, file));
}

/** What a stack's state records: its resources' types and the operations left pending. */
export interface StateSummary {
    readonly types: string[];
    /** Each pending operation as `<type> <urn's resource type>`, e.g. `creating kubernetes:core/v1:Pod`. */
    readonly pending: string[];
}

/** Reads the stack's state with `pulumi stack export`, as a user would inspect it. */
export async function stateSummary(stack: TestStack): Promise<StateSummary> {
    const result = await runCli(stack, ["stack", "export"]);
    if (result.code !== 0) {
        throw new Error(`pulumi stack export failed: ${result.output}`);
    }
    const deployment = (JSON.parse(result.stdout) as { deployment: { resources?: { type: string }[]; pending_operations?: { type: string; resource: { type: string } }[] } }).deployment;
    return {
        types: (deployment.resources ?? []).map((r) => r.type),
        pending: (deployment.pending_operations ?? []).map((op) => `${op.type} ${op.resource.type}`),
    };
}
