import * as pulumi from "@pulumi/pulumi";

/** One resource as the Pulumi engine saw it register under mocks. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    // Mocks hand over the engine's untyped inputs; tests read known paths from them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine's inputs have no type; tests read known paths
    readonly inputs: any;
    /** The provider reference (`urn::id`) the resource was registered with, if any. */
    readonly provider: string | undefined;
}

/** Every resource registered since the last {@link clearRegistered}, in order. */
export const registered: RegisteredResource[] = [];

/** Forgets what was registered: call in `beforeEach` so each test sees only its own resources. */
export function clearRegistered(): void {
    registered.length = 0;
}

/** The registered resources of one type token, e.g. `kubernetes:core/v1:Pod`. */
export function registeredOfType(type: string): RegisteredResource[] {
    return registered.filter((r) => r.type === type);
}

/**
 * Replaces the Pulumi engine with mocks that record each resource. Kubernetes objects get the
 * name the server would give them: `metadata.name` when set, else an auto-name with a suffix.
 * Must run before the component module is imported.
 */
export function installMocks(): void {
    pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
            const state = { ...args.inputs };
            if (args.type.startsWith("kubernetes:") && args.type !== "pulumi:providers:kubernetes") {
                state.metadata = { ...args.inputs.metadata, name: args.inputs.metadata?.name ?? `${args.name}-a1b2c3d4` };
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "webserver-sidecar", "test", /* preview */ false);
}

/** Resolves an Output's value in a test (mocks resolve every output). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * Runs `construct` and collects what it rejects without a handler, waiting up to a second for the
 * first: a component whose Output argument turns out bad fails its registrations asynchronously, as
 * under the engine, where that fails the `up`.
 */
export async function unhandledRejectionsOf(construct: () => void): Promise<unknown[]> {
    const failures: unknown[] = [];
    const record = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", record);
    try {
        construct();
        for (let i = 0; i < 50 && failures.length === 0; i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    } finally {
        process.off("unhandledRejection", record);
    }
    return failures;
}
