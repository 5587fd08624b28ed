/**
 * What the end-to-end tests of log shipping share: starting the component's Pod on the local node
 * (with the sidecar under test), accounting for nginx's lines in what the sidecar shipped, and
 * asserting on the account with a readable sample when it fails.
 */
import { expect } from "chai";
import { PlainWebServerArgs, resolveArgs } from "../../components/args";
import { SIDECAR_CONTAINER, buildPodSpec } from "../../components/podSpec";
import { ContainerLogKeeper } from "../../lab/containerLogKeeper";
import { OutputChunk } from "../../lab/criLog";
import { LineAccount, NginxLineAccount, accountNginxLines } from "../../lab/lineAccounting";
import { localImages } from "../../lab/localNode";
import { NodePod } from "../../lab/nodePod";
import { waitFor } from "../../lab/polling";
import { withSidecar } from "../../lab/sidecarVariants";

/** Starts the component's Pod for `args` (with the sidecar under test) on the local node. */
export function startPod(namespace: string, args: PlainWebServerArgs = {}): Promise<NodePod> {
    const images = localImages();
    const spec = buildPodSpec(resolveArgs({ nginxImage: images.nginx, sidecarImage: images.python, ...args }));
    return NodePod.start(withSidecar(spec), { namespace });
}

/**
 * The component's Pod on the local node, with every run of its sidecar's output kept from its
 * start (lab/containerLogKeeper.ts): what the fault tests count nginx's lines against.
 */
export class WatchedPod {
    private constructor(readonly pod: NodePod, private readonly keeper: ContainerLogKeeper) {}

    /** Starts the Pod with this `logSizeLimit` and keeps every run of the sidecar's output from now on. */
    static async start(namespace: string, logSizeLimit: string): Promise<WatchedPod> {
        const pod = await startPod(namespace, { logSizeLimit });
        return new WatchedPod(pod, ContainerLogKeeper.start(pod, SIDECAR_CONTAINER));
    }

    /** How many runs of the sidecar were kept (one more per restart). */
    get runs(): number {
        return this.keeper.runs;
    }

    /** Stops keeping, and returns what every run of the sidecar shipped, each record with its CRI time. */
    shippedChunks(): OutputChunk[] {
        return this.keeper.stop();
    }

    /** Stops keeping, and returns what every run of the sidecar shipped, as text. */
    shippedText(): string {
        return this.shippedChunks().map((chunk) => chunk.text).join("");
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
