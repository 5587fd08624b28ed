/**
 * A stack whose program is a function of the test (the Automation API's inline program), with
 * local state: for tests that use the component as a library, as a team's own program does.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

/** One inline stack with local state; `program` is read at each operation, so a test can change it. */
export class InlineStack {
    program: () => Promise<Record<string, unknown>> = async () => ({});
    events: EngineEvent[] = [];

    private constructor(readonly stack: Stack, private readonly state: string) {}

    static async create(project: string): Promise<InlineStack> {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), `${project}-state-`));
        // The program runs at each operation, after the stack exists: it reads the stack's current one.
        const holder: { stack?: InlineStack } = {};
        const stack = await LocalWorkspace.createStack({
            projectName: project,
            stackName: `it-${crypto.randomBytes(3).toString("hex")}`,
            program: () => holder.stack!.program(),
        }, {
            envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: project, PULUMI_SKIP_UPDATE_CHECK: "true" },
            projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${state}` } },
        });
        holder.stack = new InlineStack(stack, state);
        return holder.stack;
    }

    async up() {
        this.events = [];
        return this.stack.up({ onEvent: (e) => this.events.push(e) });
    }

    /** The operation of each step on a resource of `type`, e.g. ["update"] or ["replace", ...]. */
    operationsOn(type: string): string[] {
        return this.events.flatMap((e) => (e.resourcePreEvent?.metadata.type === type ? [e.resourcePreEvent.metadata.op] : []));
    }

    async dispose(): Promise<void> {
        try {
            await this.stack.destroy();
            await this.stack.workspace.removeStack(this.stack.name, { force: true });
        } finally {
            fs.rmSync(this.state, { recursive: true, force: true });
        }
    }
}

