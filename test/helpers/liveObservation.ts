/**
 * Reads a change-matrix row's {@link Observation} from what the cluster runs (or, for what no
 * Kubernetes object holds, from the stack's state), as one string to compare before, during and
 * after a change.
 */
import { kubectl, TestStack } from "../../lab/pulumiHarness";
import { getThroughPortForward } from "../../lab/portForward";
import { ABSENT, Observation } from "./changeMatrix";

/** The instance's selector, as the component sets it for the program's `webserver`. */
export const INSTANCE_SELECTOR = "app.kubernetes.io/name=webserver-sidecar,app.kubernetes.io/instance=webserver";

/** What the observation reads when the instance runs no Pod. */
export const NO_RUNNING_POD = "(no running Pod)";

/** Where a stack of the matrix runs: its namespace, the other one the `namespace` row moves it to, and the stack. */
export interface ObservedStack {
    readonly namespace: string;
    readonly otherNamespace: string;
    readonly stack: TestStack;
}

/** Reads `observation` on `target` now. */
export async function observe(observation: Observation, target: ObservedStack): Promise<string> {
    switch (observation.kind) {
        case "pods":
            return onRunningPods(target.namespace, observation.jsonpath);
        case "object":
            return onObject(target.namespace, observation.resource, observation.jsonpath);
        case "podNamespaces":
            return [target.namespace, target.otherNamespace].filter((namespace) => runningPodNames(namespace).length > 0).join(" ");
        case "http":
            return servedPage(target.namespace, observation.header);
        case "state":
            return inState(target.stack, observation.type, observation.field);
    }
}

/**
 * The Pods of the instance that run in `namespace` (not those of an old revision that are
 * stopping), by name, with `jsonpath` read on each in the same kubectl call.
 */
function runningPodValues(namespace: string, jsonpath: string): Map<string, string> {
    // One line per Pod: its deletion timestamp (empty while it runs), its name, the value.
    const template = `{range .items[*]}{.metadata.deletionTimestamp}{"\\t"}{.metadata.name}{"\\t"}${jsonpath}{"\\n"}{end}`;
    const lines = kubectl(["get", "pods", "-n", namespace, "-l", INSTANCE_SELECTOR, "-o", `jsonpath=${template}`]).split("\n").filter((line) => line !== "");
    const values = new Map<string, string>();
    for (const line of lines) {
        const [deleting, name, ...value] = line.split("\t");
        if (deleting === "") {
            values.set(name, value.join("\t"));
        }
    }
    return values;
}

function runningPodNames(namespace: string): string[] {
    return [...runningPodValues(namespace, "").keys()].sort();
}

/** The value every running Pod of the instance has; the distinct values joined by ` | ` when they disagree. */
function onRunningPods(namespace: string, jsonpath: string): string {
    const values = [...new Set(runningPodValues(namespace, jsonpath).values())];
    return values.length === 0 ? NO_RUNNING_POD : values.sort().join(" | ");
}

function onObject(namespace: string, resource: string, jsonpath: string): string {
    const found = kubectl(["get", resource, "-n", namespace, "--ignore-not-found", "-o", "name"]).trim();
    return found === "" ? ABSENT : kubectl(["get", resource, "-n", namespace, "-o", `jsonpath=${jsonpath}`]);
}

/** `/` as a running Pod serves it through `kubectl port-forward`: the body, or one header's value (empty when it is not sent). */
async function servedPage(namespace: string, header: string | undefined): Promise<string> {
    const [pod] = runningPodNames(namespace);
    if (pod === undefined) {
        return NO_RUNNING_POD;
    }
    const [response] = await getThroughPortForward(pod, namespace, ["/"]);
    if (header === undefined) {
        return response.body.toString();
    }
    const value = response.headers[header];
    return Array.isArray(value) ? value.join(", ") : value ?? "";
}

/** A field of the first resource of `type` in the stack's state that has it (secrets shown, as `pulumi stack export --show-secrets`). */
async function inState(stack: TestStack, type: string, field: readonly string[]): Promise<string> {
    const state = await stack.stack.exportStack();
    const resources = (state.deployment as { resources?: Record<string, unknown>[] }).resources ?? [];
    for (const resource of resources.filter((r) => r.type === type)) {
        const value = field.reduce<unknown>((node, name) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[name] : undefined), resource);
        if (value !== undefined) {
            return plainValue(value);
        }
    }
    return ABSENT;
}

/** A state value as text; a secret (`{ <sig>: …, plaintext: "<json>" }`) as its plaintext. */
function plainValue(value: unknown): string {
    if (typeof value === "object" && value !== null && "plaintext" in value) {
        return plainValue(JSON.parse(String((value as { plaintext: unknown }).plaintext)));
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}
