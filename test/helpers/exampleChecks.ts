/**
 * What the e2e tests of the examples in other languages check, the way the TypeScript e2e tests
 * do: the Pod Ready, a request's access line in the sidecar's logs, and an invalid argument failing
 * `preview` with the message a TypeScript program gets.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, OutputMap } from "@pulumi/pulumi/automation";
import { WebServer, WebServerArgs } from "../../components";
import { readContainerOutput } from "../../lab/logFollower";
import { waitFor } from "../../lab/polling";
import { getThroughForward } from "../../lab/portForward";
import { kubectl, liveNames } from "../../lab/pulumiHarness";

/** Whether the Pod's Ready condition is True. */
export function podIsReady(name: string, namespace: string): boolean {
    const pod = JSON.parse(kubectl(["get", "pod", name, "-n", namespace, "-o", "json"])) as { status: { conditions?: { type: string; status: string }[] } };
    return pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false;
}

/**
 * Sends one GET through `kubectl port-forward service/<service>` (kubectl picks the Pod the
 * Service selects, and a free local port), and returns the response's status code.
 */
export async function getThroughService(service: string, port: number, namespace: string, urlPath: string): Promise<number> {
    const [response] = await getThroughForward(`service/${service}`, port, namespace, [urlPath]);
    return response.status;
}

/**
 * What every example deploys, as the API server has it: the Pod and Service named `web`, the
 * stack's `podName` and `serviceName` outputs naming them, the Pod Ready, the Service's port 8080
 * forwarding to nginx's 80.
 */
export function expectWebDeployed(outputs: OutputMap, namespace: string): void {
    expect(outputs.podName.value).to.equal("web");
    expect(outputs.serviceName.value).to.equal("web");
    expect(liveNames("pods", namespace)).to.deep.equal(["web"]);
    expect(liveNames("services", namespace)).to.deep.equal(["web"]);
    expect(podIsReady("web", namespace)).to.equal(true);
    const service = JSON.parse(kubectl(["get", "service", "web", "-n", namespace, "-o", "json"]));
    expect(service.spec.ports[0]).to.deep.include({ port: 8080, targetPort: 80 });
}

/**
 * A request through the example's Service, tagged `from`, is answered and its access line shipped,
 * as the JSON object every example asks for (`accessLogFormat: json`).
 */
export async function expectRequestShipped(namespace: string, from: string): Promise<void> {
    expect(await getThroughService("web", 8080, namespace, `/?from=${from}`)).to.equal(200);
    const shipped = await waitForShippedLine("web", namespace, `GET /?from=${from}`);
    const line = shipped.split("\n").find((text) => text.includes(`GET /?from=${from}`))!;
    expect(JSON.parse(line), line).to.deep.include({ request: `GET /?from=${from} HTTP/1.1`, status: 200 });
}

/** Waits for a line holding `text` in `kubectl logs <pod> -c sidecar-container`, and returns the logs. */
export function waitForShippedLine(pod: string, namespace: string, text: string): Promise<string> {
    return waitFor(`"${text}" in the sidecar's logs`, () => {
        const shipped = readContainerOutput({ namespace, pod, container: "sidecar-container" }).shipped;
        return shipped.includes(text) ? shipped : undefined;
    }, 10_000, 100);
}

/**
 * The message a TypeScript program gets for `new WebServer(name, args)` with invalid arguments: a
 * real `pulumi preview` of an inline TypeScript program, its error's problem list
 * (`invalid webserver-sidecar configuration (N problems):` and one `  - key: got ...` line each).
 */
export async function typeScriptMessage(name: string, args: WebServerArgs): Promise<string> {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "webserver-sidecar-ts-message-"));
    const stack = await LocalWorkspace.createStack({
        projectName: "webserver-sidecar-ts-message",
        stackName: `it-${crypto.randomBytes(3).toString("hex")}`,
        program: async () => {
            new WebServer(name, args);
        },
    }, {
        envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "integration-tests", PULUMI_SKIP_UPDATE_CHECK: "true" },
        projectSettings: { name: "webserver-sidecar-ts-message", runtime: "nodejs", backend: { url: `file://${state}` } },
    });
    try {
        await stack.preview();
    } catch (error) {
        return problemList(String(error));
    } finally {
        await stack.workspace.removeStack(stack.name, { force: true });
        fs.rmSync(state, { recursive: true, force: true });
    }
    throw new Error("the TypeScript program's preview succeeded: the arguments are valid");
}

/** The component's problem list in a CLI's output: the header line and its `  - ` lines. */
export function problemList(output: string): string {
    const match = /invalid webserver-sidecar configuration \(\d+ problems?\):\n(?:[ \t]*- .*\n?)+/.exec(output);
    if (match === null) {
        throw new Error(`no "invalid webserver-sidecar configuration" in:\n${output}`);
    }
    // The CLI indents a diagnostic's continuation lines: compare the lines, not the indentation.
    return match[0].split("\n").map((line) => line.trim()).filter((line) => line !== "").join("\n");
}
