/**
 * What the end-to-end tests of log shipping share: starting the component's Pod on a real node
 * (with the sidecar under test), accounting for nginx's lines in what the sidecar shipped, and
 * asserting on the account with a readable sample when it fails.
 */
import { expect } from "chai";
import { PlainWebServerArgs } from "../../components/args";
import { SIDECAR_CONTAINER } from "../../components/podSpec";
import { componentPod as labComponentPod } from "../../lab/componentPod";
import { OutputChunk } from "../../lab/criLog";
import { LineAccount, NginxLineAccount, accountNginxLines } from "../../lab/lineAccounting";
import { request } from "../../lab/load";
import { ContainerLogs, NodeAccess } from "../../lab/nodeAccess";
import { NodePod } from "../../lab/nodePod";
import { waitFor } from "../../lab/polling";
import { withSidecar } from "../../lab/sidecarVariants";
import { testImages } from "../integration/clusterCapabilities";

/**
 * Fails, saying why, unless this machine reaches the Pod's IP: the tests send their load (wrk,
 * curl) from here, as to a Pod on the local node. On kind, test.yml routes the Pod network to the
 * node's container.
 */
export async function expectReachable(pod: NodePod): Promise<void> {
    try {
        await request(pod.baseUrl, "/?reachable");
    } catch (e) {
        throw new Error(`this machine cannot reach the Pod ${pod.name} at ${pod.baseUrl}, where the tests send their load: `
            + `route the cluster's Pod network to its node (test.yml does for kind): ${(e as Error).message}`, { cause: e });
    }
}

/** The component's Pod spec for `args` with the test images, and the ConfigMap it mounts (lab/componentPod.ts). */
export function componentPod(args: PlainWebServerArgs = {}): ReturnType<typeof labComponentPod> {
    return labComponentPod({ ...testImages(), ...args });
}

/** Starts the component's Pod for `args` (with the sidecar under test) on the node `node` reaches. */
export async function startPod(namespace: string, node: NodeAccess, args: PlainWebServerArgs = {}): Promise<NodePod> {
    const { spec, configMaps } = componentPod(args);
    const pod = await NodePod.start(withSidecar(spec), { namespace, node, configMaps });
    await expectReachable(pod);
    return pod;
}

/**
 * The component's Pod on a real node, with every run of its sidecar's output kept from its start
 * (lab/containerLogKeeper.ts, on the node): what the fault tests count nginx's lines against.
 */
export class WatchedPod {
    private constructor(readonly pod: NodePod, private readonly keeper: ContainerLogs) {}

    /** Starts the Pod with this `logSizeLimit` and keeps every run of the sidecar's output from now on. */
    static async start(namespace: string, node: NodeAccess, logSizeLimit: string): Promise<WatchedPod> {
        const pod = await startPod(namespace, node, { logSizeLimit });
        try {
            return new WatchedPod(pod, await node.keepContainerLogs(pod.onNode(), SIDECAR_CONTAINER));
        } catch (e) {
            pod.cleanUp();
            throw e;
        }
    }

    /** How many runs of the sidecar were kept (one more per restart); known once collected. */
    get runs(): number {
        return this.keeper.runs;
    }

    /** Stops keeping, and returns what every run of the sidecar shipped, each record with its CRI time. */
    shippedChunks(): Promise<OutputChunk[]> {
        return this.keeper.stop();
    }

    /** Stops keeping, and returns what every run of the sidecar shipped, as text. */
    async shippedText(): Promise<string> {
        return (await this.shippedChunks()).map((chunk) => chunk.text).join("");
    }

    /** Deletes the Pod the kubelet's way, then returns what every run of the sidecar shipped. */
    async deleteAndCollect(): Promise<string> {
        await this.pod.delete();
        return this.shippedText();
    }

    /** Removes the Pod (if still there) and the kept files. */
    cleanUp(): void {
        this.keeper.cleanUp();
        this.pod.cleanUp();
    }
}

/**
 * nginx's processes in the Pod: its master and one worker per core of the node (`worker_processes
 * auto`). A SIGKILL can land between a process's two writes of one line, the first to the shared
 * log and the second to its truth copy (nginx writes its logs in the order configured): that line
 * is then shipped without being in the truth copy. At most one such line per process.
 */
export function nginxProcesses(pod: NodePod): number {
    return 1 + pod.nodeCpus();
}

/** Every line nginx wrote, against every line the sidecar shipped (see accountNginxLines). */
export function account(pod: NodePod, shipped: string): NginxLineAccount {
    return accountNginxLines(pod.truthText("access.log"), pod.truthText("error.log"), shipped);
}

/** A few of `lines`, for a failure message. */
function sample(lines: string[]): string {
    return lines.slice(0, 3).join("\n    ");
}

/** Asserts nothing was lost. */
export function expectNothingLost(result: LineAccount): void {
    expect(result.lost, `${result.lost.length} of ${result.written} lines never shipped, e.g.\n    ${sample(result.lost)}\n`).to.have.length(0);
    expect(result.written).to.be.greaterThan(0);
}

/** Asserts nothing was lost, repeated or made up, with a readable sample when it was. */
export function expectEveryLineOnce(result: LineAccount): void {
    expectNothingLost(result);
    expect(result.duplicated, `${result.duplicated.length} lines shipped more than once, e.g.\n    ${sample(result.duplicated)}\n`).to.have.length(0);
    expect(result.unexpected, `${result.unexpected.length} shipped lines nginx never wrote, e.g.\n    ${sample(result.unexpected)}\n`).to.have.length(0);
}

/** The bytes of `lines` as the shipper wrote them (each with its newline). */
export function bytesOfLines(lines: string[]): number {
    return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
}

export { sleep } from "../../lab/polling";

/** Polls `check` every 200 ms until it holds, failing after `timeoutMs`. */
export async function eventually(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
    await waitFor(what, () => (check() ? true : undefined), timeoutMs, 200);
}
